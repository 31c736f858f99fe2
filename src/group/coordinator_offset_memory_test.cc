// offsets.max.memory.bytes: the memory all groups' offsets hold is counted
// exactly through every way an offset comes and goes (commit, transaction
// marker, tombstone, group deletion, replay), and commits that would take
// it past the bound are refused, except those that do not grow it.
#include "group/offset_table.h"
#include "group/offsets_codec.h"
#include "group/test_support.h"

namespace samsa::group {
namespace {

using testing::harness;

constexpr int64_t pid = 7000;

offset_commit_request simple_commit(const std::string& group, std::vector<offset_commit_partition> parts) {
  return offset_commit_request{group, -1, "", std::nullopt, std::move(parts)};
}

offset_commit_partition part(const std::string& topic, int32_t p, int64_t offset, std::string metadata = "") {
  return offset_commit_partition{topic, p, offset, -1, std::move(metadata)};
}

txn_offset_commit_request txn_commit(const std::string& group, std::vector<offset_commit_partition> parts) {
  txn_offset_commit_request r;
  r.transactional_id = "tx";
  r.group_id = group;
  r.producer_id = pid;
  r.producer_epoch = 0;
  r.partitions = std::move(parts);
  return r;
}

std::vector<int16_t> errors_of(const std::vector<partition_error>& r) {
  std::vector<int16_t> out;
  for (const auto& e : r) out.push_back(e.error);
  return out;
}

std::vector<int16_t> commit_txn(harness& h, txn_offset_commit_request req) {
  std::vector<int16_t> out;
  h.c.commit_txn_offsets(std::move(req), h.now, [&](std::vector<partition_error> r) { out = errors_of(r); });
  return out;
}

// The bytes the groups named hold, walked the slow way.
size_t recount(const coordinator& c, const std::vector<std::string>& groups) {
  size_t bytes = 0;
  for (const auto& id : groups) {
    const group_metadata* g = c.find_group(id);
    if (g == nullptr) continue;
    for (const auto& [tp, e] : g->offsets) bytes += offset_table::cost(tp, e.metadata);
    for (const auto& [_, pending] : g->pending_txn_offsets)
      for (const auto& [tp, e] : pending) bytes += offset_table::cost(tp, e.metadata);
  }
  return bytes;
}

std::vector<log_record> replay_of(const memory_offset_log& log) {
  std::vector<log_record> out;
  for (const auto& e : log.entries()) out.push_back(e.record);
  return out;
}

TEST(OffsetMemory, NewAndGrowingOffsetsStopAtTheBoundWhileProgressGoesOn) {
  auto cfg = testing::test_config();
  const size_t one = offset_table::cost({"t", 0}, "");
  cfg.offsets_max_memory_bytes = static_cast<int64_t>(3 * one);
  harness h(cfg);
  const int16_t ok = errc::none;
  const int16_t full = errc::invalid_commit_offset_size;
  // Three offsets fit; the fourth, in the same request, does not.
  EXPECT_EQ(errors_of(h.commit(simple_commit("a", {part("t", 0, 1), part("t", 1, 1), part("t", 2, 1), part("t", 3, 1)}))),
            (std::vector<int16_t>{ok, ok, ok, full}));
  EXPECT_EQ(h.c.offsets_held().entries, 3u);
  EXPECT_EQ(h.c.offsets_held().bytes, 3 * one);
  // Another group's new offset is refused; so is metadata that grows one.
  EXPECT_EQ(errors_of(h.commit(simple_commit("b", {part("t", 0, 1)}))), (std::vector<int16_t>{full}));
  EXPECT_EQ(errors_of(h.commit(simple_commit("a", {part("t", 0, 2, "more")}))), (std::vector<int16_t>{full}));
  // A consumer moving on holds no more memory and always passes.
  EXPECT_EQ(errors_of(h.commit(simple_commit("a", {part("t", 0, 50), part("t", 1, 60)}))),
            (std::vector<int16_t>{ok, ok}));
  EXPECT_EQ(h.c.fetch_offsets("a", std::nullopt).partitions.at(0).offset, 50);
  // Deleting offsets makes room.
  bool deleted = false;
  h.c.offset_delete("a", {{"t", 2}}, h.now, [&](offset_delete_result) { deleted = true; });
  ASSERT_TRUE(deleted);
  EXPECT_EQ(h.c.offsets_held().bytes, 2 * one);
  EXPECT_EQ(errors_of(h.commit(simple_commit("b", {part("t", 0, 1)}))), (std::vector<int16_t>{ok}));
  // A transactional offset counts as soon as it is pending.
  EXPECT_EQ(commit_txn(h, txn_commit("b", {part("t", 1, 5)})), (std::vector<int16_t>{full}));
  bool gone = false;
  h.c.delete_groups({"a"}, h.now, [&](std::vector<group_error>) { gone = true; });
  ASSERT_TRUE(gone);
  EXPECT_EQ(h.c.offsets_held().bytes, one);
  EXPECT_EQ(commit_txn(h, txn_commit("b", {part("t", 1, 5)})), (std::vector<int16_t>{ok}));
  EXPECT_EQ(h.c.offsets_held().entries, 2u);
}

TEST(OffsetMemory, TheCountStaysExactThroughMarkersTombstonesAndReplay) {
  harness h;
  const std::vector<std::string> groups = {"a", "b", "c"};
  auto check = [&](const char* when) {
    EXPECT_EQ(h.c.offsets_held().bytes, recount(h.c, groups)) << when;
  };
  h.commit(simple_commit("a", {part("orders", 0, 1, "x"), part("orders", 1, 2)}));
  h.commit(simple_commit("a", {part("orders", 0, 3, "longer metadata")}));
  h.commit(simple_commit("b", {part("t", 0, 1)}));
  check("after commits");
  commit_txn(h, txn_commit("b", {part("t", 0, 9, "txn"), part("t", 1, 9)}));
  commit_txn(h, txn_commit("c", {part("t", 0, 4)}));
  check("with pending transactional offsets");
  h.c.on_transaction_marker(h.c.partition_for("b"), pid, true);
  h.c.on_transaction_marker(h.c.partition_for("c"), pid, false);
  check("after the markers");
  h.c.offset_delete("b", {{"t", 1}}, h.now, [](offset_delete_result) {});
  check("after a tombstone");
  const size_t before_restart = h.c.offsets_held().bytes;
  EXPECT_GT(before_restart, 0u);

  // (The test log replays transactional records without their markers, so
  // the aborted offset comes back: compare with a recount, not with before.)
  harness after(testing::test_config(), /*loaded=*/false);
  after.c.load(replay_of(h.log), after.now);
  EXPECT_GE(after.c.offsets_held().bytes, before_restart);
  EXPECT_EQ(after.c.offsets_held().bytes, recount(after.c, groups));
  h.c.delete_groups(groups, h.now, [](std::vector<group_error>) {});
  EXPECT_EQ(h.c.offsets_held().bytes, 0u);
  EXPECT_EQ(h.c.offsets_held().entries, 0u);
}

TEST(OffsetMemory, ReplayIsNeverRefusedEvenPastALoweredBound) {
  harness before;
  for (int p = 0; p < 10; ++p) before.commit(simple_commit("g", {part("t", p, p)}));
  auto cfg = testing::test_config();
  cfg.offsets_max_memory_bytes = 1;
  harness after(cfg, /*loaded=*/false);
  after.c.load(replay_of(before.log), after.now);
  EXPECT_EQ(after.c.fetch_offsets("g", std::nullopt).partitions.size(), 10u);
  EXPECT_EQ(after.c.offsets_held().entries, 10u);
  // Progress on a loaded offset still passes; a new one does not.
  EXPECT_EQ(errors_of(after.commit(simple_commit("g", {part("t", 0, 100), part("t", 10, 1)}))),
            (std::vector<int16_t>{errc::none, errc::invalid_commit_offset_size}));
}

TEST(OffsetMemory, ACommitRefusedInFullLeavesNoGroupBehind) {
  auto cfg = testing::test_config();
  cfg.offsets_max_memory_bytes = static_cast<int64_t>(offset_table::cost({"t", 0}, ""));
  harness h(cfg);
  EXPECT_EQ(errors_of(h.commit(simple_commit("a", {part("t", 0, 1)}))), (std::vector<int16_t>{errc::none}));
  EXPECT_EQ(errors_of(h.commit(simple_commit("b", {part("t", 0, 1)}))),
            (std::vector<int16_t>{errc::invalid_commit_offset_size}));
  EXPECT_EQ(commit_txn(h, txn_commit("c", {part("t", 0, 1)})),
            (std::vector<int16_t>{errc::invalid_commit_offset_size}));
  EXPECT_EQ(h.c.find_group("b"), nullptr);
  EXPECT_EQ(h.c.find_group("c"), nullptr);
  EXPECT_EQ(h.c.list_groups().groups.size(), 1u);
}

}  // namespace
}  // namespace samsa::group
