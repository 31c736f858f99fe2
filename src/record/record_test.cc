#include "record/record.h"

#include <gtest/gtest.h>

#include "record/test_util.h"

namespace samsa::record {
namespace {

using testing::build_or_die;
using testing::sample_records;

TEST(Record, DecodeMatchesInput) {
  auto input = sample_records(30, 1000);
  batch_options o;
  o.base_offset = 1000;
  bytes b = build_or_die(o, input);
  auto out = decode_records(b);
  ASSERT_TRUE(out.ok()) << out.err().message;
  EXPECT_EQ(*out, input);
}

TEST(Record, ViewsPointIntoUncompressedBatch) {
  std::vector<record> rs(1);
  rs[0].key = testing::to_bytes("k");
  rs[0].value = testing::to_bytes("the value");
  rs[0].headers.push_back({"trace", testing::to_bytes("abc")});
  bytes b = build_or_die({}, rs);
  auto reader = record_reader::open(b);
  ASSERT_TRUE(reader.ok());
  record_view v;
  auto more = reader->next(v);
  ASSERT_TRUE(more.ok() && *more);
  const uint8_t* begin = b.data();
  const uint8_t* end = b.data() + b.size();
  ASSERT_TRUE(v.value.has_value());
  EXPECT_GE(v.value->data(), begin);
  EXPECT_LE(v.value->data() + v.value->size(), end);
  ASSERT_EQ(v.headers.size(), 1u);
  EXPECT_EQ(v.headers[0].key, "trace");
  EXPECT_GE(reinterpret_cast<const uint8_t*>(v.headers[0].key.data()), begin);
  more = reader->next(v);
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
  EXPECT_EQ(reader->records_read(), 1);
}

TEST(Record, CompressedReaderSurvivesMove) {
  batch_options o;
  o.compression = compression_type::lz4;
  auto input = sample_records(10);
  bytes b = build_or_die(o, input);
  auto opened = record_reader::open(b);
  ASSERT_TRUE(opened.ok());
  record_reader reader = std::move(opened).value();
  record_view v;
  std::vector<record> got;
  for (;;) {
    auto more = reader.next(v);
    ASSERT_TRUE(more.ok()) << more.err().message;
    if (!*more) break;
    got.push_back(v.to_record());
  }
  EXPECT_EQ(got, input);
}

TEST(Record, LogAppendTimeOverridesRecordTimestamps) {
  batch_options o;
  o.ts_type = timestamp_type::log_append_time;
  o.max_timestamp = 1234567;
  auto out = decode_records(build_or_die(o, sample_records(3)));
  ASSERT_TRUE(out.ok());
  for (const auto& r : *out) EXPECT_EQ(r.timestamp, 1234567);

  // Broker-side rewrite of a CreateTime batch.
  bytes b = build_or_die({}, sample_records(3));
  set_log_append_time(b, 42);
  out = decode_records(b);
  ASSERT_TRUE(out.ok());
  for (const auto& r : *out) EXPECT_EQ(r.timestamp, 42);
}

TEST(Record, NegativeTimestampDeltas) {
  std::vector<record> rs(3);
  rs[0].timestamp = 1000;
  rs[1].timestamp = 10;
  rs[2].timestamp = -5;
  for (int i = 0; i < 3; ++i) rs[i].offset = i;
  auto out = decode_records(build_or_die({}, rs));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, rs);
}

TEST(Record, OpenRejectsWrongSize) {
  bytes b = build_or_die({}, sample_records(2));
  b.push_back(0);
  auto r = record_reader::open(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().code, errc::corrupt_message);
}

TEST(Record, HugeDeclaredCountDoesNotPreallocate) {
  bytes b = build_or_die({}, sample_records(2));
  big_endian::store_u32(b.data() + field::record_count, INT32_MAX);
  auto r = decode_records(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().code, errc::invalid_record);
}

}  // namespace
}  // namespace samsa::record
