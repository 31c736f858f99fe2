// The console's memory of consumer groups over time: each classic group's
// rebalances (generation, who joined and left, which partitions moved, how
// long it took), fed by the coordinator's transition observer, and each
// group's lag sampled at an interval. Everything is bounded (groups, entries
// per group, samples per group) and lives on the broker's handler thread:
// the observer runs there and the console reads it through on_broker.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "group/group_metadata.h"
#include "group/group_state.h"
#include "group/types.h"

namespace samsa::http {

struct partition_move {
  group::topic_partition partition;
  std::string from;  // member id; empty = nobody owned it
  std::string to;    // empty = nobody owns it now
};

struct rebalance_entry {
  int32_t generation = 0;
  int64_t started_ms = 0;                // entered PreparingRebalance
  std::optional<int64_t> joined_ms;      // every member joined (CompletingRebalance)
  std::optional<int64_t> ended_ms;       // Stable, Empty, or restarted
  std::string outcome = "in progress";   // "stable", "empty", "restarted", "in progress"
  std::vector<std::string> members;
  std::vector<std::string> joined;
  std::vector<std::string> left;
  std::vector<partition_move> moved;
  std::map<std::string, std::vector<group::topic_partition>> assignment;  // consumer protocol only
};

struct lag_sample {
  int64_t time_ms = 0;
  int64_t lag = 0;           // records, summed over the group's committed partitions
  double lag_seconds = 0;    // the oldest unconsumed record's age, over those partitions
};

// One partition's lag at one sample: records behind the high watermark, and
// now minus the timestamp of the first record not consumed (0 when caught up).
struct partition_lag_point {
  group::topic_partition partition;
  int64_t committed = -1;
  int64_t lag = 0;
  double lag_seconds = 0;
};

struct history_limits {
  size_t groups = 1000;
  size_t rebalances_per_group = 50;
  size_t samples_per_group = 360;  // 30 minutes at the default 5 s
  // Per-partition lag histories, over every group (each holds up to
  // samples_per_group samples): past this, new partitions get none.
  size_t partition_series = 2048;
};

class group_history {
 public:
  explicit group_history(history_limits limits = {}) : limits_(limits) {}

  // The coordinator's transition observer.
  void on_transition(const group::group_metadata& g, group::group_state from, int64_t now_ms);
  // KIP-848 consumer groups and share groups have no join/sync rounds: the
  // console samples them (every lag sample) and records each new group
  // epoch as an entry, from the sample that first saw it to the one that saw
  // every member on it (`reconciled`); its times are as fine as the sampling.
  // `assignment`: each member's current partitions.
  void observe_epoch(const std::string& group_id, int64_t now_ms, int32_t group_epoch,
                     const std::map<std::string, std::vector<group::topic_partition>>& assignment, bool reconciled);

  // One lag sample of a group: its total, and each partition's.
  void sample_lag(const std::string& group_id, int64_t time_ms, const std::vector<partition_lag_point>& partitions);
  // Drops groups the coordinator no longer has.
  void keep_only(const std::set<std::string>& existing);

  // nullptr when the group has no history.
  const std::deque<rebalance_entry>* rebalances(const std::string& group_id) const;
  const std::deque<lag_sample>* lag(const std::string& group_id) const;
  // Each partition's lag over time (nullptr when the group has no history).
  using partition_series = std::map<group::topic_partition, std::deque<lag_sample>>;
  const partition_series* partition_lag(const std::string& group_id) const;
  // The last sample of each partition (/metrics reads lag in seconds here).
  const std::vector<partition_lag_point>* last_partition_lag(const std::string& group_id) const;
  // Rebalances seen since the broker started (kept while the group is).
  int64_t rebalances_total(const std::string& group_id) const;
  size_t groups() const { return groups_.size(); }
  size_t series() const { return series_; }

 private:
  struct group_record {
    std::deque<rebalance_entry> rebalances;
    std::deque<lag_sample> lag;
    partition_series partition_lag;
    std::vector<partition_lag_point> last_partition_lag;
    int64_t rebalances_total = 0;
    std::optional<int32_t> seen_epoch;  // observe_epoch: the last group epoch sampled
    std::optional<int64_t> rebalance_started_ms;
    std::vector<std::string> last_members;
    std::map<group::topic_partition, std::string> last_owner;
    int64_t touched_ms = 0;
  };
  group_record& record_for(const std::string& id, int64_t now_ms);
  void push(group_record& r, rebalance_entry e);

  void forget(std::map<std::string, group_record>::iterator it);

  history_limits limits_;
  std::map<std::string, group_record> groups_;
  size_t series_ = 0;  // partition histories over every group
};

}  // namespace samsa::http
