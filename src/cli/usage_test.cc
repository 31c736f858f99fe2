#include "cli/usage.h"

#include <gtest/gtest.h>

namespace samsa::cli {
namespace {

TEST(Usage, EditDistance) {
  EXPECT_EQ(edit_distance("lst", "list"), 1u);
  EXPECT_EQ(edit_distance("describe", "describe"), 0u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(Usage, CloseNamesPreferPrefixesThenDistance) {
  std::vector<std::string> names{"create", "list", "ls", "describe", "delete"};
  EXPECT_EQ(close_names("lst", names), (std::vector<std::string>{"list", "ls"}));
  EXPECT_EQ(close_names("desc", names).front(), "describe");
  EXPECT_TRUE(close_names("frobnicate", names).empty());
}

}  // namespace
}  // namespace samsa::cli
