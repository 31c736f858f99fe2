#include "base/utf8.h"

#include <gtest/gtest.h>

namespace samsa::utf8 {
namespace {

std::string fixed(std::string_view s) { return repaired(s).value_or(std::string(s)); }

TEST(Utf8, WellFormedTextIsLeftAlone) {
  for (std::string_view s : {std::string_view(""), std::string_view("orders-2026"), std::string_view("caf\xC3\xA9"),
                             std::string_view("\xE2\x82\xAC 5"), std::string_view("\xF0\x9F\x98\x80"),
                             std::string_view("\xEF\xBF\xBD"), std::string_view("\xF4\x8F\xBF\xBF"),
                             std::string_view("a\0b", 3)}) {
    EXPECT_TRUE(valid(s)) << s;
    EXPECT_FALSE(repaired(s).has_value()) << s;
  }
}

TEST(Utf8, EachMalformedSequenceBecomesOneReplacementCharacter) {
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(fixed("a\xFF" "b"), "a" + r + "b");            // never a lead byte
  EXPECT_EQ(fixed("\x80\x80"), r + r);                     // lone continuation bytes
  EXPECT_EQ(fixed("\xC0\xAF"), r + r);                     // overlong '/'
  EXPECT_EQ(fixed("\xE0\x80\xAF"), r + r + r);             // overlong: E0 needs A0..BF next
  EXPECT_EQ(fixed("\xED\xA0\x80"), r + r + r);             // a surrogate
  EXPECT_EQ(fixed("\xF4\x90\x80\x80"), r + r + r + r);     // past U+10FFFF
  EXPECT_EQ(fixed("\xE2\x82"), r);                         // cut short: one for the prefix
  EXPECT_EQ(fixed("\xE2\x82" "x"), r + "x");
  EXPECT_EQ(fixed("\xF0\x9F\x98"), r);
  EXPECT_EQ(fixed("ok\xC3"), "ok" + r);
  EXPECT_EQ(fixed("\xC3\xA9\xC3"), "\xC3\xA9" + r);        // valid text before is kept
  EXPECT_FALSE(valid("\xC3"));
}

TEST(Utf8, TheRepairIsAtMostThreeTimesAsLongAndAlwaysValid) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  auto out = repaired(all);
  ASSERT_TRUE(out.has_value());
  EXPECT_TRUE(valid(*out));
  EXPECT_LE(out->size(), 3 * all.size());
  const std::string worst(1000, '\xFF');
  EXPECT_EQ(repaired(worst)->size(), 3000u);
}

}  // namespace
}  // namespace samsa::utf8
