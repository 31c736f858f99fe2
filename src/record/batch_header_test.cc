#include "record/batch_header.h"

#include <gtest/gtest.h>

#include <array>

#include "record/crc32c.h"

namespace samsa::record {
namespace {

batch_header sample() {
  batch_header h;
  h.base_offset = 0x0102030405060708;
  h.batch_length = 49;
  h.partition_leader_epoch = 7;
  h.crc = 0xDEADBEEF;
  h.attributes = static_cast<int16_t>(3 | attr::transactional);
  h.last_offset_delta = 4;
  h.base_timestamp = 1700000000000;
  h.max_timestamp = 1700000000999;
  h.producer_id = 1234;
  h.producer_epoch = 5;
  h.base_sequence = 77;
  h.record_count = 5;
  return h;
}

TEST(BatchHeader, EncodeDecodeRoundTrip) {
  std::array<uint8_t, batch_header_size> buf{};
  batch_header h = sample();
  encode_header(h, buf);
  EXPECT_EQ(buf[field::magic], 2);
  EXPECT_EQ(buf[field::base_offset + 7], 0x08);  // big-endian
  auto d = decode_header(buf);
  ASSERT_TRUE(d.ok()) << d.err().message;
  EXPECT_EQ(d->base_offset, h.base_offset);
  EXPECT_EQ(d->batch_length, 49);
  EXPECT_EQ(d->partition_leader_epoch, 7);
  EXPECT_EQ(d->crc, 0xDEADBEEFu);
  EXPECT_EQ(d->compression(), compression_type::lz4);
  EXPECT_TRUE(d->is_transactional());
  EXPECT_FALSE(d->is_control());
  EXPECT_FALSE(d->has_delete_horizon());
  EXPECT_EQ(d->ts_type(), timestamp_type::create_time);
  EXPECT_EQ(d->last_offset_delta, 4);
  EXPECT_EQ(d->base_timestamp, h.base_timestamp);
  EXPECT_EQ(d->max_timestamp, h.max_timestamp);
  EXPECT_EQ(d->producer_id, 1234);
  EXPECT_EQ(d->producer_epoch, 5);
  EXPECT_EQ(d->base_sequence, 77);
  EXPECT_EQ(d->record_count, 5);
  EXPECT_EQ(d->size_bytes(), 61u);
  EXPECT_EQ(d->last_offset(), h.base_offset + 4);
  EXPECT_EQ(d->last_sequence(), 81);
}

TEST(BatchHeader, SequenceWraps) {
  batch_header h;
  h.base_sequence = INT32_MAX - 1;
  h.last_offset_delta = 3;
  EXPECT_EQ(h.last_sequence(), 1);
}

TEST(BatchHeader, RejectsShortAndOldMagic) {
  std::array<uint8_t, batch_header_size> buf{};
  encode_header(sample(), buf);
  for (size_t n = 0; n < batch_header_size; ++n) {
    auto d = decode_header(std::span<const uint8_t>(buf).first(n));
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.err().code, errc::corrupt_message);
  }
  buf[field::magic] = 1;
  EXPECT_EQ(decode_header(buf).err().code, errc::unsupported_for_message_format);
  buf[field::magic] = 0;
  EXPECT_EQ(decode_header(buf).err().code, errc::unsupported_for_message_format);
  buf[field::magic] = 3;
  EXPECT_EQ(decode_header(buf).err().code, errc::corrupt_message);
}

TEST(BatchHeader, RejectsTinyBatchLength) {
  std::array<uint8_t, batch_header_size> buf{};
  batch_header h = sample();
  h.batch_length = 48;
  encode_header(h, buf);
  EXPECT_EQ(decode_header(buf).err().code, errc::corrupt_message);
  h.batch_length = -1;
  encode_header(h, buf);
  EXPECT_EQ(decode_header(buf).err().code, errc::corrupt_message);
}

TEST(BatchHeader, InPlaceRewrites) {
  std::array<uint8_t, batch_header_size> buf{};
  encode_header(sample(), buf);
  uint32_t crc = recompute_crc(buf);
  EXPECT_EQ(crc, crc32c(std::span<const uint8_t>(buf).subspan(field::attributes)));

  set_base_offset(buf, 500);
  set_partition_leader_epoch(buf, 9);
  auto d = decode_header(buf);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->base_offset, 500);
  EXPECT_EQ(d->partition_leader_epoch, 9);
  EXPECT_EQ(d->crc, crc);  // outside the CRC range
  EXPECT_EQ(compute_crc(buf), crc);

  set_log_append_time(buf, 1800000000000);
  d = decode_header(buf);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->ts_type(), timestamp_type::log_append_time);
  EXPECT_EQ(d->max_timestamp, 1800000000000);
  EXPECT_EQ(d->compression(), compression_type::lz4);  // other bits kept
  EXPECT_TRUE(d->is_transactional());
  EXPECT_NE(d->crc, crc);
  EXPECT_EQ(d->crc, compute_crc(buf));

  set_max_timestamp(buf, 42);
  d = decode_header(buf);
  EXPECT_EQ(d->max_timestamp, 42);
  EXPECT_EQ(d->crc, compute_crc(buf));
}

TEST(BatchHeader, ErrorCodesMapToKafka) {
  EXPECT_EQ(kafka_error_code(make_error_code(errc::corrupt_message)), 2);
  EXPECT_EQ(kafka_error_code(make_error_code(errc::invalid_record)), 87);
  EXPECT_EQ(kafka_error_code(make_error_code(errc::unsupported_for_message_format)), 43);
  EXPECT_EQ(kafka_error_code(make_error_code(errc::unsupported_compression_type)), 76);
  EXPECT_EQ(kafka_error_code(std::make_error_code(std::errc::io_error)), -1);
  EXPECT_EQ(kafka_error_code({}), 0);
}

}  // namespace
}  // namespace samsa::record
