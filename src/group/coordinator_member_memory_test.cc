// group.classic.member.metadata.max.bytes: the memory all classic members
// hold (identity, offered protocols and their metadata, assignment) is
// counted exactly through every way a member comes, changes and goes (join,
// rejoin, static replacement and its revert, sync, leave, expiry, group
// deletion, replay, hand-over and adoption), and a JoinGroup that would take
// it past the bound is refused, except a rejoin that does not grow it.
#include "group/member.h"
#include "group/test_support.h"

namespace samsa::group {
namespace {

using testing::harness;
using testing::make_join;

// One protocol whose metadata is `size` bytes (not a valid subscription,
// which the coordinator does not need).
std::vector<protocol_entry> big_protocols(size_t size, uint8_t fill = 'm') {
  return {protocol_entry{"range", bytes(size, fill)}};
}

join_request big_join(const std::string& group, const std::string& client, size_t size,
                      const std::string& member_id = "") {
  auto r = make_join(group, client, member_id);
  r.protocols = big_protocols(size);
  return r;
}

// What a dynamic member of client `client` (id "<client>-uuidN", one digit)
// joining with `size` bytes of metadata costs.
size_t cost_of(const std::string& client, size_t size, size_t assignment = 0) {
  return member::cost(client + "-uuid1", std::nullopt, client, "/127.0.0.1", "consumer", big_protocols(size),
                      assignment);
}

// The bytes the members of the groups named hold, walked the slow way.
size_t recount(const coordinator& c, const std::vector<std::string>& groups) {
  size_t bytes = 0;
  for (const auto& id : groups) {
    const group_metadata* g = c.find_group(id);
    if (g == nullptr) continue;
    for (const auto& m : g->members()) {
      bytes += member::cost(m->member_id, m->group_instance_id, m->client_id, m->client_host, m->protocol_type,
                            m->protocols(), m->assignment().size());
    }
  }
  return bytes;
}

size_t member_count(const coordinator& c, const std::vector<std::string>& groups) {
  size_t n = 0;
  for (const auto& id : groups) {
    if (const group_metadata* g = c.find_group(id)) n += g->size();
  }
  return n;
}

std::vector<log_record> replay_of(const memory_offset_log& log) {
  std::vector<log_record> out;
  for (const auto& e : log.entries()) out.push_back(e.record);
  return out;
}

TEST(MemberMemory, ANewMemberPastTheBoundIsRefusedAndLeavesNoGroupBehind) {
  auto cfg = testing::test_config();
  const size_t one = cost_of("c", 10000);
  cfg.member_metadata_max_bytes = static_cast<int64_t>(3 * one + one / 2);
  harness h(cfg);
  auto a = h.join(big_join("a", "c", 10000));
  auto b = h.join(big_join("b", "c", 10000));
  auto c = h.join(big_join("c", "c", 10000));
  EXPECT_EQ(h.c.members_held().members, 3u);
  EXPECT_EQ(h.c.members_held().bytes, 3 * one);
  // A fourth member fits in no group, new or existing; nothing is kept.
  auto d = h.join(big_join("d", "c", 10000));
  ASSERT_TRUE(d->done);
  EXPECT_EQ(d->value.error, errc::group_max_size_reached);
  EXPECT_EQ(h.c.find_group("d"), nullptr);
  auto a2 = h.join(big_join("a", "c", 10000));
  ASSERT_TRUE(a2->done);
  EXPECT_EQ(a2->value.error, errc::group_max_size_reached);
  EXPECT_EQ(h.c.find_group("a")->size(), 1u);
  // JoinGroup v4+: the first join only makes a pending member (counted by
  // group.max.pending.members); its rejoin is refused, and the pending
  // member and the group it made are dropped.
  auto pend = big_join("e", "c", 10000);
  pend.require_known_member_id = true;
  auto e1 = h.join(pend);
  ASSERT_EQ(e1->value.error, errc::member_id_required);
  ASSERT_NE(h.c.find_group("e"), nullptr);
  pend.member_id = e1->value.member_id;
  auto e2 = h.join(pend);
  ASSERT_TRUE(e2->done);
  EXPECT_EQ(e2->value.error, errc::group_max_size_reached);
  EXPECT_EQ(h.c.find_group("e"), nullptr);
  // A small member still fits, and the members that were there go on.
  auto small = h.join(big_join("f", "c", 10));
  EXPECT_EQ(small->value.error, errc::none);
  h.advance(200);
  for (auto& j : {a, b, c}) {
    ASSERT_TRUE(j->done);
    EXPECT_EQ(j->value.error, errc::none);
  }
  EXPECT_EQ(h.c.members_held().members, 4u);
  EXPECT_EQ(h.c.members_held().bytes, recount(h.c, {"a", "b", "c", "f"}));
}

TEST(MemberMemory, RejoinsThatDoNotGrowPassAtTheBoundAndGrowthIsRefusedWithoutChange) {
  auto cfg = testing::test_config();
  // Exactly full once the member holds its 1-byte assignment.
  cfg.member_metadata_max_bytes = static_cast<int64_t>(cost_of("c", 1000, 1));
  harness h(cfg);
  auto j = h.join(big_join("g", "c", 1000));
  h.advance(200);
  ASSERT_EQ(j->value.error, errc::none);
  const std::string id = j->value.member_id;
  ASSERT_EQ(h.sync("g", 1, id, {{id, bytes{7}}})->value.error, errc::none);
  EXPECT_EQ(h.c.members_held().bytes, static_cast<size_t>(cfg.member_metadata_max_bytes));

  // The leader rejoining with the same metadata rebalances, and the same
  // assignment goes through again.
  auto same = h.join(big_join("g", "c", 1000, id));
  h.advance(10);
  ASSERT_TRUE(same->done);
  ASSERT_EQ(same->value.error, errc::none);
  EXPECT_EQ(same->value.generation_id, 2);
  ASSERT_EQ(h.sync("g", 2, id, {{id, bytes{8}}})->value.error, errc::none);
  EXPECT_EQ(h.state("g"), "Stable");

  // One byte more metadata is refused, and nothing changes.
  auto grown = h.join(big_join("g", "c", 1001, id));
  ASSERT_TRUE(grown->done);
  EXPECT_EQ(grown->value.error, errc::group_max_size_reached);
  EXPECT_EQ(h.state("g"), "Stable");
  EXPECT_EQ(h.c.find_group("g")->generation_id, 2);
  EXPECT_EQ(h.c.find_group("g")->get(id)->protocols(), big_protocols(1000));
  EXPECT_EQ(h.c.members_held().bytes, static_cast<size_t>(cfg.member_metadata_max_bytes));

  // Less metadata passes; the room it made takes a larger assignment.
  auto shrunk = h.join(big_join("g", "c", 990, id));
  h.advance(10);
  ASSERT_EQ(shrunk->value.error, errc::none);
  ASSERT_EQ(h.sync("g", 3, id, {{id, bytes(11, 1)}})->value.error, errc::none);
  EXPECT_EQ(h.c.members_held().bytes, static_cast<size_t>(cfg.member_metadata_max_bytes));

  // An assignment that grows past the bound fails as a failed store does:
  // the error, no assignment held, a new rebalance.
  auto again = h.join(big_join("g", "c", 990, id));
  h.advance(10);
  ASSERT_EQ(again->value.error, errc::none);
  auto refused = h.sync("g", 4, id, {{id, bytes(12, 1)}});
  ASSERT_TRUE(refused->done);
  EXPECT_EQ(refused->value.error, errc::unknown_server_error);
  EXPECT_EQ(h.state("g"), "PreparingRebalance");
  EXPECT_TRUE(h.c.find_group("g")->get(id)->assignment().empty());
  EXPECT_EQ(h.c.members_held().bytes, recount(h.c, {"g"}));
}

TEST(MemberMemory, AssignmentsBeingStoredCountAgainstTheBound) {
  auto cfg = testing::test_config();
  cfg.member_metadata_max_bytes = static_cast<int64_t>(2 * cost_of("c", 100) + 1500);
  harness h(cfg);
  auto a = h.join(big_join("a", "c", 100));
  auto b = h.join(big_join("b", "c", 100));
  h.advance(200);
  h.log.hold_appends = true;
  const std::string ia = a->value.member_id;
  const std::string ib = b->value.member_id;
  auto sa = h.sync("a", 1, ia, {{ia, bytes(1000, 1)}});
  auto sb = h.sync("b", 1, ib, {{ib, bytes(1000, 1)}});  // 1000 more in flight: no room
  ASSERT_TRUE(sb->done);
  EXPECT_EQ(sb->value.error, errc::unknown_server_error);
  EXPECT_FALSE(sa->done);
  h.log.hold_appends = false;
  h.log.release();
  ASSERT_TRUE(sa->done);
  EXPECT_EQ(sa->value.error, errc::none);
  EXPECT_EQ(h.c.members_held().bytes, 2 * cost_of("c", 100) + 1000);
}

TEST(MemberMemory, TheCountStaysExactAndReturnsToZeroAsMembersGo) {
  harness h;
  const std::vector<std::string> groups = {"g", "s", "x"};
  auto check = [&](const char* when) {
    EXPECT_EQ(h.c.members_held().bytes, recount(h.c, groups)) << when;
    EXPECT_EQ(h.c.members_held().members, member_count(h.c, groups)) << when;
  };
  const auto ids = h.form_group("g", {"alpha", "beta", "gamma"});
  check("after a group formed");
  // Static members; the ninth and tenth member ids differ in length.
  auto static_join = [&](const std::string& instance, const std::string& member_id = "") {
    auto r = big_join("s", instance + "-client", 300, member_id);
    r.group_instance_id = instance;
    return h.join(r);
  };
  auto s1 = static_join("i1");
  auto s2 = static_join("i2");
  h.advance(200);
  ASSERT_EQ(s1->value.error, errc::none);
  ASSERT_EQ(s2->value.error, errc::none);
  h.sync("s", 1, s2->value.member_id, {}, "i2");
  h.sync("s", 1, s1->value.member_id, {{s1->value.member_id, bytes{1}}, {s2->value.member_id, bytes(50, 2)}}, "i1");
  ASSERT_EQ(h.state("s"), "Stable");
  check("after static members synced");
  for (int i = 0; i < 6; ++i) h.join(big_join("x", "pad", 5));  // uuid6 .. uuid11
  check("after more members");
  auto replaced = static_join("i2");  // a new id, one character longer
  ASSERT_EQ(replaced->value.error, errc::none);
  check("after a static member was replaced");
  h.log.fail_appends = true;
  auto reverted = static_join("i2");
  EXPECT_EQ(reverted->value.error, errc::coordinator_not_available);
  h.log.fail_appends = false;
  check("after a replacement was reverted");
  // Protocols changed by a rejoin.
  auto rejoin = make_join("g", "alpha", ids[1]);
  rejoin.protocols = big_protocols(2000);
  h.join(rejoin);
  check("after a member changed its metadata");
  // Leaving, expiring, deleting.
  h.c.leave("g", {{ids[0], std::nullopt, std::nullopt}}, h.now);
  check("after a member left");
  h.advance(400000);  // every session and the join timeout are over
  check("after members expired");
  EXPECT_EQ(h.c.members_held().members, 0u);
  EXPECT_EQ(h.c.members_held().bytes, 0u);
  bool deleted = false;
  h.c.delete_groups(groups, h.now, [&](std::vector<group_error>) { deleted = true; });
  EXPECT_TRUE(deleted);
  EXPECT_EQ(h.c.group_count(), 0u);
  EXPECT_EQ(h.c.members_held().bytes, 0u);
}

TEST(MemberMemory, ReplayRestoresTheCountAndIsNeverRefused) {
  harness before;
  before.form_group("g", {"alpha", "beta"});
  auto j = before.join(big_join("big", "c", 50000));
  before.advance(200);
  ASSERT_EQ(j->value.error, errc::none);
  before.sync("big", 1, j->value.member_id, {{j->value.member_id, bytes(5000, 3)}});
  const size_t held = before.c.members_held().bytes;
  ASSERT_EQ(held, recount(before.c, {"g", "big"}));

  auto cfg = testing::test_config();
  cfg.member_metadata_max_bytes = 1;
  harness after(cfg, /*loaded=*/false);
  after.c.load(replay_of(before.log), after.now);
  EXPECT_EQ(after.c.members_held().members, 3u);
  EXPECT_EQ(after.c.members_held().bytes, held);
  EXPECT_EQ(after.c.members_held().bytes, recount(after.c, {"g", "big"}));
  // A loaded member rejoining as it was passes; a new one does not.
  auto same = after.join(big_join("big", "c", 50000, j->value.member_id));
  ASSERT_TRUE(same->done);
  EXPECT_EQ(same->value.error, errc::none);
  EXPECT_EQ(after.join(big_join("new", "c", 1))->value.error, errc::group_max_size_reached);
  // A later record of a group replaces its members in the count.
  before.c.leave("big", {{j->value.member_id, std::nullopt, std::nullopt}}, before.now);
  harness again(cfg, /*loaded=*/false);
  again.c.load(replay_of(before.log), again.now);
  EXPECT_EQ(again.c.members_held().members, 2u);
  EXPECT_EQ(again.c.members_held().bytes, recount(again.c, {"g", "big"}));
}

TEST(MemberMemory, MigrationHandsTheCountOverAndTakesItBack) {
  harness h;
  h.form_group("g", {"alpha", "beta"});
  const size_t held = h.c.members_held().bytes;
  ASSERT_GT(held, 0u);
  auto snapshot = h.c.snapshot_for_upgrade("g");
  ASSERT_TRUE(snapshot.has_value());
  h.c.hand_over("g", h.now);
  EXPECT_EQ(h.c.members_held().members, 0u);
  EXPECT_EQ(h.c.members_held().bytes, 0u);
  // Taken back (a downgrade), even by a coordinator already past its bound.
  h.c.adopt(*snapshot, h.now);
  EXPECT_EQ(h.c.members_held().members, 2u);
  EXPECT_EQ(h.c.members_held().bytes, held);
  auto cfg = testing::test_config();
  cfg.member_metadata_max_bytes = 1;
  harness other(cfg);
  other.c.adopt(*snapshot, other.now);
  EXPECT_EQ(other.c.members_held().bytes, held);
  EXPECT_EQ(other.c.find_group("g")->size(), 2u);
  // Adopting again replaces the members rather than adding to them.
  other.c.adopt(*snapshot, other.now);
  EXPECT_EQ(other.c.members_held().bytes, held);
  EXPECT_EQ(other.c.members_held().bytes, recount(other.c, {"g"}));
}

}  // namespace
}  // namespace samsa::group
