#include "protocol/writer.h"

#include <gtest/gtest.h>

#include "protocol/reader.h"

namespace samsa::protocol {
namespace {

TEST(writer, integers_round_trip) {
  writer w;
  w.write_int8(-5);
  w.write_int16(-300);
  w.write_int32(INT32_MIN);
  w.write_int64(INT64_MAX);
  w.write_uint16(65535);
  w.write_uint32(0xdeadbeef);
  w.write_float64(-2.25);
  w.write_bool(true);
  reader r(w.buffer());
  EXPECT_EQ(r.read_int8(), -5);
  EXPECT_EQ(r.read_int16(), -300);
  EXPECT_EQ(r.read_int32(), INT32_MIN);
  EXPECT_EQ(r.read_int64(), INT64_MAX);
  EXPECT_EQ(r.read_uint16(), 65535);
  EXPECT_EQ(r.read_uint32(), 0xdeadbeefu);
  EXPECT_DOUBLE_EQ(r.read_float64(), -2.25);
  EXPECT_TRUE(r.read_bool());
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(writer, varints_round_trip_at_the_edges) {
  const int32_t ints[] = {0, 1, -1, 63, -64, 64, INT32_MAX, INT32_MIN};
  const int64_t longs[] = {0, -1, INT64_MAX, INT64_MIN, 1LL << 40};
  const uint32_t uints[] = {0, 127, 128, 16383, 16384, UINT32_MAX};
  writer w;
  for (auto v : ints) w.write_varint(v);
  for (auto v : longs) w.write_varlong(v);
  for (auto v : uints) w.write_uvarint(v);
  reader r(w.buffer());
  for (auto v : ints) EXPECT_EQ(r.read_varint(), v);
  for (auto v : longs) EXPECT_EQ(r.read_varlong(), v);
  for (auto v : uints) EXPECT_EQ(r.read_uvarint(), v);
  EXPECT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(writer, uvarint_encoding_is_minimal) {
  writer w;
  w.write_uvarint(300);
  EXPECT_EQ(w.buffer(), (std::vector<uint8_t>{0xac, 0x02}));
  writer m;
  m.write_uvarint(UINT32_MAX);
  EXPECT_EQ(m.buffer().size(), 5u);
}

TEST(writer, strings_and_nulls) {
  writer w;
  w.write_string("abc");
  w.write_nullable_string(std::nullopt);
  w.write_compact_string("");
  w.write_compact_nullable_string(std::nullopt);
  w.write_compact_nullable_string(std::string("z"));
  EXPECT_EQ(w.buffer(), (std::vector<uint8_t>{0, 3, 'a', 'b', 'c', 0xff, 0xff, 0x01, 0x00, 0x02, 'z'}));
}

TEST(writer, overlong_classic_string_fails) {
  writer w;
  w.write_string(std::string(40000, 'x'));
  EXPECT_FALSE(w.ok());
  EXPECT_NE(w.error().find("40000"), std::string::npos);
}

TEST(writer, bytes_and_arrays) {
  writer w;
  std::vector<uint8_t> payload = {1, 2};
  w.write_bytes(payload);
  w.write_nullable_bytes(std::nullopt);
  w.write_compact_bytes(payload);
  w.write_compact_nullable_bytes(std::nullopt);
  w.write_array_length(-1);
  w.write_compact_array_length(-1);
  w.write_compact_array_length(3);
  reader r(w.buffer());
  EXPECT_EQ(r.read_bytes(), payload);
  EXPECT_EQ(r.read_nullable_bytes(), std::nullopt);
  EXPECT_EQ(r.read_compact_bytes(), payload);
  EXPECT_EQ(r.read_compact_nullable_bytes(), std::nullopt);
  EXPECT_EQ(r.read_array_length(), -1);
  EXPECT_EQ(r.read_compact_array_length(), -1);
  EXPECT_EQ(r.read_uvarint(), 4u);
  EXPECT_TRUE(r.ok());
}

TEST(writer, file_records_become_splices_and_count_in_sizes) {
  writer w;
  size_t size_at = w.reserve_int32();
  w.write_int32(7);
  auto keep = std::make_shared<int>(1);
  w.write_records(records::file(file_slice{keep, 42, 1000, 500}));
  w.write_int16(9);
  w.patch_size_prefix(size_at);

  ASSERT_EQ(w.splices().size(), 1u);
  EXPECT_EQ(w.splices()[0].position, 12u);  // size(4) + int32(4) + records length(4)
  EXPECT_EQ(w.splices()[0].slice.fd, 42);
  EXPECT_EQ(w.splices()[0].slice.position, 1000);
  EXPECT_EQ(w.buffer().size(), 14u);
  EXPECT_EQ(w.total_size(), 514u);
  reader r(w.buffer());
  EXPECT_EQ(r.read_int32(), 510);  // everything after the prefix, file bytes included
  EXPECT_EQ(r.read_int32(), 7);
  EXPECT_EQ(r.read_int32(), 500);  // the records length prefix
}

TEST(writer, memory_records_are_copied_inline) {
  writer w;
  std::vector<uint8_t> batch = {1, 2, 3};
  w.write_compact_records(records::copy(batch));
  w.write_records(std::nullopt);
  w.write_compact_records(std::nullopt);
  EXPECT_TRUE(w.splices().empty());
  EXPECT_EQ(w.buffer(), (std::vector<uint8_t>{0x04, 1, 2, 3, 0xff, 0xff, 0xff, 0xff, 0x00}));
}

TEST(writer, tag_section_is_sorted_and_merges_unknown_tags) {
  writer w;
  unknown_tags unknown = {{5, {0xaa}}};
  w.write_tag_section({{9, {1, 2}}, {0, {}}}, unknown);
  EXPECT_EQ(w.buffer(), (std::vector<uint8_t>{3, 0, 0, 5, 1, 0xaa, 9, 2, 1, 2}));
}

TEST(writer, patch_int32) {
  writer w;
  auto at = w.reserve_int32();
  w.patch_int32(at, 0x01020304);
  EXPECT_EQ(w.buffer(), (std::vector<uint8_t>{1, 2, 3, 4}));
}

}  // namespace
}  // namespace samsa::protocol
