// Mixed groups (KIP-848): classic members in a consumer-protocol group, the
// online upgrade from a classic group and the downgrade back, under each
// group.consumer.migration.policy, and the records that make them durable.
#include <gtest/gtest.h>

#include "group/consumer_group_records.h"
#include "group/consumer_group_test_support.h"
#include "group/errors.h"
#include "group/offsets_codec.h"
#include "group/subscription.h"

namespace samsa::group {
namespace {

using cgtest::harness;
using cgtest::join;
using cgtest::parts;

join_request classic_join_req(const std::string& group, const std::string& member_id,
                              const std::vector<std::string>& topics, const named_partitions& owned = {},
                              std::string protocol_type = "consumer") {
  join_request r;
  r.group_id = group;
  r.member_id = member_id;
  r.client_id = "classic-client";
  r.client_host = "/127.0.0.1";
  r.session_timeout_ms = 10000;
  r.rebalance_timeout_ms = 20000;
  r.protocol_type = std::move(protocol_type);
  r.protocols = {{"range", encode_consumer_subscription(1, topics, owned)},
                 {"roundrobin", encode_consumer_subscription(1, topics, owned)}};
  r.require_known_member_id = true;
  return r;
}

struct mixed : ::testing::Test {
  harness h;
  topic_id t;
  void SetUp() override { t = h.topics.add("orders", 4); }

  join_result cjoin(const join_request& r) {
    std::optional<join_result> out;
    h.c.classic_join(r, h.topics.md, h.now, [&](join_result j) { out = std::move(j); });
    EXPECT_TRUE(out.has_value()) << "join not answered";
    EXPECT_TRUE(h.c.subscriptions_exact()) << "a classic join changed a member without settle()";
    return out.value_or(join_result{});
  }
  // JoinGroup v4+: MEMBER_ID_REQUIRED first, then the join with the id.
  join_result cjoin_new(const std::string& group, const std::vector<std::string>& topics) {
    auto first = cjoin(classic_join_req(group, "", topics));
    EXPECT_EQ(first.error, errc::member_id_required);
    return cjoin(classic_join_req(group, first.member_id, topics));
  }
  sync_result csync(const std::string& group, const std::string& member, int32_t generation) {
    sync_request r;
    r.group_id = group;
    r.member_id = member;
    r.generation_id = generation;
    r.protocol_type = "consumer";
    r.protocol_name = "range";
    return h.c.classic_sync(r, h.topics.md, h.now);
  }
  int16_t cbeat(const std::string& group, const std::string& member, int32_t generation) {
    return h.c.classic_heartbeat(heartbeat_request{group, generation, member, std::nullopt}, h.now);
  }
  std::set<int32_t> synced(const sync_result& s) {
    auto a = decode_consumer_assignment(s.assignment);
    EXPECT_TRUE(a.ok());
    if (!a.ok() || !a->partitions.count("orders")) return {};
    return a->partitions.at("orders");
  }
};

TEST_F(mixed, AClassicMemberJoinsAConsumerGroupAndIsDrivenThroughJoinSyncAndHeartbeat) {
  auto m1 = h.hb(join("g", "m1", {"orders"}));
  ASSERT_EQ(m1.error, 0);
  ASSERT_EQ(partition_count(*m1.assignment), 4u);

  auto j = cjoin_new("g", {"orders"});
  ASSERT_EQ(j.error, errc::none);
  EXPECT_EQ(j.protocol_type, "consumer");
  EXPECT_EQ(j.protocol_name, "range");
  EXPECT_TRUE(j.leader_id.empty());  // nobody leads: the coordinator assigns
  EXPECT_TRUE(j.members.empty());
  const std::string c1 = j.member_id;
  // m1 still owns everything: c1 is at the new epoch with nothing yet.
  EXPECT_EQ(j.generation_id, 2);
  EXPECT_TRUE(synced(csync("g", c1, j.generation_id)).empty());

  // m1 revokes half, which frees them for c1.
  auto r = h.hb(cgtest::beat("g", "m1", 1, *m1.assignment));
  ASSERT_EQ(r.error, 0);
  ASSERT_EQ(partition_count(*r.assignment), 2u);
  h.hb(cgtest::beat("g", "m1", r.member_epoch, *r.assignment));
  // Its heartbeat tells c1 to rejoin; the rejoin and sync hand them over.
  EXPECT_EQ(cbeat("g", c1, j.generation_id), errc::rebalance_in_progress);
  auto j2 = cjoin(classic_join_req("g", c1, {"orders"}));
  ASSERT_EQ(j2.error, errc::none);
  auto got = synced(csync("g", c1, j2.generation_id));
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(cbeat("g", c1, j2.generation_id), errc::none);
  // Disjoint and complete.
  std::set<int32_t> all = got;
  for (int32_t p : r.assignment->at(t)) EXPECT_TRUE(all.insert(p).second);
  EXPECT_EQ(all.size(), 4u);

  auto d = h.describe("g");
  EXPECT_EQ(d.state, "Stable");
  ASSERT_EQ(d.members.size(), 2u);
  for (const auto& m : d.members) EXPECT_EQ(m.classic, m.member_id == c1) << m.member_id;
}

TEST_F(mixed, ClassicRequestsAreCheckedAsKafkaChecksThem) {
  h.hb(join("g", "m1", {"orders"}));
  // Another embedded protocol type cannot join a consumer group.
  auto other = cjoin(classic_join_req("g", "", {"orders"}, {}, "connect"));
  EXPECT_EQ(other.error, errc::inconsistent_group_protocol);
  auto j = cjoin_new("g", {"orders"});
  ASSERT_EQ(j.error, errc::none);
  // A protocol no classic member shares.
  auto odd = classic_join_req("g", "", {"orders"});
  odd.protocols = {{"sticky", encode_consumer_subscription({"orders"})}};
  EXPECT_EQ(cjoin(odd).error, errc::inconsistent_group_protocol);
  // Wrong generation, unknown member, a consumer-protocol member speaking classic.
  EXPECT_EQ(cbeat("g", j.member_id, j.generation_id + 5), errc::illegal_generation);
  EXPECT_EQ(cbeat("g", "nobody", j.generation_id), errc::unknown_member_id);
  EXPECT_EQ(cbeat("g", "m1", 1), errc::unknown_member_id);
  EXPECT_EQ(csync("g", j.member_id, j.generation_id + 1).error, errc::illegal_generation);
  sync_request wrong{"g", j.generation_id, j.member_id, std::nullopt, std::string("consumer"),
                     std::string("roundrobin"), {}};
  EXPECT_EQ(h.c.classic_sync(wrong, h.topics.md, h.now).error, errc::inconsistent_group_protocol);
  // An unreadable subscription.
  auto bad = classic_join_req("g", j.member_id, {"orders"});
  bad.protocols = {{"range", bytes{0, 1, 2}}};
  EXPECT_EQ(cjoin(bad).error, errc::inconsistent_group_protocol);
  // Offsets: the classic member commits with its generation at any version.
  EXPECT_EQ(h.c.validate_offset_commit("g", j.member_id, j.generation_id, 2), errc::none);
  EXPECT_EQ(h.c.validate_offset_commit("g", j.member_id, j.generation_id - 1, 8), errc::illegal_generation);
  EXPECT_EQ(h.c.validate_offset_commit("g", "m1", 1, 8), errc::unsupported_version);
}

TEST_F(mixed, AClassicMemberThatNeverSyncsOrRejoinsIsFenced) {
  h.hb(join("g", "m1", {"orders"}));
  auto j = cjoin_new("g", {"orders"});
  ASSERT_EQ(j.error, errc::none);
  // m1 keeps heartbeating; c1 never sends SyncGroup within its rebalance timeout (20 s).
  auto epoch_of = [&](const std::string& id) {
    for (const auto& m : h.describe("g").members) {
      if (m.member_id == id) return m.member_epoch;
    }
    return -1;
  };
  for (int i = 0; i < 5; ++i) {
    h.advance(5000);
    h.hb(cgtest::beat("g", "m1", epoch_of("m1")));
  }
  auto d = h.describe("g");
  ASSERT_EQ(d.members.size(), 1u);
  EXPECT_EQ(d.members[0].member_id, "m1");
}

TEST_F(mixed, LastConsumerMemberLeavingDowngradesUnderTheDefaultPolicy) {
  std::optional<classic_group_snapshot> downgraded;
  h.c.set_downgrade_handler([&](classic_group_snapshot g) { downgraded = std::move(g); });
  h.hb(join("g", "m1", {"orders"}));
  auto j = cjoin_new("g", {"orders"});
  ASSERT_EQ(j.error, errc::none);
  const int32_t epoch = h.describe("g").group_epoch;
  // m1 leaves: only the classic member is left.
  auto left = h.hb(cgtest::beat("g", "m1", cg_leave_epoch));
  EXPECT_EQ(left.error, 0);
  ASSERT_TRUE(downgraded.has_value());
  EXPECT_FALSE(h.c.has_group("g"));
  EXPECT_EQ(downgraded->generation, epoch);  // the classic member's heartbeat is told to rejoin
  EXPECT_EQ(downgraded->protocol_name, "range");
  ASSERT_EQ(downgraded->members.size(), 1u);
  const auto& cm = downgraded->members[0];
  EXPECT_EQ(cm.member_id, j.member_id);
  EXPECT_EQ(cm.session_timeout_ms, 10000);
  EXPECT_EQ(cm.rebalance_timeout_ms, 20000);
  ASSERT_EQ(cm.protocols.size(), 2u);
  // Its classic assignment is the target: every partition, once m1 is gone.
  auto a = decode_consumer_assignment(cm.assignment);
  ASSERT_TRUE(a.ok());
  // The target was computed before m1 left; the classic rebalance redoes it.
  EXPECT_LE(a->partitions["orders"].size(), 4u);
  // Durable: consumer group tombstones, then the classic GroupMetadata record.
  const auto& last = h.log.entries().back().record;
  auto key = decode_record_key(last.key);
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(std::holds_alternative<group_metadata_key>(*key));
  ASSERT_TRUE(last.value.has_value());
  auto v = decode_group_metadata_value(*last.value);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->protocol_type, "consumer");
  EXPECT_EQ(v->generation, epoch);
  ASSERT_EQ(v->members.size(), 1u);
  EXPECT_EQ(v->members[0].member_id, j.member_id);
  EXPECT_EQ(v->members[0].assignment, cm.assignment);
}

TEST_F(mixed, PoliciesWithoutDowngradeKeepAConsumerGroupOfClassicMembers) {
  for (auto policy : {cg_migration_policy::disabled, cg_migration_policy::upgrade}) {
    auto cfg = cgtest::test_config();
    cfg.migration_policy = policy;
    harness hh(cfg);
    hh.topics.add("orders", 2);
    bool downgraded = false;
    hh.c.set_downgrade_handler([&](classic_group_snapshot) { downgraded = true; });
    hh.hb(join("g", "m1", {"orders"}));
    std::optional<join_result> j;
    hh.c.classic_join(classic_join_req("g", "c1", {"orders"}), hh.topics.md, hh.now, [&](join_result r) { j = r; });
    ASSERT_TRUE(j && j->error == errc::none) << to_string(policy);
    hh.hb(cgtest::beat("g", "m1", cg_leave_epoch));
    EXPECT_FALSE(downgraded) << to_string(policy);
    ASSERT_TRUE(hh.c.has_group("g"));
    EXPECT_EQ(hh.describe("g").members.size(), 1u);
  }
  // A classic member leaving with LeaveGroup under "downgrade" converts too.
  auto cfg = cgtest::test_config();
  cfg.migration_policy = cg_migration_policy::downgrade;
  harness hh(cfg);
  hh.topics.add("orders", 2);
  int downgrades = 0;
  hh.c.set_downgrade_handler([&](classic_group_snapshot) { ++downgrades; });
  hh.hb(join("g", "m1", {"orders"}));
  for (const char* id : {"c1", "c2"}) {
    hh.c.classic_join(classic_join_req("g", id, {"orders"}), hh.topics.md, hh.now, [](join_result) {});
  }
  std::optional<leave_result> left;
  hh.c.classic_leave("g", {{"c2", std::nullopt, std::nullopt}}, hh.now, [&](leave_result r) { left = r; });
  ASSERT_TRUE(left && left->members.at(0).error == errc::none);
  EXPECT_EQ(downgrades, 0);  // m1 is still there
  hh.c.classic_leave("g", {{"m1", std::nullopt, std::nullopt}}, hh.now, [&](leave_result r) { left = r; });
  EXPECT_EQ(downgrades, 1);
  EXPECT_FALSE(hh.c.has_group("g"));
}

TEST_F(mixed, UpgradeAdoptsTheClassicMembersWithTheirGenerationAndAssignments) {
  classic_group_snapshot s;
  s.group_id = "g";
  s.generation = 7;
  s.protocol_name = "range";
  s.members.push_back({"c1", std::nullopt, "cl", "/h", 20000, 10000,
                       {{"range", encode_consumer_subscription({"orders"})}},
                       encode_consumer_assignment(0, {{"orders", {0, 1}}})});
  s.members.push_back({"c2", std::string("inst"), "cl", "/h", 20000, 10000,
                       {{"range", encode_consumer_subscription({"orders"})}},
                       encode_consumer_assignment(0, {{"orders", {2, 3}}, {"deleted-topic", {0}}})});
  ASSERT_TRUE(h.c.adopt_classic_group(s, h.topics.md, h.now));
  auto d = h.describe("g");
  EXPECT_EQ(d.group_epoch, 7);
  EXPECT_EQ(d.assignment_epoch, 7);
  EXPECT_EQ(d.state, "Stable");
  ASSERT_EQ(d.members.size(), 2u);
  EXPECT_EQ(d.members[0].assignment, parts(t, {0, 1}));
  EXPECT_EQ(d.members[1].assignment, parts(t, {2, 3}));
  EXPECT_EQ(d.members[1].instance_id, "inst");
  EXPECT_TRUE(d.members[0].classic && d.members[1].classic);
  // Their generation is their member epoch: heartbeats go on until the group moves.
  EXPECT_EQ(cbeat("g", "c1", 7), errc::none);
  // The joining consumer member bumps the epoch: the classic members must rejoin.
  auto m1 = h.hb(join("g", "m1", {"orders"}));
  ASSERT_EQ(m1.error, 0);
  EXPECT_EQ(m1.member_epoch, 8);
  EXPECT_EQ(cbeat("g", "c1", 7), errc::rebalance_in_progress);
  EXPECT_EQ(csync("g", "c1", 7).error, errc::rebalance_in_progress);
  // The first write carries the classic group's tombstone first.
  const auto& first = h.log.entries().front().record;
  auto key = decode_record_key(first.key);
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(std::holds_alternative<group_metadata_key>(*key));
  EXPECT_FALSE(first.value.has_value());

  // A custom assignor's user data or a broken blob refuses the upgrade and changes nothing.
  classic_group_snapshot custom = s;
  custom.group_id = "g2";
  byte_writer w;
  w.int16(0);
  w.int32(0);
  w.bytes_field(bytes{1, 2, 3});
  custom.members[0].assignment = w.take();
  EXPECT_FALSE(h.c.adopt_classic_group(custom, h.topics.md, h.now));
  custom.members[0].assignment = bytes{9};
  EXPECT_FALSE(h.c.adopt_classic_group(custom, h.topics.md, h.now));
  EXPECT_FALSE(h.c.has_group("g2"));
}

// An upgrade and the joining member that asked for it happen together or not
// at all: a refused join leaves no consumer group, no member bytes and no
// record behind, and the classic coordinator is never told to let go.
TEST(Upgrade, AJoinRefusedAfterTheAdoptionUndoesTheUpgradeAndWritesNothing) {
  auto classic_snapshot = [](const std::string& id) {
    classic_group_snapshot s;
    s.group_id = id;
    s.generation = 3;
    s.protocol_name = "range";
    for (const char* member : {"c1", "c2"}) {
      s.members.push_back({member, std::nullopt, "cl", "/h", 20000, 10000,
                           {{"range", encode_consumer_subscription({"orders"})}},
                           encode_consumer_assignment(0, {{"orders", {0}}})});
    }
    return s;
  };
  auto run = [](harness& hh, const classic_group_snapshot& s, cg_heartbeat_request req, bool& upgraded) {
    std::optional<cg_heartbeat_result> out;
    hh.c.upgrade_and_heartbeat(s, std::move(req), hh.topics.md, hh.now, [&] { upgraded = true; },
                               [&](cg_heartbeat_result r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value()) << "heartbeat not answered";
    return out.value_or(cg_heartbeat_result{});
  };

  // The group is full once the classic members are in: the third is refused.
  auto full = cgtest::test_config();
  full.max_size = 2;
  harness by_size(full);
  by_size.topics.add("orders", 2);
  bool upgraded = false;
  auto r = run(by_size, classic_snapshot("g"), join("g", "m1", {"orders"}), upgraded);
  EXPECT_EQ(r.error, errc::group_max_size_reached);
  EXPECT_FALSE(upgraded);
  EXPECT_FALSE(by_size.c.has_group("g"));
  EXPECT_EQ(by_size.c.members_held().members, 0u);
  EXPECT_EQ(by_size.c.members_held().bytes, 0u);
  EXPECT_TRUE(by_size.log.entries().empty());

  // Member memory: the adopted members fit, the joining one does not.
  auto tight = cgtest::test_config();
  harness probe(tight);
  probe.topics.add("orders", 2);
  ASSERT_TRUE(probe.c.adopt_classic_group(classic_snapshot("g"), probe.topics.md, probe.now));
  tight.member_metadata_max_bytes = static_cast<int64_t>(probe.c.members_held().bytes) + 8;
  harness by_memory(tight);
  by_memory.topics.add("orders", 2);
  // An empty group of ours under the id is put back as it was.
  ASSERT_EQ(by_memory.hb(join("g", "gone", {"orders"})).error, errc::none);
  ASSERT_EQ(by_memory.hb(cgtest::beat("g", "gone", cg_leave_epoch)).error, errc::none);
  ASSERT_TRUE(by_memory.c.has_group("g"));
  const size_t records_before = by_memory.log.entries().size();
  r = run(by_memory, classic_snapshot("g"), join("g", "m1", {"orders"}), upgraded);
  EXPECT_EQ(r.error, errc::group_max_size_reached);
  EXPECT_FALSE(upgraded);
  EXPECT_TRUE(by_memory.c.has_group("g"));
  EXPECT_TRUE(by_memory.describe("g").members.empty());
  EXPECT_EQ(by_memory.c.members_held().bytes, 0u);
  EXPECT_TRUE(by_memory.c.recount_all());
  EXPECT_EQ(by_memory.log.entries().size(), records_before);

  // The same join with room: the upgrade happens and is written with it.
  harness roomy;
  roomy.topics.add("orders", 2);
  r = run(roomy, classic_snapshot("g"), join("g", "m1", {"orders"}), upgraded);
  EXPECT_EQ(r.error, errc::none);
  EXPECT_TRUE(upgraded);
  EXPECT_EQ(roomy.describe("g").members.size(), 3u);
  EXPECT_FALSE(roomy.log.entries().empty());
  EXPECT_TRUE(roomy.c.recount_all());
}

TEST_F(mixed, ClassicMembersSurviveAReplay) {
  h.hb(join("g", "m1", {"orders"}));
  auto j = cjoin_new("g", {"orders"});
  ASSERT_EQ(j.error, errc::none);
  consumer_group_coordinator again(cgtest::test_config(), h.log);
  for (const auto& e : h.log.entries()) {
    if (!is_consumer_group_record(e.record.key)) continue;
    ASSERT_TRUE(again.load_record(e.record.key, e.record.value));
  }
  again.finish_loading(h.now);
  auto d = again.describe({"g"}, h.topics.md).front();
  ASSERT_EQ(d.members.size(), 2u);
  for (const auto& m : d.members) EXPECT_EQ(m.classic, m.member_id == j.member_id);
  // Its session timeout is its own (10 s), not the consumer protocol's (45 s).
  EXPECT_EQ(again.next_deadline(), h.now + 10000);
  // It still waits for partitions m1 holds: nothing to rejoin for yet.
  EXPECT_EQ(again.classic_heartbeat({"g", j.generation_id, j.member_id, std::nullopt}, h.now), errc::none);
  EXPECT_EQ(again.classic_heartbeat({"g", j.generation_id - 1, j.member_id, std::nullopt}, h.now),
            errc::illegal_generation);
}

TEST(ConsumerGroupRecords, AClassicMemberValueRoundTripsAsVersion1) {
  cg_member_value v;
  v.client_id = "c";
  v.client_host = "/h";
  v.rebalance_timeout_ms = 300;
  v.subscribed_topic_names = {"a"};
  v.classic = cg_classic_metadata{6000, {{"range", bytes{0, 1}}, {"roundrobin", bytes{}}}};
  bytes b = encode_cg_member_value(v);
  EXPECT_EQ(b[1], 1);  // value version 1
  auto back = decode_cg_member_value(b);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, v);
  v.classic.reset();
  EXPECT_EQ(encode_cg_member_value(v)[1], 0);  // a consumer-protocol member stays version 0
  bytes truncated(b.begin(), b.end() - 3);
  EXPECT_FALSE(decode_cg_member_value(truncated).ok());
  bytes v2 = b;
  v2[1] = 2;
  EXPECT_FALSE(decode_cg_member_value(v2).ok());
}

TEST(ConsumerProtocol, SubscriptionVersionsAndAssignmentsDecode) {
  auto v3 = decode_consumer_subscription(encode_consumer_subscription(3, {"a", "b"}, {{"a", {1, 0}}}, "rack1"));
  ASSERT_TRUE(v3.ok());
  EXPECT_EQ(v3->topics, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(v3->owned.at("a"), (std::set<int32_t>{0, 1}));
  EXPECT_EQ(v3->rack_id, "rack1");
  auto v0 = decode_consumer_subscription(encode_consumer_subscription({"a"}));
  ASSERT_TRUE(v0.ok());
  EXPECT_TRUE(v0->owned.empty());
  auto a = decode_consumer_assignment(encode_consumer_assignment(1, {{"a", {3}}}));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->partitions.at("a"), std::set<int32_t>{3});
  EXPECT_FALSE(a->user_data.has_value());
  bytes huge_count{0, 0, 0x7f, 0xff, 0xff, 0xff};
  EXPECT_FALSE(decode_consumer_assignment(huge_count).ok());
}

TEST(MigrationPolicy, ParsesKafkasNames) {
  EXPECT_EQ(parse_migration_policy("Bidirectional"), cg_migration_policy::bidirectional);
  EXPECT_EQ(parse_migration_policy("upgrade"), cg_migration_policy::upgrade);
  EXPECT_EQ(parse_migration_policy("DOWNGRADE"), cg_migration_policy::downgrade);
  EXPECT_EQ(parse_migration_policy("disabled"), cg_migration_policy::disabled);
  EXPECT_FALSE(parse_migration_policy("both").has_value());
  EXPECT_TRUE(upgrade_allowed(cg_migration_policy::bidirectional));
  EXPECT_FALSE(upgrade_allowed(cg_migration_policy::downgrade));
  EXPECT_TRUE(downgrade_allowed(cg_migration_policy::downgrade));
  EXPECT_FALSE(downgrade_allowed(cg_migration_policy::upgrade));
}

}  // namespace
}  // namespace samsa::group
