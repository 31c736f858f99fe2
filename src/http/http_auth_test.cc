// The pure parts of the console's security: the Basic header parser, the
// https listener address and the route table (fail closed, names from the
// path, the query and the body).
#include <gtest/gtest.h>

#include "http/http_auth_header.h"
#include "http/route_permissions.h"
#include "http/server.h"

namespace samsa::http {
namespace {

TEST(basic_authorization, parses_user_and_password) {
  auto c = parse_basic_authorization("Basic YWxpY2U6YWxpY2Utc2VjcmV0");  // alice:alice-secret
  ASSERT_TRUE(c);
  EXPECT_EQ(c->user, "alice");
  EXPECT_EQ(c->password, "alice-secret");
  auto colon = parse_basic_authorization("basic   Ym9iOnA6dw==");  // bob:p:w, scheme in any case
  ASSERT_TRUE(colon);
  EXPECT_EQ(colon->user, "bob");
  EXPECT_EQ(colon->password, "p:w");
}

TEST(basic_authorization, refuses_what_is_not_basic) {
  EXPECT_FALSE(parse_basic_authorization(""));
  EXPECT_FALSE(parse_basic_authorization("Bearer abc"));
  EXPECT_FALSE(parse_basic_authorization("Basic"));
  EXPECT_FALSE(parse_basic_authorization("BasicYWxpY2U6eA=="));
  EXPECT_FALSE(parse_basic_authorization("Basic not*base64"));
  EXPECT_FALSE(parse_basic_authorization("Basic YWxpY2U="));       // "alice": no colon
  EXPECT_FALSE(parse_basic_authorization("Basic OngK"));           // ":x\n": empty user
  EXPECT_FALSE(parse_basic_authorization("Basic YWxpY2UAOng="));   // NUL in the user
  EXPECT_FALSE(parse_basic_authorization("Basic " + std::string(5000, 'A')));
}

TEST(http_listener, parses_https) {
  auto a = parse_http_listener("https://127.0.0.1:8443");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->tls);
  EXPECT_EQ(a->port, 8443);
  auto plain = parse_http_listener("http://127.0.0.1:8080");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->tls);
  EXPECT_FALSE(parse_http_listener("ftp://127.0.0.1:21"));
}

request make(std::string method, std::string path, std::string body = {}) {
  request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.body = std::move(body);
  return r;
}

TEST(route_permissions, names_come_from_the_path) {
  auto r = make("DELETE", "/api/v1/topics/orders");
  const auto* p = find_route_permission(r.method, r.path, false);
  ASSERT_NE(p, nullptr);
  auto checks = resolve_checks(p->checks, r);
  ASSERT_TRUE(checks);
  ASSERT_EQ(checks->size(), 1u);
  EXPECT_EQ((*checks)[0].type, acl::resource_type::topic);
  EXPECT_EQ((*checks)[0].op, acl::operation::remove);
  EXPECT_EQ((*checks)[0].name, "orders");
  EXPECT_EQ(denial_error_code((*checks)[0].type), 29);  // TOPIC_AUTHORIZATION_FAILED

  auto g = make("GET", "/api/v1/groups/billing/lag-history");
  const auto* gp = find_route_permission(g.method, g.path, false);
  ASSERT_NE(gp, nullptr);
  auto gc = resolve_checks(gp->checks, g);
  ASSERT_TRUE(gc);
  EXPECT_EQ((*gc)[0].type, acl::resource_type::group);
  EXPECT_EQ((*gc)[0].name, "billing");
  EXPECT_EQ(denial_error_code((*gc)[0].type), 30);  // GROUP_AUTHORIZATION_FAILED
}

TEST(route_permissions, metrics_need_describe_on_the_cluster) {
  const auto* p = find_route_permission("GET", "/metrics", false);
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->checks.size(), 1u);
  EXPECT_EQ(p->checks[0].type, acl::resource_type::cluster);
  EXPECT_EQ(p->checks[0].op, acl::operation::describe);
}

TEST(route_permissions, names_from_the_body_and_query) {
  // Replay: READ on the source, WRITE on the body's topic, else the source.
  auto r = make("POST", "/api/v1/topics/src/partitions/0/messages/5/replay", R"({"topic":"dst"})");
  const auto* p = find_route_permission(r.method, r.path, false);
  ASSERT_NE(p, nullptr);
  auto checks = resolve_checks(p->checks, r);
  ASSERT_TRUE(checks);
  ASSERT_EQ(checks->size(), 2u);
  EXPECT_EQ((*checks)[1].op, acl::operation::write);
  EXPECT_EQ((*checks)[1].name, "dst");
  r.body = "";
  checks = resolve_checks(p->checks, r);
  ASSERT_TRUE(checks);
  EXPECT_EQ((*checks)[1].name, "src");
  // Offsets reset names its topic in the body: without it, no decision.
  auto reset = make("POST", "/api/v1/groups/g/offsets/reset", R"({"to":"earliest"})");
  const auto* rp = find_route_permission(reset.method, reset.path, false);
  ASSERT_NE(rp, nullptr);
  EXPECT_FALSE(resolve_checks(rp->checks, reset));
  // Live figures: a check only when ?topic= names one.
  auto ev = make("GET", "/api/v1/events");
  const auto* ep = find_route_permission(ev.method, ev.path, true);
  ASSERT_NE(ep, nullptr);
  EXPECT_EQ(ep->filter, listing::topics);
  EXPECT_TRUE(resolve_checks(ep->checks, ev)->empty());
  ev.query["topic"] = "t";
  EXPECT_EQ(resolve_checks(ep->checks, ev)->front().name, "t");
}

TEST(route_permissions, unmapped_routes_have_no_entry) {
  EXPECT_EQ(find_route_permission("GET", "/api/v1/secrets", false), nullptr);
  EXPECT_EQ(find_route_permission("PUT", "/api/v1/topics/x", false), nullptr);
  EXPECT_EQ(find_route_permission("GET", "/api/v1/topics/x/partitions/0/unknown", false), nullptr);
  EXPECT_EQ(find_route_permission("GET", "/api/v1/events", false), nullptr);  // only as a stream
  EXPECT_EQ(find_route_permission("GET", "/api/v1/topics", false)->filter, listing::topics);
  EXPECT_EQ(find_route_permission("GET", "/api/v1/groups", false)->filter, listing::groups);
}

}  // namespace
}  // namespace samsa::http
