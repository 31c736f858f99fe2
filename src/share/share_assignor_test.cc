#include "share/share_assignor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace samsa::share {
namespace {

using group = std::map<std::string, member>;

group subscribed(std::vector<std::string> ids, std::vector<std::string> topics) {
  group g;
  for (const auto& id : ids) g[id].subscribed = topics;
  return g;
}

// Applies a result as the members' current assignment (what the next
// rebalance starts from).
void adopt(group& g, const std::map<std::string, assignment>& result) {
  for (auto& [id, m] : g) m.assigned = result.at(id);
}

size_t count_of(const assignment& a) {
  size_t n = 0;
  for (const auto& [t, ps] : a) n += ps.size();
  return n;
}

// How many members hold each (topic, partition).
std::map<std::pair<std::string, int32_t>, int> sharing_of(const std::map<std::string, assignment>& result) {
  std::map<std::pair<std::string, int32_t>, int> out;
  for (const auto& [id, a] : result) {
    for (const auto& [t, ps] : a) {
      for (int32_t p : ps) ++out[{t, p}];
    }
  }
  return out;
}

// (member, topic, partition) triples a member held before and lost.
int moved_away(const group& before, const std::map<std::string, assignment>& after) {
  int lost = 0;
  for (const auto& [id, m] : before) {
    auto it = after.find(id);
    for (const auto& [t, ps] : m.assigned) {
      for (int32_t p : ps) {
        bool kept = it != after.end() && it->second.count(t) &&
                    std::count(it->second.at(t).begin(), it->second.at(t).end(), p);
        lost += kept ? 0 : 1;
      }
    }
  }
  return lost;
}

TEST(share_assignor, fewer_members_than_partitions_spread_them_evenly) {
  auto g = subscribed({"a", "b", "c"}, {"t"});
  auto out = assign(g, {{"t", 7}});
  EXPECT_EQ(out["a"], (assignment{{"t", {0, 3, 6}}}));
  EXPECT_EQ(out["b"], (assignment{{"t", {1, 4}}}));
  EXPECT_EQ(out["c"], (assignment{{"t", {2, 5}}}));
  for (const auto& [tp, n] : sharing_of(out)) EXPECT_EQ(n, 1) << tp.second;
}

TEST(share_assignor, more_members_than_partitions_share_each_partition) {
  auto g = subscribed({"a", "b", "c", "d", "e"}, {"t"});
  auto out = assign(g, {{"t", 2}});
  // ceil(5 / 2) = 3 members per partition; 6 slots over 5 members.
  auto sharing = sharing_of(out);
  EXPECT_EQ(sharing.size(), 2u);
  for (const auto& [tp, n] : sharing) EXPECT_EQ(n, 3);
  size_t total = 0;
  for (const auto& [id, a] : out) {
    EXPECT_GE(count_of(a), 1u) << id;
    EXPECT_LE(count_of(a), 2u) << id;
    total += count_of(a);
  }
  EXPECT_EQ(total, 6u);
  // One partition, many members: all of them read it.
  out = assign(subscribed({"a", "b", "c"}, {"q"}), {{"q", 1}});
  for (const auto& [id, a] : out) EXPECT_EQ(a, (assignment{{"q", {0}}})) << id;
}

TEST(share_assignor, a_joining_member_takes_only_what_balance_needs) {
  auto g = subscribed({"a", "b", "c"}, {"t"});
  adopt(g, assign(g, {{"t", 6}}));
  const group before = g;
  g["d"].subscribed = {"t"};
  auto out = assign(g, {{"t", 6}});
  // 6 partitions over 4 members (counts 2, 1, 2, 1): b gives one partition
  // to d; nothing else moves.
  EXPECT_EQ(moved_away(before, out), 1);
  EXPECT_EQ(count_of(out["b"]), 1u);
  EXPECT_EQ(count_of(out["d"]), 1u);
  for (const auto& [tp, n] : sharing_of(out)) EXPECT_EQ(n, 1);
  // The old members gained nothing new.
  for (const auto& [id, m] : before) {
    for (const auto& [t, ps] : out[id]) {
      for (int32_t p : ps) {
        const auto& old = m.assigned.at(t);
        EXPECT_NE(std::find(old.begin(), old.end(), p), old.end()) << id << " gained " << p;
      }
    }
  }
}

TEST(share_assignor, a_leaving_member_hands_over_only_its_partitions) {
  auto g = subscribed({"a", "b", "c", "d"}, {"t"});
  adopt(g, assign(g, {{"t", 8}}));
  const auto gone = g.at("b").assigned;
  g.erase("b");
  const group before = g;
  auto out = assign(g, {{"t", 8}});
  EXPECT_EQ(moved_away(before, out), 0);  // the others keep everything they had
  for (const auto& [tp, n] : sharing_of(out)) EXPECT_EQ(n, 1);
  EXPECT_EQ(sharing_of(out).size(), 8u);
  for (int32_t p : gone.at("t")) EXPECT_EQ(sharing_of(out).count({"t", p}), 1u);
}

TEST(share_assignor, a_balanced_assignment_is_kept_as_it_is) {
  // Whatever the history, the assignor leaves a balanced result alone, so a
  // restart (which runs it again over the journaled assignment) moves nothing.
  auto g = subscribed({"a", "b", "c", "d", "e"}, {"t", "u"});
  adopt(g, assign(g, {{"t", 3}, {"u", 4}}));
  auto again = assign(g, {{"t", 3}, {"u", 4}});
  for (const auto& [id, m] : g) EXPECT_EQ(again.at(id), m.assigned) << id;
  // Sticky even when the balanced result is not the one a fresh start gives.
  group hand = subscribed({"a", "b"}, {"t"});
  hand["a"].assigned = {{"t", {1}}};
  hand["b"].assigned = {{"t", {0}}};
  auto kept = assign(hand, {{"t", 2}});
  EXPECT_EQ(kept["a"], (assignment{{"t", {1}}}));
  EXPECT_EQ(kept["b"], (assignment{{"t", {0}}}));
}

TEST(share_assignor, growing_membership_past_the_partition_count_adds_sharers) {
  auto g = subscribed({"a", "b"}, {"t"});
  adopt(g, assign(g, {{"t", 2}}));
  const group before = g;
  g["c"].subscribed = {"t"};
  auto out = assign(g, {{"t", 2}});
  // 3 members, 2 partitions: each partition wants 2 members; a and b keep theirs.
  EXPECT_EQ(moved_away(before, out), 0);
  for (const auto& [tp, n] : sharing_of(out)) EXPECT_EQ(n, 2);
  // Back to 2 members: over-shared partitions shed the excess.
  g = before;
  adopt(g, out);
  g.erase("c");
  auto back = assign(g, {{"t", 2}});
  for (const auto& [tp, n] : sharing_of(back)) EXPECT_EQ(n, 1);
  EXPECT_EQ(count_of(back["a"]), 1u);
  EXPECT_EQ(count_of(back["b"]), 1u);
}

TEST(share_assignor, different_subscriptions_balance_each_topic_among_its_subscribers) {
  group g;
  g["m1"].subscribed = {"t1"};
  g["m2"].subscribed = {"t2"};
  g["m3"].subscribed = {"t1", "t2"};
  auto out = assign(g, {{"t1", 4}, {"t2", 2}});
  EXPECT_EQ(count_of(out["m1"]), 2u);
  EXPECT_EQ(out["m1"].count("t2"), 0u);
  EXPECT_EQ(out["m2"].count("t1"), 0u);
  EXPECT_EQ(out["m3"].at("t1").size(), 2u);
  EXPECT_EQ(out["m3"].at("t2").size(), 1u);
  EXPECT_EQ(out["m2"].at("t2").size(), 1u);
  auto sharing = sharing_of(out);
  EXPECT_EQ(sharing.size(), 6u);
  for (const auto& [tp, n] : sharing) EXPECT_EQ(n, 1);
}

TEST(share_assignor, unsubscribed_and_missing_topics_are_taken_away) {
  auto g = subscribed({"a", "b"}, {"t", "u"});
  adopt(g, assign(g, {{"t", 2}, {"u", 2}}));
  for (auto& [id, m] : g) m.subscribed = {"t"};
  auto out = assign(g, {{"t", 2}, {"u", 2}});
  for (const auto& [id, a] : out) EXPECT_EQ(a.count("u"), 0u) << id;
  EXPECT_EQ(sharing_of(out).size(), 2u);
  // A topic that does not exist (yet) gives nothing.
  auto none = assign(subscribed({"a"}, {"later"}), {{"t", 2}});
  EXPECT_TRUE(none.at("a").empty());
  EXPECT_TRUE(assign({}, {{"t", 2}}).empty());
}

TEST(share_assignor, the_result_depends_only_on_the_input) {
  auto g = subscribed({"x", "y", "z"}, {"t", "u"});
  g["x"].assigned = {{"t", {0, 1, 2}}, {"u", {0}}};
  auto one = assign(g, {{"t", 5}, {"u", 3}});
  auto two = assign(g, {{"t", 5}, {"u", 3}});
  EXPECT_EQ(one, two);
  for (const auto& [tp, n] : sharing_of(one)) EXPECT_EQ(n, 1);
  for (const auto& [id, a] : one) {
    EXPECT_GE(count_of(a), 2u) << id;
    EXPECT_LE(count_of(a), 3u) << id;
  }
}

}  // namespace
}  // namespace samsa::share
