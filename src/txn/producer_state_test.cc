#include "txn/producer_state.h"

#include <gtest/gtest.h>

#include <limits>

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

}  // namespace
}  // namespace samsa::txn
