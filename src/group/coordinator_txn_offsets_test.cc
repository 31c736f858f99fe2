// Transactional offset commits: pending until the marker, KIP-447 member
// checks, ordering against plain commits, replay, deletion and expiry.
#include "group/offsets_codec.h"
#include "group/test_support.h"

namespace samsa::group {
namespace {

using testing::harness;
using testing::make_join;

constexpr int64_t pid = 4000;
constexpr int16_t epoch = 2;

txn_offset_commit_request txn_commit(const std::string& group, std::vector<offset_commit_partition> parts,
                                     int64_t producer = pid) {
  txn_offset_commit_request r;
  r.transactional_id = "tx-" + std::to_string(producer);
  r.group_id = group;
  r.producer_id = producer;
  r.producer_epoch = epoch;
  r.partitions = std::move(parts);
  return r;
}

offset_commit_partition part(const std::string& topic, int32_t p, int64_t offset) {
  return offset_commit_partition{topic, p, offset, 5, std::string("md")};
}

std::vector<partition_error> commit_txn(harness& h, txn_offset_commit_request req) {
  std::vector<partition_error> out;
  bool answered = false;
  h.c.commit_txn_offsets(std::move(req), h.now, [&](std::vector<partition_error> r) {
    out = std::move(r);
    answered = true;
  });
  EXPECT_TRUE(answered);
  return out;
}

int16_t single_error(harness& h, txn_offset_commit_request req) {
  auto r = commit_txn(h, std::move(req));
  EXPECT_EQ(r.size(), 1u);
  return r.empty() ? int16_t{-999} : r[0].error;
}

committed_offset fetch_one(harness& h, const std::string& group, const topic_partition& tp, bool stable = false) {
  return h.c.fetch_offsets(group, std::vector<topic_partition>{tp}, stable).partitions.at(0);
}

TEST(TxnOffsets, PendingUntilCommitMarkerOfTheirPartition) {
  harness h;
  ASSERT_EQ(single_error(h, txn_commit("g", {part("t", 0, 42)})), errc::none);
  // Written as a transactional batch of the producer, to the group's partition.
  ASSERT_EQ(h.log.entries().size(), 1u);
  EXPECT_EQ(h.log.entries()[0].partition, h.c.partition_for("g"));
  ASSERT_TRUE(h.log.entries()[0].producer.has_value());
  EXPECT_EQ(*h.log.entries()[0].producer, (txn_producer{pid, epoch}));
  // Invisible until the commit, and unstable for require_stable readers.
  EXPECT_EQ(fetch_one(h, "g", {"t", 0}).offset, -1);
  EXPECT_EQ(fetch_one(h, "g", {"t", 0}).error, errc::none);
  EXPECT_EQ(fetch_one(h, "g", {"t", 0}, true).error, errc::unstable_offset_commit);
  EXPECT_EQ(fetch_one(h, "g", {"t", 0}, true).offset, -1);
  EXPECT_EQ(fetch_one(h, "g", {"t", 1}, true).error, errc::none);  // per partition
  EXPECT_TRUE(h.c.fetch_offsets("g", std::nullopt).partitions.empty());
  // Another partition's marker or another producer's changes nothing.
  const int32_t p = h.c.partition_for("g");
  h.c.on_transaction_marker((p + 1) % h.c.config().offsets_topic_partitions, pid, true);
  h.c.on_transaction_marker(p, pid + 1, true);
  EXPECT_EQ(fetch_one(h, "g", {"t", 0}, true).error, errc::unstable_offset_commit);
  h.c.on_transaction_marker(p, pid, true);
  auto c = fetch_one(h, "g", {"t", 0}, true);
  EXPECT_EQ(c.error, errc::none);
  EXPECT_EQ(c.offset, 42);
  EXPECT_EQ(c.leader_epoch, 5);
  EXPECT_EQ(c.metadata, "md");
  EXPECT_TRUE(h.c.find_group("g")->pending_txn_offsets.empty());
  // A second marker (a retried one) is harmless.
  h.c.on_transaction_marker(p, pid, false);
  EXPECT_EQ(fetch_one(h, "g", {"t", 0}).offset, 42);
}

TEST(TxnOffsets, AbortDropsThePendingOffsetsAndKeepsTheCommittedOne) {
  harness h;
  h.commit(offset_commit_request{"g", -1, "", std::nullopt, {part("t", 0, 7)}});
  ASSERT_EQ(commit_txn(h, txn_commit("g", {part("t", 0, 42), part("t", 1, 9)})).size(), 2u);
  EXPECT_EQ(fetch_one(h, "g", {"t", 1}, true).error, errc::unstable_offset_commit);
  h.c.on_transaction_marker(h.c.partition_for("g"), pid, false);
  EXPECT_EQ(fetch_one(h, "g", {"t", 0}, true).offset, 7);
  EXPECT_EQ(fetch_one(h, "g", {"t", 1}, true).offset, -1);
  EXPECT_EQ(fetch_one(h, "g", {"t", 1}, true).error, errc::none);
  EXPECT_TRUE(h.c.find_group("g")->pending_txn_offsets.empty());
}

TEST(TxnOffsets, TwoProducersAreDecidedSeparately) {
  harness h;
  ASSERT_EQ(single_error(h, txn_commit("g", {part("t", 0, 10)}, pid)), errc::none);
  ASSERT_EQ(single_error(h, txn_commit("g", {part("t", 1, 20)}, pid + 1)), errc::none);
  h.c.on_transaction_marker(h.c.partition_for("g"), pid + 1, true);
  EXPECT_EQ(fetch_one(h, "g", {"t", 1}, true).offset, 20);
  EXPECT_EQ(fetch_one(h, "g", {"t", 0}, true).error, errc::unstable_offset_commit);
}

TEST(TxnOffsets, TheOffsetWrittenLaterInTheLogWins) {
  harness h;
  const int32_t p = h.c.partition_for("g");
  // Transactional write first, plain commit after it: the plain one stays.
  ASSERT_EQ(single_error(h, txn_commit("g", {part("t", 0, 42)})), errc::none);
  h.commit(offset_commit_request{"g", -1, "", std::nullopt, {part("t", 0, 50)}});
  EXPECT_EQ(fetch_one(h, "g", {"t", 0}).offset, 50);  // a plain commit is accepted at once
  EXPECT_EQ(fetch_one(h, "g", {"t", 0}, true).error, errc::unstable_offset_commit);
  h.c.on_transaction_marker(p, pid, true);
  EXPECT_EQ(fetch_one(h, "g", {"t", 0}, true).offset, 50);
  // Plain first, transactional after: the transaction's offset replaces it.
  h.commit(offset_commit_request{"g", -1, "", std::nullopt, {part("t", 1, 60)}});
  ASSERT_EQ(single_error(h, txn_commit("g", {part("t", 1, 61)})), errc::none);
  h.c.on_transaction_marker(p, pid, true);
  EXPECT_EQ(fetch_one(h, "g", {"t", 1}, true).offset, 61);
}

TEST(TxnOffsets, AnsweredOnlyOnceDurableAndUnstableMeanwhile) {
  harness h;
  h.log.hold_appends = true;
  std::vector<partition_error> txn;
  h.c.commit_txn_offsets(txn_commit("g", {part("t", 0, 99)}), h.now,
                         [&](std::vector<partition_error> r) { txn = std::move(r); });
  EXPECT_TRUE(txn.empty());
  EXPECT_EQ(fetch_one(h, "g", {"t", 0}, true).error, errc::unstable_offset_commit);
  h.log.release();
  ASSERT_EQ(txn.size(), 1u);
  EXPECT_EQ(txn[0].error, errc::none);
}

TEST(TxnOffsets, OlderPlainCommitLandingAfterTheMarkerDoesNotOverrideIt) {
  harness h;
  h.log.hold_appends = true;
  h.commit(offset_commit_request{"g", -1, "", std::nullopt, {part("t", 0, 1)}});
  h.log.hold_appends = false;
  ASSERT_EQ(single_error(h, txn_commit("g", {part("t", 0, 99)})), errc::none);
  h.c.on_transaction_marker(h.c.partition_for("g"), pid, true);
  EXPECT_EQ(fetch_one(h, "g", {"t", 0}).offset, 99);
  h.log.release();  // the older plain commit becomes durable only now
  EXPECT_EQ(fetch_one(h, "g", {"t", 0}).offset, 99);
}

TEST(TxnOffsets, FailedWriteLeavesNothingPending) {
  harness h;
  h.log.fail_appends = true;
  EXPECT_EQ(single_error(h, txn_commit("g", {part("t", 0, 42)})), errc::coordinator_not_available);
  EXPECT_EQ(fetch_one(h, "g", {"t", 0}, true).error, errc::none);
  h.log.fail_appends = false;
  h.c.on_transaction_marker(h.c.partition_for("g"), pid, true);
  EXPECT_EQ(fetch_one(h, "g", {"t", 0}).offset, -1);
}

TEST(TxnOffsets, MetadataTooLargeIsRefusedPerPartition) {
  harness h;
  auto big = part("t", 1, 3);
  big.metadata = std::string(static_cast<size_t>(h.c.config().offset_metadata_max_bytes) + 1, 'x');
  auto r = commit_txn(h, txn_commit("g", {part("t", 0, 2), big}));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].error, errc::none);
  EXPECT_EQ(r[1].error, errc::offset_metadata_too_large);
  EXPECT_EQ(fetch_one(h, "g", {"t", 1}, true).error, errc::none);
}

TEST(TxnOffsets, MemberChecksOfKip447) {
  harness h;
  auto ids = h.form_group("g", {"c1", "c2"});
  auto as_member = [&](int32_t generation, const std::string& member, std::optional<std::string> instance) {
    auto r = txn_commit("g", {part("t", 0, 1)});
    r.generation_id = generation;
    r.member_id = member;
    r.group_instance_id = std::move(instance);
    return single_error(h, std::move(r));
  };
  EXPECT_EQ(as_member(1, ids[0], std::nullopt), errc::none);
  EXPECT_EQ(as_member(1, "stranger", std::nullopt), errc::unknown_member_id);
  EXPECT_EQ(as_member(0, ids[0], std::nullopt), errc::illegal_generation);
  EXPECT_EQ(as_member(2, ids[1], std::nullopt), errc::illegal_generation);
  EXPECT_EQ(as_member(-1, ids[0], std::nullopt), errc::illegal_generation);
  EXPECT_EQ(as_member(1, ids[0], std::string("nobody")), errc::unknown_member_id);
  // Without group metadata (v0-2 producers) the group's state does not matter.
  EXPECT_EQ(single_error(h, txn_commit("g", {part("t", 0, 1)})), errc::none);
  // An unknown group with a generation is stale; an empty id is invalid.
  auto stale = txn_commit("gone", {part("t", 0, 1)});
  stale.generation_id = 3;
  stale.member_id = "m";
  EXPECT_EQ(single_error(h, stale), errc::illegal_generation);
  EXPECT_EQ(h.c.find_group("gone"), nullptr);
  EXPECT_EQ(single_error(h, txn_commit("", {part("t", 0, 1)})), errc::invalid_group_id);
}

TEST(TxnOffsets, GenerationMinusOneOnAnEmptyGroupSkipsTheMemberCheck) {
  harness h;
  h.commit(offset_commit_request{"empty", -1, "", std::nullopt, {part("t", 0, 1)}});
  ASSERT_EQ(h.state("empty"), "Empty");
  auto r = txn_commit("empty", {part("t", 0, 2)});
  r.member_id = "not-a-member";
  r.group_instance_id = "nobody";
  EXPECT_EQ(single_error(h, r), errc::none);
  r.generation_id = 0;  // a generation is checked, with the member
  EXPECT_EQ(single_error(h, r), errc::unknown_member_id);
}

TEST(TxnOffsets, FencedStaticInstanceAndNoRebalanceError) {
  harness h;
  auto j = make_join("g", "c1");
  j.group_instance_id = "i1";
  auto first = h.join(j);
  h.advance(200);
  ASSERT_TRUE(first->done);
  const std::string old_id = first->value.member_id;
  // The group is CompletingRebalance until the leader syncs: a transactional
  // commit is still accepted (only OffsetCommit answers REBALANCE_IN_PROGRESS).
  EXPECT_EQ(h.state("g"), "CompletingRebalance");
  auto r = txn_commit("g", {part("t", 0, 1)});
  r.generation_id = 1;
  r.member_id = old_id;
  r.group_instance_id = "i1";
  EXPECT_EQ(single_error(h, r), errc::none);
  h.sync("g", 1, old_id, {{old_id, bytes{1}}}, "i1");
  // The instance restarts with a new member id: the old one is fenced.
  auto again = h.join(j);
  ASSERT_TRUE(again->done);
  ASSERT_NE(again->value.member_id, old_id);
  EXPECT_EQ(single_error(h, r), errc::fenced_instance_id);
}

TEST(TxnOffsets, WhileLoadingTheCoordinatorIsNotReady) {
  harness h(testing::test_config(), /*loaded=*/false);
  EXPECT_EQ(single_error(h, txn_commit("g", {part("t", 0, 1)})), errc::coordinator_load_in_progress);
}

// Replays a memory log into a fresh coordinator, with markers inserted
// before the entry at the given index (as they would sit in the log).
struct marker_at {
  size_t before_entry;
  int64_t producer;
  bool commit;
};

void replay(harness& after, const memory_offset_log& log, const std::vector<marker_at>& markers,
            int32_t partition) {
  const auto& entries = log.entries();
  for (size_t i = 0; i <= entries.size(); ++i) {
    for (const auto& m : markers) {
      if (m.before_entry == i) after.c.on_transaction_marker(partition, m.producer, m.commit);
    }
    if (i == entries.size()) break;
    const auto& e = entries[i];
    status s = e.producer ? after.c.load_transactional_record(e.producer->producer_id, e.record.key,
                                                              e.record.value, after.now)
                          : after.c.load_record(e.record.key, e.record.value, after.now);
    EXPECT_TRUE(s.ok());
  }
  after.c.finish_loading(after.now);
}

TEST(TxnOffsets, ReplayHonoursCommitAbortAndUndecidedTransactions) {
  harness before;
  const int32_t p = before.c.partition_for("g");
  ASSERT_EQ(single_error(before, txn_commit("g", {part("t", 0, 10)}, 1)), errc::none);  // entry 0: committed
  ASSERT_EQ(single_error(before, txn_commit("g", {part("t", 1, 20)}, 2)), errc::none);  // entry 1: aborted
  ASSERT_EQ(single_error(before, txn_commit("g", {part("t", 2, 30)}, 3)), errc::none);  // entry 2: never ends
  before.commit(offset_commit_request{"g", -1, "", std::nullopt, {part("t", 3, 40)}});  // entry 3

  harness after(testing::test_config(), /*loaded=*/false);
  replay(after, before.log, {{2, 1, true}, {3, 2, false}}, p);
  EXPECT_EQ(fetch_one(after, "g", {"t", 0}, true).offset, 10);
  EXPECT_EQ(fetch_one(after, "g", {"t", 1}, true).offset, -1);
  EXPECT_EQ(fetch_one(after, "g", {"t", 1}, true).error, errc::none);
  EXPECT_EQ(fetch_one(after, "g", {"t", 2}, true).error, errc::unstable_offset_commit);
  EXPECT_EQ(fetch_one(after, "g", {"t", 2}).offset, -1);
  EXPECT_EQ(fetch_one(after, "g", {"t", 3}, true).offset, 40);
  // The undecided transaction ends after the restart.
  after.c.on_transaction_marker(p, 3, true);
  EXPECT_EQ(fetch_one(after, "g", {"t", 2}, true).offset, 30);
}

TEST(TxnOffsets, ReplayOfAGroupWithOnlyPendingOffsetsKeepsIt) {
  harness before;
  ASSERT_EQ(single_error(before, txn_commit("only-pending", {part("t", 0, 10)})), errc::none);
  harness after(testing::test_config(), false);
  replay(after, before.log, {}, before.c.partition_for("only-pending"));
  ASSERT_NE(after.c.find_group("only-pending"), nullptr);
  after.c.on_transaction_marker(after.c.partition_for("only-pending"), pid, true);
  EXPECT_EQ(fetch_one(after, "only-pending", {"t", 0}).offset, 10);
}

TEST(TxnOffsets, ReplayKeepsTheLaterPlainCommit) {
  harness before;
  const int32_t p = before.c.partition_for("g");
  ASSERT_EQ(single_error(before, txn_commit("g", {part("t", 0, 10)})), errc::none);
  before.commit(offset_commit_request{"g", -1, "", std::nullopt, {part("t", 0, 11)}});
  harness after(testing::test_config(), false);
  replay(after, before.log, {{2, pid, true}}, p);
  EXPECT_EQ(fetch_one(after, "g", {"t", 0}, true).offset, 11);
}

TEST(TxnOffsets, OffsetDeleteRemovesPendingOffsetsWithATombstone) {
  harness h;
  ASSERT_EQ(single_error(h, txn_commit("g", {part("t", 0, 10)})), errc::none);
  offset_delete_result res;
  h.c.offset_delete("g", {{"t", 0}}, h.now, [&](offset_delete_result r) { res = std::move(r); });
  ASSERT_EQ(res.partitions.size(), 1u);
  EXPECT_EQ(res.partitions[0].error, errc::none);
  ASSERT_FALSE(h.log.entries().back().record.value.has_value());  // a tombstone went out
  h.c.on_transaction_marker(h.c.partition_for("g"), pid, true);
  EXPECT_EQ(fetch_one(h, "g", {"t", 0}).offset, -1);
  // Replay agrees: the tombstone removes the pending offset.
  harness after(testing::test_config(), false);
  replay(after, h.log, {{h.log.entries().size(), pid, true}}, h.c.partition_for("g"));
  EXPECT_EQ(fetch_one(after, "g", {"t", 0}).offset, -1);
}

TEST(TxnOffsets, DeletingAnEmptyGroupDropsItsPendingOffsets) {
  harness h;
  ASSERT_EQ(single_error(h, txn_commit("g", {part("t", 0, 10)})), errc::none);
  std::vector<group_error> res;
  h.c.delete_groups({"g"}, h.now, [&](std::vector<group_error> r) { res = std::move(r); });
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res[0].error, errc::none);
  EXPECT_EQ(h.c.find_group("g"), nullptr);
  // Tombstones for the pending partition and the group.
  ASSERT_GE(h.log.entries().size(), 3u);
  auto key = decode_record_key(h.log.entries()[1].record.key);
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(std::holds_alternative<offset_commit_key>(key.value()));
  EXPECT_FALSE(h.log.entries()[1].record.value.has_value());
  h.c.on_transaction_marker(h.c.partition_for("g"), pid, true);
  EXPECT_EQ(h.c.find_group("g"), nullptr);
  EXPECT_TRUE(h.c.fetch_offsets("g", std::nullopt).partitions.empty());
}

TEST(TxnOffsets, ExpiryKeepsOffsetsAndGroupsWithUndecidedTransactions) {
  auto cfg = testing::test_config();
  cfg.offsets_retention_ms = 1000;
  cfg.offsets_retention_check_interval_ms = 500;
  harness h(cfg);
  h.commit(offset_commit_request{"g", -1, "", std::nullopt, {part("t", 0, 5), part("t", 1, 6)}});
  ASSERT_EQ(single_error(h, txn_commit("g", {part("t", 0, 10)})), errc::none);
  ASSERT_EQ(single_error(h, txn_commit("p", {part("t", 0, 1)})), errc::none);
  h.advance(5000);
  // t-1 expired; t-0 waits for its transaction; the group stays.
  EXPECT_EQ(fetch_one(h, "g", {"t", 1}).offset, -1);
  EXPECT_EQ(fetch_one(h, "g", {"t", 0}).offset, 5);
  ASSERT_NE(h.c.find_group("p"), nullptr);
  h.c.on_transaction_marker(h.c.partition_for("g"), pid, true);
  EXPECT_EQ(fetch_one(h, "g", {"t", 0}).offset, 10);
  h.c.on_transaction_marker(h.c.partition_for("p"), pid, false);
  h.advance(5000);
  EXPECT_EQ(h.c.find_group("g"), nullptr);  // everything expired now
  EXPECT_EQ(h.c.find_group("p"), nullptr);
}

}  // namespace
}  // namespace samsa::group
