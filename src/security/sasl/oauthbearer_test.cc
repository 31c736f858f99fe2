#include "security/sasl/oauthbearer.h"

#include <gtest/gtest.h>

#include "security/sasl/jwt_test_support.h"

namespace samsa::sasl {
namespace {

using namespace samsa::sasl::testing;
using json = nlohmann::json;

constexpr int64_t now_ms = 1'700'000'000'000;

std::string initial(const std::string& token, const std::string& authz = "") {
  return "n," + (authz.empty() ? "" : "a=" + authz) + ",\x01" + "auth=Bearer " + token + "\x01\x01";
}

oauthbearer_options dev_options() {
  oauthbearer_options o;
  o.now = [] { return now_ms; };
  return o;
}

TEST(OAuthBearer, InitialResponseParsing) {
  auto p = parse_oauthbearer_initial_response("n,a=alice,\x01host=h\x01" "auth=Bearer abc.def.\x01port=1\x01\x01");
  ASSERT_TRUE(p) << p.err().message;
  EXPECT_EQ(p->authzid, "alice");
  EXPECT_EQ(p->token, "abc.def.");
  EXPECT_EQ(p->extensions.at("host"), "h");
  EXPECT_EQ(p->extensions.at("port"), "1");
  EXPECT_TRUE(parse_oauthbearer_initial_response("n,,\x01" "auth=bearer t\x01\x01"));
  for (std::string hostile :
       {std::string(""), std::string("n,,"), std::string("y,,\x01" "auth=Bearer t\x01\x01"),
        std::string("n,,auth=Bearer t\x01\x01"), std::string("n,,\x01" "auth=Bearer t\x01"),
        std::string("n,,\x01" "auth=Basic t\x01\x01"), std::string("n,,\x01" "auth=Bearer\x01\x01"),
        std::string("n,,\x01" "auth=Bearer t t\x01\x01"), std::string("n,,\x01\x01"),
        std::string("n,,\x01" "x=1\x01\x01"), std::string("n,,\x01" "auth=Bearer t\x01" "auth=Bearer t\x01\x01"),
        std::string("n,,\x01" "auth=Bearer t\x01" "k1=v\x01\x01"), std::string("n,,\x01" "auth=Bearer t\x01" "=v\x01\x01"),
        std::string("n,a=,\x01" "auth=Bearer t\x01\x01"), std::string("n,,\x01" "auth=Bearer t\x01\x01\x01"),
        std::string("n,,\x01" "auth=Bearer t\x01k=\x7f\x01\x01")}) {
    EXPECT_FALSE(parse_oauthbearer_initial_response(hostile)) << json(hostile).dump();
  }
}

TEST(OAuthBearer, UnsecuredDevelopmentLogin) {
  json claims{{"sub", "dev"}, {"exp", now_ms / 1000 + 60}};
  auto server = make_oauthbearer_server(dev_options());
  auto r = server->step(to_bytes(initial(unsecured_token(claims))));
  ASSERT_TRUE(r.is_success()) << r.message;
  EXPECT_EQ(r.principal.to_string(), "User:dev");
  EXPECT_EQ(r.session_lifetime_ms, 60000) << "the token's expiry bounds the session";
  auto o = dev_options();
  o.max_reauth_ms = 1000;
  r = make_oauthbearer_server(o)->step(to_bytes(initial(unsecured_token(claims))));
  EXPECT_EQ(r.session_lifetime_ms, 1000);
  // authzid must be the token's principal.
  r = make_oauthbearer_server(dev_options())->step(to_bytes(initial(unsecured_token(claims), "admin")));
  EXPECT_TRUE(r.is_failure());
  r = make_oauthbearer_server(dev_options())->step(to_bytes(initial(unsecured_token(claims), "dev")));
  EXPECT_TRUE(r.is_success());
}

TEST(OAuthBearer, InvalidTokenGetsTheErrorChallengeThenFails) {
  json expired{{"sub", "dev"}, {"exp", now_ms / 1000 - 60}};
  auto server = make_oauthbearer_server(dev_options());
  auto r = server->step(to_bytes(initial(unsecured_token(expired))));
  ASSERT_TRUE(r.is_challenge());
  EXPECT_EQ(json::parse(as_text(r.response))["status"], "invalid_token");
  auto done = server->step(to_bytes("\x01"));
  ASSERT_TRUE(done.is_failure());
  EXPECT_NE(done.log_detail.find("expired"), std::string::npos);
  EXPECT_TRUE(server->step(to_bytes("\x01")).is_failure());
}

TEST(OAuthBearer, AlgNoneRefusedOutsideDevelopmentMode) {
  test_key key(true, "k");
  auto o = dev_options();
  o.secured = true;
  o.secure.keys = std::make_shared<const jwks>(*jwks::parse(jwks_of({&key})));
  json claims{{"sub", "svc"}, {"exp", now_ms / 1000 + 60}};
  auto r = make_oauthbearer_server(o)->step(to_bytes(initial(unsecured_token(claims))));
  EXPECT_TRUE(r.is_challenge());
  r = make_oauthbearer_server(o)->step(to_bytes(initial(signed_token(key, claims))));
  ASSERT_TRUE(r.is_success()) << r.message;
  EXPECT_EQ(r.principal.name, "svc");
}

TEST(OAuthBearer, MalformedMessageFailsAtOnce) {
  auto r = make_oauthbearer_server(dev_options())->step(to_bytes("garbage"));
  EXPECT_TRUE(r.is_failure());
}

}  // namespace
}  // namespace samsa::sasl
