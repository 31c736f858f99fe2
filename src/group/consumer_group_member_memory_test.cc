// group.consumer.member.metadata.max.bytes: the memory all members of
// consumer-protocol groups hold (identity, subscription, current assignment,
// classic protocols) is counted exactly through every way a member comes,
// changes and goes (heartbeat join, update and leave, static leave and
// replacement, session expiry, group deletion, replay, classic joins and
// leaves, downgrade and upgrade), and a heartbeat or classic JoinGroup that
// would take it past the bound is refused, except one that does not grow it.
#include <gtest/gtest.h>

#include "group/consumer_group_records.h"
#include "group/consumer_group_test_support.h"
#include "group/errors.h"
#include "group/subscription.h"

namespace samsa::group {
namespace {

using cgtest::beat;
using cgtest::harness;
using cgtest::join;

constexpr const char* setting = "group.consumer.member.metadata.max.bytes";

// `count` subscribed names of `each` bytes (no such topics: nothing is assigned).
std::vector<std::string> names(char fill, size_t count, size_t each = 1000) {
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) out.push_back(std::to_string(i) + std::string(each, fill));
  return out;
}

// What a member joined with cgtest::join(group, id, subscribed) and no
// assignment holds: the coordinator's formula, spelled out again.
size_t cost_of(const std::string& id, const std::vector<std::string>& subscribed) {
  size_t n = 256 + id.size() + ("client-" + id).size() + std::string("/127.0.0.1").size();
  for (const auto& s : subscribed) n += 32 + s.size();
  return n;
}

consumer_group_config bounded(size_t bytes) {
  auto cfg = cgtest::test_config();
  cfg.member_metadata_max_bytes = static_cast<int64_t>(bytes);
  return cfg;
}

void expect_refused(const cg_heartbeat_result& r) {
  EXPECT_EQ(r.error, errc::group_max_size_reached);
  ASSERT_TRUE(r.error_message.has_value());
  EXPECT_NE(r.error_message->find(setting), std::string::npos) << *r.error_message;
}

TEST(ConsumerMemberMemory, ANewMemberPastTheBoundIsRefusedAndLeavesNoGroupBehind) {
  const auto subs = names('a', 10);
  const size_t one = cost_of("m1", subs);
  harness h(bounded(3 * one + one / 2));
  for (const char* g : {"a", "b", "c"}) {
    ASSERT_EQ(h.hb(join(g, "m1", subs)).error, 0);
    EXPECT_TRUE(h.c.recount_all());
  }
  EXPECT_EQ(h.c.members_held().members, 3u);
  EXPECT_EQ(h.c.members_held().bytes, 3 * one);
  const size_t records = h.log.entries().size();
  // A fourth member fits neither in a new group nor in an existing one.
  expect_refused(h.hb(join("d", "m1", subs)));
  EXPECT_FALSE(h.c.has_group("d"));
  expect_refused(h.hb(join("a", "m2", subs)));
  EXPECT_EQ(h.describe("a").members.size(), 1u);
  // A v0 join (the broker makes the member id) is refused alike.
  auto v0 = join("e", "", subs);
  v0.api_version = 0;
  expect_refused(h.hb(v0));
  EXPECT_FALSE(h.c.has_group("e"));
  EXPECT_EQ(h.log.entries().size(), records);  // nothing written
  EXPECT_EQ(h.c.group_count(), 3u);
  EXPECT_EQ(h.c.members_held().members, 3u);
  EXPECT_EQ(h.c.members_held().bytes, 3 * one);
  EXPECT_TRUE(h.c.recount_all());
  // A small member still fits.
  auto small = h.hb(join("d", "s", {"x"}));
  EXPECT_EQ(small.error, 0);
  EXPECT_EQ(h.c.members_held().bytes, 3 * one + cost_of("s", {"x"}));
  EXPECT_TRUE(h.c.recount_all());
}

TEST(ConsumerMemberMemory, HeartbeatsThatDoNotGrowPassAtTheBound) {
  const auto subs = names('a', 10);
  harness h(bounded(2 * cost_of("m1", subs)));  // exactly two members
  auto m1 = h.hb(join("g", "m1", subs));
  auto m2 = h.hb(join("g", "m2", subs));
  ASSERT_EQ(m1.error, 0);
  ASSERT_EQ(m2.error, 0);
  EXPECT_EQ(h.c.members_held().bytes, 2 * cost_of("m1", subs));
  // The same subscription again (in another order, with a duplicate), a bare
  // heartbeat and a rejoin all pass.
  auto same = beat("g", "m1", h.describe("g").members[0].member_epoch);
  auto shuffled = subs;
  std::reverse(shuffled.begin(), shuffled.end());
  shuffled.push_back(subs.front());
  same.subscribed_topic_names = shuffled;
  EXPECT_EQ(h.hb(same).error, 0);
  EXPECT_EQ(h.hb(beat("g", "m2", h.describe("g").members[1].member_epoch)).error, 0);
  EXPECT_EQ(h.hb(join("g", "m2", subs)).error, 0);
  EXPECT_EQ(h.c.members_held().bytes, 2 * cost_of("m1", subs));
  EXPECT_TRUE(h.c.recount_all());
  // Shrinking always passes, and makes room.
  auto fewer = beat("g", "m1", h.describe("g").members[0].member_epoch);
  fewer.subscribed_topic_names = names('a', 5);
  EXPECT_EQ(h.hb(fewer).error, 0);
  EXPECT_EQ(h.c.members_held().bytes, cost_of("m1", subs) + cost_of("m1", names('a', 5)));
  EXPECT_TRUE(h.c.recount_all());
}

TEST(ConsumerMemberMemory, GrowingASubscriptionPastTheBoundIsRefusedAndChangesNothing) {
  const auto subs = names('a', 10);
  harness h(bounded(2 * cost_of("m1", subs)));
  ASSERT_EQ(h.hb(join("g", "m1", subs)).error, 0);
  ASSERT_EQ(h.hb(join("g", "m2", subs)).error, 0);
  const auto before = h.describe("g");
  const size_t held = h.c.members_held().bytes;
  auto more = beat("g", "m1", before.members[0].member_epoch);
  more.subscribed_topic_names = names('a', 11);
  expect_refused(h.hb(more));
  // A long regex is growth too.
  auto regex = beat("g", "m1", before.members[0].member_epoch);
  regex.subscribed_topic_regex = std::string(2000, 'r');
  expect_refused(h.hb(regex));
  // So is a rejoin with a bigger subscription.
  expect_refused(h.hb(join("g", "m2", names('b', 11))));
  const auto after = h.describe("g");
  ASSERT_EQ(after.members.size(), 2u);
  EXPECT_EQ(after.group_epoch, before.group_epoch);
  EXPECT_EQ(after.members[0].subscribed_topic_names, before.members[0].subscribed_topic_names);
  EXPECT_FALSE(after.members[0].subscribed_topic_regex.has_value());
  EXPECT_EQ(after.members[1].member_epoch, before.members[1].member_epoch);
  EXPECT_EQ(h.c.members_held().bytes, held);
  EXPECT_TRUE(h.c.recount_all());
}

TEST(ConsumerMemberMemory, AssignmentsAreCountedButNeverRefused) {
  harness h(bounded(2 * cost_of("m1", {"orders"})));
  const topic_id t = h.topics.add("orders", 64);
  auto m1 = h.hb(join("g", "m1", {"orders"}));
  ASSERT_EQ(m1.error, 0);
  ASSERT_EQ(partition_count(*m1.assignment), 64u);
  // 64 partitions of one topic, each with its assignment epoch.
  EXPECT_EQ(h.c.members_held().bytes, cost_of("m1", {"orders"}) + 96 + 64 * 48 + 64 * 64);
  EXPECT_TRUE(h.c.recount_all());
  // Past the bound now, by the broker's own doing: the member goes on.
  EXPECT_EQ(h.hb(beat("g", "m1", m1.member_epoch, *m1.assignment)).error, 0);
  // A new member is refused: what members hold is past the bound.
  expect_refused(h.hb(join("g", "m2", {"orders"})));
  EXPECT_EQ(h.describe("g").members.size(), 1u);
  EXPECT_EQ(h.describe("g").members[0].assignment.at(t).size(), 64u);
  EXPECT_TRUE(h.c.recount_all());
}

TEST(ConsumerMemberMemory, LeavingFencingAndDeletionGiveEverythingBack) {
  const auto subs = names('a', 4);
  harness h(bounded(64 << 20));
  ASSERT_EQ(h.hb(join("g", "m1", subs)).error, 0);
  auto st = join("g", "m2", subs);
  st.instance_id = "i2";
  ASSERT_EQ(h.hb(st).error, 0);
  ASSERT_EQ(h.hb(join("h", "m3", subs)).error, 0);
  EXPECT_EQ(h.c.members_held().members, 3u);
  EXPECT_TRUE(h.c.recount_all());
  // A leave.
  EXPECT_EQ(h.hb(beat("g", "m1", cg_leave_epoch)).error, 0);
  EXPECT_EQ(h.c.members_held().members, 2u);
  EXPECT_TRUE(h.c.recount_all());
  // A static member leaving for a while keeps its place (and its count)...
  auto pause = beat("g", "m2", cg_static_leave_epoch);
  pause.instance_id = "i2";
  EXPECT_EQ(h.hb(pause).error, 0);
  EXPECT_EQ(h.c.members_held().members, 2u);
  EXPECT_TRUE(h.c.recount_all());
  // ... and a new incarnation takes it over, count and all.
  auto again = join("g", "m2b", subs);
  again.instance_id = "i2";
  ASSERT_EQ(h.hb(again).error, 0);
  EXPECT_EQ(h.c.members_held().members, 2u);
  EXPECT_TRUE(h.c.recount_all());
  // Session expiry fences everyone.
  h.advance(46000);
  EXPECT_EQ(h.c.members_held().members, 0u);
  EXPECT_EQ(h.c.members_held().bytes, 0u);
  EXPECT_TRUE(h.c.recount_all());
  // Deleting the (empty) groups.
  ASSERT_EQ(h.hb(join("k", "m4", subs)).error, 0);
  EXPECT_EQ(h.hb(beat("k", "m4", cg_leave_epoch)).error, 0);
  EXPECT_TRUE(h.c.remove_empty_group("g"));
  EXPECT_TRUE(h.c.remove_empty_group("h"));
  EXPECT_TRUE(h.c.remove_empty_group("k"));
  EXPECT_EQ(h.c.members_held().members, 0u);
  EXPECT_EQ(h.c.members_held().bytes, 0u);
  EXPECT_TRUE(h.c.recount_all());
}

TEST(ConsumerMemberMemory, ReplayRestoresTheCountWithoutRefusing) {
  const auto subs = names('a', 10);
  harness h(bounded(64 << 20));
  h.topics.add("orders", 8);
  auto with_topic = subs;
  with_topic.push_back("orders");
  ASSERT_EQ(h.hb(join("g", "m1", with_topic)).error, 0);
  ASSERT_EQ(h.hb(join("g", "m2", with_topic)).error, 0);
  ASSERT_EQ(h.hb(join("h", "m3", subs)).error, 0);
  ASSERT_EQ(h.hb(join("h", "gone", subs)).error, 0);
  ASSERT_EQ(h.hb(beat("h", "gone", cg_leave_epoch)).error, 0);
  ASSERT_TRUE(h.c.recount_all());
  const member_usage held = h.c.members_held();
  // A coordinator with a bound far below what the log holds loads it all.
  memory_offset_log log2;
  consumer_group_coordinator c2(bounded(1000), log2);
  for (const auto& e : h.log.entries()) {
    ASSERT_TRUE(c2.load_record(e.record.key, e.record.value));
    EXPECT_TRUE(c2.recount_all());
  }
  c2.finish_loading(h.now);
  EXPECT_EQ(c2.members_held().members, held.members);
  EXPECT_EQ(c2.members_held().bytes, held.bytes);
  EXPECT_TRUE(c2.recount_all());
  // Its bound holds from then on.
  std::optional<cg_heartbeat_result> r;
  c2.heartbeat(join("n", "m9", {"x"}), h.topics.md, h.now, [&](cg_heartbeat_result x) { r = std::move(x); });
  ASSERT_TRUE(r.has_value());
  expect_refused(*r);
  EXPECT_FALSE(c2.has_group("n"));
}

join_request classic_join_req(const std::string& group, const std::string& member_id,
                              const std::vector<std::string>& topics) {
  join_request r;
  r.group_id = group;
  r.member_id = member_id;
  r.client_id = "classic-client";
  r.client_host = "/127.0.0.1";
  r.session_timeout_ms = 10000;
  r.rebalance_timeout_ms = 20000;
  r.protocol_type = "consumer";
  r.protocols = {{"range", encode_consumer_subscription(1, topics, {})}};
  return r;
}

TEST(ConsumerMemberMemory, ClassicMembersDowngradeAndUpgradeKeepTheCountExact) {
  const auto subs = names('c', 10);
  harness h(bounded(64 << 20));
  h.topics.add("orders", 4);
  int downgrades = 0;
  h.c.set_downgrade_handler([&](classic_group_snapshot) { ++downgrades; });
  auto cjoin = [&](const join_request& r) {
    std::optional<join_result> out;
    h.c.classic_join(r, h.topics.md, h.now, [&](join_result j) { out = std::move(j); });
    EXPECT_TRUE(out.has_value());
    return out.value_or(join_result{});
  };
  ASSERT_EQ(h.hb(join("g", "m1", {"orders"})).error, 0);
  const size_t consumer_only = h.c.members_held().bytes;
  auto c1 = cjoin(classic_join_req("g", "c1", subs));
  ASSERT_EQ(c1.error, errc::none);
  EXPECT_EQ(h.c.members_held().members, 2u);
  // The classic member counts its protocol and metadata as well as its names.
  const auto req = classic_join_req("g", "c1", subs);
  const auto& protocol = req.protocols.front();
  EXPECT_GE(h.c.members_held().bytes - consumer_only, 256 + 64 + protocol.name.size() + protocol.metadata.size());
  EXPECT_TRUE(h.c.recount_all());
  // A rejoin with the same metadata, and a sync, change nothing.
  auto c1again = cjoin(classic_join_req("g", "c1", subs));
  ASSERT_EQ(c1again.error, errc::none);
  EXPECT_TRUE(h.c.recount_all());
  // The consumer member leaves: the group downgrades, and its members leave our count.
  ASSERT_EQ(h.hb(beat("g", "m1", cg_leave_epoch)).error, 0);
  EXPECT_EQ(downgrades, 1);
  EXPECT_FALSE(h.c.has_group("g"));
  EXPECT_EQ(h.c.members_held().members, 0u);
  EXPECT_EQ(h.c.members_held().bytes, 0u);
  EXPECT_TRUE(h.c.recount_all());

  // Upgrade: the classic members come in counted (never refused).
  classic_group_snapshot s;
  s.group_id = "u";
  s.generation = 3;
  s.protocol_name = "range";
  for (const char* id : {"u1", "u2"}) {
    s.members.push_back({id, std::nullopt, "cl", "/h", 20000, 10000,
                         {{"range", encode_consumer_subscription(subs)}},
                         encode_consumer_assignment(0, {{"orders", {0, 1}}})});
  }
  ASSERT_TRUE(h.c.adopt_classic_group(s, h.topics.md, h.now));
  EXPECT_EQ(h.c.members_held().members, 2u);
  EXPECT_TRUE(h.c.recount_all());
  ASSERT_EQ(h.hb(join("u", "m5", {"orders"})).error, 0);
  EXPECT_EQ(h.c.members_held().members, 3u);
  EXPECT_TRUE(h.c.recount_all());
  std::optional<leave_result> left;
  h.c.classic_leave("u", {{"u1", std::nullopt, std::nullopt}}, h.now, [&](leave_result r) { left = r; });
  ASSERT_TRUE(left && left->members.at(0).error == errc::none);
  EXPECT_EQ(h.c.members_held().members, 2u);
  EXPECT_TRUE(h.c.recount_all());
}

TEST(ConsumerMemberMemory, AClassicJoinPastTheBoundIsRefused) {
  const auto subs = names('c', 10);
  harness h(bounded(cost_of("m1", subs) + 4000));
  ASSERT_EQ(h.hb(join("g", "m1", subs)).error, 0);
  const member_usage held = h.c.members_held();
  std::optional<join_result> out;
  h.c.classic_join(classic_join_req("g", "c1", subs), h.topics.md, h.now, [&](join_result j) { out = std::move(j); });
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->error, errc::group_max_size_reached);
  EXPECT_EQ(h.describe("g").members.size(), 1u);
  EXPECT_EQ(h.c.members_held().members, held.members);
  EXPECT_EQ(h.c.members_held().bytes, held.bytes);
  EXPECT_TRUE(h.c.recount_all());
}

}  // namespace
}  // namespace samsa::group
