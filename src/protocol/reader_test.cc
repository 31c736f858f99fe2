#include "protocol/reader.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace samsa::protocol {
namespace {

reader over(const std::vector<uint8_t>& bytes) { return reader(std::span<const uint8_t>(bytes)); }

TEST(reader, fixed_width_integers_are_big_endian) {
  std::vector<uint8_t> b = {0xff, 0x01, 0x02, 0x00, 0x00, 0x01, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0x01, 0xfe, 0xff};
  auto r = over(b);
  EXPECT_EQ(r.read_int8(), -1);
  EXPECT_EQ(r.read_int16(), 0x0102);
  EXPECT_EQ(r.read_int32(), 0x00000100);
  EXPECT_EQ(r.read_int64(), static_cast<int64_t>(0x8000000000000001ULL));
  EXPECT_EQ(r.read_uint16(), 0xfeff);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(reader, truncated_int_is_sticky_failure) {
  std::vector<uint8_t> b = {0x00, 0x01, 0x02};
  auto r = over(b);
  EXPECT_EQ(r.read_int32(), 0);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error().find("int32 needs 4 bytes but only 3 remain at offset 0"), std::string::npos)
      << r.error();
  // Sticky: a read that would fit still returns zero and keeps the first error.
  EXPECT_EQ(r.read_int8(), 0);
  EXPECT_NE(r.error().find("int32"), std::string::npos);
}

TEST(reader, uvarint_edges) {
  std::vector<uint8_t> b = {0x00, 0x7f, 0x80, 0x01, 0xff, 0xff, 0xff, 0xff, 0x0f};
  auto r = over(b);
  EXPECT_EQ(r.read_uvarint(), 0u);
  EXPECT_EQ(r.read_uvarint(), 127u);
  EXPECT_EQ(r.read_uvarint(), 128u);
  EXPECT_EQ(r.read_uvarint(), 0xffffffffu);
  EXPECT_TRUE(r.ok()) << r.error();
}

TEST(reader, overlong_uvarint_fails) {
  // Six bytes, even though the value (0) would fit.
  std::vector<uint8_t> b = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  auto r = over(b);
  r.read_uvarint();
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error().find("longer than 5 bytes"), std::string::npos) << r.error();
}

TEST(reader, uvarint_above_32_bits_fails) {
  std::vector<uint8_t> b = {0xff, 0xff, 0xff, 0xff, 0x1f};
  auto r = over(b);
  r.read_uvarint();
  EXPECT_FALSE(r.ok());
}

TEST(reader, truncated_varint_fails) {
  std::vector<uint8_t> b = {0x80, 0x80};
  auto r = over(b);
  r.read_uvarint();
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error().find("truncated"), std::string::npos);
}

TEST(reader, zigzag_varint_and_varlong) {
  std::vector<uint8_t> b = {0x00, 0x01, 0x02, 0x03, 0xfe, 0xff, 0xff, 0xff, 0x0f,
                            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  auto r = over(b);
  EXPECT_EQ(r.read_varint(), 0);
  EXPECT_EQ(r.read_varint(), -1);
  EXPECT_EQ(r.read_varint(), 1);
  EXPECT_EQ(r.read_varint(), -2);
  EXPECT_EQ(r.read_varint(), INT32_MAX);
  EXPECT_EQ(r.read_varlong(), INT64_MIN);
  EXPECT_TRUE(r.ok()) << r.error();
}

TEST(reader, overlong_varlong_fails) {
  std::vector<uint8_t> b(11, 0x80);
  b.push_back(0);
  auto r = over(b);
  r.read_varlong();
  EXPECT_FALSE(r.ok());
}

TEST(reader, strings_classic_and_compact) {
  std::vector<uint8_t> b = {0x00, 0x02, 'h', 'i', 0xff, 0xff, 0x03, 'o', 'k', 0x00, 0x01};
  auto r = over(b);
  EXPECT_EQ(r.read_string(), "hi");
  EXPECT_EQ(r.read_nullable_string(), std::nullopt);
  EXPECT_EQ(r.read_compact_string(), "ok");
  EXPECT_EQ(r.read_compact_nullable_string(), std::nullopt);
  EXPECT_EQ(r.read_compact_string(), "");
  EXPECT_TRUE(r.ok()) << r.error();
}

// Kafka's decoder makes every malformed UTF-8 sequence a U+FFFD; so does
// ours, in both string forms (the growth counts against the decoded bound).
TEST(reader, malformed_utf8_becomes_replacement_characters) {
  std::vector<uint8_t> b = {0x00, 0x03, 'a', 0xff, 'b', 0x03, 0xc3, 0xa9, 0x00, 0x03, 0xe2, 0x82, 0xac};
  auto r = over(b);
  EXPECT_EQ(r.read_string(), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(r.read_compact_string(), "\xC3\xA9") << "well-formed text is kept";
  EXPECT_EQ(r.read_nullable_string(), std::optional<std::string>("\xE2\x82\xAC"));
  EXPECT_TRUE(r.ok());

  // Bytes that are never UTF-8 triple; that stays within the decoded
  // bound (16 x the frame), so such a string is repaired, not refused.
  std::vector<uint8_t> frame = {0x00, 0x04, 0xff, 0xfe, 0xc0, 0x80};
  auto worst = over(frame);
  EXPECT_EQ(worst.read_string().size(), 12u);
  EXPECT_TRUE(worst.ok()) << worst.error();
}

TEST(reader, null_for_non_nullable_string_fails) {
  std::vector<uint8_t> b = {0xff, 0xff};
  auto r = over(b);
  r.read_string();
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error().find("null"), std::string::npos);
}

TEST(reader, string_longer_than_input_fails_with_context) {
  std::vector<uint8_t> b(40, 0);
  b.push_back(0x7f);
  b.push_back(0xff);
  b.insert(b.end(), 12, 'x');
  auto r = over(b);
  r.read_raw(40);
  r.read_string();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "string length 32767 exceeds remaining 12 bytes at offset 42");
}

TEST(reader, negative_lengths_fail) {
  std::vector<uint8_t> b = {0xff, 0xfe};
  auto r = over(b);
  r.read_nullable_string();
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error().find("negative"), std::string::npos);

  std::vector<uint8_t> c = {0xff, 0xff, 0xff, 0xf0};
  auto r2 = over(c);
  r2.read_nullable_bytes();
  EXPECT_FALSE(r2.ok());

  auto r3 = over(c);
  EXPECT_EQ(r3.read_array_length(), 0);
  EXPECT_FALSE(r3.ok());
}

TEST(reader, huge_array_length_is_rejected_before_allocation) {
  std::vector<uint8_t> b = {0x7f, 0xff, 0xff, 0xff, 0x00};
  auto r = over(b);
  EXPECT_EQ(r.read_array_length(), 0);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error().find("array length 2147483647 exceeds remaining 1 bytes"), std::string::npos)
      << r.error();

  std::vector<uint8_t> c = {0xff, 0xff, 0xff, 0xff, 0x0f};
  auto r2 = over(c);
  EXPECT_EQ(r2.read_compact_array_length(), 0);
  EXPECT_FALSE(r2.ok());
}

TEST(reader, array_lengths_null_and_empty) {
  std::vector<uint8_t> b = {0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00};
  auto r = over(b);
  EXPECT_EQ(r.read_array_length(), -1);
  EXPECT_EQ(r.read_compact_array_length(), -1);
  EXPECT_EQ(r.read_compact_array_length(), 0);
  EXPECT_EQ(r.read_array_length(), 0);
  EXPECT_TRUE(r.ok());
}

TEST(reader, bytes_and_uuid_and_bool_and_float) {
  std::vector<uint8_t> b = {0, 0, 0, 2, 9, 8, 0x03, 7, 6, 0x01};
  for (int i = 0; i < 16; ++i) b.push_back(static_cast<uint8_t>(i));
  // 1.5 as IEEE-754 double.
  std::vector<uint8_t> f = {0x3f, 0xf8, 0, 0, 0, 0, 0, 0};
  b.insert(b.end(), f.begin(), f.end());
  auto r = over(b);
  EXPECT_EQ(r.read_bytes(), (std::vector<uint8_t>{9, 8}));
  EXPECT_EQ(r.read_compact_bytes(), (std::vector<uint8_t>{7, 6}));
  EXPECT_TRUE(r.read_bool());
  auto u = r.read_uuid();
  EXPECT_EQ(u.bytes[15], 15);
  EXPECT_DOUBLE_EQ(r.read_float64(), 1.5);
  EXPECT_TRUE(r.ok());
}

TEST(reader, records_view_the_frame_without_copying) {
  auto frame = std::make_shared<std::vector<uint8_t>>(std::vector<uint8_t>{0, 0, 0, 3, 'a', 'b', 'c', 0x03, 'x', 'y'});
  reader r(std::span<const uint8_t>(*frame), frame);
  auto rec = r.read_records();
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->size(), 3u);
  EXPECT_EQ(rec->bytes().data(), frame->data() + 4);  // points into the frame
  EXPECT_EQ(rec->owner().get(), frame.get());
  auto compact = r.read_compact_records();
  ASSERT_TRUE(compact.has_value());
  EXPECT_EQ(compact->bytes().data(), frame->data() + 8);
  EXPECT_TRUE(r.ok());
}

TEST(reader, null_records) {
  std::vector<uint8_t> b = {0xff, 0xff, 0xff, 0xff, 0x00};
  auto r = over(b);
  EXPECT_FALSE(r.read_records().has_value());
  EXPECT_FALSE(r.read_compact_records().has_value());
  EXPECT_TRUE(r.ok());
}

TEST(reader, tagged_payload_sub_reader) {
  // 2 tags: tag 0 size 1 {5}, tag 7 size 2 {1,2}
  std::vector<uint8_t> b = {0x02, 0x00, 0x01, 0x05, 0x07, 0x02, 0x01, 0x02};
  auto r = over(b);
  uint32_t n = r.read_tag_count();
  ASSERT_EQ(n, 2u);
  uint32_t tag = r.read_uvarint();
  auto p = r.read_tagged_payload();
  EXPECT_EQ(tag, 0u);
  EXPECT_EQ(p.read_int8(), 5);
  EXPECT_EQ(p.position(), 4u);
  tag = r.read_uvarint();
  auto p2 = r.read_tagged_payload();
  unknown_tags kept;
  r.keep_unknown_tag(tag, p2, kept);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].tag, 7u);
  EXPECT_EQ(kept[0].data, (std::vector<uint8_t>{1, 2}));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(reader, tagged_payload_too_long_fails) {
  std::vector<uint8_t> b = {0x01, 0x00, 0x09, 0x05};
  auto r = over(b);
  r.read_tag_count();
  r.read_uvarint();
  auto p = r.read_tagged_payload();
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(p.ok());
}

TEST(reader, tag_numbers_must_ascend) {
  std::vector<uint8_t> b = {0x01, 0x05, 0x05, 0x03};
  auto r = over(b);
  int64_t previous = -1;
  EXPECT_EQ(r.read_tag_number(previous), 1u);
  EXPECT_EQ(r.read_tag_number(previous), 5u);
  r.read_tag_number(previous);  // repeat of 5
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error().find("ascending"), std::string::npos) << r.error();
}

TEST(reader, absurd_tag_count_fails) {
  std::vector<uint8_t> b = {0xff, 0xff, 0x03, 0x00};
  auto r = over(b);
  EXPECT_EQ(r.read_tag_count(), 0u);
  EXPECT_FALSE(r.ok());
}

TEST(reader, sub_reader_failure_is_absorbed) {
  std::vector<uint8_t> b = {0x01, 0x00, 0x01, 0x05};
  auto r = over(b);
  r.read_tag_count();
  r.read_uvarint();
  auto p = r.read_tagged_payload();
  p.read_int32();  // only one byte in the payload
  EXPECT_TRUE(r.ok());
  r.absorb(p);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error().find("offset 3"), std::string::npos) << r.error();
}

}  // namespace
}  // namespace samsa::protocol
