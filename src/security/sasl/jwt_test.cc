#include "security/sasl/jwt.h"

#include <gtest/gtest.h>

#include "security/sasl/jwt_test_support.h"

namespace samsa::sasl {
namespace {

using namespace samsa::sasl::testing;
using json = nlohmann::json;

constexpr int64_t now_ms = 1'700'000'000'000;
constexpr int64_t now_s = now_ms / 1000;

struct keys {
  test_key rsa{false, "rsa-1"};
  test_key ec{true, "ec-1"};
  test_key stranger{false, "rsa-1"};  // same kid, not in the JWKS
};

keys& shared_keys() {
  static keys k;
  return k;
}

secured_validator_options secured() {
  secured_validator_options o;
  auto parsed = jwks::parse(jwks_of({&shared_keys().rsa, &shared_keys().ec}));
  EXPECT_TRUE(parsed) << parsed.err().message;
  o.keys = std::make_shared<const jwks>(std::move(*parsed));
  o.expected_issuer = "https://issuer.example";
  o.expected_audience = {"kafka", "other"};
  return o;
}

json good_claims() {
  return {{"sub", "alice"}, {"iss", "https://issuer.example"}, {"aud", "kafka"}, {"exp", now_s + 600},
          {"iat", now_s - 10}, {"nbf", now_s - 10}, {"scope", "read write"}};
}

TEST(SecuredJwt, Rs256AndEs256Pass) {
  auto o = secured();
  for (const test_key* k : {&shared_keys().rsa, &shared_keys().ec}) {
    auto r = validate_secured_jwt(signed_token(*k, good_claims()), o, now_ms);
    ASSERT_TRUE(r.ok()) << r.failure.detail;
    EXPECT_EQ(r.value->principal, "alice");
    EXPECT_EQ(r.value->expiry_ms, (now_s + 600) * 1000);
    EXPECT_EQ(r.value->scope, (std::vector<std::string>{"read", "write"}));
  }
  // aud as a list, one of them expected; scope as a list.
  json c = good_claims();
  c["aud"] = json::array({"x", "other"});
  c["scope"] = json::array({"a"});
  auto r = validate_secured_jwt(signed_token(shared_keys().rsa, c), o, now_ms);
  ASSERT_TRUE(r.ok()) << r.failure.detail;
}

void expect_refused(const std::string& token, const secured_validator_options& o, const std::string& why,
                    int64_t at = now_ms) {
  auto r = validate_secured_jwt(token, o, at);
  EXPECT_FALSE(r.ok()) << why;
  if (!r.ok()) {
    EXPECT_EQ(r.failure.status, "invalid_token");
    EXPECT_NE(r.failure.detail.find(why), std::string::npos) << r.failure.detail;
  }
}

TEST(SecuredJwt, RefusesEachBadPart) {
  auto o = secured();
  auto& k = shared_keys();
  auto with = [](const char* name, json v) {
    json c = good_claims();
    if (v.is_null()) c.erase(name);
    else c[name] = v;
    return c;
  };
  expect_refused(signed_token(k.rsa, with("exp", now_s - 100)), o, "expired");
  expect_refused(signed_token(k.rsa, with("exp", nullptr)), o, "no exp");
  expect_refused(signed_token(k.rsa, with("aud", "someone-else")), o, "audience");
  expect_refused(signed_token(k.rsa, with("aud", nullptr)), o, "audience");
  expect_refused(signed_token(k.rsa, with("iss", "https://evil.example")), o, "issuer");
  expect_refused(signed_token(k.rsa, with("sub", nullptr)), o, "no string claim sub");
  expect_refused(signed_token(k.rsa, with("sub", "")), o, "no string claim sub");
  expect_refused(signed_token(k.rsa, with("nbf", now_s + 3600)), o, "not valid before");
  expect_refused(signed_token(k.rsa, with("iat", now_s + 3600)), o, "future");
  expect_refused(signed_token(k.rsa, with("exp", "tomorrow")), o, "NumericDate");
  expect_refused(signed_token(k.rsa, with("scope", 5)), o, "scope");
  expect_refused(signed_token(k.stranger, good_claims()), o, "signature does not verify");
  expect_refused(unsecured_token(good_claims()), o, "alg");
  expect_refused(signed_token(k.rsa, good_claims(), "HS256"), o, "HS256");
  // A signature made for other claims.
  std::string t1 = signed_token(k.rsa, good_claims());
  std::string t2 = signed_token(k.rsa, with("sub", "admin"));
  expect_refused(t2.substr(0, t2.rfind('.')) + t1.substr(t1.rfind('.')), o, "signature");
  // An ES256 token whose kid names the RSA key.
  json header{{"alg", "ES256"}, {"kid", "rsa-1"}};
  std::string input = b64json(header) + "." + b64json(good_claims());
  bytes sig = k.ec.sign(input);
  expect_refused(input + "." + base64url_encode(sig.data(), sig.size()), o, "no key");
}

TEST(SecuredJwt, ClockSkewApplies) {
  auto o = secured();
  json c = good_claims();
  c["exp"] = now_s - 10;  // expired 10 s ago: inside the default 30 s skew
  EXPECT_TRUE(validate_secured_jwt(signed_token(shared_keys().rsa, c), o, now_ms).ok());
  o.clock_skew_s = 0;
  EXPECT_FALSE(validate_secured_jwt(signed_token(shared_keys().rsa, c), o, now_ms).ok());
}

TEST(SecuredJwt, CustomClaimNames) {
  auto o = secured();
  o.sub_claim = "client_id";
  o.scope_claim = "scp";
  json c = good_claims();
  c["client_id"] = "svc";
  c["scp"] = json::array({"x"});
  auto r = validate_secured_jwt(signed_token(shared_keys().ec, c), o, now_ms);
  ASSERT_TRUE(r.ok()) << r.failure.detail;
  EXPECT_EQ(r.value->principal, "svc");
  EXPECT_EQ(r.value->scope, std::vector<std::string>{"x"});
}

TEST(UnsecuredJwt, DevelopmentValidator) {
  unsecured_validator_options o;
  json c{{"sub", "dev"}, {"exp", now_s + 60}, {"scope", "a b"}};
  auto r = validate_unsecured_jwt(unsecured_token(c), o, now_ms);
  ASSERT_TRUE(r.ok()) << r.failure.detail;
  EXPECT_EQ(r.value->principal, "dev");
  // A signed token is not what this validator takes.
  EXPECT_FALSE(validate_unsecured_jwt(signed_token(shared_keys().rsa, c), o, now_ms).ok());
  json expired = c;
  expired["exp"] = now_s - 1;
  EXPECT_FALSE(validate_unsecured_jwt(unsecured_token(expired), o, now_ms).ok());
  json no_sub{{"exp", now_s + 60}};
  EXPECT_FALSE(validate_unsecured_jwt(unsecured_token(no_sub), o, now_ms).ok());
  json no_exp{{"sub", "dev"}};
  EXPECT_FALSE(validate_unsecured_jwt(unsecured_token(no_exp), o, now_ms).ok());
  o.required_scope = {"b", "c"};
  auto scope = validate_unsecured_jwt(unsecured_token(c), o, now_ms);
  ASSERT_FALSE(scope.ok());
  EXPECT_EQ(scope.failure.status, "insufficient_scope");
  o.required_scope = {"b"};
  EXPECT_TRUE(validate_unsecured_jwt(unsecured_token(c), o, now_ms).ok());
  o.principal_claim = "user";
  EXPECT_FALSE(validate_unsecured_jwt(unsecured_token(c), o, now_ms).ok());
}

TEST(Jwt, HostileTokensAreRefused) {
  for (const char* t : {"", ".", "..", "a.b.c", "e30.e30", "e30.e30.e30.e30", "W10.e30.", "e30.W10.", "e30.e30.",
                        "eyJhbGciOjF9.e30.", "!!.e30."}) {
    EXPECT_FALSE(parse_jwt(t)) << t;
  }
  std::string deep = std::string(100, '[') + std::string(100, ']');
  std::string obj = "{\"alg\":\"none\",\"x\":" + deep + "}";
  EXPECT_FALSE(parse_jwt(base64url_encode(reinterpret_cast<const uint8_t*>(obj.data()), obj.size()) + ".e30."));
  EXPECT_FALSE(parse_jwt(std::string(jwt_max_size + 1, 'a')));
}

TEST(Jwks, ParsingSkipsUnusableKeysAndRefusesEmptySets) {
  auto& k = shared_keys();
  json j = json::parse(jwks_of({&k.rsa}));
  j["keys"].push_back({{"kty", "oct"}, {"k", "AAAA"}});
  j["keys"].push_back({{"kty", "RSA"}, {"use", "enc"}, {"n", "AQAB"}, {"e", "AQAB"}});
  j["keys"].push_back({{"kty", "EC"}, {"crv", "P-384"}, {"x", "AA"}, {"y", "AA"}});
  auto parsed = jwks::parse(j.dump());
  ASSERT_TRUE(parsed) << parsed.err().message;
  EXPECT_EQ(parsed->keys().size(), 1u);
  for (const char* bad : {"", "[]", "{}", "{\"keys\":{}}", "{\"keys\":[]}",
                          "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}",  // too small
                          "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"}]}"}) {
    EXPECT_FALSE(jwks::parse(bad)) << bad;
  }
  // A point that is not on the curve.
  json off = k.ec.jwk();
  bytes x(32, 1), y(32, 2);
  off["x"] = base64url_encode(x.data(), 32);
  off["y"] = base64url_encode(y.data(), 32);
  EXPECT_FALSE(jwks::parse(json{{"keys", json::array({off})}}.dump()));
}

}  // namespace
}  // namespace samsa::sasl
