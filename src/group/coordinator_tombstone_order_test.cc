// Deleting offsets while commits are in flight: what the coordinator shows in
// memory must always be what a replay of __consumer_offsets would show, and a
// deletion counts only once its tombstone is durable.
#include "group/test_support.h"

namespace samsa::group {
namespace {

using testing::harness;

offset_commit_partition part(const std::string& topic, int32_t p, int64_t offset) {
  return offset_commit_partition{topic, p, offset, -1, std::nullopt};
}

// The offset of `tp` that memory shows, and the one a restart would show.
std::pair<int64_t, int64_t> shown_and_replayed(harness& h, const std::string& group, const topic_partition& tp) {
  int64_t shown = h.c.fetch_offsets(group, std::vector<topic_partition>{tp}).partitions.at(0).offset;
  harness after(testing::test_config(), /*loaded=*/false);
  after.now = h.now;
  std::vector<log_record> records;
  for (const auto& e : h.log.entries()) records.push_back(e.record);
  EXPECT_EQ(after.c.load(records, after.now), 0u);
  int64_t replayed = after.c.fetch_offsets(group, std::vector<topic_partition>{tp}).partitions.at(0).offset;
  return {shown, replayed};
}

TEST(TombstoneOrder, CommitInFlightDoesNotResurrectDeletedOffset) {
  harness h;
  h.commit(offset_commit_request{"g", -1, "", std::nullopt, {part("t", 0, 5), part("t", 1, 6)}});
  h.log.hold_appends = true;
  bool committed = false;
  h.c.commit_offsets(offset_commit_request{"g", -1, "", std::nullopt, {part("t", 0, 9)}}, h.now,
                     [&](std::vector<partition_error>) { committed = true; });
  offset_delete_result r;
  bool deleted = false;
  h.c.offset_delete("g", {{"t", 0}}, h.now, [&](offset_delete_result x) {
    r = std::move(x);
    deleted = true;
  });
  h.log.release();  // the commit, then the tombstone, in log order
  ASSERT_TRUE(committed);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(r.partitions.at(0).error, errc::none);
  auto [shown, replayed] = shown_and_replayed(h, "g", {"t", 0});
  EXPECT_EQ(replayed, -1);
  EXPECT_EQ(shown, replayed) << "a commit that was in flight brought back an offset whose deletion was acknowledged";
}

TEST(TombstoneOrder, OffsetsStayUntilTheTombstoneIsDurable) {
  harness h;
  h.commit(offset_commit_request{"g", -1, "", std::nullopt, {part("t", 0, 5), part("t", 1, 6)}});
  h.log.hold_appends = true;
  offset_delete_result r;
  h.c.offset_delete("g", {{"t", 0}}, h.now, [&](offset_delete_result x) { r = std::move(x); });
  h.log.fail_appends = true;  // the tombstone never reaches the disk
  h.log.release();
  EXPECT_NE(r.partitions.at(0).error, errc::none);
  auto [shown, replayed] = shown_and_replayed(h, "g", {"t", 0});
  EXPECT_EQ(replayed, 5);
  EXPECT_EQ(shown, replayed) << "the offset vanished from memory though its tombstone was never written";
}

TEST(TombstoneOrder, CommitOfADeletedGroupDoesNotLeakIntoItsSuccessor) {
  harness h;
  h.commit(offset_commit_request{"g", -1, "", std::nullopt, {part("t", 0, 5)}});
  h.log.hold_appends = true;
  h.commit(offset_commit_request{"g", -1, "", std::nullopt, {part("t", 0, 9)}});  // in flight
  std::vector<group_error> deleted;
  h.c.delete_groups({"g"}, h.now, [&](std::vector<group_error> x) { deleted = std::move(x); });
  // A new group of the same name commits another partition.
  h.commit(offset_commit_request{"g", -1, "", std::nullopt, {part("t", 1, 11)}});
  h.log.release();
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0].error, errc::none);
  auto [shown, replayed] = shown_and_replayed(h, "g", {"t", 0});
  EXPECT_EQ(replayed, -1);
  EXPECT_EQ(shown, replayed) << "the old group's in-flight commit showed up in the new group";
  EXPECT_EQ(h.c.fetch_offsets("g", std::vector<topic_partition>{{"t", 1}}).partitions.at(0).offset, 11);
}

}  // namespace
}  // namespace samsa::group
