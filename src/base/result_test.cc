#include "base/result.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace {

samsa::status succeed() { return {}; }
samsa::status fail_with(const std::string& why) { return samsa::make_error(std::errc::io_error, why); }

TEST(Status, ASuccessIsOkAndCarriesNoError) {
  samsa::status s = succeed();
  EXPECT_TRUE(s.ok());
  EXPECT_TRUE(static_cast<bool>(s));
  samsa::status made;
  EXPECT_TRUE(made.ok());
}

TEST(Status, AFailureKeepsItsCodeAndMessage) {
  samsa::status s = fail_with("segment 00000000000000000042.log: short write");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.err().code, std::make_error_code(std::errc::io_error));
  EXPECT_EQ(s.err().message, "segment 00000000000000000042.log: short write");
}

TEST(Status, CopiesAndMovesKeepTheOutcome) {
  samsa::status failed = fail_with("disk full");
  samsa::status copy = failed;
  ASSERT_FALSE(copy.ok());
  EXPECT_EQ(copy.err().message, "disk full");
  samsa::status moved = std::move(copy);
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.err().message, "disk full");

  samsa::status ok = succeed();
  moved = ok;
  EXPECT_TRUE(moved.ok());
  samsa::status reassigned = succeed();
  reassigned = fail_with("later");
  ASSERT_FALSE(reassigned.ok());
  EXPECT_EQ(reassigned.err().message, "later");
}

TEST(Result, HoldsAValueOrAnError) {
  samsa::result<int> value = 42;
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 42);
  samsa::result<int> failed = samsa::make_error(std::errc::invalid_argument, "bad");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.err().message, "bad");
}

}  // namespace
