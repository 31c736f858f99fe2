#include <algorithm>

#include "http/start_position.h"
#include "storage/partition_log.h"

namespace samsa::http {

result<int64_t> resolve_start(const storage::partition_log& log, const start_position& p) {
  const int64_t start = log.log_start_offset();
  const int64_t end = log.high_watermark();
  switch (p.what) {
    case start_position::kind::earliest:
      return start;
    case start_position::kind::latest:
      return end;
    case start_position::kind::offset:
      return std::clamp(p.value, start, std::max(start, end));
    case start_position::kind::timestamp: {
      auto at = log.offset_for_timestamp(p.value);
      if (!at) return at.err();
      return *at ? std::clamp((*at)->offset, start, std::max(start, end)) : end;
    }
  }
  return start;
}

}  // namespace samsa::http
