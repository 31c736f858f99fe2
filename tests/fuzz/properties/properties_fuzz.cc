// Fuzz target for the properties parser (broker/properties.cc): the text of
// a --config file and --set overrides. Input: the text. Checks beyond "no
// crash": parsing is deterministic, and an override never has an empty key.
// (A file line "=v" gives the empty key, as java.util.Properties does.)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "broker/properties.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = samsa::broker::parse_properties(text, "fuzz.properties");
  if (parsed) {
    auto again = samsa::broker::parse_properties(text, "fuzz.properties");
    if (!again || *again != *parsed) abort();
  }
  auto one = samsa::broker::parse_override(text);
  if (one && one->first.empty()) abort();
  return 0;
}
