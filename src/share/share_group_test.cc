#include "share/share_group.h"

#include "share/share_assignor.h"

#include <gtest/gtest.h>

namespace samsa::share {
namespace {

heartbeat_request join(const std::string& id, std::vector<std::string> topics) {
  heartbeat_request r;
  r.member_id = id;
  r.member_epoch = 0;
  r.subscribed = std::move(topics);
  return r;
}

heartbeat_request beat(const std::string& id, int32_t epoch) {
  heartbeat_request r;
  r.member_id = id;
  r.member_epoch = epoch;
  return r;
}

TEST(share_group, members_of_one_partition_all_share_it) {
  share_group g("g");
  topic_partitions topics{{"t", 1}};
  group_settings s;
  auto a = g.heartbeat(join("a", {"t"}), topics, s, 0);
  ASSERT_EQ(a.error, error_code::none);
  EXPECT_EQ(a.member_epoch, 1);
  auto b = g.heartbeat(join("b", {"t"}), topics, s, 0);
  EXPECT_EQ(b.member_epoch, 2);
  EXPECT_EQ(b.assigned, (assignment{{"t", {0}}}));
  EXPECT_EQ(g.members().at("a").assigned, (assignment{{"t", {0}}}));
  EXPECT_EQ(g.state(), "Stable");
}

TEST(share_group, partitions_spread_when_fewer_members) {
  std::map<std::string, member> members;
  members["a"].subscribed = {"t"};
  members["b"].subscribed = {"t"};
  auto out = assign(members, {{"t", 3}});
  EXPECT_EQ(out["a"], (assignment{{"t", {0, 2}}}));
  EXPECT_EQ(out["b"], (assignment{{"t", {1}}}));
  members["c"].subscribed = {"u"};
  out = assign(members, {{"t", 3}});  // u does not exist: nothing for c
  EXPECT_TRUE(out["c"].empty());
}

TEST(share_group, stale_epoch_is_fenced_and_unknown_member_refused) {
  share_group g("g");
  topic_partitions topics{{"t", 2}};
  group_settings s;
  g.heartbeat(join("a", {"t"}), topics, s, 0);
  g.heartbeat(join("b", {"t"}), topics, s, 0);
  // a still holds epoch 1 until it heartbeats; then it moves to the group's 2.
  EXPECT_EQ(g.members().at("a").epoch, 1);
  EXPECT_EQ(g.heartbeat(beat("a", 2), topics, s, 0).error, error_code::fenced_member_epoch);
  auto ok = g.heartbeat(beat("a", 1), topics, s, 0);
  EXPECT_EQ(ok.error, error_code::none);
  EXPECT_EQ(ok.member_epoch, 2);
  EXPECT_EQ(ok.assigned, (assignment{{"t", {0}}}));
  EXPECT_EQ(g.heartbeat(beat("a", 1), topics, s, 0).error, error_code::fenced_member_epoch);
  EXPECT_EQ(g.heartbeat(beat("zzz", 2), topics, s, 0).error, error_code::unknown_member_id);
  EXPECT_EQ(g.heartbeat(beat("", 0), topics, s, 0).error, error_code::invalid_request);
  EXPECT_EQ(g.heartbeat(beat("c", 0), topics, s, 0).error, error_code::invalid_request);  // no subscription
}

TEST(share_group, leave_and_session_expiry_rebalance) {
  share_group g("g");
  topic_partitions topics{{"t", 2}};
  group_settings s;
  s.session_timeout_ms = 100;
  g.heartbeat(join("a", {"t"}), topics, s, 0);
  g.heartbeat(join("b", {"t"}), topics, s, 50);
  auto left = g.heartbeat(beat("b", 2), topics, s, 60);  // b joined at epoch 2
  ASSERT_EQ(left.error, error_code::none);
  auto bye = beat("b", -1);
  EXPECT_EQ(g.heartbeat(bye, topics, s, 60).member_epoch, -1);
  EXPECT_EQ(g.group_epoch(), 3);
  EXPECT_EQ(g.members().at("a").assigned, (assignment{{"t", {0, 1}}}));
  EXPECT_EQ(g.next_session_deadline(), 100);
  EXPECT_TRUE(g.expire_members(99, topics).empty());
  EXPECT_EQ(g.expire_members(100, topics), std::vector<std::string>{"a"});
  EXPECT_EQ(g.state(), "Empty");
}

TEST(share_group, partition_growth_bumps_the_epoch_on_the_next_heartbeat) {
  share_group g("g");
  group_settings s;
  g.heartbeat(join("a", {"t"}), {{"t", 1}}, s, 0);
  auto same = g.heartbeat(beat("a", 1), {{"t", 1}}, s, 0);
  EXPECT_EQ(same.member_epoch, 1);
  auto grown = g.heartbeat(beat("a", 1), {{"t", 3}}, s, 0);
  EXPECT_EQ(grown.member_epoch, 2);
  EXPECT_EQ(grown.assigned, (assignment{{"t", {0, 1, 2}}}));
}

TEST(share_group, max_size_is_enforced) {
  share_group g("g");
  group_settings s;
  s.max_size = 1;
  g.heartbeat(join("a", {"t"}), {{"t", 1}}, s, 0);
  EXPECT_EQ(g.heartbeat(join("b", {"t"}), {{"t", 1}}, s, 0).error, error_code::group_max_size_reached);
}

TEST(share_group, restore_keeps_a_journaled_assignment_and_its_epoch) {
  share_group g("g");
  group_settings s;
  topic_partitions topics{{"t", 3}};
  g.heartbeat(join("a", {"t"}), topics, s, 0);
  g.heartbeat(join("b", {"t"}), topics, s, 0);
  std::vector<member> saved;
  for (const auto& [id, m] : g.members()) saved.push_back(m);

  share_group same("g");
  EXPECT_FALSE(same.restore(g.group_epoch(), saved, topics));
  EXPECT_EQ(same.group_epoch(), 2);
  EXPECT_EQ(same.assignment_epoch(), 2);
  for (const auto& [id, m] : g.members()) EXPECT_EQ(same.members().at(id).assigned, m.assigned) << id;

  // The topic grew while the broker was down: a new assignment, a new epoch.
  share_group grown("g");
  EXPECT_TRUE(grown.restore(g.group_epoch(), saved, {{"t", 4}}));
  EXPECT_EQ(grown.group_epoch(), 3);
  EXPECT_EQ(grown.assignment_epoch(), 3);
  size_t total = 0;
  for (const auto& [id, m] : grown.members()) total += m.assigned.at("t").size();
  EXPECT_EQ(total, 4u);
  // A member heartbeating with its old epoch catches up with the new one.
  auto caught_up = grown.heartbeat(beat("a", g.members().at("a").epoch), {{"t", 4}}, s, 0);
  EXPECT_EQ(caught_up.error, error_code::none);
  EXPECT_EQ(caught_up.member_epoch, 3);
}

}  // namespace
}  // namespace samsa::share
