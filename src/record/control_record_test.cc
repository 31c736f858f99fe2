#include "record/control_record.h"

#include <gtest/gtest.h>

#include "record/record.h"
#include "record/validate.h"

namespace samsa::record {
namespace {

TEST(ControlRecord, KeyAndMarkerRoundTrip) {
  bytes key = encode_control_key(control_type::commit);
  EXPECT_EQ(key, (bytes{0, 0, 0, 1}));
  auto k = decode_control_key(key);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->type, 1);
  EXPECT_TRUE(k->is_transaction_marker());
  EXPECT_FALSE(decode_control_key(encode_control_key(control_type::leader_change))->is_transaction_marker());

  bytes value = encode_end_txn_marker(0x01020304);
  EXPECT_EQ(value, (bytes{0, 0, 1, 2, 3, 4}));
  auto m = decode_end_txn_marker(value);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->coordinator_epoch, 0x01020304);
}

TEST(ControlRecord, ShortOrNegativeVersionRejected) {
  EXPECT_EQ(decode_control_key(bytes{0, 0, 1}).err().code, errc::invalid_record);
  EXPECT_EQ(decode_control_key(bytes{0xFF, 0xFF, 0, 1}).err().code, errc::invalid_record);
  EXPECT_EQ(decode_end_txn_marker(bytes{0, 0, 0, 0, 1}).err().code, errc::invalid_record);
  // Newer versions with extra bytes still parse (forward compatible).
  auto m = decode_end_txn_marker(bytes{0, 1, 0, 0, 0, 9, 0xAA});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->version, 1);
  EXPECT_EQ(m->coordinator_epoch, 9);
}

TEST(ControlRecord, EndTxnBatch) {
  end_txn_options o;
  o.producer_id = 42;
  o.producer_epoch = 3;
  o.commit = false;
  o.coordinator_epoch = 7;
  o.base_offset = 100;
  o.timestamp = 1700000000000;
  auto b = build_end_txn_batch(o);
  ASSERT_TRUE(b.ok());
  auto h = validate_batch(*b);
  ASSERT_TRUE(h.ok()) << h.err().message;
  EXPECT_TRUE(h->is_control());
  EXPECT_TRUE(h->is_transactional());
  EXPECT_EQ(h->producer_id, 42);
  EXPECT_EQ(h->producer_epoch, 3);
  EXPECT_EQ(h->record_count, 1);
  auto records = decode_records(*b);
  ASSERT_TRUE(records.ok());
  const record& r = (*records)[0];
  EXPECT_EQ(r.offset, 100);
  EXPECT_EQ(decode_control_key(*r.key)->type, static_cast<int16_t>(control_type::abort));
  EXPECT_EQ(decode_end_txn_marker(*r.value)->coordinator_epoch, 7);
}

}  // namespace
}  // namespace samsa::record
