// Consumer lag: how far a group's committed offsets trail the partitions'
// high watermarks. Cheap enough to compute on every describe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "group/types.h"

namespace samsa::group {

struct partition_lag {
  std::string topic;
  int32_t partition = 0;
  int64_t committed = -1;       // -1: nothing committed
  int64_t high_watermark = -1;  // -1: partition unknown
  std::optional<int64_t> lag;   // nullopt when either side is unknown
};

// `high_watermark` returns nullopt for partitions it does not know. Lag never
// goes below zero (a commit past the end after truncation counts as caught up).
std::vector<partition_lag> compute_lag(
    const std::vector<committed_offset>& committed,
    const std::function<std::optional<int64_t>(const topic_partition&)>& high_watermark);

// Sum of the known lags.
int64_t total_lag(const std::vector<partition_lag>& lags);

class coordinator;
// Lag of every partition the group has committed.
std::vector<partition_lag> group_lag(
    const coordinator& c, const std::string& group_id,
    const std::function<std::optional<int64_t>(const topic_partition&)>& high_watermark);

}  // namespace samsa::group
