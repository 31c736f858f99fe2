// The share-group assignor, "simple" as Kafka names its share assignor
// (KIP-932; the rules of Kafka 4.x's SimpleAssignor, Samsa's own code):
//
// - Every partition of a subscribed topic goes to at least one member
//   subscribed to it. With M members and P partitions each partition wants
//   ceil(M / P) members ("sharing": 1 while members are fewer than
//   partitions, more once they outnumber them), and the members split the
//   ceil(M / P) * P slots so that their counts differ by at most one.
// - Balance comes first, stickiness second: a member keeps what it was
//   assigned as long as the balance allows; only the excess of over-shared
//   partitions and over-filled members is taken away, and what is missing is
//   handed out to the members below their count.
// - When every member subscribes to the same topics, the balance is over all
//   their partitions together; otherwise each topic is balanced among its own
//   subscribers and the results are combined.
//
// Members and partitions are visited in sorted order, so the result depends
// only on the input (members, their subscriptions and current assignments,
// and the topics' partition counts).
#pragma once

#include <map>
#include <string>

#include "share/share_group.h"

namespace samsa::share {

// The target assignment of every member (an entry for each, maybe empty).
// `members[i].assigned` is the current assignment the result sticks to.
std::map<std::string, assignment> assign(const std::map<std::string, member>& members,
                                         const topic_partitions& topics);

}  // namespace samsa::share
