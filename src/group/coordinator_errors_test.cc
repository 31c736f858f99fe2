// Error answers that do not fit a rebalance story: validation, loading,
// admin calls.
#include "group/test_support.h"

namespace samsa::group {
namespace {

using testing::harness;
using testing::make_join;

TEST(CoordinatorErrors, InvalidGroupId) {
  harness h;
  EXPECT_EQ(h.join(make_join("", "c1"))->value.error, errc::invalid_group_id);
  EXPECT_EQ(h.sync("", 1, "m")->value.error, errc::invalid_group_id);
  EXPECT_EQ(h.heartbeat("", 1, "m"), errc::invalid_group_id);
  EXPECT_EQ(h.c.leave("", {{"m", std::nullopt, std::nullopt}}, h.now).error, errc::invalid_group_id);
  offset_delete_result od;
  h.c.offset_delete("", {{"t", 0}}, h.now, [&](offset_delete_result r) { od = r; });
  EXPECT_EQ(od.error, errc::invalid_group_id);
  // Offset APIs accept the empty group id, as Kafka does for old clients.
  offset_commit_request c{"", -1, "", std::nullopt, {{"t", 0, 3, -1, std::nullopt}}};
  EXPECT_EQ(h.commit(c)[0].error, errc::none);
  EXPECT_EQ(h.c.fetch_offsets("", std::nullopt).partitions.at(0).offset, 3);
}

TEST(CoordinatorErrors, SessionTimeoutBounds) {
  harness h;
  auto low = make_join("g", "c1");
  low.session_timeout_ms = 5999;
  EXPECT_EQ(h.join(low)->value.error, errc::invalid_session_timeout);
  auto high = make_join("g", "c1");
  high.session_timeout_ms = 1800001;
  EXPECT_EQ(h.join(high)->value.error, errc::invalid_session_timeout);
  auto edge = make_join("g", "c1");
  edge.session_timeout_ms = 6000;
  auto ok = h.join(edge);
  EXPECT_FALSE(ok->done);  // accepted, waiting for the rebalance
}

TEST(CoordinatorErrors, UnknownMemberIdOnMissingGroup) {
  harness h;
  auto r = h.join(make_join("g", "c1", "c1-made-up"));
  ASSERT_TRUE(r->done);
  EXPECT_EQ(r->value.error, errc::unknown_member_id);
  EXPECT_EQ(h.c.find_group("g"), nullptr);  // a known id never creates a group
}

TEST(CoordinatorErrors, EverythingWaitsWhileLoading) {
  harness h(testing::test_config(), /*loaded=*/false);
  EXPECT_TRUE(h.c.loading());
  EXPECT_EQ(h.join(make_join("g", "c1"))->value.error, errc::coordinator_load_in_progress);
  // Kafka's compatibility answers: heartbeats pass, SyncGroup sends the member
  // back to JoinGroup.
  EXPECT_EQ(h.heartbeat("g", 1, "m"), errc::none);
  EXPECT_EQ(h.sync("g", 1, "m")->value.error, errc::rebalance_in_progress);
  EXPECT_EQ(h.c.leave("g", {{"m", std::nullopt, std::nullopt}}, h.now).error, errc::coordinator_load_in_progress);
  offset_commit_request c{"g", -1, "", std::nullopt, {{"t", 0, 3, -1, std::nullopt}}};
  EXPECT_EQ(h.commit(c)[0].error, errc::coordinator_load_in_progress);
  EXPECT_EQ(h.c.fetch_offsets("g", std::nullopt).error, errc::coordinator_load_in_progress);
  EXPECT_EQ(h.c.describe_groups({"g"})[0].error, errc::coordinator_load_in_progress);
  EXPECT_EQ(h.c.list_groups().error, errc::coordinator_load_in_progress);
  std::vector<group_error> deleted;
  h.c.delete_groups({"g"}, h.now, [&](std::vector<group_error> r) { deleted = r; });
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0].error, errc::coordinator_load_in_progress);
  EXPECT_EQ(h.c.next_deadline(), no_deadline);
  h.c.finish_loading(h.now);
  EXPECT_FALSE(h.c.loading());
  EXPECT_EQ(h.commit(c)[0].error, errc::none);
}

TEST(CoordinatorErrors, DeleteGroups) {
  harness h;
  auto ids = h.form_group("live", {"c1"});
  offset_commit_request c{"simple", -1, "", std::nullopt, {{"t", 0, 3, -1, std::nullopt}, {"t", 1, 4, -1, std::nullopt}}};
  h.commit(c);
  std::vector<group_error> res;
  h.c.delete_groups({"live", "simple", "nope"}, h.now, [&](std::vector<group_error> r) { res = r; });
  ASSERT_EQ(res.size(), 3u);
  EXPECT_EQ(res[0].error, errc::non_empty_group);
  EXPECT_EQ(res[1].error, errc::none);
  EXPECT_EQ(res[2].error, errc::group_id_not_found);
  EXPECT_EQ(h.c.find_group("simple"), nullptr);
  EXPECT_EQ(h.c.fetch_offsets("simple", std::nullopt).partitions.size(), 0u);
  // Tombstones: two offsets and the group record.
  const auto& e = h.log.entries();
  ASSERT_GE(e.size(), 3u);
  for (size_t i = e.size() - 3; i < e.size(); ++i) EXPECT_FALSE(e[i].record.value.has_value());
  // After everyone leaves, the group can be deleted.
  h.c.leave("live", {{ids[0], std::nullopt, std::nullopt}}, h.now);
  EXPECT_EQ(h.state("live"), "Empty");
  h.c.delete_groups({"live"}, h.now, [&](std::vector<group_error> r) { res = r; });
  EXPECT_EQ(res[0].error, errc::none);
  EXPECT_EQ(h.c.describe_groups({"live"})[0].state, "Dead");
  h.c.delete_groups({"live"}, h.now, [&](std::vector<group_error> r) { res = r; });
  EXPECT_EQ(res[0].error, errc::group_id_not_found);
}

TEST(CoordinatorErrors, DeleteWaitsForTheLogAndReportsFailure) {
  harness h;
  offset_commit_request c{"simple", -1, "", std::nullopt, {{"t", 0, 3, -1, std::nullopt}}};
  h.commit(c);
  h.log.hold_appends = true;
  h.log.fail_appends = true;
  std::vector<group_error> res;
  h.c.delete_groups({"simple"}, h.now, [&](std::vector<group_error> r) { res = r; });
  EXPECT_TRUE(res.empty());
  h.log.release();
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res[0].error, errc::coordinator_not_available);
}

TEST(CoordinatorErrors, DescribeAndList) {
  harness h;
  auto ids = h.form_group("a", {"c1", "c2"});
  h.join(make_join("b", "c3"));  // b is still preparing
  offset_commit_request c{"simple", -1, "", std::nullopt, {{"t", 0, 3, -1, std::nullopt}}};
  h.commit(c);

  auto d = h.c.describe_groups({"a", "b", "missing"});
  ASSERT_EQ(d.size(), 3u);
  EXPECT_TRUE(d[0].exists);
  EXPECT_EQ(d[0].state, "Stable");
  EXPECT_EQ(d[0].protocol_type, "consumer");
  EXPECT_EQ(d[0].protocol, "range");
  ASSERT_EQ(d[0].members.size(), 2u);
  EXPECT_EQ(d[0].members[0].client_id, "c1");
  EXPECT_EQ(d[0].members[0].client_host, "/127.0.0.1");
  EXPECT_EQ(d[0].members[1].assignment, (bytes{1}));
  EXPECT_EQ(d[0].members[0].metadata, encode_consumer_subscription({"orders"}));
  EXPECT_EQ(d[1].state, "PreparingRebalance");
  EXPECT_EQ(d[1].protocol, "");
  ASSERT_EQ(d[1].members.size(), 1u);
  EXPECT_TRUE(d[1].members[0].metadata.empty());
  EXPECT_FALSE(d[2].exists);
  EXPECT_EQ(d[2].state, "Dead");
  EXPECT_EQ(d[2].error, errc::none);

  auto all = h.c.list_groups();
  ASSERT_EQ(all.groups.size(), 3u);
  EXPECT_EQ(all.groups[2].group_id, "simple");
  EXPECT_EQ(all.groups[2].protocol_type, "");
  EXPECT_EQ(all.groups[2].state, "Empty");
  auto stable = h.c.list_groups({"stable"});
  ASSERT_EQ(stable.groups.size(), 1u);
  EXPECT_EQ(stable.groups[0].group_id, "a");
  EXPECT_EQ(h.c.list_groups({"Empty", "PreparingRebalance"}).groups.size(), 2u);
  EXPECT_EQ(h.c.list_groups({}, {"classic"}).groups.size(), 3u);
  EXPECT_EQ(h.c.list_groups({}, {"consumer"}).groups.size(), 0u);
}

}  // namespace
}  // namespace samsa::group
