#include "base/byte_buffer.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace samsa {
namespace {

TEST(byte_buffer, growing_keeps_the_bytes_already_there) {
  byte_buffer b;
  EXPECT_TRUE(b.empty());
  b.resize(3);
  b[0] = 1;
  b[1] = 2;
  b[2] = 3;
  b.resize(100000);
  ASSERT_EQ(b.size(), 100000u);
  EXPECT_EQ(b[0], 1);
  EXPECT_EQ(b[1], 2);
  EXPECT_EQ(b[2], 3);
}

TEST(byte_buffer, growth_at_least_doubles_and_shrinking_keeps_the_allocation) {
  byte_buffer b;
  b.resize(1000);
  EXPECT_EQ(b.capacity(), 1000u);
  const uint8_t* before = b.data();
  b.resize(1001);  // one more byte takes twice the size, not 1001
  EXPECT_EQ(b.capacity(), 2000u);
  EXPECT_NE(b.data(), before);
  before = b.data();
  b.resize(10);
  b.resize(2000);  // within the capacity: no new allocation
  EXPECT_EQ(b.data(), before);
  EXPECT_EQ(b.capacity(), 2000u);
  b.clear();
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.capacity(), 2000u);
}

TEST(byte_buffer, assign_copies_and_spans_see_the_contents) {
  std::vector<uint8_t> source(70000);
  std::iota(source.begin(), source.end(), uint8_t{0});
  byte_buffer b;
  b.resize(5);
  b.assign(source);
  ASSERT_EQ(b.size(), source.size());
  std::span<const uint8_t> view(b);
  EXPECT_TRUE(std::equal(view.begin(), view.end(), source.begin(), source.end()));
  EXPECT_EQ(std::vector<uint8_t>(b.begin(), b.end()), source);
  b.assign(std::span<const uint8_t>());
  EXPECT_TRUE(b.empty());
}

TEST(byte_buffer, a_moved_from_buffer_is_empty) {
  byte_buffer a;
  a.assign(std::vector<uint8_t>{7, 8, 9});
  byte_buffer b(std::move(a));
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(a.capacity(), 0u);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[2], 9);
  a = std::move(b);
  EXPECT_EQ(a[0], 7);
  EXPECT_EQ(b.size(), 0u);
}

}  // namespace
}  // namespace samsa
