#include "group/lag.h"

#include <gtest/gtest.h>

#include <map>

#include "group/group_metadata.h"
#include "group/test_support.h"

namespace samsa::group {
namespace {

TEST(Lag, PerPartitionAndTotal) {
  std::vector<committed_offset> committed = {
      {"t", 0, 10, -1, std::nullopt, 0},
      {"t", 1, -1, -1, std::nullopt, 0},   // nothing committed
      {"t", 2, 50, -1, std::nullopt, 0},   // beyond the end after truncation
      {"u", 0, 5, -1, std::nullopt, 0},    // unknown partition
  };
  std::map<topic_partition, int64_t> hw = {{{"t", 0}, 25}, {{"t", 1}, 7}, {{"t", 2}, 40}};
  auto lags = compute_lag(committed, [&](const topic_partition& tp) -> std::optional<int64_t> {
    auto it = hw.find(tp);
    if (it == hw.end()) return std::nullopt;
    return it->second;
  });
  ASSERT_EQ(lags.size(), 4u);
  EXPECT_EQ(lags[0].lag, 15);
  EXPECT_EQ(lags[0].high_watermark, 25);
  EXPECT_FALSE(lags[1].lag.has_value());
  EXPECT_EQ(lags[2].lag, 0);
  EXPECT_FALSE(lags[3].lag.has_value());
  EXPECT_EQ(lags[3].high_watermark, -1);
  EXPECT_EQ(total_lag(lags), 15);
}

TEST(Lag, ForAGroupFromItsCommittedOffsets) {
  testing::harness h;
  h.commit(offset_commit_request{"g", -1, "", std::nullopt, {{"t", 0, 4, -1, std::nullopt}, {"t", 1, 9, -1, std::nullopt}}});
  auto lags = group_lag(h.c, "g", [](const topic_partition& tp) -> std::optional<int64_t> { return 10 + tp.partition; });
  ASSERT_EQ(lags.size(), 2u);
  EXPECT_EQ(lags[0].lag, 6);
  EXPECT_EQ(lags[1].lag, 2);
  EXPECT_EQ(total_lag(lags), 8);
  EXPECT_TRUE(group_lag(h.c, "none", [](const topic_partition&) { return std::optional<int64_t>(1); }).empty());
}

TEST(GroupState, TransitionsFollowKafka) {
  EXPECT_TRUE(valid_transition(group_state::empty, group_state::preparing_rebalance));
  EXPECT_TRUE(valid_transition(group_state::preparing_rebalance, group_state::completing_rebalance));
  EXPECT_TRUE(valid_transition(group_state::preparing_rebalance, group_state::empty));
  EXPECT_TRUE(valid_transition(group_state::completing_rebalance, group_state::stable));
  EXPECT_TRUE(valid_transition(group_state::stable, group_state::preparing_rebalance));
  EXPECT_FALSE(valid_transition(group_state::empty, group_state::stable));
  EXPECT_FALSE(valid_transition(group_state::stable, group_state::completing_rebalance));
  EXPECT_FALSE(valid_transition(group_state::dead, group_state::empty));
  EXPECT_EQ(parse_state("completingrebalance"), group_state::completing_rebalance);
  EXPECT_EQ(parse_state("bogus"), std::nullopt);
  group_metadata g("g", 0);
  EXPECT_FALSE(g.transition_to(group_state::stable, 5));
  EXPECT_TRUE(g.transition_to(group_state::preparing_rebalance, 5));
  EXPECT_EQ(g.state_timestamp_ms(), 5);
}

TEST(GroupMetadata, LeaderMovesToEarliestRemainingMember) {
  group_metadata g("g", 0);
  for (const char* id : {"a", "b", "c"}) {
    auto m = std::make_unique<member>();
    m->member_id = id;
    m->protocol_type = "consumer";
    m->set_protocols({{"range", {}}});
    g.add(std::move(m));
  }
  EXPECT_EQ(g.leader_id, "a");
  g.remove("a");
  EXPECT_EQ(g.leader_id, "b");
  g.remove("c");
  g.remove("b");
  EXPECT_FALSE(g.leader_id.has_value());
}

}  // namespace
}  // namespace samsa::group
