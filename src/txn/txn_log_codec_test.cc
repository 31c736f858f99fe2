#include "txn/txn_log_codec.h"

#include <gtest/gtest.h>

namespace samsa::txn {
namespace {

txn_record sample() {
  txn_record r;
  r.producer_id = 4001;
  r.previous_producer_id = 4000;
  r.producer_epoch = 7;
  r.previous_producer_epoch = 6;
  r.timeout_ms = 60000;
  r.state = txn_state::prepare_commit;
  r.partitions = {{"__consumer_offsets", 12}, {"orders", 0}, {"orders", 3}, {"payments", 1}};
  r.last_update_ms = 1700000000123;
  r.start_ms = 1700000000000;
  r.client_version = 2;
  return r;
}

TEST(TxnLogCodec, KeyAndValueRoundTrip) {
  auto key = encode_txn_key("app-1");
  ASSERT_EQ(key.size(), 2u + 2u + 5u);
  EXPECT_EQ(*decode_txn_key(key), "app-1");
  auto value = encode_txn_value(sample());
  auto back = decode_txn_value(value);
  ASSERT_TRUE(back.ok()) << back.err().message;
  EXPECT_EQ(*back, sample());
}

TEST(TxnLogCodec, ValueLayoutIsTheDocumentedOne) {
  // version, pid, previous pid, epoch, previous epoch, timeout, state: the
  // fixed prefix docs/formats/transaction-state-log.md lists.
  auto v = encode_txn_value(sample());
  ASSERT_GE(v.size(), 27u);
  EXPECT_EQ(v[0], 0);
  EXPECT_EQ(v[1], 0);
  EXPECT_EQ(v[8], 0x0f);  // 4001 = 0x0fa1
  EXPECT_EQ(v[9], 0xa1);
  EXPECT_EQ(v[26], static_cast<uint8_t>(txn_state::prepare_commit));
  // three topics, grouped
  EXPECT_EQ(v[30], 3);
}

TEST(TxnLogCodec, NewerValueVersionsWithMoreFieldsStillDecode) {
  auto v = encode_txn_value(sample());
  v[1] = 1;
  v.push_back(0xaa);
  auto back = decode_txn_value(v);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->producer_id, 4001);
}

TEST(TxnLogCodec, RefusesDamagedRecords) {
  auto v = encode_txn_value(sample());
  for (size_t cut = 0; cut < v.size(); ++cut) {
    EXPECT_FALSE(decode_txn_value(std::span<const uint8_t>(v.data(), cut)).ok()) << "cut at " << cut;
  }
  auto bad_state = v;
  bad_state[26] = static_cast<uint8_t>(txn_state::dead);
  EXPECT_FALSE(decode_txn_value(bad_state).ok());
  bad_state[26] = 42;
  EXPECT_FALSE(decode_txn_value(bad_state).ok());
  auto huge_count = v;
  huge_count[27] = 0x7f;
  EXPECT_FALSE(decode_txn_value(huge_count).ok());
  auto negative = v;
  negative[27] = 0xff;
  EXPECT_FALSE(decode_txn_value(negative).ok());

  auto key = encode_txn_key("x");
  key[1] = 1;
  EXPECT_FALSE(decode_txn_key(key).ok());
  EXPECT_FALSE(decode_txn_key(encode_txn_key("")).ok());
  auto short_key = encode_txn_key("abc");
  short_key.pop_back();
  EXPECT_FALSE(decode_txn_key(short_key).ok());
}

TEST(TxnLogCodec, StateNamesAreKafkas) {
  EXPECT_STREQ(state_name(txn_state::empty), "Empty");
  EXPECT_STREQ(state_name(txn_state::ongoing), "Ongoing");
  EXPECT_STREQ(state_name(txn_state::prepare_commit), "PrepareCommit");
  EXPECT_STREQ(state_name(txn_state::prepare_abort), "PrepareAbort");
  EXPECT_STREQ(state_name(txn_state::complete_commit), "CompleteCommit");
  EXPECT_STREQ(state_name(txn_state::complete_abort), "CompleteAbort");
  EXPECT_STREQ(state_name(txn_state::dead), "Dead");
  EXPECT_STREQ(state_name(txn_state::prepare_epoch_fence), "PrepareEpochFence");
}

}  // namespace
}  // namespace samsa::txn
