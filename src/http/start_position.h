// Where a read of a partition starts, as a request names it: the earliest
// record, the end (only what arrives from now on), an offset, or the first
// record at or after a timestamp (ListOffsets' lookup).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "base/result.h"

namespace samsa::storage {
class partition_log;
}

namespace samsa::http {

struct start_position {
  enum class kind { earliest, latest, offset, timestamp };
  kind what = kind::earliest;
  int64_t value = 0;  // the offset or the timestamp (ms)
};

// from=earliest|latest, from_offset=N or from_timestamp=MS (at most one of
// the three); `fallback` when none is given. Errors name the parameter.
result<start_position> parse_start_position(const std::map<std::string, std::string>& q, start_position fallback);

// The offset in `log` that `p` names, within [log start, high watermark]: an
// offset outside is clamped (a tail asked to start before the log start
// starts at it), a timestamp after every record is the high watermark. Takes
// the partition's lock for a timestamp lookup: run it off the handler thread.
result<int64_t> resolve_start(const storage::partition_log& log, const start_position& p);

}  // namespace samsa::http
