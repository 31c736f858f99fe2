#include "http/json_pointer.h"

#include <gtest/gtest.h>

namespace samsa::http {
namespace {

using json = nlohmann::json;

std::vector<std::string> tokens(std::string_view text) {
  auto p = parse_json_pointer(text);
  EXPECT_TRUE(p) << text;
  return p ? p->tokens : std::vector<std::string>{};
}

TEST(JsonPointer, ParsesTokensAndUnescapesInOrder) {
  EXPECT_TRUE(tokens("").empty());
  EXPECT_EQ(tokens("/"), std::vector<std::string>{""});
  EXPECT_EQ(tokens("/a/b"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(tokens("/a~1b"), std::vector<std::string>{"a/b"});
  EXPECT_EQ(tokens("/m~0n"), std::vector<std::string>{"m~n"});
  // "~01" is "~1" literally: ~0 first becomes '~', it is not unescaped again.
  EXPECT_EQ(tokens("/~01"), std::vector<std::string>{"~1"});
  EXPECT_EQ(tokens("//x/"), (std::vector<std::string>{"", "x", ""}));
}

TEST(JsonPointer, RefusesBadSyntax) {
  EXPECT_FALSE(parse_json_pointer("a"));
  EXPECT_FALSE(parse_json_pointer("/a~"));
  EXPECT_FALSE(parse_json_pointer("/a~2"));
  EXPECT_FALSE(parse_json_pointer("/~x"));
  EXPECT_FALSE(parse_json_pointer("/" + std::string(json_pointer_max_bytes, 'a')));
  auto e = parse_json_pointer("/a~2");
  ASSERT_FALSE(e);
  EXPECT_NE(e.err().describe().find("followed by 0 or 1"), std::string::npos);
}

TEST(JsonPointer, ResolvesTheExamplesOfRfc6901) {
  json doc = json::parse(R"({"foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4,
                             "i\\j": 5, "k\"l": 6, " ": 7, "m~n": 8})");
  auto at = [&](std::string_view p) -> const json* { return resolve(*parse_json_pointer(p), doc); };
  EXPECT_EQ(*at(""), doc);
  EXPECT_EQ(*at("/foo"), json::parse(R"(["bar", "baz"])"));
  EXPECT_EQ(*at("/foo/0"), "bar");
  EXPECT_EQ(*at("/"), 0);
  EXPECT_EQ(*at("/a~1b"), 1);
  EXPECT_EQ(*at("/c%d"), 2);
  EXPECT_EQ(*at("/e^f"), 3);
  EXPECT_EQ(*at("/g|h"), 4);
  EXPECT_EQ(*at("/i\\j"), 5);
  EXPECT_EQ(*at("/k\"l"), 6);
  EXPECT_EQ(*at("/ "), 7);
  EXPECT_EQ(*at("/m~0n"), 8);
}

TEST(JsonPointer, MissingValuesResolveToNothing) {
  json doc = json::parse(R"({"a": [10, 20], "s": "text"})");
  auto at = [&](std::string_view p) -> const json* { return resolve(*parse_json_pointer(p), doc); };
  EXPECT_EQ(at("/b"), nullptr);
  EXPECT_EQ(at("/a/2"), nullptr);
  EXPECT_EQ(at("/a/-"), nullptr);
  EXPECT_EQ(at("/a/01"), nullptr);   // leading zero
  EXPECT_EQ(at("/a/+1"), nullptr);
  EXPECT_EQ(at("/a/99999999999999999999999"), nullptr);
  EXPECT_EQ(at("/s/0"), nullptr);    // into a scalar
  EXPECT_EQ(*at("/a/1"), 20);
}

}  // namespace
}  // namespace samsa::http
