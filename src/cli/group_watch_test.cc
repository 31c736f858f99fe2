#include "cli/group_watch.h"

#include <gtest/gtest.h>

namespace samsa::cli {
namespace {

client::group_member member(const std::string& client, const std::string& id, std::vector<int32_t> parts) {
  client::group_member m;
  m.client_id = client;
  m.member_id = client + "-" + id;
  for (int32_t p : parts) m.assignment.push_back({"orders", p, -1});
  return m;
}

group_snapshot snap(int64_t at, const std::string& state, std::vector<client::group_member> members) {
  group_snapshot s;
  s.at_ms = at;
  s.info.group_id = "billing";
  s.info.state = state;
  s.info.members = std::move(members);
  return s;
}

bool has(const std::vector<std::string>& lines, const std::string& text) {
  for (const auto& l : lines)
    if (l.find(text) != std::string::npos) return true;
  return false;
}

TEST(GroupWatch, JoinAndPartitionMovesAreNamed) {
  auto a = snap(0, "Stable", {member("c1", "aaaaaaaa11111111", {0, 1})});
  auto b = snap(1000, "Stable", {member("c1", "aaaaaaaa11111111", {0}), member("c2", "bbbbbbbb22222222", {1})});
  auto lines = group_changes(a, b);
  EXPECT_TRUE(has(lines, "member c2 (22222222) joined")) << testing::PrintToString(lines);
  EXPECT_TRUE(has(lines, "orders[1] moved c1 (11111111) -> c2 (22222222)")) << testing::PrintToString(lines);
  EXPECT_FALSE(has(lines, "orders[0]"));
}

TEST(GroupWatch, StateChangesAreExplainedAndLeavesSeen) {
  auto a = snap(0, "Stable", {member("c1", "x1", {0}), member("c2", "x2", {1})});
  auto b = snap(500, "PreparingRebalance", {member("c1", "x1", {})});
  auto lines = group_changes(a, b);
  EXPECT_TRUE(has(lines, "state Stable -> PreparingRebalance: a rebalance started"));
  EXPECT_TRUE(has(lines, "member c2 (c2-x2) left"));
  EXPECT_TRUE(has(lines, "orders[0] revoked from c1"));
  EXPECT_TRUE(group_changes(b, b).empty());
}

TEST(GroupWatch, CommitRatesPerSecond) {
  auto a = snap(0, "Stable", {});
  auto b = snap(2000, "Stable", {});
  a.lag = {{"orders", 0, 10}, {"orders", 1, -1}};
  b.lag = {{"orders", 0, 30}, {"orders", 1, 5}};
  auto rates = commit_rates(a, b);
  ASSERT_EQ(rates.size(), 1u);
  EXPECT_DOUBLE_EQ((rates[{"orders", 0}]), 10.0);
}

}  // namespace
}  // namespace samsa::cli
