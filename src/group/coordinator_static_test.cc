// Static membership (group.instance.id): rejoin without rebalance, fencing.
#include "group/test_support.h"

namespace samsa::group {
namespace {

using testing::consumer_protocols;
using testing::harness;
using testing::make_join;

join_request static_join(const std::string& group, const std::string& instance, const std::string& member_id = "") {
  auto r = make_join(group, instance + "-client", member_id);
  r.group_instance_id = instance;
  return r;
}

struct static_group {
  std::string leader;
  std::string follower;
};

static_group form_static(harness& h) {
  auto a = h.join(static_join("g", "i1"));
  auto b = h.join(static_join("g", "i2"));
  h.advance(200);
  EXPECT_TRUE(a->done && b->done);
  static_group sg{a->value.member_id, b->value.member_id};
  EXPECT_EQ(a->value.leader_id, sg.leader);
  auto fs = h.sync("g", 1, sg.follower, {}, "i2");
  auto ls = h.sync("g", 1, sg.leader, {{sg.leader, bytes{1}}, {sg.follower, bytes{2}}}, "i1");
  EXPECT_EQ(fs->value.assignment, (bytes{2}));
  EXPECT_EQ(h.state("g"), "Stable");
  return sg;
}

TEST(StaticMembership, FollowerRestartRejoinsWithoutRebalance) {
  harness h;
  auto sg = form_static(h);
  const size_t writes = h.log.entries().size();
  auto again = h.join(static_join("g", "i2"));  // restarted: no member id
  ASSERT_TRUE(again->done);
  EXPECT_EQ(again->value.error, errc::none);
  EXPECT_NE(again->value.member_id, sg.follower);
  EXPECT_EQ(again->value.generation_id, 1);
  EXPECT_EQ(again->value.leader_id, sg.leader);
  EXPECT_TRUE(again->value.members.empty());
  EXPECT_EQ(h.state("g"), "Stable");
  EXPECT_EQ(h.log.entries().size(), writes + 1);  // the new member id is persisted
  // The new id gets the old assignment; the old id is fenced everywhere.
  auto s = h.sync("g", 1, again->value.member_id, {}, "i2");
  EXPECT_EQ(s->value.error, errc::none);
  EXPECT_EQ(s->value.assignment, (bytes{2}));
  EXPECT_EQ(h.heartbeat("g", 1, sg.follower, "i2"), errc::fenced_instance_id);
  EXPECT_EQ(h.heartbeat("g", 1, again->value.member_id, "i2"), errc::none);
  EXPECT_EQ(h.sync("g", 1, sg.follower, {}, "i2")->value.error, errc::fenced_instance_id);
  EXPECT_EQ(h.join(static_join("g", "i2", sg.follower))->value.error, errc::fenced_instance_id);
  offset_commit_request c{"g", 1, sg.follower, std::string("i2"), {{"orders", 0, 5, -1, std::nullopt}}};
  EXPECT_EQ(h.commit(c)[0].error, errc::fenced_instance_id);
  auto leave = h.c.leave("g", {{sg.follower, std::string("i2"), std::nullopt}}, h.now);
  EXPECT_EQ(leave.members[0].error, errc::fenced_instance_id);
}

TEST(StaticMembership, LeaderRestartIsToldToSkipAssignmentOnNewClients) {
  harness h;
  auto sg = form_static(h);
  auto req = static_join("g", "i1");
  req.supports_skip_assignment = true;
  auto again = h.join(req);
  ASSERT_TRUE(again->done);
  EXPECT_EQ(again->value.leader_id, again->value.member_id);
  EXPECT_TRUE(again->value.skip_assignment);
  EXPECT_EQ(again->value.members.size(), 2u);
  EXPECT_EQ(h.state("g"), "Stable");
}

TEST(StaticMembership, LeaderRestartOnOldClientsSeesTheOldLeaderId) {
  harness h;
  auto sg = form_static(h);
  auto again = h.join(static_join("g", "i1"));
  ASSERT_TRUE(again->done);
  EXPECT_EQ(again->value.leader_id, sg.leader);  // so it does not run the assignor
  EXPECT_NE(again->value.member_id, sg.leader);
  EXPECT_FALSE(again->value.skip_assignment);
  EXPECT_TRUE(again->value.members.empty());
  // The group itself now knows the new id as leader.
  EXPECT_TRUE(h.c.find_group("g")->is_leader(again->value.member_id));
}

TEST(StaticMembership, RejoinWithOtherProtocolsButSameSelectionStaysStable) {
  harness h;
  auto sg = form_static(h);
  auto req = static_join("g", "i2");
  req.protocols = consumer_protocols({"roundrobin", "range"});
  auto again = h.join(req);
  // The leader only offers range, so range stays selected: no rebalance.
  ASSERT_TRUE(again->done);
  EXPECT_EQ(again->value.error, errc::none);
  EXPECT_EQ(h.state("g"), "Stable");
}

TEST(StaticMembership, RejoinThatChangesTheSelectedProtocolRebalances) {
  harness h;
  auto ra = static_join("g", "i1");
  ra.protocols = consumer_protocols({"range", "roundrobin"});
  auto rb = static_join("g", "i2");
  rb.protocols = consumer_protocols({"range", "roundrobin"});
  auto a = h.join(ra);
  auto b = h.join(rb);
  h.advance(200);
  ASSERT_EQ(a->value.protocol_name, "range");
  h.sync_all("g", 1, {a->value.member_id, b->value.member_id});
  rb.protocols = consumer_protocols({"roundrobin"});
  auto again = h.join(rb);
  EXPECT_FALSE(again->done);
  EXPECT_EQ(h.state("g"), "PreparingRebalance");
  ra.member_id = a->value.member_id;
  auto la = h.join(ra);
  ASSERT_TRUE(again->done && la->done);
  EXPECT_EQ(again->value.generation_id, 2);
  EXPECT_EQ(again->value.protocol_name, "roundrobin");
}

TEST(StaticMembership, RejoinDuringCompletingRebalanceRestartsIt) {
  harness h;
  auto a = h.join(static_join("g", "i1"));
  auto b = h.join(static_join("g", "i2"));
  h.advance(200);
  ASSERT_EQ(h.state("g"), "CompletingRebalance");
  auto fs = h.sync("g", 1, b->value.member_id, {}, "i2");
  EXPECT_FALSE(fs->done);
  auto again = h.join(static_join("g", "i2"));
  // The waiting SyncGroup of the replaced id is fenced.
  ASSERT_TRUE(fs->done);
  EXPECT_EQ(fs->value.error, errc::fenced_instance_id);
  EXPECT_EQ(h.state("g"), "PreparingRebalance");
  auto ra = h.join(static_join("g", "i1", a->value.member_id));
  ASSERT_TRUE(again->done && ra->done);
  EXPECT_EQ(again->value.generation_id, 2);
}

TEST(StaticMembership, DuplicateInstanceFencesThePendingJoin) {
  harness h;
  auto first = h.join(static_join("g", "i1"));
  EXPECT_FALSE(first->done);
  auto dup = h.join(static_join("g", "i1"));
  ASSERT_TRUE(first->done);
  EXPECT_EQ(first->value.error, errc::fenced_instance_id);
  h.advance(100);
  ASSERT_TRUE(dup->done);
  EXPECT_EQ(dup->value.error, errc::none);
  EXPECT_EQ(dup->value.generation_id, 1);
}

TEST(StaticMembership, MemberThatDoesNotRejoinKeepsItsPlaceAcrossRebalance) {
  harness h;
  auto sg = form_static(h);
  // A dynamic member joins; the static follower is restarting and misses the
  // rebalance but keeps heartbeating... it is simply absent here.
  auto dyn = h.join(make_join("g", "d"));
  auto l = h.join(static_join("g", "i1", sg.leader));
  h.heartbeat("g", 1, sg.follower, "i2");
  EXPECT_FALSE(l->done);
  h.advance(5000);
  EXPECT_EQ(h.heartbeat("g", 1, sg.follower, "i2"), errc::rebalance_in_progress);
  h.advance(5000);
  EXPECT_EQ(h.heartbeat("g", 1, sg.follower, "i2"), errc::rebalance_in_progress);
  h.advance(5000);
  h.heartbeat("g", 1, sg.follower, "i2");
  h.advance(5000);
  h.heartbeat("g", 1, sg.follower, "i2");
  h.advance(5000);
  h.heartbeat("g", 1, sg.follower, "i2");
  h.advance(5000);  // rebalance timeout
  ASSERT_TRUE(l->done);
  EXPECT_EQ(l->value.generation_id, 2);
  EXPECT_EQ(l->value.members.size(), 3u);  // the absent static member is still listed
  EXPECT_TRUE(h.c.find_group("g")->has(sg.follower));
}

TEST(StaticMembership, SessionExpiryRemovesStaticMember) {
  harness h;
  auto sg = form_static(h);
  for (int i = 0; i < 4; ++i) {
    h.advance(3000);
    h.heartbeat("g", 1, sg.leader, "i1");
  }
  EXPECT_EQ(h.state("g"), "PreparingRebalance");
  EXPECT_FALSE(h.c.find_group("g")->static_member_id("i2").has_value());
}

TEST(StaticMembership, AdminRemovalByInstanceId) {
  harness h;
  auto sg = form_static(h);
  auto res = h.c.leave("g", {{"", std::string("i2"), std::string("admin")}}, h.now);
  ASSERT_EQ(res.members.size(), 1u);
  EXPECT_EQ(res.members[0].error, errc::none);
  EXPECT_FALSE(h.c.find_group("g")->has(sg.follower));
  EXPECT_EQ(h.state("g"), "PreparingRebalance");
}

TEST(StaticMembership, FailedPersistRevertsTheReplacement) {
  harness h;
  auto sg = form_static(h);
  h.log.fail_appends = true;
  auto again = h.join(static_join("g", "i2"));
  ASSERT_TRUE(again->done);
  EXPECT_EQ(again->value.error, errc::coordinator_not_available);
  EXPECT_EQ(again->value.member_id, "");
  EXPECT_EQ(h.c.find_group("g")->static_member_id("i2"), sg.follower);
  EXPECT_EQ(h.heartbeat("g", 1, sg.follower, "i2"), errc::none);
}

}  // namespace
}  // namespace samsa::group
