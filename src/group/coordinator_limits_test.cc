// The bounds on what one client can make the classic coordinator hold:
// groups (group.max.groups, shared with the consumer groups), pending members
// (group.max.pending.members), group and member id lengths, and an offsets
// batch too large for the offsets topic.
#include <system_error>

#include "group/id_bounds.h"
#include "group/test_support.h"

namespace samsa::group {
namespace {

using testing::harness;
using testing::make_join;

offset_commit_request simple_commit(const std::string& group) {
  return offset_commit_request{group, -1, "", std::nullopt, {{"t", 0, 3, -1, std::nullopt}}};
}

TEST(CoordinatorLimits, NewGroupsStopAtMaxGroupsCountingTheOtherCoordinator) {
  auto cfg = testing::test_config();
  cfg.max_groups = 3;
  size_t consumer_groups = 1;
  cfg.other_groups = [&] { return consumer_groups; };
  harness h(cfg);
  EXPECT_EQ(h.commit(simple_commit("a"))[0].error, errc::none);
  EXPECT_FALSE(h.join(make_join("b", "c1"))->done);  // created, waiting for the rebalance
  // 2 here + 1 consumer group = 3: every way of creating a group is refused.
  EXPECT_EQ(h.commit(simple_commit("c"))[0].error, errc::group_max_size_reached);
  EXPECT_EQ(h.join(make_join("c", "c1"))->value.error, errc::group_max_size_reached);
  EXPECT_EQ(h.c.find_group("c"), nullptr);
  // Groups that exist are served as before.
  EXPECT_EQ(h.commit(simple_commit("a"))[0].error, errc::none);
  // Room again once the other coordinator lets a group go.
  consumer_groups = 0;
  EXPECT_EQ(h.commit(simple_commit("c"))[0].error, errc::none);
}

TEST(CoordinatorLimits, NewGroupIdsAreBoundedButLoadedOnesStayReachable) {
  harness h;
  const std::string longest(max_new_group_id_bytes, 'g');
  const std::string too_long(max_new_group_id_bytes + 1, 'g');
  EXPECT_EQ(h.commit(simple_commit(longest))[0].error, errc::none);
  EXPECT_EQ(h.commit(simple_commit(too_long))[0].error, errc::invalid_group_id);
  EXPECT_EQ(h.join(make_join(too_long, "c1"))->value.error, errc::invalid_group_id);
  EXPECT_EQ(h.c.find_group(too_long), nullptr);
}

TEST(CoordinatorLimits, PendingMembersStopAtTheBrokerWideBound) {
  auto cfg = testing::test_config();
  cfg.max_pending_members = 2;
  harness h(cfg);
  auto first = make_join("g1", "c1");
  first.require_known_member_id = true;
  auto second = make_join("g2", "c2");
  second.require_known_member_id = true;
  EXPECT_EQ(h.join(first)->value.error, errc::member_id_required);
  const std::string pending_id = h.join(second)->value.member_id;
  // Two pending members in two groups: a third, in any group, is refused.
  auto third = make_join("g1", "c3");
  third.require_known_member_id = true;
  EXPECT_EQ(h.join(third)->value.error, errc::group_max_size_reached);
  // The pending member that rejoins with its id becomes a member and frees
  // its place.
  auto rejoin = make_join("g2", "c2", pending_id);
  rejoin.require_known_member_id = true;
  h.join(rejoin);
  EXPECT_EQ(h.join(third)->value.error, errc::member_id_required);
}

TEST(CoordinatorLimits, MemberIdsKeepABoundedValidUtf8PrefixOfTheClientId) {
  harness h;
  // 300 bytes of two-byte characters: the cut must not split one.
  std::string client;
  for (int i = 0; i < 150; ++i) client += "\xC3\xA9";
  auto req = make_join("g", client);
  req.require_known_member_id = true;
  const std::string id = h.join(req)->value.member_id;
  const std::string prefix = id.substr(0, id.rfind('-'));  // the client's part, before "-<uuid>"
  EXPECT_LE(prefix.size(), max_member_id_client_bytes);
  EXPECT_EQ(prefix.size() % 2, 0u) << "a two-byte character was cut";
  EXPECT_EQ(utf8_prefix("ab\xC3\xA9", 3), "ab");
  EXPECT_EQ(utf8_prefix("abc", 3), "abc");
}

TEST(CoordinatorLimits, AnOffsetsBatchTooLargeForTheTopicIsAFinalError) {
  harness h;
  h.log.fail_appends = true;
  h.log.failure = std::errc::message_size;
  EXPECT_EQ(h.commit(simple_commit("g"))[0].error, errc::invalid_commit_offset_size);
  h.log.failure = std::errc::io_error;
  EXPECT_EQ(h.commit(simple_commit("g"))[0].error, errc::coordinator_not_available) << "other failures stay retriable";
  h.log.fail_appends = false;
  EXPECT_EQ(h.commit(simple_commit("g"))[0].error, errc::none);
}

}  // namespace
}  // namespace samsa::group
