// Rebalance behaviour of dynamic members: joining, syncing, leaving, expiry.
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include "group/test_support.h"

namespace samsa::group {
namespace {

using testing::consumer_protocols;
using testing::harness;
using testing::make_join;

TEST(CoordinatorJoin, FirstMemberWaitsOutInitialDelayThenLeads) {
  harness h;
  auto j = h.join(make_join("billing", "c1"));
  EXPECT_FALSE(j->done);
  EXPECT_EQ(h.state("billing"), "PreparingRebalance");
  EXPECT_EQ(h.c.next_deadline(), h.now + 100);
  h.advance(99);
  EXPECT_FALSE(j->done);
  h.advance(1);
  ASSERT_TRUE(j->done);
  const join_result& r = j->value;
  EXPECT_EQ(r.error, errc::none);
  EXPECT_EQ(r.member_id, "c1-uuid1");
  EXPECT_EQ(r.generation_id, 1);
  EXPECT_EQ(r.leader_id, r.member_id);
  EXPECT_EQ(r.protocol_type, "consumer");
  EXPECT_EQ(r.protocol_name, "range");
  ASSERT_EQ(r.members.size(), 1u);
  EXPECT_EQ(r.members[0].metadata, encode_consumer_subscription({"orders"}));
  EXPECT_EQ(h.state("billing"), "CompletingRebalance");

  auto s = h.sync("billing", 1, r.member_id, {{r.member_id, bytes{9, 9}}});
  ASSERT_TRUE(s->done);
  EXPECT_EQ(s->value.error, errc::none);
  EXPECT_EQ(s->value.assignment, (bytes{9, 9}));
  EXPECT_EQ(s->value.protocol_name, "range");
  EXPECT_EQ(h.state("billing"), "Stable");
  // The assignment was made durable before it was handed out.
  ASSERT_EQ(h.log.entries().size(), 1u);
  EXPECT_EQ(h.log.entries()[0].partition, h.c.partition_for("billing"));
}

TEST(CoordinatorJoin, InitialDelayStretchesWhileMembersKeepArriving) {
  harness h;
  auto j1 = h.join(make_join("g", "c1"));
  h.advance(50);
  auto j2 = h.join(make_join("g", "c2"));
  h.advance(50);  // first deadline: a member arrived, so wait another delay
  EXPECT_FALSE(j1->done);
  h.advance(100);
  ASSERT_TRUE(j1->done);
  ASSERT_TRUE(j2->done);
  EXPECT_EQ(j1->value.generation_id, 1);
  EXPECT_EQ(j1->value.members.size(), 2u);  // leader sees everyone
  EXPECT_TRUE(j2->value.members.empty());   // followers do not
  EXPECT_EQ(j2->value.leader_id, j1->value.member_id);
}

TEST(CoordinatorJoin, ZeroInitialDelayCompletesImmediately) {
  auto cfg = testing::test_config();
  cfg.initial_rebalance_delay_ms = 0;
  harness h(cfg);
  auto j = h.join(make_join("g", "c1"));
  ASSERT_TRUE(j->done);
  EXPECT_EQ(j->value.generation_id, 1);
}

class RebalanceSizes : public ::testing::TestWithParam<int> {};

TEST_P(RebalanceSizes, GroupGrowsByOneMemberAndEveryoneRejoins) {
  const int n = GetParam();
  harness h;
  std::vector<std::string> clients;
  for (int i = 1; i <= n; ++i) clients.push_back("c" + std::to_string(i));
  auto ids = h.form_group("g", clients);
  ASSERT_EQ(ids.size(), static_cast<size_t>(n));
  // Each member got its own slice of the leader's assignment.
  for (int i = 0; i < n; ++i) EXPECT_EQ(h.c.find_group("g")->get(ids[i])->assignment(), (bytes{static_cast<uint8_t>(i)}));

  auto newcomer = h.join(make_join("g", "late"));
  EXPECT_FALSE(newcomer->done);
  EXPECT_EQ(h.state("g"), "PreparingRebalance");
  std::vector<std::shared_ptr<testing::slot<join_result>>> rejoins;
  for (const auto& id : ids) {
    EXPECT_EQ(h.heartbeat("g", 1, id), errc::rebalance_in_progress);
    rejoins.push_back(h.join(make_join("g", "x", id)));
  }
  ASSERT_TRUE(newcomer->done);
  EXPECT_EQ(newcomer->value.generation_id, 2);
  size_t leaders = 0;
  for (auto& r : rejoins) {
    ASSERT_TRUE(r->done);
    EXPECT_EQ(r->value.generation_id, 2);
    if (r->value.leader_id == r->value.member_id) {
      ++leaders;
      EXPECT_EQ(r->value.members.size(), static_cast<size_t>(n + 1));
    }
  }
  EXPECT_EQ(leaders, 1u);
  ids.push_back(newcomer->value.member_id);
  h.sync_all("g", 2, ids);
  for (const auto& id : ids) EXPECT_EQ(h.heartbeat("g", 2, id), errc::none);
}

INSTANTIATE_TEST_SUITE_P(OneToFour, RebalanceSizes, ::testing::Values(1, 2, 3, 4));

TEST(CoordinatorJoin, FollowersWaitForTheLeadersAssignment) {
  harness h;
  auto j1 = h.join(make_join("g", "c1"));
  auto j2 = h.join(make_join("g", "c2"));
  h.advance(200);
  const auto leader = j1->value.member_id;
  const auto follower = j2->value.member_id;
  auto fs = h.sync("g", 1, follower);
  EXPECT_FALSE(fs->done);
  EXPECT_EQ(h.heartbeat("g", 1, follower), errc::none);  // heartbeats are fine while waiting
  h.log.hold_appends = true;
  auto ls = h.sync("g", 1, leader, {{leader, bytes{1}}, {follower, bytes{2}}});
  EXPECT_FALSE(ls->done);  // not until the assignment is durable
  EXPECT_FALSE(fs->done);
  h.log.release();
  ASSERT_TRUE(ls->done);
  ASSERT_TRUE(fs->done);
  EXPECT_EQ(fs->value.assignment, (bytes{2}));
  EXPECT_EQ(ls->value.assignment, (bytes{1}));
  // A later SyncGroup in Stable returns the stored assignment.
  auto again = h.sync("g", 1, follower);
  ASSERT_TRUE(again->done);
  EXPECT_EQ(again->value.assignment, (bytes{2}));
}

TEST(CoordinatorJoin, MissingAssignmentsBecomeEmptyAndFailedStoreRestartsRebalance) {
  harness h;
  auto j1 = h.join(make_join("g", "c1"));
  auto j2 = h.join(make_join("g", "c2"));
  h.advance(200);
  auto fs = h.sync("g", 1, j2->value.member_id);
  h.log.fail_appends = true;
  auto ls = h.sync("g", 1, j1->value.member_id, {{j1->value.member_id, bytes{1}}});
  ASSERT_TRUE(ls->done);
  EXPECT_EQ(ls->value.error, errc::coordinator_not_available);
  EXPECT_EQ(fs->value.error, errc::coordinator_not_available);
  EXPECT_EQ(h.state("g"), "PreparingRebalance");
  h.log.fail_appends = false;
  auto r1 = h.join(make_join("g", "c1", j1->value.member_id));
  auto r2 = h.join(make_join("g", "c2", j2->value.member_id));
  ASSERT_TRUE(r1->done && r2->done);
  EXPECT_EQ(r1->value.generation_id, 2);
  auto fs2 = h.sync("g", 2, j2->value.member_id);
  auto ls2 = h.sync("g", 2, j1->value.member_id, {{j1->value.member_id, bytes{1}}});
  ASSERT_TRUE(fs2->done);
  EXPECT_EQ(fs2->value.error, errc::none);
  EXPECT_TRUE(fs2->value.assignment.empty());
}

TEST(CoordinatorJoin, ProtocolIsChosenByVoteAmongCommonProtocols) {
  harness h;
  auto a = make_join("g", "a");
  a.protocols = consumer_protocols({"range", "roundrobin", "sticky"});
  auto b = make_join("g", "b");
  b.protocols = consumer_protocols({"sticky", "roundrobin", "range"});
  auto c = make_join("g", "c");
  c.protocols = consumer_protocols({"roundrobin", "sticky"});
  auto ja = h.join(a);
  h.join(b);
  h.join(c);
  h.advance(200);
  ASSERT_TRUE(ja->done);
  // Common: roundrobin, sticky. Votes: a->roundrobin, b->sticky, c->roundrobin.
  EXPECT_EQ(ja->value.protocol_name, "roundrobin");
  // A newcomer sharing no protocol with the group is refused.
  auto d = make_join("g", "d");
  d.protocols = consumer_protocols({"range"});
  auto jd = h.join(d);
  ASSERT_TRUE(jd->done);
  EXPECT_EQ(jd->value.error, errc::inconsistent_group_protocol);
  auto e = make_join("g", "e");
  e.protocol_type = "connect";
  e.protocols = consumer_protocols({"sticky"});
  auto je = h.join(e);
  EXPECT_EQ(je->value.error, errc::inconsistent_group_protocol);
  auto f = make_join("other", "f");
  f.protocols.clear();
  EXPECT_EQ(h.join(f)->value.error, errc::inconsistent_group_protocol);
}

TEST(CoordinatorJoin, MemberIdRequiredThenJoinWithAssignedId) {
  harness h;
  auto req = make_join("g", "c1");
  req.require_known_member_id = true;
  auto first = h.join(req);
  ASSERT_TRUE(first->done);
  EXPECT_EQ(first->value.error, errc::member_id_required);
  EXPECT_EQ(first->value.member_id, "c1-uuid1");
  EXPECT_TRUE(h.c.find_group("g")->is_pending_member("c1-uuid1"));
  req.member_id = first->value.member_id;
  auto second = h.join(req);
  EXPECT_FALSE(second->done);
  h.advance(100);
  ASSERT_TRUE(second->done);
  EXPECT_EQ(second->value.error, errc::none);
  EXPECT_EQ(second->value.member_id, "c1-uuid1");
}

TEST(CoordinatorJoin, PendingMemberHoldsRebalanceUntilItJoinsOrExpires) {
  harness h;
  auto ids = h.form_group("g", {"c1"});
  auto req = make_join("g", "c2");
  req.require_known_member_id = true;
  auto pending = h.join(req);
  ASSERT_EQ(pending->value.error, errc::member_id_required);
  // The existing leader rejoins; the rebalance waits for the pending member.
  auto rejoin = h.join(make_join("g", "c1", ids[0]));
  EXPECT_FALSE(rejoin->done);
  h.advance(10000);  // pending member's session timeout
  ASSERT_TRUE(rejoin->done);
  EXPECT_EQ(rejoin->value.generation_id, 2);
  EXPECT_EQ(rejoin->value.members.size(), 1u);
  // Its id is now unknown.
  req.member_id = pending->value.member_id;
  auto late = h.join(req);
  EXPECT_EQ(late->value.error, errc::unknown_member_id);
}

TEST(CoordinatorJoin, FollowerRejoinWithSameMetadataInStableIsAnsweredAtOnce) {
  harness h;
  auto ids = h.form_group("g", {"c1", "c2"});
  auto r = h.join(make_join("g", "c2", ids[1]));
  ASSERT_TRUE(r->done);
  EXPECT_EQ(r->value.generation_id, 1);
  EXPECT_EQ(h.state("g"), "Stable");
  // Different metadata forces a rebalance.
  auto changed = make_join("g", "c2", ids[1]);
  changed.protocols = consumer_protocols({"range"}, {"orders", "payments"});
  auto r2 = h.join(changed);
  EXPECT_FALSE(r2->done);
  EXPECT_EQ(h.state("g"), "PreparingRebalance");
}

TEST(CoordinatorJoin, LeaveRebalancesAndLastLeaveEmptiesTheGroup) {
  harness h;
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64);
  auto logger = std::make_shared<spdlog::logger>("group-test", sink);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);

  auto ids = h.form_group("billing", {"c1", "c2", "c3"});
  auto res = h.c.leave("billing", {{ids[2], std::nullopt, std::nullopt}}, h.now);
  EXPECT_EQ(res.error, errc::none);
  ASSERT_EQ(res.members.size(), 1u);
  EXPECT_EQ(res.members[0].error, errc::none);
  EXPECT_EQ(h.state("billing"), "PreparingRebalance");
  bool found = false;
  for (const auto& line : sink->last_formatted()) {
    if (line.find("group billing: generation 1, members c1-uuid1,c2-uuid2 — rebalance because c3-uuid3 left") !=
        std::string::npos) {
      found = true;
    }
  }
  spdlog::set_default_logger(previous);
  EXPECT_TRUE(found);

  auto r1 = h.join(make_join("billing", "c1", ids[0]));
  auto r2 = h.join(make_join("billing", "c2", ids[1]));
  ASSERT_TRUE(r1->done && r2->done);
  EXPECT_EQ(r1->value.generation_id, 2);
  h.sync_all("billing", 2, {ids[0], ids[1]});

  const size_t writes = h.log.entries().size();
  auto res2 = h.c.leave("billing", {{ids[0], std::nullopt, std::nullopt}, {ids[1], std::nullopt, std::nullopt}},
                        h.now);
  EXPECT_EQ(res2.members[0].error, errc::none);
  EXPECT_EQ(res2.members[1].error, errc::none);
  EXPECT_EQ(h.state("billing"), "Empty");
  EXPECT_EQ(h.c.find_group("billing")->generation_id, 3);
  EXPECT_EQ(h.log.entries().size(), writes + 1);  // the empty generation is persisted
  EXPECT_EQ(h.heartbeat("billing", 3, ids[0]), errc::unknown_member_id);
}

TEST(CoordinatorJoin, BatchedLeaveReportsEachMember) {
  harness h;
  auto ids = h.form_group("g", {"c1", "c2"});
  auto res = h.c.leave("g",
                       {{ids[1], std::nullopt, std::nullopt},
                        {"nobody", std::nullopt, std::nullopt},
                        {"", std::string("no-such-instance"), std::nullopt}},
                       h.now);
  EXPECT_EQ(res.error, errc::none);
  ASSERT_EQ(res.members.size(), 3u);
  EXPECT_EQ(res.members[0].error, errc::none);
  EXPECT_EQ(res.members[1].error, errc::unknown_member_id);
  EXPECT_EQ(res.members[2].error, errc::unknown_member_id);
  auto unknown_group = h.c.leave("nope", {{"m", std::nullopt, std::nullopt}}, h.now);
  EXPECT_EQ(unknown_group.error, errc::none);
  EXPECT_EQ(unknown_group.members[0].error, errc::unknown_member_id);
}

TEST(CoordinatorJoin, SessionExpiryRemovesSilentMember) {
  harness h;
  auto ids = h.form_group("g", {"c1", "c2"});
  for (int i = 0; i < 3; ++i) {
    h.advance(3000);
    EXPECT_EQ(h.heartbeat("g", 1, ids[0]), errc::none);
  }
  h.advance(1000);  // c2 silent for 10 s
  EXPECT_EQ(h.state("g"), "PreparingRebalance");
  EXPECT_FALSE(h.c.find_group("g")->has(ids[1]));
  EXPECT_EQ(h.heartbeat("g", 1, ids[0]), errc::rebalance_in_progress);
  EXPECT_EQ(h.heartbeat("g", 1, ids[1]), errc::unknown_member_id);
  auto r = h.join(make_join("g", "c1", ids[0]));
  ASSERT_TRUE(r->done);
  EXPECT_EQ(r->value.generation_id, 2);
  EXPECT_EQ(r->value.members.size(), 1u);
}

TEST(CoordinatorJoin, RebalanceTimeoutDropsMembersThatDoNotRejoin) {
  harness h;
  auto ids = h.form_group("g", {"c1", "c2"});
  auto leader_rejoin = h.join(make_join("g", "c1", ids[0]));  // leader rejoin starts a rebalance
  EXPECT_FALSE(leader_rejoin->done);
  // c2 keeps heartbeating (so its session stays alive) but never rejoins.
  for (int i = 0; i < 10; ++i) {
    h.advance(2999);
    EXPECT_EQ(h.heartbeat("g", 1, ids[1]), errc::rebalance_in_progress);
  }
  EXPECT_FALSE(leader_rejoin->done);
  h.advance(10);  // 30 s rebalance timeout
  ASSERT_TRUE(leader_rejoin->done);
  EXPECT_EQ(leader_rejoin->value.generation_id, 2);
  EXPECT_EQ(leader_rejoin->value.members.size(), 1u);
  EXPECT_EQ(h.heartbeat("g", 2, ids[1]), errc::unknown_member_id);
}

TEST(CoordinatorJoin, MembersThatNeverSyncAreRemovedAfterRebalanceTimeout) {
  harness h;
  auto j1 = h.join(make_join("g", "c1"));
  auto j2 = h.join(make_join("g", "c2"));
  h.advance(200);
  auto ls = h.sync("g", 1, j1->value.member_id, {});
  ASSERT_TRUE(ls->done);
  EXPECT_EQ(h.state("g"), "Stable");
  for (int i = 0; i < 10; ++i) {
    h.advance(3000);
    h.heartbeat("g", 1, j1->value.member_id);
    h.heartbeat("g", 1, j2->value.member_id);
  }
  EXPECT_EQ(h.state("g"), "PreparingRebalance");
  EXPECT_FALSE(h.c.find_group("g")->has(j2->value.member_id));
}

TEST(CoordinatorJoin, NewMemberThatVanishesDuringRebalanceIsDropped) {
  harness h;
  auto ids = h.form_group("g", {"c1"});
  auto ghost = h.join(make_join("g", "ghost"));
  EXPECT_FALSE(ghost->done);
  // The old member never rejoins either; after the rebalance timeout the old
  // member is dropped and the ghost completes alone.
  h.advance(30000);
  ASSERT_TRUE(ghost->done);
  EXPECT_EQ(ghost->value.generation_id, 2);
  EXPECT_EQ(ghost->value.members.size(), 1u);
}

TEST(CoordinatorJoin, HeartbeatAndSyncErrors) {
  harness h;
  EXPECT_EQ(h.heartbeat("none", 1, "m"), errc::unknown_member_id);
  auto j1 = h.join(make_join("g", "c1"));
  auto j2 = h.join(make_join("g", "c2"));
  EXPECT_EQ(h.sync("g", 0, "c1-uuid1")->value.error, errc::rebalance_in_progress);
  h.advance(200);
  const auto m1 = j1->value.member_id;
  EXPECT_EQ(h.heartbeat("g", 1, m1), errc::none);  // CompletingRebalance
  EXPECT_EQ(h.heartbeat("g", 7, m1), errc::illegal_generation);
  EXPECT_EQ(h.heartbeat("g", 1, "stranger"), errc::unknown_member_id);
  EXPECT_EQ(h.sync("g", 7, m1)->value.error, errc::illegal_generation);
  EXPECT_EQ(h.sync("g", 1, "stranger")->value.error, errc::unknown_member_id);
  EXPECT_EQ(h.sync("none", 1, m1)->value.error, errc::unknown_member_id);
  sync_request wrong;
  wrong.group_id = "g";
  wrong.generation_id = 1;
  wrong.member_id = m1;
  wrong.protocol_name = "roundrobin";
  int16_t err = -2;
  h.c.sync(wrong, h.now, [&](sync_result r) { err = r.error; });
  EXPECT_EQ(err, errc::inconsistent_group_protocol);
  wrong.protocol_name.reset();
  wrong.protocol_type = "connect";
  h.c.sync(wrong, h.now, [&](sync_result r) { err = r.error; });
  EXPECT_EQ(err, errc::inconsistent_group_protocol);
}

TEST(CoordinatorJoin, GroupMaxSizeRefusesExtraMembers) {
  auto cfg = testing::test_config();
  cfg.max_group_size = 2;
  harness h(cfg);
  auto ids = h.form_group("g", {"c1", "c2"});
  auto third = h.join(make_join("g", "c3"));
  ASSERT_TRUE(third->done);
  EXPECT_EQ(third->value.error, errc::group_max_size_reached);
  EXPECT_EQ(h.state("g"), "Stable");
}

TEST(CoordinatorJoin, DuplicateJoinAnswersTheEarlierRequest) {
  harness h;
  auto ids = h.form_group("g", {"c1", "c2"});
  auto first = h.join(make_join("g", "c1", ids[0]));
  EXPECT_FALSE(first->done);
  auto second = h.join(make_join("g", "c1", ids[0]));
  ASSERT_TRUE(first->done);
  EXPECT_EQ(first->value.error, errc::rebalance_in_progress);
  EXPECT_FALSE(second->done);
  auto other = h.join(make_join("g", "c2", ids[1]));
  ASSERT_TRUE(second->done);
  EXPECT_EQ(second->calls, 1);
  EXPECT_EQ(second->value.generation_id, 2);
}

}  // namespace
}  // namespace samsa::group
