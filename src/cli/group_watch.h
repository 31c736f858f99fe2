// `samsa group watch`: what changed in a group between two looks at it —
// state, members joining and leaving, partitions moving between members, and
// how fast each partition's committed offset advances. Pure functions over
// snapshots, so the teaching text is tested without a broker.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "client/admin.h"

namespace samsa::cli {

struct group_snapshot {
  int64_t at_ms = 0;
  client::group_info info;
  std::vector<client::partition_lag> lag;
};

// One line each, in the order they should be read.
std::vector<std::string> group_changes(const group_snapshot& before, const group_snapshot& now);

// Committed records per second per partition between two snapshots (only
// partitions committed in both).
std::map<std::pair<std::string, int32_t>, double> commit_rates(const group_snapshot& before,
                                                               const group_snapshot& now);

// A member's short name: client id and the tail of its member id.
std::string member_label(const client::group_member& m);

}  // namespace samsa::cli
