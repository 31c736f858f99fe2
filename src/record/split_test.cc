#include "record/split.h"

#include <gtest/gtest.h>

#include "record/test_util.h"

namespace samsa::record {
namespace {

using testing::build_or_die;
using testing::sample_records;

bytes three_batches() {
  bytes all;
  for (int i = 0; i < 3; ++i) {
    batch_options o;
    o.base_offset = i * 10;
    o.compression = i == 1 ? compression_type::gzip : compression_type::none;
    bytes b = build_or_die(o, sample_records(i + 1, i * 10));
    all.insert(all.end(), b.begin(), b.end());
  }
  return all;
}

TEST(Split, EmptyInputHasNoBatches) {
  auto r = split_batches({});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(Split, FindsEveryBatch) {
  bytes all = three_batches();
  auto r = split_batches(all);
  ASSERT_TRUE(r.ok()) << r.err().message;
  ASSERT_EQ(r->size(), 3u);
  size_t total = 0;
  for (size_t i = 0; i < 3; ++i) {
    const auto& v = (*r)[i];
    EXPECT_EQ(v.header.base_offset, static_cast<int64_t>(i * 10));
    EXPECT_EQ(v.header.record_count, static_cast<int32_t>(i + 1));
    EXPECT_EQ(v.bytes.size(), v.header.size_bytes());
    EXPECT_EQ(v.bytes.data(), all.data() + total);  // no copies
    total += v.bytes.size();
  }
  EXPECT_EQ(total, all.size());
}

TEST(Split, TrailingPartialBatchStrictVsLenient) {
  bytes all = three_batches();
  auto whole = split_batches(all);
  ASSERT_TRUE(whole.ok());
  size_t first_two = (*whole)[0].bytes.size() + (*whole)[1].bytes.size();
  // Cut at every position inside the third batch.
  for (size_t cut = first_two + 1; cut < all.size(); ++cut) {
    auto part = std::span<const uint8_t>(all).first(cut);
    auto strict = split_batches(part, split_mode::strict);
    ASSERT_FALSE(strict.ok()) << cut;
    EXPECT_EQ(strict.err().code, errc::corrupt_message);
    auto lenient = split_batches(part, split_mode::lenient);
    ASSERT_TRUE(lenient.ok()) << cut << ": " << lenient.err().message;
    EXPECT_EQ(lenient->size(), 2u);
  }
}

TEST(Split, LegacyMessageSetsAreUnsupported) {
  for (int8_t magic : {0, 1}) {
    bytes set = testing::legacy_message_set(magic);
    for (auto mode : {split_mode::strict, split_mode::lenient}) {
      auto r = split_batches(set, mode);
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.err().code, errc::unsupported_for_message_format) << r.err().message;
    }
  }
}

TEST(Split, LegacyAfterV2Batch) {
  bytes all = build_or_die({}, sample_records(2));
  bytes old = testing::legacy_message_set(1);
  all.insert(all.end(), old.begin(), old.end());
  auto r = split_batches(all);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().code, errc::unsupported_for_message_format);
}

TEST(Split, BadBatchLengthIsCorrupt) {
  bytes b = build_or_die({}, sample_records(1));
  big_endian::store_u32(b.data() + field::batch_length, 10);
  auto r = split_batches(b, split_mode::lenient);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().code, errc::corrupt_message);
}

}  // namespace
}  // namespace samsa::record
