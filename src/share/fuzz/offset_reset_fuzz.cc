// Fuzz target for share.auto.offset.reset values (IncrementalAlterConfigs
// hands them to the broker from any client): the ISO-8601 duration parser
// must never crash, and what it accepts must be a normalised, non-negative
// duration whose timestamp never lies in the future.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "share/offset_reset.h"

using namespace samsa::share;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto d = parse_iso_duration(text); d && (d->nanos < 0 || d->nanos >= 1000000000)) abort();
  if (auto s = parse_offset_reset(text)) {
    if (s->type == offset_reset_strategy::kind::by_duration) {
      if (s->duration.seconds < 0) abort();
      const int64_t now = 1700000000000;
      const int64_t ts = s->timestamp_ms(now);
      if (ts < 0 || ts > now) abort();
    }
  }
  return 0;
}
