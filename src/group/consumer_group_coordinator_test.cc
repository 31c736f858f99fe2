#include "group/consumer_group_coordinator.h"

#include <gtest/gtest.h>

#include "group/consumer_group_records.h"
#include "group/consumer_group_test_support.h"
#include "group/errors.h"
#include "group/id_bounds.h"

namespace samsa::group {
namespace {

using namespace cgtest;

constexpr int16_t invalid_request = 42;
constexpr int16_t unsupported_version = 35;
constexpr int16_t fenced_member_epoch = 110;
constexpr int16_t unreleased_instance_id = 111;
constexpr int16_t unsupported_assignor = 112;
constexpr int16_t stale_member_epoch = 113;
constexpr int16_t invalid_regular_expression = 128;

// No partition is ever in two members' current assignments (assigned or
// still revoking): the rule that makes delivery exactly-once across rebalances.
void expect_exclusive(harness& h, const std::string& group) {
  std::map<std::pair<topic_id, int32_t>, std::string> owner;
  for (const auto& m : h.describe(group).members) {
    for (const auto& [t, ps] : m.assignment) {
      for (int32_t p : ps) {
        auto [it, fresh] = owner.emplace(std::make_pair(t, p), m.member_id);
        EXPECT_TRUE(fresh) << "partition " << p << " owned by " << it->second << " and " << m.member_id;
      }
    }
  }
}

TEST(ConsumerGroup, FirstMemberGetsEveryPartitionAtEpochOne) {
  harness h;
  auto t = h.topics.add("orders", 3);
  auto r = h.hb(join("g", "m1", {"orders"}));
  EXPECT_EQ(r.error, 0);
  EXPECT_EQ(r.member_id, "m1");
  EXPECT_EQ(r.member_epoch, 1);
  EXPECT_EQ(r.heartbeat_interval_ms, 5000);
  ASSERT_TRUE(r.assignment);
  EXPECT_EQ(*r.assignment, parts(t, {0, 1, 2}));
  auto d = h.describe("g");
  EXPECT_EQ(d.state, "Stable");
  EXPECT_EQ(d.group_epoch, 1);
  EXPECT_EQ(d.assignment_epoch, 1);
  EXPECT_EQ(d.assignor_name, "uniform");
  // A plain heartbeat with nothing new carries no assignment.
  auto again = h.hb(beat("g", "m1", 1));
  EXPECT_EQ(again.error, 0);
  EXPECT_FALSE(again.assignment);
}

TEST(ConsumerGroup, SecondMemberWaitsForTheFirstToRevoke) {
  harness h;
  auto t = h.topics.add("orders", 4);
  ASSERT_EQ(h.hb(join("g", "m1", {"orders"})).member_epoch, 1);
  auto j2 = h.hb(join("g", "m2", {"orders"}));
  EXPECT_EQ(j2.member_epoch, 2);
  ASSERT_TRUE(j2.assignment);
  EXPECT_TRUE(j2.assignment->empty()) << "m1 still owns everything";
  EXPECT_EQ(h.describe("g").state, "Reconciling");
  expect_exclusive(h, "g");

  // m1 learns it must give two partitions up; its epoch stays 1.
  auto r1 = h.hb(beat("g", "m1", 1));
  ASSERT_TRUE(r1.assignment);
  EXPECT_EQ(r1.member_epoch, 1);
  EXPECT_EQ(partition_count(*r1.assignment), 2u);
  expect_exclusive(h, "g");
  // Until it reports them gone, m2 gets nothing.
  EXPECT_TRUE(h.hb(beat("g", "m2", 2, cg_assignment{})).assignment.value_or(cg_assignment{}).empty());
  auto kept = *r1.assignment;
  auto r1b = h.hb(beat("g", "m1", 1, kept));
  EXPECT_EQ(r1b.member_epoch, 2);
  auto r2 = h.hb(beat("g", "m2", 2, cg_assignment{}));
  ASSERT_TRUE(r2.assignment);
  EXPECT_EQ(partition_count(*r2.assignment), 2u);
  EXPECT_FALSE(contains_any(*r2.assignment, kept));
  expect_exclusive(h, "g");
  h.hb(beat("g", "m2", 2, r2.assignment));
  EXPECT_EQ(h.describe("g").state, "Stable");
  (void)t;
}

TEST(ConsumerGroup, EpochFencing) {
  harness h;
  h.topics.add("orders", 2);
  h.hb(join("g", "m1", {"orders"}));
  EXPECT_EQ(h.hb(beat("g", "m1", 5)).error, fenced_member_epoch);
  EXPECT_EQ(h.hb(beat("g", "nobody", 1)).error, errc::unknown_member_id);
  EXPECT_EQ(h.hb(beat("nogroup", "m1", 1)).error, errc::group_id_not_found);
  h.hb(join("g", "m2", {"orders"}));  // epoch 2
  auto r1 = h.hb(beat("g", "m1", 1));
  auto r1b = h.hb(beat("g", "m1", 1, r1.assignment));
  ASSERT_EQ(r1b.member_epoch, 2);
  // The answer that moved m1 to epoch 2 was lost: epoch 1 with a subset of
  // its partitions is accepted, epoch 1 claiming more is fenced.
  EXPECT_EQ(h.hb(beat("g", "m1", 1, r1.assignment)).error, 0);
  EXPECT_EQ(h.hb(beat("g", "m1", 1, parts(h.topics.id("orders"), {0, 1}))).error, fenced_member_epoch);
  EXPECT_EQ(h.hb(beat("g", "m1", 0)).error, invalid_request);  // join without subscription
}

TEST(ConsumerGroup, RequestValidation) {
  harness h;
  h.topics.add("orders", 1);
  auto r = join("g", "", {"orders"});
  EXPECT_EQ(h.hb(r).error, invalid_request);  // v1: the client names itself
  r.api_version = 0;
  auto v0 = h.hb(r);
  EXPECT_EQ(v0.error, 0);
  EXPECT_EQ(v0.member_id, "gen1");  // v0: the coordinator names it
  auto no_timeout = join("g", "m", {"orders"});
  no_timeout.rebalance_timeout_ms = -1;
  EXPECT_EQ(h.hb(no_timeout).error, invalid_request);
  auto owned = join("g", "m", {"orders"});
  owned.owned = parts(tid(1), {0});
  EXPECT_EQ(h.hb(owned).error, invalid_request);
  auto empty_group = join("", "m", {"orders"});
  EXPECT_EQ(h.hb(empty_group).error, invalid_request);
  auto bad_epoch = beat("g", "m", -3);
  EXPECT_EQ(h.hb(bad_epoch).error, invalid_request);
  auto static_leave = beat("g", "m", -2);
  EXPECT_EQ(h.hb(static_leave).error, invalid_request);  // -2 needs an instance id
  auto bad_regex = join("g", "m", {});
  bad_regex.subscribed_topic_regex = "orders[";
  auto br = h.hb(bad_regex);
  EXPECT_EQ(br.error, invalid_regular_expression);
  ASSERT_TRUE(br.error_message);
  EXPECT_NE(br.error_message->find("orders["), std::string::npos);
  auto bad_assignor = join("g", "m", {"orders"});
  bad_assignor.server_assignor = "sticky";
  EXPECT_EQ(h.hb(bad_assignor).error, unsupported_assignor);
}

TEST(ConsumerGroup, RangeChosenPerMemberAndDefaultFromConfig) {
  auto cfg = test_config();
  cfg.assignors = {"range", "uniform"};
  harness h(cfg);
  auto t = h.topics.add("orders", 4);
  h.hb(join("g", "a", {"orders"}));
  EXPECT_EQ(h.describe("g").assignor_name, "range");
  auto u = join("g2", "a", {"orders"});
  u.server_assignor = "uniform";
  h.hb(u);
  EXPECT_EQ(h.describe("g2").assignor_name, "uniform");
  (void)t;
}

TEST(ConsumerGroup, RegexSubscriptionFollowsTopicCreation) {
  harness h;
  auto a = h.topics.add("logs.a", 2);
  h.topics.add("other", 2);
  h.topics.add("__internal.logs", 1, /*internal=*/true);
  auto r = join("g", "m1", {});
  r.subscribed_topic_regex = "logs\\..*";
  auto j = h.hb(r);
  ASSERT_EQ(j.error, 0);
  EXPECT_EQ(*j.assignment, parts(a, {0, 1}));
  auto b = h.topics.add("logs.b", 1);
  auto next = h.hb(beat("g", "m1", 1));
  EXPECT_EQ(next.member_epoch, 2);
  cg_assignment both = parts(a, {0, 1});
  both[b] = {0};
  ASSERT_TRUE(next.assignment);
  EXPECT_EQ(*next.assignment, both);
  EXPECT_EQ(h.describe("g").members.front().subscribed_topic_regex, "logs\\..*");
}

// Every heartbeat checks whether the group's topics moved. Matching each
// member's regex against every topic on every heartbeat cost members x topics
// (44 ms per plain heartbeat for 200 members over 1,000 topics): the members
// of a rebalance share one match per pattern, and a heartbeat with nothing
// changed matches nothing. Counted through the authorizer's filter, which
// sees each (member pattern, topic) match; with an authorizer the matches
// are made again once regex_refresh_ms passed, so a new ACL is seen.
TEST(ConsumerGroup, RegexMatchesAreSharedByMembersAndKeptWhileNothingChanges) {
  harness h;
  constexpr int topics = 100, members = 20;
  for (int i = 0; i < topics; ++i) h.topics.add("logs." + std::to_string(i), 1);
  size_t matches = 0;
  bool may_see_secret = false;
  h.c.set_regex_topic_filter([&](const security::principal&, const std::string&, const std::string& topic) {
    ++matches;
    return topic != "logs.secret" || may_see_secret;
  });
  auto joining = [](int i) {
    auto r = join("g", "m" + std::to_string(i), {});
    r.subscribed_topic_names.reset();
    r.subscribed_topic_regex = "logs\\..*";
    return r;
  };
  for (int i = 0; i < members; ++i) ASSERT_EQ(h.hb(joining(i)).error, 0);
  // A join matches the pattern once for the hash and once for the target, not once per member.
  matches = 0;
  ASSERT_EQ(h.hb(joining(members)).error, 0);
  EXPECT_LE(matches, 2u * topics);
  // Plain heartbeats with nothing changed match nothing.
  const int32_t epoch = h.describe("g").group_epoch;
  matches = 0;
  for (int i = 0; i < 10; ++i) (void)h.hb(beat("g", "m0", h.describe("g").members.front().member_epoch));
  EXPECT_EQ(matches, 0u);
  EXPECT_EQ(h.describe("g").group_epoch, epoch);
  // A topic the principal may not see is left out until an ACL lets it in,
  // which the next match after regex_refresh_ms finds.
  h.topics.add("logs.secret", 1);
  (void)h.hb(beat("g", "m0", h.describe("g").members.front().member_epoch));
  const int32_t before_acl = h.describe("g").group_epoch;
  may_see_secret = true;
  (void)h.hb(beat("g", "m0", h.describe("g").members.front().member_epoch));
  EXPECT_EQ(h.describe("g").group_epoch, before_acl) << "matched again before the refresh interval";
  h.now += consumer_group_coordinator::regex_refresh_ms;
  (void)h.hb(beat("g", "m0", h.describe("g").members.front().member_epoch));
  EXPECT_EQ(h.describe("g").group_epoch, before_acl + 1) << "the new ACL was not seen";
}

// Members that share a subscription share its resolution; names are
// client-chosen bytes, so two different subscriptions must never look alike
// ("a\0b" is one name, not "a" and "b").
TEST(ConsumerGroup, SubscriptionsThatDifferOnlyInHowNamesSplitAreResolvedApart) {
  harness h;
  auto a = h.topics.add("a", 1);
  auto b = h.topics.add("b", 1);
  ASSERT_EQ(h.hb(join("g", "m1", {std::string("a\0b", 3)})).error, 0);
  auto m2 = h.hb(join("g", "m2", {"a", "b"}));
  ASSERT_EQ(m2.error, 0);
  cg_assignment both = parts(a, {0});
  both[b] = {0};
  ASSERT_TRUE(m2.assignment);
  EXPECT_EQ(*m2.assignment, both);
}

TEST(ConsumerGroup, PartitionGrowthAndDeletionChangeTheTarget) {
  harness h;
  auto t = h.topics.add("orders", 2);
  h.hb(join("g", "m1", {"orders"}));
  h.topics.grow("orders", 3);
  auto grown = h.hb(beat("g", "m1", 1));
  EXPECT_EQ(grown.member_epoch, 2);
  EXPECT_EQ(*grown.assignment, parts(t, {0, 1, 2}));
  h.topics.remove("orders");
  auto gone = h.hb(beat("g", "m1", 2));
  EXPECT_EQ(gone.member_epoch, 2) << "must revoke first";
  ASSERT_TRUE(gone.assignment);
  EXPECT_TRUE(gone.assignment->empty());
  EXPECT_EQ(h.hb(beat("g", "m1", 2, cg_assignment{})).member_epoch, 3);
}

TEST(ConsumerGroup, LeavingReleasesPartitions) {
  harness h;
  h.topics.add("orders", 2);
  h.hb(join("g", "m1", {"orders"}));
  h.hb(join("g", "m2", {"orders"}));
  auto leave = h.hb(beat("g", "m1", -1));
  EXPECT_EQ(leave.error, 0);
  EXPECT_EQ(leave.member_epoch, -1);
  auto d = h.describe("g");
  EXPECT_EQ(d.members.size(), 1u);
  EXPECT_EQ(d.group_epoch, 3);
  auto r2 = h.hb(beat("g", "m2", 2, cg_assignment{}));
  EXPECT_EQ(r2.member_epoch, 3);
  EXPECT_EQ(partition_count(*r2.assignment), 2u);
  EXPECT_EQ(h.hb(beat("g", "m1", -1)).error, errc::unknown_member_id);
}

TEST(ConsumerGroup, SessionTimeoutRemovesTheMember) {
  harness h;
  h.topics.add("orders", 2);
  h.hb(join("g", "m1", {"orders"}));
  h.hb(join("g", "m2", {"orders"}));
  for (int i = 0; i < 10; ++i) {
    h.advance(5000);
    h.hb(beat("g", "m2", h.describe("g").members.back().member_epoch, cg_assignment{}));
  }
  auto d = h.describe("g");
  ASSERT_EQ(d.members.size(), 1u);
  EXPECT_EQ(d.members.front().member_id, "m2");
  EXPECT_EQ(h.hb(beat("g", "m1", 1)).error, errc::unknown_member_id);
}

TEST(ConsumerGroup, RebalanceTimeoutFencesAMemberThatDoesNotRevoke) {
  harness h;
  h.topics.add("orders", 2);
  auto j = join("g", "m1", {"orders"});
  j.rebalance_timeout_ms = 10000;
  h.hb(j);
  h.hb(join("g", "m2", {"orders"}));
  auto r1 = h.hb(beat("g", "m1", 1));  // told to revoke, starts the clock
  ASSERT_EQ(partition_count(*r1.assignment), 1u);
  h.advance(9000);
  EXPECT_EQ(h.describe("g").members.size(), 2u);
  h.advance(2000);
  auto d = h.describe("g");
  ASSERT_EQ(d.members.size(), 1u);
  EXPECT_EQ(d.members.front().member_id, "m2");
}

TEST(ConsumerGroup, StaticMemberComesBackWithoutARebalance) {
  harness h;
  auto t = h.topics.add("orders", 2);
  auto j = join("g", "m1", {"orders"});
  j.instance_id = "host-1";
  auto first = h.hb(j);
  ASSERT_EQ(first.member_epoch, 1);
  // Another process claiming the instance id while m1 is active.
  auto clash = join("g", "m9", {"orders"});
  clash.instance_id = "host-1";
  EXPECT_EQ(h.hb(clash).error, unreleased_instance_id);

  auto leave = beat("g", "m1", -2);
  leave.instance_id = "host-1";
  EXPECT_EQ(h.hb(leave).member_epoch, -2);
  EXPECT_EQ(h.describe("g").members.size(), 1u);

  auto back = join("g", "m1-restarted", {"orders"});
  back.instance_id = "host-1";
  auto r = h.hb(back);
  EXPECT_EQ(r.error, 0);
  EXPECT_EQ(r.member_epoch, 1);
  EXPECT_EQ(*r.assignment, parts(t, {0, 1}));
  auto d = h.describe("g");
  EXPECT_EQ(d.group_epoch, 1) << "no rebalance";
  ASSERT_EQ(d.members.size(), 1u);
  EXPECT_EQ(d.members.front().member_id, "m1-restarted");
  EXPECT_EQ(h.hb(beat("g", "m1", 1)).error, errc::unknown_member_id);
}

TEST(ConsumerGroup, StaticMemberThatStaysAwayTimesOut) {
  harness h;
  h.topics.add("orders", 2);
  auto j = join("g", "m1", {"orders"});
  j.instance_id = "host-1";
  h.hb(j);
  auto leave = beat("g", "m1", -2);
  leave.instance_id = "host-1";
  h.hb(leave);
  h.advance(46000);
  EXPECT_TRUE(h.describe("g").members.empty());
  EXPECT_EQ(h.describe("g").state, "Empty");
}

TEST(ConsumerGroup, MaxSize) {
  auto cfg = test_config();
  cfg.max_size = 1;
  harness h(cfg);
  h.topics.add("orders", 2);
  EXPECT_EQ(h.hb(join("g", "m1", {"orders"})).error, 0);
  EXPECT_EQ(h.hb(join("g", "m2", {"orders"})).error, errc::group_max_size_reached);
}

TEST(ConsumerGroup, OffsetCommitAndFetchChecks) {
  harness h;
  h.topics.add("orders", 2);
  EXPECT_FALSE(h.c.validate_offset_commit("g", "m1", 1, 9).has_value()) << "not a consumer group yet";
  h.hb(join("g", "m1", {"orders"}));
  EXPECT_EQ(h.c.validate_offset_commit("g", "m1", 1, 9), errc::none);
  EXPECT_EQ(h.c.validate_offset_commit("g", "m1", 2, 9), stale_member_epoch) << "ahead of the member";
  auto t = h.topics.id("orders");
  EXPECT_EQ(h.c.validate_offset_commit("g", "m1", 0, 9, {{t, 0}}), stale_member_epoch);
  EXPECT_EQ(h.c.validate_offset_commit("g", "m1", 1, 8), unsupported_version);
  EXPECT_EQ(h.c.validate_offset_commit("g", "zz", 1, 9), errc::unknown_member_id);
  EXPECT_EQ(h.c.validate_offset_commit("g", "", -1, 9), errc::unknown_member_id) << "group has members";
  EXPECT_EQ(h.c.validate_offset_fetch("g", "m1", 1), errc::none);
  EXPECT_EQ(h.c.validate_offset_fetch("g", "m1", 0), stale_member_epoch);
  EXPECT_EQ(h.c.validate_offset_fetch("g", "zz", 1), errc::unknown_member_id);
  // m2 joins: m1 moves to epoch 2 keeping partition 1 (or 0) and giving the
  // other up. A commit still at epoch 1 for the kept partition, sent before
  // m1 saw its new epoch, is accepted; one for a partition m1 no longer owns is not.
  h.hb(join("g", "m2", {"orders"}));
  auto r1 = h.hb(beat("g", "m1", 1));
  ASSERT_EQ(partition_count(*r1.assignment), 1u);
  ASSERT_EQ(h.hb(beat("g", "m1", 1, r1.assignment)).member_epoch, 2);
  int32_t kept = *r1.assignment->at(t).begin();
  EXPECT_EQ(h.c.validate_offset_commit("g", "m1", 1, 9, {{t, kept}}), errc::none);
  EXPECT_EQ(h.c.validate_offset_commit("g", "m1", 1, 9, {{t, 1 - kept}}), stale_member_epoch);
  // m2 got its partition at epoch 2: epoch 1 cannot commit it.
  auto r2 = h.hb(beat("g", "m2", 2, cg_assignment{}));
  ASSERT_EQ(partition_count(*r2.assignment), 1u);
  EXPECT_EQ(h.c.validate_offset_commit("g", "m2", 2, 9, {{t, 1 - kept}}), errc::none);
  EXPECT_EQ(h.c.validate_offset_commit("g", "m2", 1, 9, {{t, 1 - kept}}), stale_member_epoch);
  h.hb(beat("g", "m1", -1));
  h.hb(beat("g", "m2", -1));
  EXPECT_EQ(h.c.validate_offset_commit("g", "", -1, 9), errc::none) << "empty group: admin commit";
}

// A heartbeat that changes nothing writes nothing (as Kafka): each one used
// to write its member's record and wait for it to be durable.
TEST(ConsumerGroup, SteadyHeartbeatsWriteNothingAndChangesWriteTheMember) {
  harness h;
  h.topics.add("orders", 2);
  auto joined = h.hb(join("g", "m1", {"orders"}));
  ASSERT_EQ(joined.error, 0);
  const size_t after_join = h.log.entries().size();
  EXPECT_GT(after_join, 0u);
  h.log.hold_appends = true;  // an append would now hold the answer back
  for (int i = 0; i < 3; ++i) {
    auto r = h.hb(beat("g", "m1", joined.member_epoch));
    EXPECT_EQ(r.error, 0);
  }
  h.log.hold_appends = false;
  EXPECT_EQ(h.log.entries().size(), after_join) << "steady heartbeats wrote records";

  // A new client host or rack is written, once.
  auto moved = beat("g", "m1", joined.member_epoch);
  moved.client_host = "/10.0.0.9";
  moved.rack_id = "rack-b";
  EXPECT_EQ(h.hb(moved).error, 0);
  ASSERT_EQ(h.log.entries().size(), after_join + 1);
  auto key = decode_cg_key(h.log.entries().back().record.key);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->kind, cg_record_kind::member);
  auto value = decode_cg_member_value(*h.log.entries().back().record.value);
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->client_host, "/10.0.0.9");
  EXPECT_EQ(value->rack_id, std::optional<std::string>("rack-b"));
  EXPECT_EQ(h.hb(moved).error, 0);
  EXPECT_EQ(h.log.entries().size(), after_join + 1) << "the same values again write nothing";
}

TEST(ConsumerGroup, AnsweredOnlyOnceDurable) {
  harness h;
  h.topics.add("orders", 1);
  h.log.hold_appends = true;
  bool answered = false;
  h.c.heartbeat(join("g", "m1", {"orders"}), h.topics.md, h.now, [&](cg_heartbeat_result) { answered = true; });
  EXPECT_FALSE(answered);
  h.log.release();
  EXPECT_TRUE(answered);
  // A failed write is an error the client retries, not a silent success.
  h.log.fail_appends = true;
  std::optional<cg_heartbeat_result> r;
  auto j = join("g", "m2", {"orders"});
  h.c.heartbeat(j, h.topics.md, h.now, [&](cg_heartbeat_result x) { r = x; });
  h.log.release();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->error, errc::coordinator_not_available);
}

TEST(ConsumerGroup, AFailedWriteGoesWithTheGroupsNextWrite) {
  harness h;
  h.topics.add("orders", 2);
  auto first = h.hb(join("g", "m1", {"orders"}));
  ASSERT_EQ(first.error, 0);
  // m2's join is refused for the write, but the group keeps m2 in memory;
  // its records must reach the log with the group's next write.
  h.log.fail_appends = true;
  EXPECT_EQ(h.hb(join("g", "m2", {"orders"})).error, errc::coordinator_not_available);
  h.log.fail_appends = false;
  const size_t before = h.log.entries().size();
  EXPECT_EQ(h.hb(beat("g", "m1", first.member_epoch)).error, 0);
  EXPECT_GT(h.log.entries().size(), before) << "m1's heartbeat carried what the failed write lost";

  memory_offset_log log2;
  consumer_group_coordinator c2(test_config(), log2);
  for (const auto& e : h.log.entries()) ASSERT_TRUE(c2.load_record(e.record.key, e.record.value));
  c2.finish_loading(h.now);
  auto live = h.describe("g");
  auto replayed = c2.describe({"g"}, h.topics.md).front();
  EXPECT_EQ(replayed.group_epoch, live.group_epoch);
  EXPECT_EQ(replayed.assignment_epoch, live.assignment_epoch);
  ASSERT_EQ(replayed.members.size(), 2u) << "the restart knows m2";
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(replayed.members[i].member_id, live.members[i].member_id);
    EXPECT_EQ(replayed.members[i].member_epoch, live.members[i].member_epoch);
    EXPECT_EQ(replayed.members[i].assignment, live.members[i].assignment);
    EXPECT_EQ(replayed.members[i].target_assignment, live.members[i].target_assignment);
  }
}

TEST(ConsumerGroup, AFailedLeaveIsWrittenLater) {
  harness h;
  h.topics.add("orders", 2);
  auto a = h.hb(join("g", "m1", {"orders"}));
  h.hb(join("g", "m2", {"orders"}));
  h.log.fail_appends = true;
  EXPECT_EQ(h.hb(beat("g", "m2", cg_leave_epoch)).error, errc::coordinator_not_available);
  h.log.fail_appends = false;
  h.hb(beat("g", "m1", a.member_epoch));

  memory_offset_log log2;
  consumer_group_coordinator c2(test_config(), log2);
  for (const auto& e : h.log.entries()) ASSERT_TRUE(c2.load_record(e.record.key, e.record.value));
  c2.finish_loading(h.now);
  auto replayed = c2.describe({"g"}, h.topics.md).front();
  ASSERT_EQ(replayed.members.size(), 1u) << "m2's leave reached the log";
  EXPECT_EQ(replayed.members[0].member_id, "m1");
  EXPECT_EQ(replayed.group_epoch, h.describe("g").group_epoch);
}

TEST(ConsumerGroup, ReplayRestoresGroupsMembersAndAssignments) {
  harness h;
  h.topics.add("orders", 4);
  h.hb(join("g", "m1", {"orders"}));
  auto s = join("g", "m2", {"orders"});
  s.instance_id = "i2";
  h.hb(s);
  auto r1 = h.hb(beat("g", "m1", 1));  // m1 now revoking
  h.hb(join("gone", "x", {"orders"}));
  h.hb(beat("gone", "x", -1));
  ASSERT_TRUE(h.c.remove_empty_group("gone"));

  memory_offset_log log2;
  consumer_group_coordinator c2(test_config(), log2);
  for (const auto& e : h.log.entries()) {
    ASSERT_TRUE(is_consumer_group_record(e.record.key));
    ASSERT_TRUE(c2.load_record(e.record.key, e.record.value));
  }
  c2.finish_loading(h.now);
  EXPECT_TRUE(c2.subscriptions_exact()) << "replayed members are in their groups' tallies";
  auto before = h.describe("g");
  auto after = c2.describe({"g"}, h.topics.md).front();
  EXPECT_EQ(after.state, before.state);
  EXPECT_EQ(after.group_epoch, before.group_epoch);
  EXPECT_EQ(after.assignment_epoch, before.assignment_epoch);
  ASSERT_EQ(after.members.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(after.members[i].member_id, before.members[i].member_id);
    EXPECT_EQ(after.members[i].member_epoch, before.members[i].member_epoch);
    EXPECT_EQ(after.members[i].assignment, before.members[i].assignment);
    EXPECT_EQ(after.members[i].target_assignment, before.members[i].target_assignment);
    EXPECT_EQ(after.members[i].instance_id, before.members[i].instance_id);
    EXPECT_EQ(after.members[i].subscribed_topic_names, before.members[i].subscribed_topic_names);
  }
  EXPECT_FALSE(c2.has_group("gone"));
  // The reloaded coordinator continues the reconciliation where it was.
  std::optional<cg_heartbeat_result> r;
  c2.heartbeat(beat("g", "m1", 1, r1.assignment), h.topics.md, h.now, [&](cg_heartbeat_result x) { r = x; });
  ASSERT_TRUE(r);
  EXPECT_EQ(r->error, 0);
  EXPECT_EQ(r->member_epoch, 2);
}

TEST(ConsumerGroup, ListAndRemoveEmpty) {
  harness h;
  h.topics.add("orders", 1);
  h.hb(join("g", "m1", {"orders"}));
  auto l = h.c.list();
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].state, "Stable");
  EXPECT_FALSE(h.c.remove_empty_group("g"));
  h.hb(beat("g", "m1", -1));
  EXPECT_TRUE(h.c.is_empty_group("g"));
  EXPECT_TRUE(h.c.remove_empty_group("g"));
  EXPECT_FALSE(h.c.has_group("g"));
  EXPECT_EQ(h.describe("g").error, errc::group_id_not_found);
}

}  // namespace
}  // namespace samsa::group

namespace samsa::group {
namespace {

using namespace cgtest;

TEST(ConsumerGroup, NewGroupsStopAtMaxGroupsCountingClassicGroups) {
  auto cfg = test_config();
  cfg.max_groups = 2;
  size_t classic_groups = 1;
  cfg.other_groups = [&] { return classic_groups; };
  harness h(cfg);
  h.topics.add("orders", 2);
  EXPECT_EQ(h.hb(join("g1", "m1", {"orders"})).error, 0);
  EXPECT_EQ(h.hb(join("g2", "m2", {"orders"})).error, errc::group_max_size_reached);
  EXPECT_EQ(h.hb(join("g1", "m3", {"orders"})).error, 0) << "an existing group takes new members";
  classic_groups = 0;
  EXPECT_EQ(h.hb(join("g2", "m2", {"orders"})).error, 0);
}

TEST(ConsumerGroup, NewGroupAndMemberIdsAreBounded) {
  harness h;
  h.topics.add("orders", 2);
  EXPECT_EQ(h.hb(join(std::string(max_new_group_id_bytes + 1, 'g'), "m1", {"orders"})).error,
            errc::invalid_group_id);
  EXPECT_EQ(h.hb(join("g", std::string(max_member_id_bytes + 1, 'm'), {"orders"})).error, errc::invalid_request);
  EXPECT_EQ(h.hb(join(std::string(max_new_group_id_bytes, 'g'), std::string(max_member_id_bytes, 'm'), {"orders"}))
                .error,
            0);
}

}  // namespace
}  // namespace samsa::group
