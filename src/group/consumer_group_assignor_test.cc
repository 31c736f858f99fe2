#include "group/consumer_group_assignor.h"

#include <gtest/gtest.h>

#include "group/consumer_group_reconcile.h"
#include "group/consumer_group_test_support.h"

namespace samsa::group {
namespace {

using cgtest::tid;

cg_assignor_member sub(const std::string& id, std::set<topic_id> topics, cg_assignment previous = {}) {
  return cg_assignor_member{id, std::move(topics), std::move(previous)};
}

// Every partition of every topic some member subscribes to is assigned to
// exactly one subscriber of that topic.
void expect_complete(const cg_target& target, const std::vector<cg_assignor_member>& members,
                     const cg_partition_counts& topics) {
  std::map<std::pair<topic_id, int32_t>, int> seen;
  for (const auto& [mid, a] : target) {
    const auto& m = *std::find_if(members.begin(), members.end(), [&](auto& x) { return x.member_id == mid; });
    for (const auto& [t, ps] : a) {
      EXPECT_TRUE(m.subscribed.count(t)) << mid << " got a topic it does not subscribe to";
      for (int32_t p : ps) ++seen[{t, p}];
    }
  }
  for (const auto& [t, n] : topics) {
    bool subscribed = std::any_of(members.begin(), members.end(), [&](auto& m) { return m.subscribed.count(t) > 0; });
    for (int32_t p = 0; p < n; ++p) EXPECT_EQ((seen[{t, p}]), subscribed ? 1 : 0) << "partition " << p;
  }
}

TEST(UniformAssignor, BalancesEqualSubscriptionsWithinOne) {
  cg_partition_counts topics{{tid(1), 4}, {tid(2), 3}};
  std::vector<cg_assignor_member> members{sub("a", {tid(1), tid(2)}), sub("b", {tid(1), tid(2)}),
                                          sub("c", {tid(1), tid(2)})};
  auto target = assign_uniform(members, topics);
  expect_complete(target, members, topics);
  std::vector<size_t> counts;
  for (const auto& [m, a] : target) counts.push_back(partition_count(a));
  std::sort(counts.begin(), counts.end());
  EXPECT_EQ(counts, (std::vector<size_t>{2, 2, 3}));
}

TEST(UniformAssignor, NewMemberTakesOnlyWhatBalanceRequires) {
  cg_partition_counts topics{{tid(1), 6}};
  std::vector<cg_assignor_member> two{sub("a", {tid(1)}), sub("b", {tid(1)})};
  auto before = assign_uniform(two, topics);
  std::vector<cg_assignor_member> three{sub("a", {tid(1)}, before["a"]), sub("b", {tid(1)}, before["b"]),
                                        sub("c", {tid(1)})};
  auto after = assign_uniform(three, topics);
  expect_complete(after, three, topics);
  EXPECT_TRUE(is_subset(after["a"], before["a"]));
  EXPECT_TRUE(is_subset(after["b"], before["b"]));
  EXPECT_EQ(partition_count(after["c"]), 2u);
}

TEST(UniformAssignor, DifferentSubscriptionsOnlyGetTheirTopics) {
  cg_partition_counts topics{{tid(1), 3}, {tid(2), 5}};
  std::vector<cg_assignor_member> members{sub("a", {tid(1)}), sub("b", {tid(1), tid(2)}), sub("c", {tid(2)})};
  auto target = assign_uniform(members, topics);
  expect_complete(target, members, topics);
  EXPECT_EQ(partition_count(target["a"]) + partition_count(target["b"]) + partition_count(target["c"]), 8u);
  // b takes from both topics but no more than a fair share of 4.
  EXPECT_LE(partition_count(target["b"]), 4u);
}

TEST(UniformAssignor, EveryMemberAppearsEvenWithNothing) {
  cg_partition_counts topics{{tid(1), 1}};
  std::vector<cg_assignor_member> members{sub("a", {tid(1)}), sub("b", {tid(1)})};
  auto target = assign_uniform(members, topics);
  EXPECT_EQ(target.size(), 2u);
  EXPECT_EQ(partition_count(target["a"]) + partition_count(target["b"]), 1u);
}

TEST(RangeAssignor, ContiguousRangesByMemberId) {
  cg_partition_counts topics{{tid(1), 5}, {tid(2), 2}};
  std::vector<cg_assignor_member> members{sub("m2", {tid(1), tid(2)}), sub("m1", {tid(1), tid(2)})};
  auto target = assign_range(members, topics);
  EXPECT_EQ(target["m1"], (cg_assignment{{tid(1), {0, 1, 2}}, {tid(2), {0}}}));
  EXPECT_EQ(target["m2"], (cg_assignment{{tid(1), {3, 4}}, {tid(2), {1}}}));
}

TEST(RangeAssignor, OnlySubscribersOfATopicShareIt) {
  cg_partition_counts topics{{tid(1), 4}, {tid(2), 4}};
  std::vector<cg_assignor_member> members{sub("a", {tid(1)}), sub("b", {tid(1), tid(2)})};
  auto target = assign_range(members, topics);
  expect_complete(target, members, topics);
  EXPECT_EQ(target["b"].at(tid(2)).size(), 4u);
}

TEST(Assignors, KnownByName) {
  EXPECT_TRUE(is_known_assignor("uniform"));
  EXPECT_TRUE(is_known_assignor("range"));
  EXPECT_FALSE(is_known_assignor("sticky"));
  EXPECT_FALSE(run_assignor("sticky", {}, {}).has_value());
}

}  // namespace
}  // namespace samsa::group
