#include "http/server.h"

#include <gtest/gtest.h>

namespace samsa::http {
namespace {

TEST(http_listener, parses_host_and_port) {
  auto a = parse_http_listener("http://127.0.0.1:8080");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  auto v6 = parse_http_listener("http://[::1]:0/");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  auto any = parse_http_listener("http://:9000");
  ASSERT_TRUE(any);
  EXPECT_EQ(any->host, "0.0.0.0");
}

TEST(http_listener, refuses_what_it_cannot_serve) {
  EXPECT_FALSE(parse_http_listener("127.0.0.1:8080"));
  EXPECT_FALSE(parse_http_listener("http://127.0.0.1"));
  EXPECT_FALSE(parse_http_listener("http://127.0.0.1:70000"));
  EXPECT_FALSE(parse_http_listener("http://127.0.0.1:80x"));
}

TEST(url_decode, decodes_percent_escapes_and_plus_in_queries) {
  EXPECT_EQ(url_decode("a%20b+c", true), "a b c");
  EXPECT_EQ(url_decode("a%20b+c", false), "a b+c");
  EXPECT_EQ(url_decode("bad%zz%4", false), "bad%zz%4");
  EXPECT_EQ(url_decode("%41%42", false), "AB");
}

}  // namespace
}  // namespace samsa::http
