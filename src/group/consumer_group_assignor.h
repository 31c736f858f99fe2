// Server-side assignors of the consumer group protocol (KIP-848): given the
// members' subscriptions and the topics' partition counts, the target
// assignment of every member. Pure functions, deterministic for equal input.
//
// - uniform: spreads all subscribed partitions evenly over the members that
//   subscribe to them, keeping each member's previous target partitions where
//   balance allows (so a rebalance moves as few partitions as it can).
// - range: per topic, the subscribers ordered by member id get contiguous
//   ranges of partitions, the first (partitions % subscribers) one more.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "group/consumer_group_types.h"

namespace samsa::group {

struct cg_assignor_member {
  std::string member_id;
  std::set<topic_id> subscribed;       // resolved topic ids that exist
  cg_assignment previous_target;       // for stickiness (uniform)
};

using cg_target = std::map<std::string, cg_assignment>;  // member id -> assignment

// Topic id -> partition count of every topic any member subscribes to.
using cg_partition_counts = std::map<topic_id, int32_t>;

cg_target assign_uniform(const std::vector<cg_assignor_member>& members, const cg_partition_counts& topics);
cg_target assign_range(const std::vector<cg_assignor_member>& members, const cg_partition_counts& topics);

// The assignors this broker knows, by the names clients send in ServerAssignor.
bool is_known_assignor(std::string_view name);
// Runs the named assignor; nullopt for an unknown name.
std::optional<cg_target> run_assignor(std::string_view name, const std::vector<cg_assignor_member>& members,
                                      const cg_partition_counts& topics);

}  // namespace samsa::group
