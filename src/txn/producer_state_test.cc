#include "txn/producer_state.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace samsa::txn {
namespace {

producer_batch batch(int16_t epoch, int32_t seq, int32_t count, int64_t pid = 7) {
  return producer_batch{pid, epoch, seq, count};
}

void store(producer_state_table& t, const producer_batch& b, int64_t offset, int64_t now = 0) {
  ASSERT_EQ(t.check(b).outcome, verdict::append);
  t.on_appended(b, appended_batch{b.base_sequence, b.last_sequence(), offset, -1}, now);
}

TEST(ProducerState, UnknownProducerMayStartAnywhere) {
  producer_state_table t;
  EXPECT_EQ(t.check(batch(0, 0, 3)).outcome, verdict::append);
  EXPECT_EQ(t.check(batch(0, 42, 3)).outcome, verdict::append);  // state lost: Kafka accepts
}

TEST(ProducerState, InSequenceBatchesAppend) {
  producer_state_table t;
  store(t, batch(0, 0, 3), 0);
  store(t, batch(0, 3, 2), 3);
  EXPECT_EQ(t.check(batch(0, 5, 1)).outcome, verdict::append);
}

TEST(ProducerState, RetriedBatchIsADuplicateWithItsOriginalOffset) {
  producer_state_table t;
  store(t, batch(0, 0, 3), 100);
  store(t, batch(0, 3, 2), 103);
  auto again = t.check(batch(0, 0, 3));
  EXPECT_EQ(again.outcome, verdict::duplicate);
  EXPECT_EQ(again.previous.base_offset, 100);
  EXPECT_EQ(t.check(batch(0, 3, 2)).previous.base_offset, 103);
}

TEST(ProducerState, OnlyTheLastFiveBatchesAreRemembered) {
  producer_state_table t;
  for (int i = 0; i < 6; ++i) store(t, batch(0, i, 1), i);
  EXPECT_EQ(t.check(batch(0, 0, 1)).outcome, verdict::out_of_order_sequence);  // forgotten
  EXPECT_EQ(t.check(batch(0, 1, 1)).outcome, verdict::duplicate);
}

TEST(ProducerState, GapIsOutOfOrder) {
  producer_state_table t;
  store(t, batch(0, 0, 3), 0);
  auto gap = t.check(batch(0, 4, 1));
  EXPECT_EQ(gap.outcome, verdict::out_of_order_sequence);
  EXPECT_NE(gap.message.find("expected sequence 3"), std::string::npos) << gap.message;
  // A batch overlapping a stored one without matching it exactly is not a duplicate.
  EXPECT_EQ(t.check(batch(0, 1, 2)).outcome, verdict::out_of_order_sequence);
}

TEST(ProducerState, OlderEpochIsFencedNewerEpochStartsAtZero) {
  producer_state_table t;
  store(t, batch(2, 0, 1), 0);
  EXPECT_EQ(t.check(batch(1, 1, 1)).outcome, verdict::invalid_producer_epoch);
  EXPECT_EQ(t.check(batch(3, 5, 1)).outcome, verdict::out_of_order_sequence);
  store(t, batch(3, 0, 1), 1);
  EXPECT_EQ(t.check(batch(2, 1, 1)).outcome, verdict::invalid_producer_epoch);
  EXPECT_EQ(t.check(batch(3, 0, 1)).outcome, verdict::duplicate);
}

TEST(ProducerState, SequencesWrapAtInt32Max) {
  constexpr int32_t max = std::numeric_limits<int32_t>::max();
  EXPECT_EQ(batch(0, max - 1, 3).last_sequence(), 0);
  producer_state_table t;
  store(t, batch(0, max - 1, 2), 0);  // max-1, max
  EXPECT_EQ(t.check(batch(0, 0, 1)).outcome, verdict::append);
  EXPECT_EQ(t.check(batch(0, max, 1)).outcome, verdict::out_of_order_sequence);
}

TEST(ProducerState, ProducersAreIndependentAndExpire) {
  producer_state_table t;
  store(t, batch(0, 0, 1, 1), 0, /*now=*/1000);
  store(t, batch(0, 0, 1, 2), 1, /*now=*/5000);
  EXPECT_EQ(t.check(batch(0, 1, 1, 1)).outcome, verdict::append);
  EXPECT_EQ(t.producer_count(), 2u);
  auto all = t.summaries();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].producer_id, 1);
  EXPECT_EQ(all[0].last_sequence, 0);
  EXPECT_EQ(all[0].last_write_ms, 1000);
  EXPECT_EQ(t.expire(/*now=*/6000, /*idle=*/2000), 1u);
  EXPECT_EQ(t.producer_count(), 1u);
  EXPECT_EQ(t.check(batch(0, 9, 1, 1)).outcome, verdict::append);  // forgotten: any sequence
}

producer_batch txn_batch(int64_t pid, int16_t epoch, int32_t seq, int32_t count = 1) {
  return producer_batch{pid, epoch, seq, count, true};
}

TEST(ProducerState, TransactionOpensAtItsFirstBatchAndAMarkerEndsIt) {
  producer_state_table t;
  EXPECT_FALSE(t.first_unstable_offset());
  store(t, txn_batch(1, 0, 0, 2), 10);
  store(t, txn_batch(2, 0, 0), 12);
  store(t, txn_batch(1, 0, 2), 13);  // same transaction: still from 10
  EXPECT_EQ(t.first_unstable_offset(), 10);
  EXPECT_EQ(t.ongoing(), (std::vector<std::pair<int64_t, int64_t>>{{1, 10}, {2, 12}}));
  auto ended = t.on_marker(1, 0, false, 14, 0);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->first_offset, 10);
  EXPECT_EQ(ended->last_offset, 14);
  EXPECT_FALSE(ended->commit);
  EXPECT_EQ(t.first_unstable_offset(), 12);
  EXPECT_TRUE(t.on_marker(2, 0, true, 15, 0)->commit);
  EXPECT_FALSE(t.first_unstable_offset());
  EXPECT_FALSE(t.on_marker(2, 0, true, 16, 0)) << "no transaction open";
}

TEST(ProducerState, NonTransactionalBatchesOpenNothing) {
  producer_state_table t;
  store(t, batch(0, 0, 1), 0);
  EXPECT_FALSE(t.first_unstable_offset());
  EXPECT_EQ(t.summaries().at(0).current_txn_start_offset, -1);
}

TEST(ProducerState, MarkerAtANewerEpochFencesTheOldOne) {
  producer_state_table t;
  store(t, txn_batch(1, 5, 0), 0);
  t.on_marker(1, 6, false, 1, 0);
  EXPECT_EQ(t.check(txn_batch(1, 5, 1)).outcome, verdict::invalid_producer_epoch);
  EXPECT_EQ(t.check(txn_batch(1, 6, 0)).outcome, verdict::append);
}

TEST(ProducerState, ExpiryKeepsProducersWithAnOpenTransaction) {
  producer_state_table t;
  store(t, txn_batch(1, 0, 0), 0, 100);
  store(t, batch(0, 0, 1, 2), 1, 100);
  EXPECT_EQ(t.expire(10'000, 1000), 1u);
  EXPECT_EQ(t.producer_count(), 1u);
  EXPECT_EQ(t.first_unstable_offset(), 0);
}

TEST(ProducerState, RecordsRestoreTheSameTable) {
  producer_state_table t;
  store(t, txn_batch(1, 3, 0, 2), 40, 7);
  store(t, batch(1, 0, 1, 9), 42, 8);
  producer_state_table back;
  for (const auto& r : t.records()) back.restore(r);
  EXPECT_EQ(back.first_unstable_offset(), 40);
  EXPECT_EQ(back.check(txn_batch(1, 3, 0, 2)).outcome, verdict::duplicate);
  EXPECT_EQ(back.check(batch(1, 0, 1, 9)).previous.base_offset, 42);
  EXPECT_EQ(back.summaries().size(), 2u);
}

// max.producer.ids.per.partition: a full table makes room by dropping the
// producer whose last write is the oldest; that one comes back as after
// expiry (any sequence accepted).
TEST(ProducerState, FullTableEvictsTheProducerWrittenLongestAgo) {
  producer_state_table t(3);
  store(t, batch(0, 0, 1, 1), 0, 100);
  store(t, batch(0, 0, 1, 2), 1, 200);
  store(t, batch(0, 0, 1, 3), 2, 300);
  store(t, batch(0, 1, 1, 1), 3, 400);  // producer 1 writes again: 2 is now the oldest
  store(t, batch(0, 0, 1, 4), 4, 500);
  EXPECT_EQ(t.producer_count(), 3u);
  EXPECT_EQ(t.evicted(), 1u);
  std::vector<int64_t> ids;
  for (const auto& s : t.summaries()) ids.push_back(s.producer_id);
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 3, 4}));
  EXPECT_EQ(t.check(batch(0, 7, 1, 2)).outcome, verdict::append) << "forgotten: any sequence, as after expiry";
  EXPECT_EQ(t.check(batch(0, 0, 1, 1)).outcome, verdict::duplicate) << "the others keep their sequences";
}

TEST(ProducerState, OpenTransactionsAreNeverEvicted) {
  producer_state_table t(2);
  store(t, txn_batch(1, 0, 0), 0, 100);  // oldest, but in a transaction
  store(t, batch(0, 0, 1, 2), 1, 200);
  store(t, batch(0, 0, 1, 3), 2, 300);  // evicts 2, not 1
  EXPECT_EQ(t.first_unstable_offset(), 0);
  EXPECT_EQ(t.summaries().at(0).producer_id, 1);
  EXPECT_EQ(t.summaries().at(1).producer_id, 3);
  // Once its transaction ends, the marker counts as its latest write.
  t.on_marker(1, 0, true, 3, 400);
  store(t, batch(0, 0, 1, 4), 4, 500);  // evicts 3
  EXPECT_EQ(t.summaries().at(0).producer_id, 1);
  EXPECT_EQ(t.summaries().at(1).producer_id, 4);
}

TEST(ProducerState, NewProducerIsRefusedWhenEveryEntryHasAnOpenTransaction) {
  producer_state_table t(2);
  store(t, txn_batch(1, 0, 0), 0, 100);
  store(t, txn_batch(2, 0, 0), 1, 200);
  auto refused = t.check(batch(0, 0, 1, 3));
  EXPECT_EQ(refused.outcome, verdict::table_full);
  EXPECT_NE(refused.message.find("max.producer.ids.per.partition"), std::string::npos) << refused.message;
  // The producers already known go on; an ended transaction frees a place.
  EXPECT_EQ(t.check(txn_batch(1, 0, 1)).outcome, verdict::append);
  t.on_marker(2, 0, false, 2, 300);
  EXPECT_EQ(t.check(batch(0, 0, 1, 3)).outcome, verdict::append);
  store(t, batch(0, 0, 1, 3), 3, 400);
  EXPECT_EQ(t.producer_count(), 2u);
  EXPECT_EQ(t.ongoing(), (std::vector<std::pair<int64_t, int64_t>>{{1, 0}}));
}

TEST(ProducerState, RestoreOrdersByLastWriteAndKeepsTheBound) {
  producer_state_table t(10);
  store(t, batch(0, 0, 1, 5), 0, 300);
  store(t, batch(0, 0, 1, 6), 1, 100);  // an older clock: the oldest write
  store(t, txn_batch(7, 0, 0), 2, 50);
  store(t, batch(0, 0, 1, 8), 3, 200);
  producer_state_table back(2);
  for (const auto& r : t.records()) back.restore(r);
  EXPECT_EQ(back.producer_count(), 4u) << "restore alone never evicts";
  back.finish_restore();
  std::vector<int64_t> ids;
  for (const auto& s : back.summaries()) ids.push_back(s.producer_id);
  EXPECT_EQ(ids, (std::vector<int64_t>{5, 7})) << "6 and 8 wrote longest ago; 7 has an open transaction";
  EXPECT_EQ(back.first_unstable_offset(), 2);
}

TEST(ProducerState, ExpiryAndClearKeepTheEvictionOrderConsistent) {
  producer_state_table t(2);
  store(t, batch(0, 0, 1, 1), 0, 100);
  store(t, batch(0, 0, 1, 2), 1, 5000);
  EXPECT_EQ(t.expire(6000, 2000), 1u);  // 1 goes
  store(t, batch(0, 0, 1, 3), 2, 6000);
  store(t, batch(0, 0, 1, 4), 3, 7000);  // evicts 2
  EXPECT_EQ(t.producer_count(), 2u);
  EXPECT_EQ(t.summaries().at(0).producer_id, 3);
  t.clear();
  store(t, batch(0, 0, 1, 9), 4, 8000);
  EXPECT_EQ(t.producer_count(), 1u);
}

// max.producer.ids: the tables of all partitions share one count. Past it, a
// table beyond the floor makes room in itself instead of growing; a table at
// or below the floor still takes new producers.
TEST(ProducerBudget, TablesPastTheFloorStopGrowingOnceTheBrokerWideCountIsFull) {
  producer_budget budget(10, 2);
  producer_state_table busy(1000);
  busy.use_budget(&budget);
  for (int64_t pid = 1; pid <= 10; ++pid) store(busy, batch(0, 0, 1, pid), pid, pid);
  EXPECT_EQ(budget.held(), 10u);
  EXPECT_TRUE(budget.full());
  store(busy, batch(0, 0, 1, 11), 11, 11);
  EXPECT_EQ(busy.producer_count(), 10u) << "full: the busy table replaces its oldest";
  EXPECT_EQ(busy.evicted(), 1u);
  EXPECT_EQ(budget.held(), 10u);

  {
    producer_state_table quiet(1000);
    quiet.use_budget(&budget);
    store(quiet, batch(0, 0, 1, 100), 0, 1);
    store(quiet, batch(0, 0, 1, 101), 1, 2);
    EXPECT_EQ(quiet.producer_count(), 2u) << "up to the floor whatever the budget";
    EXPECT_EQ(budget.held(), 12u);
    store(quiet, batch(0, 0, 1, 102), 2, 3);
    EXPECT_EQ(quiet.producer_count(), 2u);
    EXPECT_EQ(quiet.evicted(), 1u);
  }
  EXPECT_EQ(budget.held(), 10u) << "a table gives its share back when destroyed";

  // Expiry and clear give entries back, and the table grows again.
  EXPECT_EQ(busy.expire(1000, 100), 10u);
  EXPECT_EQ(budget.held(), 0u);
  for (int64_t pid = 20; pid < 25; ++pid) store(busy, batch(0, 0, 1, pid), pid, 2000);
  EXPECT_EQ(budget.held(), 5u);
  busy.clear();
  EXPECT_EQ(budget.held(), 0u);
}

TEST(ProducerBudget, ANewProducerIsRefusedOnlyWhenNoEntryPastTheFloorCanMakeRoom) {
  producer_budget budget(3, 2);
  producer_state_table other(1000);
  other.use_budget(&budget);
  store(other, batch(0, 0, 1, 1), 0, 1);
  store(other, batch(0, 0, 1, 2), 1, 1);
  producer_state_table t(1000);
  t.use_budget(&budget);
  store(t, txn_batch(10, 0, 0), 0, 1);
  store(t, txn_batch(11, 0, 0), 1, 1);  // at the floor, the budget over its bound
  auto refused = t.check(batch(0, 0, 1, 12));
  EXPECT_EQ(refused.outcome, verdict::table_full);
  EXPECT_NE(refused.message.find("max.producer.ids)"), std::string::npos) << refused.message;
  t.on_marker(10, 0, true, 2, 5);
  EXPECT_EQ(t.check(batch(0, 0, 1, 12)).outcome, verdict::append) << "an ended transaction frees a place";
}

TEST(ProducerBudget, RestoredTablesPastTheBoundAreCutBackNoFurtherThanTheFloor) {
  producer_state_table source(100);
  for (int64_t pid = 1; pid <= 6; ++pid) store(source, batch(0, 0, 1, pid), pid, pid * 10);
  producer_budget budget(4, 3);
  producer_state_table first(100);
  first.use_budget(&budget);
  for (const auto& r : source.records()) first.restore(r);
  first.finish_restore();
  EXPECT_EQ(first.producer_count(), 4u) << "the oldest writes go until the count is back at the bound";
  EXPECT_EQ(first.summaries().front().producer_id, 3);
  EXPECT_EQ(budget.held(), 4u);
  producer_state_table second(100);
  second.use_budget(&budget);
  for (const auto& r : source.records()) second.restore(r);
  second.finish_restore();
  EXPECT_EQ(second.producer_count(), 3u) << "no further than the floor";
  EXPECT_EQ(budget.held(), 7u);
}

TEST(ProducerState, RingKeepsTheLastFiveBatchesAcrossManyWrites) {
  producer_state_table t;
  for (int i = 0; i < 23; ++i) store(t, batch(0, i, 1), i);
  auto records = t.records();
  ASSERT_EQ(records.size(), 1u);
  ASSERT_EQ(records[0].recent.size(), producer_state_table::batches_kept);
  EXPECT_EQ(records[0].recent.front().first_sequence, 18);
  EXPECT_EQ(records[0].recent.back().first_sequence, 22);
  EXPECT_EQ(t.check(batch(0, 17, 1)).outcome, verdict::out_of_order_sequence);
  EXPECT_EQ(t.check(batch(0, 18, 1)).previous.base_offset, 18);
  EXPECT_EQ(t.summaries().at(0).last_sequence, 22);
}

}  // namespace
}  // namespace samsa::txn
