// The rebalance history recorded from a real classic coordinator's
// transitions (fake clock), and the bounds of the history.
#include "http/group_history.h"

#include <gtest/gtest.h>

#include "group/test_support.h"
#include "protocol/writer.h"

namespace samsa::http {
namespace {

using group::testing::harness;
using group::testing::make_join;

group::bytes assignment(const std::vector<int32_t>& partitions) {
  protocol::writer w;
  w.write_int16(0);
  w.write_int32(1);
  w.write_string("orders");
  w.write_int32(static_cast<int32_t>(partitions.size()));
  for (int32_t p : partitions) w.write_int32(p);
  w.write_int32(-1);
  return w.buffer();
}

struct observed {
  harness h;
  group_history history;
  observed() {
    h.c.set_transition_observer([this](const group::group_metadata& g, group::group_state from, int64_t now) {
      history.on_transition(g, from, now);
    });
  }
};

std::vector<std::string> moves(const rebalance_entry& e) {
  std::vector<std::string> out;
  for (const auto& m : e.moved)
    out.push_back(m.partition.topic + "-" + std::to_string(m.partition.partition) + ":" + m.from + ">" + m.to);
  return out;
}

TEST(GroupHistory, RecordsGenerationsMembersMovesAndDurations) {
  observed o;
  auto& h = o.h;
  const int64_t t0 = h.now;
  auto j1 = h.join(make_join("g", "c1"));
  h.advance(100);  // the initial rebalance delay
  ASSERT_TRUE(j1->done);
  const std::string a = j1->value.member_id;
  h.advance(20);
  ASSERT_TRUE(h.sync("g", 1, a, {{a, assignment({0, 1, 2})}})->done);

  const auto* rb = o.history.rebalances("g");
  ASSERT_NE(rb, nullptr);
  ASSERT_EQ(rb->size(), 1u);
  const auto& first = rb->back();
  EXPECT_EQ(first.generation, 1);
  EXPECT_EQ(first.outcome, "stable");
  EXPECT_EQ(first.started_ms, t0);
  EXPECT_EQ(*first.joined_ms, t0 + 100);
  EXPECT_EQ(*first.ended_ms, t0 + 120);
  EXPECT_EQ(first.joined, std::vector<std::string>{a});
  EXPECT_TRUE(first.left.empty());
  EXPECT_EQ(moves(first), (std::vector<std::string>{"orders-0:>" + a, "orders-1:>" + a, "orders-2:>" + a}));

  // A second member: both rejoin, partition 2 moves to it.
  auto j2 = h.join(make_join("g", "c2"));
  auto j1b = h.join(make_join("g", "c1", a));
  h.advance(0);
  ASSERT_TRUE(j2->done && j1b->done);
  const std::string b = j2->value.member_id;
  const int32_t gen2 = j1b->value.generation_id;
  auto follower = h.sync("g", gen2, b);
  h.sync("g", gen2, a, {{a, assignment({0, 1})}, {b, assignment({2})}});
  ASSERT_EQ(h.state("g"), "Stable");
  ASSERT_TRUE(follower->done);
  ASSERT_EQ(rb->size(), 2u);
  EXPECT_EQ(rb->back().generation, gen2);
  EXPECT_EQ(rb->back().joined, std::vector<std::string>{b});
  EXPECT_EQ(moves(rb->back()), std::vector<std::string>{"orders-2:" + a + ">" + b});
  EXPECT_EQ(rb->back().assignment.at(b).size(), 1u);

  // The first member leaves: its partitions move to the one that stays.
  h.c.leave("g", {group::leave_member{a, std::nullopt, std::string("test")}}, h.now);
  auto j2b = h.join(make_join("g", "c2", b));
  h.advance(0);
  ASSERT_TRUE(j2b->done);
  h.sync("g", j2b->value.generation_id, b, {{b, assignment({0, 1, 2})}});
  ASSERT_EQ(rb->size(), 3u);
  EXPECT_EQ(rb->back().left, std::vector<std::string>{a});
  EXPECT_TRUE(rb->back().joined.empty());
  EXPECT_EQ(moves(rb->back()), (std::vector<std::string>{"orders-0:" + a + ">" + b, "orders-1:" + a + ">" + b}));

  // The last member leaves: the group is empty, nobody owns anything.
  h.c.leave("g", {group::leave_member{b, std::nullopt, std::string("test")}}, h.now);
  ASSERT_EQ(h.state("g"), "Empty");
  ASSERT_EQ(rb->size(), 4u);
  EXPECT_EQ(rb->back().outcome, "empty");
  EXPECT_EQ(rb->back().left, std::vector<std::string>{b});
  EXPECT_EQ(rb->back().moved.size(), 3u);
  // Every entry began with a rebalance (/metrics counts them).
  EXPECT_EQ(o.history.rebalances_total("g"), 4);
}

TEST(GroupHistory, SampledEpochsOfConsumerAndShareGroups) {
  group_history history;
  using assignment_map = std::map<std::string, std::vector<group::topic_partition>>;
  auto tp = [](int32_t p) { return group::topic_partition{"t", p}; };
  // Epoch 1 seen while its members still reconcile, then reconciled.
  history.observe_epoch("g", 100, 1, assignment_map{{"a", {tp(0)}}, {"b", {}}}, false);
  const auto* rb = history.rebalances("g");
  ASSERT_NE(rb, nullptr);
  ASSERT_EQ(rb->size(), 1u);
  EXPECT_EQ(rb->back().outcome, "in progress");
  EXPECT_EQ(rb->back().joined, (std::vector<std::string>{"a", "b"}));
  history.observe_epoch("g", 200, 1, assignment_map{{"a", {tp(0)}}, {"b", {tp(1)}}}, true);
  ASSERT_EQ(rb->size(), 1u);
  EXPECT_EQ(rb->back().outcome, "stable");
  EXPECT_EQ(rb->back().started_ms, 100);
  EXPECT_EQ(rb->back().ended_ms, 200);
  EXPECT_EQ(moves(rb->back()), (std::vector<std::string>{"t-0:>a", "t-1:>b"}));
  // The same epoch again changes nothing.
  history.observe_epoch("g", 300, 1, assignment_map{{"a", {tp(0)}}, {"b", {tp(1)}}}, true);
  EXPECT_EQ(rb->size(), 1u);
  // b leaves (epoch 2), and c joins before that settled (epoch 3).
  history.observe_epoch("g", 400, 2, assignment_map{{"a", {tp(0)}}}, false);
  history.observe_epoch("g", 500, 3, assignment_map{{"a", {tp(0)}}, {"c", {}}}, false);
  ASSERT_EQ(rb->size(), 3u);
  EXPECT_EQ((*rb)[1].outcome, "restarted");
  EXPECT_EQ((*rb)[1].left, std::vector<std::string>{"b"});
  EXPECT_EQ(rb->back().joined, std::vector<std::string>{"c"});
  history.observe_epoch("g", 600, 3, assignment_map{{"a", {tp(0)}}, {"c", {tp(1)}}}, true);
  EXPECT_EQ(moves(rb->back()), (std::vector<std::string>{"t-1:b>c"}));
  EXPECT_EQ(history.rebalances_total("g"), 3);
  // Everyone leaves.
  history.observe_epoch("g", 700, 4, assignment_map{}, true);
  EXPECT_EQ(rb->back().outcome, "empty");
  EXPECT_EQ(moves(rb->back()), (std::vector<std::string>{"t-0:a>", "t-1:c>"}));
}

TEST(GroupHistory, EverythingIsBounded) {
  history_limits limits;
  limits.groups = 2;
  limits.rebalances_per_group = 2;
  limits.samples_per_group = 3;
  group_history history(limits);
  auto one = [](int64_t lag) { return std::vector<partition_lag_point>{{{"t", 0}, 0, lag, 0}}; };
  for (int i = 0; i < 10; ++i) history.sample_lag("g", i, one(i * 10));
  ASSERT_EQ(history.lag("g")->size(), 3u);
  EXPECT_EQ(history.lag("g")->front().lag, 70);
  ASSERT_EQ(history.partition_lag("g")->size(), 1u);
  EXPECT_EQ(history.partition_lag("g")->begin()->second.size(), 3u);
  history.sample_lag("h", 100, one(1));
  history.sample_lag("i", 200, one(1));  // a third group: the least recently touched goes
  EXPECT_EQ(history.groups(), 2u);
  EXPECT_EQ(history.lag("g"), nullptr);
  history.keep_only({"i"});
  EXPECT_EQ(history.groups(), 1u);
  EXPECT_NE(history.lag("i"), nullptr);
  EXPECT_EQ(history.series(), 1u);

  // Per-partition histories are bounded over every group; the total still
  // counts the partitions past the bound.
  limits.partition_series = 3;
  group_history few(limits);
  std::vector<partition_lag_point> four;
  for (int32_t p = 0; p < 4; ++p) four.push_back({{"t", p}, 0, 10, 0.5 * p});
  few.sample_lag("g", 1, four);
  EXPECT_EQ(few.partition_lag("g")->size(), 3u);
  EXPECT_EQ(few.lag("g")->back().lag, 40);
  EXPECT_DOUBLE_EQ(few.lag("g")->back().lag_seconds, 1.5);
  EXPECT_EQ(few.last_partition_lag("g")->size(), 4u);
  // A partition gone from the group (topic deleted) frees its series.
  four.erase(four.begin());
  few.sample_lag("g", 2, four);
  few.sample_lag("h", 2, {{{"u", 0}, 0, 1, 0}});
  EXPECT_EQ(few.series(), 3u);
  EXPECT_EQ(few.partition_lag("g")->count({"t", 3}), 1u);  // took the freed series
  EXPECT_EQ(few.partition_lag("h")->size(), 0u);

  observed o;
  o.history = group_history(limits);
  for (int round = 0; round < 4; ++round) {
    auto j = o.h.join(make_join("g", "c"));
    o.h.advance(200);
    ASSERT_TRUE(j->done);
    o.h.sync("g", j->value.generation_id, j->value.member_id, {{j->value.member_id, assignment({0})}});
    o.h.c.leave("g", {group::leave_member{j->value.member_id, std::nullopt, std::string("x")}}, o.h.now);
  }
  // Two entries per round (stable, then empty); only the last two kept.
  ASSERT_EQ(o.history.rebalances("g")->size(), 2u);
  EXPECT_EQ(o.history.rebalances("g")->back().outcome, "empty");
}

}  // namespace
}  // namespace samsa::http
