#include "http/cross_origin.h"

#include <gtest/gtest.h>

namespace samsa::http {
namespace {

constexpr std::string_view registry = "127.0.0.1:8081";

bool other(std::string_view method, std::string_view origin, std::string_view site = "",
           std::string_view mode = "", std::string_view host = registry) {
  return from_other_origin(request_provenance{method, host, origin, site, mode});
}

TEST(cross_origin, a_page_of_another_origin_may_not_write) {
  EXPECT_TRUE(other("POST", "http://evil.example", "cross-site", "no-cors"));
  // Another port of the same host is another origin (the console's page on
  // 8080 does not write to the registry on 8081 either).
  EXPECT_TRUE(other("POST", "http://127.0.0.1:8080", "same-site", "cors"));
  EXPECT_TRUE(other("PUT", "http://localhost:8081"));
  EXPECT_TRUE(other("DELETE", "null", "cross-site"));
  // A name that only starts or ends the same is not the same host.
  EXPECT_TRUE(other("POST", "http://127.0.0.1:80811"));
  EXPECT_TRUE(other("POST", "http://127.0.0.1:808"));
  EXPECT_TRUE(other("POST", "ftp://127.0.0.1:8081"));
  EXPECT_TRUE(other("POST", "http://127.0.0.1:8081/"));
  EXPECT_TRUE(other("POST", "http://x127.0.0.1:8081"));
  // An Origin and no Host: nothing to be the same as.
  EXPECT_TRUE(other("POST", "http://127.0.0.1:8081", "", "", ""));
}

TEST(cross_origin, the_same_origin_passes_in_either_scheme_and_any_case) {
  EXPECT_FALSE(other("POST", "http://127.0.0.1:8081", "same-origin", "cors"));
  EXPECT_FALSE(other("POST", "https://Console.Example", "", "", "console.example"));
  EXPECT_FALSE(other("POST", "HTTP://[::1]:8080", "", "", "[::1]:8080"));
  // The Origin decides over Sec-Fetch-Site when both are sent.
  EXPECT_FALSE(other("POST", "http://127.0.0.1:8081", "cross-site"));
}

TEST(cross_origin, without_an_origin_sec_fetch_site_decides) {
  EXPECT_TRUE(other("POST", "", "cross-site"));
  EXPECT_TRUE(other("POST", "", "Same-Site"));
  EXPECT_FALSE(other("POST", "", "same-origin"));
  EXPECT_FALSE(other("POST", "", "none"));  // a request the user started
  // A client that is not a browser sends neither header.
  EXPECT_FALSE(other("POST", ""));
  EXPECT_FALSE(other("GET", ""));
}

TEST(cross_origin, reads_from_another_page_are_refused_but_navigations_and_preflights_pass) {
  // An <img> or a no-cors fetch still reaches the server: a GET with effects
  // (the proxy's records fetch commits offsets) must not run for it.
  EXPECT_TRUE(other("GET", "", "cross-site", "no-cors"));
  EXPECT_TRUE(other("GET", "http://evil.example", "cross-site", "cors"));
  EXPECT_TRUE(other("HEAD", "", "same-site", "no-cors"));
  // A link followed from another site opens the console.
  EXPECT_FALSE(other("GET", "", "cross-site", "navigate"));
  EXPECT_FALSE(other("HEAD", "", "cross-site", "Navigate"));
  // A POST navigation (a form) is a write all the same.
  EXPECT_TRUE(other("POST", "http://evil.example", "cross-site", "navigate"));
  // A preflight is answered without CORS headers, which refuses it.
  EXPECT_FALSE(other("OPTIONS", "http://evil.example", "cross-site", "cors"));
}

}  // namespace
}  // namespace samsa::http
