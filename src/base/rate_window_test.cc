#include "base/rate_window.h"

#include <gtest/gtest.h>

namespace samsa {
namespace {

TEST(RateWindow, AtMostTheLimitPerSecondAndTheRestReportedLater) {
  rate_window w(3);
  uint64_t left_out = 99;
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(w.admit(10, left_out));
    EXPECT_EQ(left_out, 0u);
  }
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(w.admit(10, left_out)) << "over the limit in second 10";
  EXPECT_TRUE(w.admit(11, left_out)) << "a new second opens the window again";
  EXPECT_EQ(left_out, 5u) << "the first line of the new second reports what was left out";
  EXPECT_TRUE(w.admit(11, left_out));
  EXPECT_EQ(left_out, 0u) << "reported once";
  EXPECT_TRUE(w.admit(11, left_out));
  EXPECT_FALSE(w.admit(11, left_out));
  EXPECT_FALSE(w.admit(11, left_out));
  // A quiet stretch: what second 11 left out is reported with the next line, whenever it comes.
  EXPECT_TRUE(w.admit(20, left_out));
  EXPECT_EQ(left_out, 2u);
}

TEST(RateWindow, LeftOutLinesOfSeveralSecondsAddUp) {
  rate_window w(1);
  uint64_t left_out = 0;
  EXPECT_TRUE(w.admit(1, left_out));
  EXPECT_FALSE(w.admit(1, left_out));
  EXPECT_TRUE(w.admit(2, left_out));
  EXPECT_EQ(left_out, 1u);
  EXPECT_FALSE(w.admit(2, left_out));
  EXPECT_FALSE(w.admit(2, left_out));
  EXPECT_TRUE(w.admit(3, left_out));
  EXPECT_EQ(left_out, 2u);
}

}  // namespace
}  // namespace samsa
