// record_stream and the decompression budget: records are walked while the
// body decompresses, so a bomb costs what the budget allows and a bad first
// record stops the walk after one read chunk.
#include "record/record_stream.h"

#include <gtest/gtest.h>

#include "record/test_util.h"
#include "record/validate.h"

namespace samsa::record {
namespace {

using testing::build_or_die;
using testing::rewrap_batch;
using testing::sample_records;

constexpr compression_type compressed_codecs[] = {compression_type::gzip, compression_type::snappy,
                                                  compression_type::lz4, compression_type::zstd};

// One record whose value is `size` zero bytes: a small batch once compressed.
bytes zero_bomb(compression_type c, size_t size) {
  record big;
  big.value = bytes(size, 0);
  batch_options o;
  o.compression = c;
  return build_or_die(o, {big});
}

TEST(RecordStream, WalksTheSameRecordsAsRecordReader) {
  for (auto c : {compression_type::none, compression_type::gzip, compression_type::snappy, compression_type::lz4,
                 compression_type::zstd}) {
    batch_options o;
    o.compression = c;
    bytes b = build_or_die(o, sample_records(300));
    auto expected = decode_records(b);
    ASSERT_TRUE(expected.ok()) << expected.err().message;
    auto stream = record_stream::open(b, default_max_decompressed_bytes);
    ASSERT_TRUE(stream.ok()) << stream.err().message;
    record_view view;
    size_t i = 0;
    for (;;) {
      auto more = stream->next(view);
      ASSERT_TRUE(more.ok()) << to_string(c) << ": " << more.err().message;
      if (!*more) break;
      ASSERT_LT(i, expected->size());
      EXPECT_EQ(view.to_record(), (*expected)[i]) << to_string(c) << " record " << i;
      ++i;
    }
    EXPECT_EQ(i, expected->size());
  }
}

TEST(RecordStream, BudgetSpentByABombIsInvalidRecord) {
  for (auto c : compressed_codecs) {
    // snappy inflates at most ~21x: a smaller bomb still dwarfs the budget.
    size_t inflated = c == compression_type::snappy ? size_t{8} << 20 : size_t{16} << 20;
    bytes bomb = zero_bomb(c, inflated);
    EXPECT_LT(bomb.size(), inflated / 20) << to_string(c);
    decompression_budget budget(size_t{1} << 20);
    validate_options options;
    options.budget = &budget;
    record_scan scan;
    auto r = validate_batch(bomb, options, &scan);
    ASSERT_FALSE(r.ok()) << to_string(c);
    EXPECT_EQ(r.err().code, errc::invalid_record) << r.err().message;
    EXPECT_NE(r.err().message.find("decompression budget of 1048576 bytes"), std::string::npos) << r.err().message;
    // The walk stopped near the budget instead of inflating the whole body.
    EXPECT_LE(scan.decompressed_bytes, (size_t{1} << 20) + 1) << to_string(c);
    // Either spent by the walk, or the codec declared its size up front (a
    // snappy block, an lz4 frame's content size) and nothing was inflated.
    EXPECT_TRUE(budget.remaining() == 0 || scan.decompressed_bytes == 0)
        << to_string(c) << ": " << budget.remaining() << " left, " << scan.decompressed_bytes << " decompressed";
  }
}

TEST(RecordStream, BudgetIsSharedByTheBatchesOfOneRequest) {
  bytes batch = zero_bomb(compression_type::zstd, size_t{3} << 20);
  decompression_budget budget(size_t{7} << 20);
  validate_options options;
  options.budget = &budget;
  EXPECT_TRUE(validate_batch(batch, options).ok());
  EXPECT_TRUE(validate_batch(batch, options).ok());
  auto third = validate_batch(batch, options);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.err().code, errc::invalid_record);
  // Uncompressed batches cost no budget.
  decompression_budget empty(0);
  validate_options none;
  none.budget = &empty;
  EXPECT_TRUE(validate_batch(build_or_die({}, sample_records(10)), none).ok());
}

// A body of 24 MiB of 0xFF: the first record's length is not a varint. The
// walk must notice after one read chunk, not after inflating all of it.
TEST(RecordStream, GarbageBombStopsAtTheFirstRecord) {
  bytes garbage(size_t{24} << 20, 0xFF);
  bytes shell = build_or_die({}, sample_records(1));
  for (auto c : compressed_codecs) {
    if (c == compression_type::snappy) continue;  // cannot reach this ratio
    auto body = compress(c, garbage);
    ASSERT_TRUE(body.ok());
    bytes bomb = rewrap_batch(shell, c, *body);
    record_scan scan;
    auto r = validate_batch(bomb, {}, &scan);
    ASSERT_FALSE(r.ok()) << to_string(c);
    EXPECT_EQ(r.err().code, errc::invalid_record) << r.err().message;
    EXPECT_EQ(scan.bad_record, 0);
    EXPECT_LE(scan.decompressed_bytes, size_t{1} << 20) << to_string(c) << ": " << r.err().message;
  }
}

// A legitimate batch whose one record is larger than a read chunk is
// gathered whole (the window grows once, to the record's size).
TEST(RecordStream, LargeRecordWithinTheLimitsPasses) {
  for (auto c : compressed_codecs) {
    bytes batch = zero_bomb(c, size_t{5} << 20);
    decompression_budget budget(size_t{6} << 20);
    validate_options options;
    options.budget = &budget;
    record_scan scan;
    auto r = validate_batch(batch, options, &scan);
    ASSERT_TRUE(r.ok()) << to_string(c) << ": " << r.err().message;
    EXPECT_GT(scan.decompressed_bytes, size_t{5} << 20);
    EXPECT_EQ(budget.used(), scan.decompressed_bytes);
  }
}

TEST(RecordStream, PerBatchLimitStaysMessageTooLarge) {
  bytes batch = zero_bomb(compression_type::zstd, size_t{3} << 20);
  decompression_budget budget(size_t{100} << 20);
  validate_options options;
  options.budget = &budget;
  options.max_decompressed_bytes = size_t{1} << 20;
  auto r = validate_batch(batch, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().code, errc::message_too_large) << r.err().message;
}

}  // namespace
}  // namespace samsa::record
