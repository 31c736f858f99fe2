// Fuzz target for the properties parser (broker/properties.cc): the text of
// a --config file and --set overrides. Input: the text. Checks beyond "no
// crash": keys are never empty and parsing is deterministic.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "broker/properties.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = samsa::broker::parse_properties(text, "fuzz.properties");
  if (parsed) {
    for (const auto& [k, v] : *parsed)
      if (k.empty()) abort();
    auto again = samsa::broker::parse_properties(text, "fuzz.properties");
    if (!again || *again != *parsed) abort();
  }
  auto one = samsa::broker::parse_override(text);
  if (one && one->first.empty()) abort();
  return 0;
}
