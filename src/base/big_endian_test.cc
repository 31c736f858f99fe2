#include "base/big_endian.h"

#include <gtest/gtest.h>

#include <array>
#include <limits>

namespace samsa::big_endian {
namespace {

TEST(big_endian, loads_and_stores_most_significant_byte_first) {
  std::array<uint8_t, 8> b{};
  store<uint32_t>(b.data(), 0x01020304u);
  EXPECT_EQ(b[0], 0x01);
  EXPECT_EQ(b[3], 0x04);
  EXPECT_EQ(load_u32(b.data()), 0x01020304u);
  store_u64(b.data(), 0x0102030405060708ull);
  EXPECT_EQ(b[0], 0x01);
  EXPECT_EQ(b[7], 0x08);
  EXPECT_EQ(load_u64(b.data()), 0x0102030405060708ull);
  store_u16(b.data(), 0xA1B2);
  EXPECT_EQ(b[0], 0xA1);
  EXPECT_EQ(b[1], 0xB2);
  EXPECT_EQ(load_u16(b.data()), 0xA1B2);
}

TEST(big_endian, signed_values_round_trip_through_twos_complement) {
  std::array<uint8_t, 8> b{};
  store<int16_t>(b.data(), -1);
  EXPECT_EQ(b[0], 0xFF);
  EXPECT_EQ(b[1], 0xFF);
  EXPECT_EQ(load<int16_t>(b.data()), -1);
  for (int64_t v : {std::numeric_limits<int64_t>::min(), int64_t{-2}, int64_t{0}, int64_t{1},
                    std::numeric_limits<int64_t>::max()}) {
    store(b.data(), v);
    EXPECT_EQ(load<int64_t>(b.data()), v);
  }
  store<int32_t>(b.data(), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(b[0], 0x80);
  EXPECT_EQ(load<int32_t>(b.data()), std::numeric_limits<int32_t>::min());
}

TEST(big_endian, writer_and_reader_agree) {
  byte_writer w;
  w.u8(7);
  w.i16(-2);
  w.u32(0xDEADBEEF);
  w.i64(-5);
  w.str("abc");
  std::vector<uint8_t> out = w.take();
  ASSERT_EQ(out.size(), 1u + 2 + 4 + 8 + 4 + 3);
  EXPECT_EQ(out[3], 0xDE);

  byte_reader r(out);
  EXPECT_EQ(r.u8(), 7);
  int16_t s = 0;
  EXPECT_TRUE(r.i16(s));
  EXPECT_EQ(s, -2);
  EXPECT_EQ(r.u32(), 0xDEADBEEFu);
  EXPECT_EQ(r.i64(), -5);
  std::string text;
  EXPECT_TRUE(r.str(text));
  EXPECT_EQ(text, "abc");
  EXPECT_TRUE(r.done());
  EXPECT_TRUE(r.ok());
}

TEST(big_endian, reader_never_reads_past_the_end_and_failure_sticks) {
  const std::array<uint8_t, 5> in{0, 0, 0, 9, 1};
  byte_reader r(in.data(), in.size());
  std::string s;
  EXPECT_FALSE(r.str(s));  // claims 9 bytes, 1 left
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.u8(), 0);  // even the byte that is there: failure is sticky
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_FALSE(r.done());

  byte_reader short_int(in.data(), 3);
  uint32_t v = 1;
  EXPECT_FALSE(short_int.u32(v));
  EXPECT_TRUE(short_int.view(1).empty());

  byte_reader marked(in.data(), in.size());
  marked.fail();
  EXPECT_FALSE(marked.ok());
  EXPECT_EQ(marked.u32(), 0u);
}

}  // namespace
}  // namespace samsa::big_endian
