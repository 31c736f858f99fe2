// Hostile sasl.jaas.config text: parsing must end with modules or an error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "security/sasl/jaas.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)samsa::sasl::parse_jaas_config(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
