#include "http/record_search.h"

#include <gtest/gtest.h>

namespace samsa::http {
namespace {

read_record rec(std::optional<std::string> key, std::optional<std::string> value, std::vector<read_header> headers = {}) {
  read_record r;
  r.key = std::move(key);
  r.value = std::move(value);
  r.headers = std::move(headers);
  return r;
}

search_criteria criteria(std::map<std::string, std::string> q) {
  auto parsed = parse_search_query(q);
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.err().describe());
  return parsed ? parsed->first : search_criteria{};
}

TEST(RecordSearch, KeyAndValueSubstrings) {
  auto c = criteria({{"key", "cust"}, {"value", "paid"}});
  EXPECT_TRUE(record_matches(c, rec("customer-7", "order paid")));
  EXPECT_FALSE(record_matches(c, rec("customer-7", "order open")));
  EXPECT_FALSE(record_matches(c, rec(std::nullopt, "order paid")));
  EXPECT_FALSE(record_matches(c, rec("user-7", "order paid")));
}

TEST(RecordSearch, JsonPointerEqualityComparesJsonValues) {
  auto c = criteria({{"pointer", "/user/name"}, {"equals", "\"alice\""}});
  EXPECT_TRUE(record_matches(c, rec("k", R"({"user": {"name": "alice"}})")));
  EXPECT_FALSE(record_matches(c, rec("k", R"({"user": {"name": "alicen"}})")));
  EXPECT_FALSE(record_matches(c, rec("k", R"({"user": "alice"})")));
  EXPECT_FALSE(record_matches(c, rec("k", "not json")));
  EXPECT_FALSE(record_matches(c, rec("k", std::nullopt)));
  auto n = criteria({{"pointer", "/a~1b/1"}, {"equals", "2"}});
  EXPECT_TRUE(record_matches(n, rec("k", R"({"a/b": [1, 2.0]})")));  // 2 == 2.0 as JSON numbers
  EXPECT_FALSE(record_matches(n, rec("k", R"({"a/b": [1, "2"]})")));
}

TEST(RecordSearch, HeaderByNameAndValue) {
  auto any = criteria({{"header", "trace"}});
  auto valued = criteria({{"header", "trace"}, {"header_value", "abc"}});
  auto r = rec("k", "v", {{"other", "abc"}, {"trace", "x-abc-y"}});
  EXPECT_TRUE(record_matches(any, r));
  EXPECT_TRUE(record_matches(valued, r));
  EXPECT_FALSE(record_matches(valued, rec("k", "v", {{"trace", "zzz"}, {"other", "abc"}})));
  EXPECT_FALSE(record_matches(any, rec("k", "v", {{"Trace", "abc"}})));
  EXPECT_FALSE(record_matches(valued, rec("k", "v", {{"trace", std::nullopt}})));
}

TEST(RecordSearch, QueryErrorsNameTheParameter) {
  auto err = [](std::map<std::string, std::string> q) {
    auto p = parse_search_query(q);
    EXPECT_FALSE(p);
    return p ? std::string() : p.err().describe();
  };
  EXPECT_NE(err({}).find("at least one"), std::string::npos);
  EXPECT_NE(err({{"pointer", "/a"}}).find("equals"), std::string::npos);
  EXPECT_NE(err({{"pointer", "/a"}, {"equals", "alice"}}).find("must be JSON"), std::string::npos);
  EXPECT_NE(err({{"pointer", "a"}, {"equals", "1"}}).find("RFC 6901"), std::string::npos);
  EXPECT_NE(err({{"key", "a"}, {"max_records", "0"}}).find("max_records"), std::string::npos);
  EXPECT_NE(err({{"key", "a"}, {"limit", "x"}}).find("limit"), std::string::npos);
  EXPECT_NE(err({{"header_value", "a"}}).find("header="), std::string::npos);
}

TEST(RecordSearch, BudgetIsClampedToTheMaxima) {
  auto p = parse_search_query({{"key", "a"}, {"max_records", "999999999999"}, {"max_bytes", "99999999999999"},
                               {"limit", "100000"}});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->second.records, search_max_records);
  EXPECT_EQ(p->second.bytes, search_max_bytes);
  EXPECT_EQ(p->second.matches, search_max_matches);
}

TEST(RecordSearch, CursorRoundTripsAndRefusesGarbage) {
  auto c = parse_search_cursor("0:15,2:7");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->at(0), 15);
  EXPECT_EQ(c->at(2), 7);
  EXPECT_EQ(format_search_cursor(*c), "0:15,2:7");
  EXPECT_TRUE(parse_search_cursor("")->empty());
  for (const char* bad : {"0", "0:", ":1", "0:1,", "a:1", "0:-1", "-1:0", "0:1,0:2", "0:1x"}) {
    EXPECT_FALSE(parse_search_cursor(bad)) << bad;
  }
}

}  // namespace
}  // namespace samsa::http
