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
  int64_t lag = 0;  // records, summed over the group's committed partitions
};

struct history_limits {
  size_t groups = 1000;
  size_t rebalances_per_group = 50;
  size_t samples_per_group = 360;  // 30 minutes at the default 5 s
};

class group_history {
 public:
  explicit group_history(history_limits limits = {}) : limits_(limits) {}

  // The coordinator's transition observer.
  void on_transition(const group::group_metadata& g, group::group_state from, int64_t now_ms);
  void sample_lag(const std::string& group_id, int64_t time_ms, int64_t lag);
  // Drops groups the coordinator no longer has.
  void keep_only(const std::set<std::string>& existing);

  // nullptr when the group has no history.
  const std::deque<rebalance_entry>* rebalances(const std::string& group_id) const;
  const std::deque<lag_sample>* lag(const std::string& group_id) const;
  size_t groups() const { return groups_.size(); }

 private:
  struct group_record {
    std::deque<rebalance_entry> rebalances;
    std::deque<lag_sample> lag;
    std::optional<int64_t> rebalance_started_ms;
    std::vector<std::string> last_members;
    std::map<group::topic_partition, std::string> last_owner;
    int64_t touched_ms = 0;
  };
  group_record& record_for(const std::string& id, int64_t now_ms);
  void push(group_record& r, rebalance_entry e);

  history_limits limits_;
  std::map<std::string, group_record> groups_;
};

}  // namespace samsa::http
