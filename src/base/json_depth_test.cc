#include "base/json_depth.h"

#include <gtest/gtest.h>

#include <string>

namespace {

TEST(JsonDepth, CountsOnlyBracketsOutsideStrings) {
  EXPECT_FALSE(samsa::json_nests_deeper_than(R"({"a":[1,{"b":2}]})", 3));
  EXPECT_TRUE(samsa::json_nests_deeper_than(R"({"a":[1,{"b":[2]}]})", 3));
  EXPECT_FALSE(samsa::json_nests_deeper_than(R"(["[[[[", "{{{{"])", 1));
  EXPECT_FALSE(samsa::json_nests_deeper_than(R"(["\"[[[[", "\\", {}])", 2));
  EXPECT_TRUE(samsa::json_nests_deeper_than(R"(["\\", [[]]])", 2));
  EXPECT_FALSE(samsa::json_nests_deeper_than("", 0));
  // Closing brackets first do not make room for more opening ones.
  EXPECT_TRUE(samsa::json_nests_deeper_than(std::string(5000, ']') + std::string(2000, '['), 1000));
}

TEST(JsonDepth, TheBoundIsJacksonsThousand) {
  const std::string at_bound = std::string(1000, '[') + std::string(1000, ']');
  const std::string past = "[" + at_bound + "]";
  EXPECT_FALSE(samsa::json_nests_deeper_than(at_bound, samsa::max_json_depth));
  EXPECT_TRUE(samsa::json_nests_deeper_than(past, samsa::max_json_depth));
  // Unclosed input counts as deep as it opens.
  EXPECT_TRUE(samsa::json_nests_deeper_than(std::string(100'000, '['), samsa::max_json_depth));
}

}  // namespace
