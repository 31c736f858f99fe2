// Up-conversion of producers' message sets and down-conversion of stored
// batches to magic 0/1, every codec, offsets, timestamps, byte limits.
#include "record/legacy_convert.h"

#include <gtest/gtest.h>

#include <string>

#include "record/batch_builder.h"
#include "record/errc.h"
#include "record/record.h"

namespace samsa::record::legacy {
namespace {

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
std::string text(const std::optional<bytes>& b) { return b ? std::string(b->begin(), b->end()) : "<null>"; }
std::string text(std::optional<std::span<const uint8_t>> b) {
  return b ? std::string(b->begin(), b->end()) : "<null>";
}

bytes messages(int8_t magic, int first, int n) {
  bytes set;
  for (int i = first; i < first + n; ++i) {
    std::string k = "k" + std::to_string(i);
    std::string v = "v" + std::to_string(i);
    append_message(set, magic, magic == 1 ? i - first : 0, 0, 1700000000000 + i, as_bytes(k), as_bytes(v));
  }
  return set;
}

TEST(LegacyUpconvert, PlainAndWrappedMessagesBecomeOneBatch) {
  for (int8_t magic : {0, 1}) {
    bytes set = messages(magic, 0, 2);
    ASSERT_TRUE(append_wrapper(set, magic, compression_type::snappy, 5, 0, false, messages(magic, 2, 3)).ok());
    decompression_budget budget(1 << 20);
    auto up = upconvert_message_set(set, budget);
    ASSERT_TRUE(up.ok()) << up.err().describe();
    EXPECT_EQ(up->magic, magic);
    EXPECT_EQ(up->source_codec, compression_type::snappy);
    EXPECT_GT(up->decompressed_bytes, 0u);
    EXPECT_EQ(budget.used(), up->decompressed_bytes);
    auto records = decode_records(up->batch);
    ASSERT_TRUE(records.ok());
    ASSERT_EQ(records->size(), 5u);
    for (int i = 0; i < 5; ++i) {
      const auto& r = (*records)[static_cast<size_t>(i)];
      EXPECT_EQ(r.offset, i);
      EXPECT_EQ(text(r.key), "k" + std::to_string(i));
      EXPECT_EQ(text(r.value), "v" + std::to_string(i));
      EXPECT_EQ(r.timestamp, magic == 1 ? 1700000000000 + i : -1);
    }
  }
}

TEST(LegacyUpconvert, PartialLastMessageIsTrimmed) {
  bytes set = messages(1, 0, 3);
  size_t whole = set.size();
  set.resize(whole - 5);
  decompression_budget budget(1 << 20);
  auto up = upconvert_message_set(set, budget);
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(decode_records(up->batch)->size(), 2u);
  EXPECT_GT(up->trimmed_bytes, 0u);
  // Nothing whole at all: refused.
  set.resize(20);
  auto none = upconvert_message_set(set, budget);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.err().code, make_error_code(errc::corrupt_message));
}

TEST(LegacyUpconvert, MixedMagicRefused) {
  bytes set = messages(0, 0, 1);
  auto more = messages(1, 1, 1);
  set.insert(set.end(), more.begin(), more.end());
  decompression_budget budget(1 << 20);
  EXPECT_FALSE(upconvert_message_set(set, budget).ok());
}

TEST(LegacyUpconvert, ProducersLogAppendTimeRefused) {
  bytes set;
  ASSERT_TRUE(append_wrapper(set, 1, compression_type::gzip, 0, 1700000000000, true, messages(1, 0, 1)).ok());
  decompression_budget budget(1 << 20);
  auto up = upconvert_message_set(set, budget);
  ASSERT_FALSE(up.ok());
  EXPECT_EQ(up.err().code, make_error_code(errc::invalid_timestamp));
}

TEST(LegacyUpconvert, BudgetSharedAcrossWrappers) {
  bytes inner;
  bytes big(300 * 1024, 'z');
  append_message(inner, 1, 0, 0, 0, std::nullopt, std::span<const uint8_t>(big));
  bytes set;
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(append_wrapper(set, 1, compression_type::gzip, i, 0, false, inner).ok());
  decompression_budget budget(1 << 20);  // three fit, the fourth does not
  auto up = upconvert_message_set(set, budget);
  ASSERT_FALSE(up.ok());
  EXPECT_EQ(up.err().code, make_error_code(errc::invalid_record));
}

bytes stored_batch(compression_type codec, int64_t base, int n, bool append_time = false) {
  batch_options o;
  o.compression = codec;
  o.base_offset = base;
  if (append_time) {
    o.ts_type = timestamp_type::log_append_time;
    o.max_timestamp = 1800000000000;
  }
  batch_builder b(o);
  for (int i = 0; i < n; ++i) {
    std::string k = "k" + std::to_string(i);
    std::string v = "v" + std::to_string(i);
    record_header h{"h", bytes{1}};
    EXPECT_TRUE(b.append(1700000000000 + i, as_bytes(k), as_bytes(v), std::span<const record_header>(&h, 1)).ok());
  }
  return *b.build();
}

// Every message (inner ones of wrappers included) of a v0/v1 set, with
// absolute offsets.
std::vector<message> flatten(const bytes& set, std::vector<bytes>& storage) {
  std::vector<message> out;
  auto parsed = parse_message_set(set, trailing_bytes::allow);
  EXPECT_TRUE(parsed.ok());
  storage.reserve(parsed->messages.size());
  for (const auto& m : parsed->messages) {
    if (m.codec() == compression_type::none) {
      out.push_back(m);
      continue;
    }
    auto inner = open_wrapper(m, storage.emplace_back(), 1 << 20);
    EXPECT_TRUE(inner.ok()) << inner.err().describe();
    absolute_offsets(m, *inner);
    out.insert(out.end(), inner->begin(), inner->end());
  }
  return out;
}

TEST(LegacyDownconvert, EveryCodecBothMagics) {
  for (int8_t magic : {0, 1}) {
    for (auto codec : {compression_type::none, compression_type::gzip, compression_type::snappy,
                       compression_type::lz4}) {
      bytes out;
      auto batch = stored_batch(codec, 40, 4);
      auto done = downconvert_batch(batch, magic, 41, SIZE_MAX, true, out);
      ASSERT_TRUE(done.ok()) << done.err().describe();
      EXPECT_TRUE(done->complete);
      EXPECT_EQ(done->next_offset, 44);
      EXPECT_EQ(done->appended_bytes, out.size());
      auto parsed = parse_message_set(out, trailing_bytes::refuse);
      ASSERT_TRUE(parsed.ok());
      EXPECT_EQ(parsed->messages.size(), codec == compression_type::none ? 3u : 1u);
      EXPECT_EQ(parsed->messages.back().offset, 43);
      std::vector<bytes> storage;
      auto all = flatten(out, storage);
      ASSERT_EQ(all.size(), 3u) << "offset 40 lies before the fetch offset";
      for (size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(all[i].magic, magic);
        EXPECT_EQ(all[i].offset, 41 + static_cast<int64_t>(i));
        EXPECT_EQ(text(all[i].key), "k" + std::to_string(i + 1));
        EXPECT_EQ(text(all[i].value), "v" + std::to_string(i + 1));
        EXPECT_EQ(all[i].timestamp, magic == 1 ? 1700000000001 + static_cast<int64_t>(i) : no_timestamp);
      }
      if (codec != compression_type::none && magic == 1) {
        EXPECT_EQ(parsed->messages[0].timestamp, 1700000000003);
      }
    }
  }
}

TEST(LegacyDownconvert, LogAppendTimeOnMagicOne) {
  bytes out;
  auto batch = stored_batch(compression_type::gzip, 0, 2, true);
  ASSERT_TRUE(downconvert_batch(batch, 1, 0, SIZE_MAX, true, out).ok());
  auto parsed = parse_message_set(out, trailing_bytes::refuse);
  ASSERT_TRUE(parsed->messages[0].log_append_time());
  EXPECT_EQ(parsed->messages[0].timestamp, 1800000000000);
}

TEST(LegacyDownconvert, RoomBoundsTheOutput) {
  auto plain = stored_batch(compression_type::none, 0, 10);
  bytes one;
  ASSERT_TRUE(downconvert_batch(plain, 1, 0, SIZE_MAX, true, one).ok());
  size_t per_message = one.size() / 10;
  bytes out;
  auto done = downconvert_batch(plain, 1, 0, per_message * 3 + 5, false, out);
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(done->complete);
  EXPECT_EQ(done->next_offset, 3);
  EXPECT_EQ(out.size(), per_message * 3);
  // No room, not first: nothing.
  bytes none;
  done = downconvert_batch(plain, 1, 0, 2, false, none);
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(done->next_offset, 0);
  // No room but first: one message goes out anyway.
  bytes first;
  done = downconvert_batch(plain, 1, 0, 2, true, first);
  EXPECT_EQ(first.size(), per_message);
  // A compressed batch is all or nothing.
  auto packed = stored_batch(compression_type::lz4, 0, 10);
  bytes wrapped;
  done = downconvert_batch(packed, 0, 0, 10, false, wrapped);
  EXPECT_TRUE(wrapped.empty());
  EXPECT_FALSE(done->complete);
  done = downconvert_batch(packed, 0, 0, 10, true, wrapped);
  EXPECT_TRUE(done->complete);
  EXPECT_FALSE(wrapped.empty());
}

TEST(LegacyDownconvert, ZstdRefused) {
  bytes out;
  auto done = downconvert_batch(stored_batch(compression_type::zstd, 0, 1), 1, 0, SIZE_MAX, true, out);
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.err().code, make_error_code(errc::unsupported_compression_type));
}

TEST(LegacyConvert, RoundTripThroughBothDirections) {
  auto batch = stored_batch(compression_type::gzip, 0, 5);
  for (int8_t magic : {0, 1}) {
    bytes set;
    ASSERT_TRUE(downconvert_batch(batch, magic, 0, SIZE_MAX, true, set).ok());
    decompression_budget budget(1 << 20);
    auto up = upconvert_message_set(set, budget);
    ASSERT_TRUE(up.ok());
    EXPECT_EQ(up->source_codec, compression_type::gzip);
    auto back = decode_records(up->batch);
    auto orig = decode_records(batch);
    ASSERT_EQ(back->size(), orig->size());
    for (size_t i = 0; i < back->size(); ++i) {
      EXPECT_EQ((*back)[i].key, (*orig)[i].key);
      EXPECT_EQ((*back)[i].value, (*orig)[i].value);
    }
  }
}

}  // namespace
}  // namespace samsa::record::legacy
