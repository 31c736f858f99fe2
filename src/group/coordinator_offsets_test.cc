// Committed offsets: commit/fetch, durability ordering, validation, delete,
// expiry.
#include "group/test_support.h"

namespace samsa::group {
namespace {

using testing::consumer_protocols;
using testing::harness;
using testing::make_join;

offset_commit_partition part(const std::string& topic, int32_t p, int64_t offset, std::string metadata = "") {
  return offset_commit_partition{topic, p, offset, 3, std::move(metadata)};
}

TEST(Offsets, SimpleGroupCommitsWithGenerationMinusOne) {
  harness h;
  offset_commit_request c{"manual", -1, "", std::nullopt, {part("orders", 0, 10, "m0"), part("orders", 1, 20)}};
  auto res = h.commit(c);
  ASSERT_EQ(res.size(), 2u);
  EXPECT_EQ(res[0].error, errc::none);
  EXPECT_EQ(res[1].error, errc::none);
  EXPECT_EQ(h.state("manual"), "Empty");
  auto all = h.c.fetch_offsets("manual", std::nullopt);
  ASSERT_EQ(all.partitions.size(), 2u);
  EXPECT_EQ(all.partitions[0].offset, 10);
  EXPECT_EQ(all.partitions[0].leader_epoch, 3);
  EXPECT_EQ(all.partitions[0].metadata, "m0");
  auto some = h.c.fetch_offsets("manual", std::vector<topic_partition>{{"orders", 1}, {"orders", 7}, {"other", 0}});
  ASSERT_EQ(some.partitions.size(), 3u);
  EXPECT_EQ(some.partitions[0].offset, 20);
  EXPECT_EQ(some.partitions[1].offset, -1);
  EXPECT_EQ(some.partitions[1].leader_epoch, -1);
  EXPECT_EQ(some.partitions[1].metadata, "");
  EXPECT_EQ(some.partitions[1].error, errc::none);
  // Unknown groups answer -1 for asked partitions and nothing for "all".
  EXPECT_EQ(h.c.fetch_offsets("nobody", std::nullopt).partitions.size(), 0u);
  EXPECT_EQ(h.c.fetch_offsets("nobody", std::vector<topic_partition>{{"t", 0}}).partitions.at(0).offset, -1);
  // Records written: v1 keys with v3 values on the group's partition.
  ASSERT_EQ(h.log.entries().size(), 2u);
  EXPECT_EQ(h.log.entries()[0].partition, h.c.partition_for("manual"));
  EXPECT_EQ(h.log.entries()[0].record.key[1], 1);
  EXPECT_EQ((*h.log.entries()[0].record.value)[1], 3);
}

TEST(Offsets, CommitIsAcknowledgedOnlyAfterTheAppend) {
  harness h;
  h.log.hold_appends = true;
  offset_commit_request c{"g", -1, "", std::nullopt, {part("t", 0, 5)}};
  bool completed = true;
  h.commit(c, &completed);
  EXPECT_FALSE(completed);
  EXPECT_EQ(h.c.fetch_offsets("g", std::nullopt).partitions.size(), 0u);  // not visible yet
  auto stable = h.c.fetch_offsets("g", std::vector<topic_partition>{{"t", 0}}, /*require_stable=*/true);
  EXPECT_EQ(stable.partitions.at(0).error, errc::unstable_offset_commit);
  std::vector<partition_error> res;
  h.c.commit_offsets(c, h.now, [&](std::vector<partition_error> r) { res = r; });
  EXPECT_TRUE(res.empty());
  h.log.release();
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res[0].error, errc::none);
  EXPECT_EQ(h.c.fetch_offsets("g", std::nullopt).partitions.at(0).offset, 5);
}

TEST(Offsets, FailedAppendIsReportedAndNotVisible) {
  harness h;
  h.log.fail_appends = true;
  offset_commit_request c{"g", -1, "", std::nullopt, {part("t", 0, 5)}};
  auto res = h.commit(c);
  EXPECT_EQ(res.at(0).error, errc::coordinator_not_available);
  EXPECT_EQ(h.c.fetch_offsets("g", std::vector<topic_partition>{{"t", 0}}).partitions.at(0).offset, -1);
}

TEST(Offsets, MetadataTooLarge) {
  auto cfg = testing::test_config();
  cfg.offset_metadata_max_bytes = 4;
  harness h(cfg);
  offset_commit_request c{"g", -1, "", std::nullopt, {part("t", 0, 5, "12345"), part("t", 1, 6, "1234")}};
  auto res = h.commit(c);
  EXPECT_EQ(res.at(0).error, errc::offset_metadata_too_large);
  EXPECT_EQ(res.at(1).error, errc::none);
  EXPECT_EQ(h.c.fetch_offsets("g", std::nullopt).partitions.size(), 1u);
}

TEST(Offsets, MemberCommitsAreValidated) {
  harness h;
  auto ids = h.form_group("g", {"c1", "c2"});
  auto commit = [&](int32_t gen, const std::string& member) {
    return h.commit(offset_commit_request{"g", gen, member, std::nullopt, {part("orders", 0, 1)}}).at(0).error;
  };
  EXPECT_EQ(commit(1, ids[0]), errc::none);
  EXPECT_EQ(commit(2, ids[0]), errc::illegal_generation);
  EXPECT_EQ(commit(1, "stranger"), errc::unknown_member_id);
  EXPECT_EQ(commit(-1, ""), errc::unknown_member_id);  // only members may commit to a live group
  // Unknown group with a real generation: a stale member of a vanished group.
  EXPECT_EQ(h.commit(offset_commit_request{"gone", 4, "m", std::nullopt, {part("t", 0, 1)}}).at(0).error,
            errc::illegal_generation);
  EXPECT_EQ(h.c.find_group("gone"), nullptr);
  // During a rebalance commits still work until the assignment phase.
  h.join(make_join("g", "c3"));
  EXPECT_EQ(commit(1, ids[0]), errc::none);
  auto r1 = h.join(make_join("g", "c1", ids[0]));
  auto r2 = h.join(make_join("g", "c2", ids[1]));
  ASSERT_TRUE(r1->done);
  EXPECT_EQ(h.state("g"), "CompletingRebalance");
  EXPECT_EQ(commit(2, ids[0]), errc::rebalance_in_progress);
}

TEST(Offsets, CommitKeepsTheMemberAlive) {
  harness h;
  auto ids = h.form_group("g", {"c1"});
  for (int i = 0; i < 5; ++i) {
    h.advance(4000);
    EXPECT_EQ(h.commit(offset_commit_request{"g", 1, ids[0], std::nullopt, {part("orders", 0, i)}}).at(0).error,
              errc::none);
  }
  EXPECT_EQ(h.state("g"), "Stable");
}

TEST(Offsets, OffsetDeleteRespectsSubscriptions) {
  harness h;
  auto ids = h.form_group("g", {"c1"});  // subscribed to "orders"
  h.commit(offset_commit_request{"g", 1, ids[0], std::nullopt,
                                 {part("orders", 0, 1), part("old", 0, 2), part("old", 1, 3)}});
  offset_delete_result r;
  h.c.offset_delete("g", {{"orders", 0}, {"old", 0}}, h.now, [&](offset_delete_result x) { r = x; });
  EXPECT_EQ(r.error, errc::none);
  ASSERT_EQ(r.partitions.size(), 2u);
  EXPECT_EQ(r.partitions[0].topic, "orders");
  EXPECT_EQ(r.partitions[0].error, errc::group_subscribed_to_topic);
  EXPECT_EQ(r.partitions[1].topic, "old");
  EXPECT_EQ(r.partitions[1].error, errc::none);
  auto left = h.c.fetch_offsets("g", std::nullopt);
  EXPECT_EQ(left.partitions.size(), 2u);
  EXPECT_FALSE(h.log.entries().back().record.value.has_value());

  const size_t writes = h.log.entries().size();
  h.c.offset_delete("g", {{"never", 0}}, h.now, [&](offset_delete_result x) { r = x; });
  EXPECT_EQ(r.partitions.at(0).error, errc::none);
  EXPECT_EQ(h.log.entries().size(), writes);  // nothing to tombstone

  h.c.offset_delete("missing", {{"t", 0}}, h.now, [&](offset_delete_result x) { r = x; });
  EXPECT_EQ(r.error, errc::group_id_not_found);
  EXPECT_TRUE(r.partitions.empty());
}

TEST(Offsets, OffsetDeleteOnNonConsumerLiveGroupIsRefused) {
  harness h;
  auto req = make_join("conn", "w1");
  req.protocol_type = "connect";
  req.protocols = {protocol_entry{"default", bytes{1}}};
  auto j = h.join(req);
  h.advance(100);
  ASSERT_TRUE(j->done);
  offset_delete_result r;
  h.c.offset_delete("conn", {{"t", 0}}, h.now, [&](offset_delete_result x) { r = x; });
  EXPECT_EQ(r.error, errc::non_empty_group);
}

TEST(Offsets, OffsetDeleteOfLastOffsetsOfEmptyGroupDeletesIt) {
  harness h;
  h.commit(offset_commit_request{"g", -1, "", std::nullopt, {part("t", 0, 1)}});
  offset_delete_result r;
  h.c.offset_delete("g", {{"t", 0}}, h.now, [&](offset_delete_result x) { r = x; });
  EXPECT_EQ(r.partitions.at(0).error, errc::none);
  EXPECT_EQ(h.c.find_group("g"), nullptr);
}

TEST(Offsets, EmptyGroupOffsetsExpireAfterRetention) {
  auto cfg = testing::test_config();
  cfg.offsets_retention_ms = 60000;
  cfg.offsets_retention_check_interval_ms = 1000;
  harness h(cfg);
  auto ids = h.form_group("g", {"c1"});
  h.commit(offset_commit_request{"g", 1, ids[0], std::nullopt, {part("orders", 0, 7)}});
  // While the member stays, nothing expires, however old the commit.
  for (int i = 0; i < 30; ++i) {
    h.advance(3000);
    h.heartbeat("g", 1, ids[0]);
  }
  EXPECT_EQ(h.c.fetch_offsets("g", std::nullopt).partitions.size(), 1u);
  h.c.leave("g", {{ids[0], std::nullopt, std::nullopt}}, h.now);
  EXPECT_EQ(h.state("g"), "Empty");
  h.advance(59000);
  EXPECT_EQ(h.c.fetch_offsets("g", std::nullopt).partitions.size(), 1u);
  h.advance(2000);  // the next retention check after the 60 s mark
  EXPECT_EQ(h.c.find_group("g"), nullptr);  // offsets gone, then the empty group too
  const auto& e = h.log.entries();
  ASSERT_GE(e.size(), 2u);
  EXPECT_FALSE(e[e.size() - 1].record.value.has_value());
  EXPECT_FALSE(e[e.size() - 2].record.value.has_value());
}

TEST(Offsets, SimpleGroupOffsetsExpirePerCommitTime) {
  auto cfg = testing::test_config();
  cfg.offsets_retention_ms = 60000;
  cfg.offsets_retention_check_interval_ms = 1000;
  harness h(cfg);
  h.commit(offset_commit_request{"s", -1, "", std::nullopt, {part("t", 0, 1)}});
  h.advance(30000);
  h.commit(offset_commit_request{"s", -1, "", std::nullopt, {part("t", 1, 1)}});
  h.advance(30000);
  auto left = h.c.fetch_offsets("s", std::nullopt);
  ASSERT_EQ(left.partitions.size(), 1u);
  EXPECT_EQ(left.partitions[0].partition, 1);
  h.advance(30000);
  EXPECT_EQ(h.c.find_group("s"), nullptr);
}

TEST(Offsets, StableGroupExpiresOnlyUnsubscribedTopics) {
  auto cfg = testing::test_config();
  cfg.offsets_retention_ms = 60000;
  cfg.offsets_retention_check_interval_ms = 1000;
  harness h(cfg);
  auto ids = h.form_group("g", {"c1"});
  h.commit(offset_commit_request{"g", 1, ids[0], std::nullopt, {part("orders", 0, 1), part("old", 0, 1)}});
  for (int i = 0; i < 21; ++i) {
    h.advance(3000);
    h.heartbeat("g", 1, ids[0]);
  }
  auto left = h.c.fetch_offsets("g", std::nullopt);
  ASSERT_EQ(left.partitions.size(), 1u);
  EXPECT_EQ(left.partitions[0].topic, "orders");
}

}  // namespace
}  // namespace samsa::group
