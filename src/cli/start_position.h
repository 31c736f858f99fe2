// Parses and resolves `consume --from` / `--until` positions:
//   beginning|earliest|start, end|latest, N (offset), +N (N after the log
//   start), -N (N before the end), @MS, @2026-12-03T10:00[:SS][Z] (UTC),
//   @-1h / @-30m / @-10s / @-2d (relative to now); kcat's s@MS is @MS.
//   "0=5,1=-2": per partition (only those partitions are read).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "base/result.h"
#include "client/admin.h"

namespace samsa::cli {

struct start_position {
  enum class kind { beginning, end, offset, after_start, before_end, timestamp };
  kind what = kind::beginning;
  int64_t value = 0;  // offset, count or timestamp (ms since epoch)
};

struct start_spec {
  std::optional<start_position> all;         // one position for every partition
  std::map<int32_t, start_position> per_partition;
};

// `now_ms` makes relative times testable.
[[nodiscard]] result<start_spec> parse_start(const std::string& text, int64_t now_ms);
// A timestamp for --until: "@..." or a bare time as above.
[[nodiscard]] result<int64_t> parse_time(const std::string& text, int64_t now_ms);

// Where a partition starts, as a concrete offset, and a note when the asked
// offset was outside [earliest, latest] and had to be moved.
struct resolved_start {
  int64_t offset = 0;
  std::string note;
};
resolved_start resolve_start(const start_position& p, const client::partition_offsets& o);

}  // namespace samsa::cli
