// Fuzz target for the UTF-8 repair every protocol string goes through
// (base/utf8.h): it must never crash, its result must be valid UTF-8 at most
// three times as long, valid input must come back unchanged, and the repair
// of a repair changes nothing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "base/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const bool was_valid = samsa::utf8::valid(text);
  auto fixed = samsa::utf8::repaired(text);
  if (was_valid != !fixed.has_value()) abort();
  if (fixed) {
    if (!samsa::utf8::valid(*fixed)) abort();
    if (fixed->size() > 3 * size) abort();
    if (samsa::utf8::repaired(*fixed)) abort();
  }
  return 0;
}
