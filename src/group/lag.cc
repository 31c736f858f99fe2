#include "group/lag.h"

#include <algorithm>

#include "group/coordinator.h"

namespace samsa::group {

std::vector<partition_lag> compute_lag(
    const std::vector<committed_offset>& committed,
    const std::function<std::optional<int64_t>(const topic_partition&)>& high_watermark) {
  std::vector<partition_lag> out;
  out.reserve(committed.size());
  for (const auto& c : committed) {
    partition_lag l;
    l.topic = c.topic;
    l.partition = c.partition;
    l.committed = c.error == 0 ? c.offset : -1;
    const auto hw = high_watermark(topic_partition{c.topic, c.partition});
    if (hw) l.high_watermark = *hw;
    if (hw && l.committed >= 0) l.lag = std::max<int64_t>(*hw - l.committed, 0);
    out.push_back(std::move(l));
  }
  return out;
}

std::vector<partition_lag> group_lag(
    const coordinator& c, const std::string& group_id,
    const std::function<std::optional<int64_t>(const topic_partition&)>& high_watermark) {
  return compute_lag(c.fetch_offsets(group_id, std::nullopt).partitions, high_watermark);
}

int64_t total_lag(const std::vector<partition_lag>& lags) {
  int64_t sum = 0;
  for (const auto& l : lags) sum += l.lag.value_or(0);
  return sum;
}

}  // namespace samsa::group
