#include "record/batch_builder.h"

#include <gtest/gtest.h>

#include "record/split.h"
#include "record/test_util.h"
#include "record/validate.h"

namespace samsa::record {
namespace {

using testing::build_or_die;
using testing::sample_records;

constexpr compression_type all_codecs[] = {compression_type::none, compression_type::gzip,
                                           compression_type::snappy, compression_type::lz4,
                                           compression_type::zstd};

TEST(BatchBuilder, RoundTripEveryCodec) {
  for (auto c : all_codecs) {
    batch_options o;
    o.compression = c;
    o.base_offset = 5000;
    o.partition_leader_epoch = 3;
    o.producer_id = 77;
    o.producer_epoch = 2;
    o.base_sequence = 10;
    auto input = sample_records(100, 5000);
    bytes b = build_or_die(o, input);
    auto h = validate_batch(b);
    ASSERT_TRUE(h.ok()) << to_string(c) << ": " << h.err().message;
    EXPECT_EQ(h->compression(), c);
    EXPECT_EQ(h->base_offset, 5000);
    EXPECT_EQ(h->partition_leader_epoch, 3);
    EXPECT_EQ(h->producer_id, 77);
    EXPECT_EQ(h->producer_epoch, 2);
    EXPECT_EQ(h->base_sequence, 10);
    EXPECT_EQ(h->record_count, 100);
    EXPECT_EQ(h->last_offset_delta, 99);
    EXPECT_EQ(h->base_timestamp, input[0].timestamp);
    int64_t max_ts = 0;
    for (const auto& r : input) max_ts = std::max(max_ts, r.timestamp);
    EXPECT_EQ(h->max_timestamp, max_ts);
    EXPECT_EQ(h->size_bytes(), b.size());
    auto out = decode_records(b);
    ASSERT_TRUE(out.ok()) << out.err().message;
    EXPECT_EQ(*out, input) << to_string(c);
  }
}

TEST(BatchBuilder, Flags) {
  batch_options o;
  o.transactional = true;
  o.control = true;
  o.producer_id = 1;
  o.producer_epoch = 0;
  o.base_sequence = 0;
  o.ts_type = timestamp_type::log_append_time;
  o.max_timestamp = 99;
  auto h = validate_batch(build_or_die(o, sample_records(1)));
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->is_transactional());
  EXPECT_TRUE(h->is_control());
  EXPECT_FALSE(h->has_delete_horizon());
  EXPECT_EQ(h->ts_type(), timestamp_type::log_append_time);
  EXPECT_EQ(h->max_timestamp, 99);
}

TEST(BatchBuilder, CompactionKeepsOffsetRangeAndHorizon) {
  auto input = sample_records(10, 200);
  std::vector<record> kept = {input[2], input[5]};
  batch_options o;
  o.base_offset = 200;
  o.last_offset_delta = 9;
  o.delete_horizon_ms = 1800000000000;
  o.compression = compression_type::gzip;
  bytes b = build_or_die(o, kept);
  auto h = validate_batch(b);
  ASSERT_TRUE(h.ok()) << h.err().message;
  EXPECT_TRUE(h->has_delete_horizon());
  EXPECT_EQ(h->base_timestamp, 1800000000000);
  EXPECT_EQ(h->last_offset_delta, 9);
  EXPECT_EQ(h->record_count, 2);
  auto out = decode_records(b);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, kept);

  o.last_offset_delta = 4;  // below the last kept record's delta 5
  EXPECT_FALSE(build_batch(o, kept).ok());
}

TEST(BatchBuilder, AppendAssignsSequentialOffsets) {
  batch_options o;
  o.base_offset = 10;
  batch_builder builder(o);
  bytes v = testing::to_bytes("v");
  std::vector<record_header> headers = {{"a", std::nullopt}};
  ASSERT_TRUE(builder.append(100, std::nullopt, std::span<const uint8_t>(v)).ok());
  ASSERT_TRUE(builder.append(101, std::span<const uint8_t>(v), std::nullopt, headers).ok());
  EXPECT_EQ(builder.record_count(), 2);
  auto b = builder.build();
  ASSERT_TRUE(b.ok());
  auto out = decode_records(*b);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ((*out)[0].offset, 10);
  EXPECT_EQ((*out)[1].offset, 11);
  EXPECT_FALSE((*out)[0].key.has_value());
  EXPECT_FALSE((*out)[1].value.has_value());
  EXPECT_EQ((*out)[1].headers, headers);
  // build() can run again and gives the same bytes.
  EXPECT_EQ(*builder.build(), *b);
}

TEST(BatchBuilder, RejectsBadOffsets) {
  batch_options o;
  o.base_offset = 100;
  batch_builder builder(o);
  record r;
  r.offset = 99;
  EXPECT_FALSE(builder.add(r).ok());
  r.offset = 100;
  EXPECT_TRUE(builder.add(r).ok());
  EXPECT_FALSE(builder.add(r).ok());  // not increasing
  r.offset = 100 + int64_t{INT32_MAX} + 1;
  EXPECT_FALSE(builder.add(r).ok());
}

TEST(BatchBuilder, RecompressFromViews) {
  batch_options src;
  src.compression = compression_type::snappy;
  auto input = sample_records(20);
  bytes original = build_or_die(src, input);
  auto reader = record_reader::open(original);
  ASSERT_TRUE(reader.ok());
  batch_options dst;
  dst.compression = compression_type::zstd;
  batch_builder builder(dst);
  record_view v;
  for (;;) {
    auto more = reader->next(v);
    ASSERT_TRUE(more.ok());
    if (!*more) break;
    ASSERT_TRUE(builder.add(v).ok());
  }
  auto b = builder.build();
  ASSERT_TRUE(b.ok());
  auto out = decode_records(*b);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, input);
  EXPECT_EQ(decode_header(*b)->compression(), compression_type::zstd);
}

TEST(BatchBuilder, RecompressKeepsIdentity) {
  batch_options src;
  src.base_offset = 300;
  src.partition_leader_epoch = 4;
  src.producer_id = 8;
  src.producer_epoch = 1;
  src.base_sequence = 50;
  src.transactional = true;
  src.ts_type = timestamp_type::log_append_time;
  src.max_timestamp = 1900000000000;
  auto input = sample_records(12, 300);
  for (auto from : all_codecs) {
    src.compression = from;
    bytes original = build_or_die(src, input);
    auto before = decode_header(original);
    auto before_reader = record_reader::open(original);
    ASSERT_TRUE(before_reader.ok());
    std::vector<int64_t> deltas;
    record_view v;
    while (*before_reader->next(v)) deltas.push_back(v.timestamp_delta);
    for (auto to : all_codecs) {
      auto rebuilt = recompress_batch(original, to);
      ASSERT_TRUE(rebuilt.ok()) << rebuilt.err().message;
      auto after = validate_batch(*rebuilt);
      ASSERT_TRUE(after.ok()) << after.err().message;
      EXPECT_EQ(after->compression(), to);
      EXPECT_EQ(after->base_offset, before->base_offset);
      EXPECT_EQ(after->partition_leader_epoch, before->partition_leader_epoch);
      EXPECT_EQ(after->attributes & ~attr::compression_mask, before->attributes & ~attr::compression_mask);
      EXPECT_EQ(after->last_offset_delta, before->last_offset_delta);
      EXPECT_EQ(after->base_timestamp, before->base_timestamp);
      EXPECT_EQ(after->max_timestamp, before->max_timestamp);
      EXPECT_EQ(after->producer_id, before->producer_id);
      EXPECT_EQ(after->producer_epoch, before->producer_epoch);
      EXPECT_EQ(after->base_sequence, before->base_sequence);
      EXPECT_EQ(after->record_count, before->record_count);
      EXPECT_EQ(*decode_records(*rebuilt), *decode_records(original));
      auto after_reader = record_reader::open(*rebuilt);
      ASSERT_TRUE(after_reader.ok());
      std::vector<int64_t> after_deltas;
      while (*after_reader->next(v)) after_deltas.push_back(v.timestamp_delta);
      EXPECT_EQ(after_deltas, deltas);
    }
  }
}

TEST(BatchBuilder, EmptyBatch) {
  batch_options o;
  o.base_offset = 7;
  bytes b = build_or_die(o, {});
  auto h = validate_batch(b);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->record_count, 0);
  EXPECT_EQ(h->base_timestamp, -1);
  EXPECT_EQ(b.size(), batch_header_size);
  auto split = split_batches(b);
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(split->size(), 1u);
}

}  // namespace
}  // namespace samsa::record
