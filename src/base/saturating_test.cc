#include "base/saturating.h"

#include <gtest/gtest.h>

#include <limits>

namespace {

constexpr int64_t max = std::numeric_limits<int64_t>::max();
constexpr int64_t min = std::numeric_limits<int64_t>::min();

TEST(SaturatingAdd, SumsInRangeAreExact) {
  EXPECT_EQ(samsa::saturating_add(1'796'510'344'426, 86'400'000), 1'796'596'744'426);
  EXPECT_EQ(samsa::saturating_add(5, -7), -2);
  EXPECT_EQ(samsa::saturating_add(max, 0), max);
  EXPECT_EQ(samsa::saturating_add(min, 0), min);
  EXPECT_EQ(samsa::saturating_add(max, min), -1);
}

TEST(SaturatingAdd, OverflowClampsToTheEndItWasHeadingFor) {
  EXPECT_EQ(samsa::saturating_add(1'796'510'344'426, max), max);
  EXPECT_EQ(samsa::saturating_add(max, 1), max);
  EXPECT_EQ(samsa::saturating_add(-1'796'510'344'426, min), min);
  EXPECT_EQ(samsa::saturating_add(min, -1), min);
  static_assert(samsa::saturating_add(max, max) == max);
}

TEST(SaturatingSub, AgesOfAnyStampStayOrdered) {
  EXPECT_EQ(samsa::saturating_sub(1'796'510'344'426, 1'796'510'340'000), 4'426);
  EXPECT_EQ(samsa::saturating_sub(1'796'510'344'426, min), max);  // stamped at the dawn of time: oldest
  EXPECT_EQ(samsa::saturating_sub(1'796'510'344'426, max), 1'796'510'344'426 - max);
  EXPECT_EQ(samsa::saturating_sub(-2, max), min);
  EXPECT_EQ(samsa::saturating_sub(min, 1), min);
  EXPECT_EQ(samsa::saturating_sub(max, -1), max);
}

}  // namespace
