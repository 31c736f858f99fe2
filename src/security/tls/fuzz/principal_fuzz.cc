// Fuzzes ssl.principal.mapping.rules parsing and the mapping of a client
// certificate's subject (which a client chooses): input = rules, a NUL byte,
// then the subject. Neither may crash, hang or allocate without bound.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "security/tls/principal_mapping.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t split = input.find('\0');
  std::string_view rules = input.substr(0, split);
  std::string_view subject = split == std::string_view::npos ? std::string_view("CN=x") : input.substr(split + 1);
  auto mapper = samsa::security::tls::principal_mapper::parse(rules);
  if (mapper) (void)mapper->map(subject);
  return 0;
}
