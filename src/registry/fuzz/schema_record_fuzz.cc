// `_schemas` records come from a topic anyone with write access can fill:
// split the input into key and value at the first NUL and apply it to a
// registry state, which must skip what is malformed.
#include <cstddef>
#include <cstdint>
#include <string>

#include "registry/registry_state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  size_t nul = input.find('\0');
  samsa::registry::log_record record;
  record.key = input.substr(0, nul);
  if (nul != std::string::npos) record.value = input.substr(nul + 1);
  samsa::registry::registry_state state;
  (void)state.apply(record);
  (void)state.subjects(true);
  return 0;
}
