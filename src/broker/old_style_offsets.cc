#include "broker/old_style_offsets.h"

#include <algorithm>
#include <functional>
#include <utility>

namespace samsa::broker {

namespace {
constexpr int64_t latest_timestamp = -1;
constexpr int64_t earliest_timestamp = -2;
}  // namespace

std::vector<int64_t> old_style_offsets(const log_shape& log, const old_style_offsets_query& query, int64_t now_ms) {
  // (offset, time) per segment start, plus the log end if the last segment
  // holds data. A segment start below the log start (DeleteRecords) reads as
  // the log start.
  std::vector<std::pair<int64_t, int64_t>> points;
  for (const auto& s : log.segments) {
    points.emplace_back(std::max(s.base_offset, log.log_start_offset), s.last_modified_ms);
  }
  if (!log.segments.empty() && log.segments.back().size_bytes > 0) points.emplace_back(log.log_end_offset, now_ms);

  int64_t start = -1;
  if (query.timestamp == latest_timestamp) {
    start = static_cast<int64_t>(points.size()) - 1;
  } else if (query.timestamp == earliest_timestamp) {
    start = points.empty() ? -1 : 0;
  } else {
    start = static_cast<int64_t>(points.size()) - 1;
    while (start >= 0 && points[static_cast<size_t>(start)].second > query.timestamp) --start;
  }

  std::vector<int64_t> out;
  const int64_t count = std::min<int64_t>(query.max_num_offsets, start + 1);
  for (int64_t j = 0; j < count; ++j) out.push_back(points[static_cast<size_t>(start - j)].first);
  std::sort(out.begin(), out.end(), std::greater<>());

  if (query.from_consumer && std::any_of(out.begin(), out.end(), [&](int64_t o) { return o > log.high_watermark; })) {
    // Everything past the high watermark is replaced by the high watermark.
    std::vector<int64_t> capped{log.high_watermark};
    for (int64_t o : out) {
      if (o <= log.high_watermark) capped.push_back(o);
    }
    out = std::move(capped);
  }
  return out;
}

}  // namespace samsa::broker
