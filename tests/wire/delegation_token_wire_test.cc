// CreateDelegationToken (38) v0-3, RenewDelegationToken (39) v0-2,
// ExpireDelegationToken (40) v0-2 and DescribeDelegationToken (41) v0-3
// against a real `samsa serve` with the authorizer on: Samsa issues no
// tokens, so each is answered as a Kafka broker without
// delegation.token.secret.key: DELEGATION_TOKEN_REQUEST_NOT_ALLOWED on a
// PLAINTEXT connection (it authenticated nobody), DELEGATION_TOKEN_AUTH_DISABLED
// on a SASL one, DELEGATION_TOKEN_AUTHORIZATION_FAILED for a Create naming
// another owner without CREATE_TOKENS on that user. ApiVersions lists them.
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <string>

#include "broker_process.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"
#include "wire_client.h"

namespace samsa::wire_test {
namespace {

using protocol::error_code;
using protocol::to_int;
using create_request = protocol::create_delegation_token_request_data;
using create_response = protocol::create_delegation_token_response_data;
using renew_request = protocol::renew_delegation_token_request_data;
using renew_response = protocol::renew_delegation_token_response_data;
using expire_request = protocol::expire_delegation_token_request_data;
using expire_response = protocol::expire_delegation_token_response_data;
using describe_request = protocol::describe_delegation_token_request_data;
using describe_response = protocol::describe_delegation_token_response_data;

std::vector<uint8_t> plain_token(const std::string& user, const std::string& password) {
  std::string t;
  t += '\0';
  t += user;
  t += '\0';
  t += password;
  return std::vector<uint8_t>(t.begin(), t.end());
}

class DelegationTokenWire : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_ = std::make_unique<broker_process>(std::map<std::string, std::string>{
        {"listeners", "SASL_PLAINTEXT://127.0.0.1:0,PLAINTEXT://127.0.0.1:0"},
        {"sasl.enabled.mechanisms", "PLAIN"},
        {"listener.name.sasl_plaintext.plain.sasl.jaas.config",
         "org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"alice-secret\" "
         "user_admin=\"admin-secret\";"},
        {"authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer"},
        {"super.users", "User:admin"},
    });
    broker_->start();
  }
  void TearDown() override {
    if (HasFailure() && broker_) std::cerr << "--- broker log (tail) ---\n" << broker_->log_tail() << "\n";
  }

  std::unique_ptr<wire_client> plaintext() { return std::make_unique<wire_client>(broker_->port_of("PLAINTEXT")); }
  std::unique_ptr<wire_client> sasl(const std::string& user, const std::string& password) {
    auto c = std::make_unique<wire_client>(broker_->port_of("SASL_PLAINTEXT"));
    protocol::sasl_handshake_request_data hs;
    hs.mechanism = "PLAIN";
    EXPECT_EQ(c->call<protocol::sasl_handshake_response_data>(hs, 1).error_code, 0);
    protocol::sasl_authenticate_request_data auth;
    auth.auth_bytes = plain_token(user, password);
    EXPECT_EQ(c->call<protocol::sasl_authenticate_response_data>(auth, 2).error_code, 0);
    return c;
  }

  // Every API at every version on one connection, each answering `expected`.
  static void expect_all(wire_client& c, error_code expected, const std::string& principal_name) {
    for (int16_t v = 0; v <= 3; ++v) {
      create_request req;
      req.renewers.push_back({"User", "bob", {}});
      req.max_lifetime_ms = 3'600'000;
      auto r = c.call<create_response>(req, v);
      EXPECT_EQ(r.error_code, to_int(expected)) << "CreateDelegationToken v" << v;
      EXPECT_EQ(r.principal_type, "User") << v;
      EXPECT_EQ(r.principal_name, principal_name) << v;
      if (v >= 3) {
        EXPECT_EQ(r.token_requester_principal_type, "User");
        EXPECT_EQ(r.token_requester_principal_name, principal_name);
      }
      EXPECT_EQ(r.issue_timestamp_ms, -1) << v;
      EXPECT_EQ(r.expiry_timestamp_ms, -1) << v;
      EXPECT_EQ(r.max_timestamp_ms, -1) << v;
      EXPECT_EQ(r.token_id, "") << v;
      EXPECT_TRUE(r.hmac.empty()) << v;
    }
    for (int16_t v = 0; v <= 2; ++v) {
      renew_request req;
      req.hmac = {1, 2, 3};
      req.renew_period_ms = 1000;
      auto r = c.call<renew_response>(req, v);
      EXPECT_EQ(r.error_code, to_int(expected)) << "RenewDelegationToken v" << v;
      EXPECT_EQ(r.expiry_timestamp_ms, -1) << v;
    }
    for (int16_t v = 0; v <= 2; ++v) {
      expire_request req;
      req.hmac = {1, 2, 3};
      req.expiry_time_period_ms = -1;
      auto r = c.call<expire_response>(req, v);
      EXPECT_EQ(r.error_code, to_int(expected)) << "ExpireDelegationToken v" << v;
      EXPECT_EQ(r.expiry_timestamp_ms, -1) << v;
    }
    for (int16_t v = 0; v <= 3; ++v) {
      for (bool all : {true, false}) {
        describe_request req;
        if (all) req.owners = std::nullopt;
        else req.owners->push_back({"User", principal_name, {}});
        auto r = c.call<describe_response>(req, v);
        EXPECT_EQ(r.error_code, to_int(expected)) << "DescribeDelegationToken v" << v;
        EXPECT_TRUE(r.tokens.empty()) << v;
      }
    }
  }

  std::unique_ptr<broker_process> broker_;
};

TEST_F(DelegationTokenWire, PlaintextConnectionsMayNotAskForTokens) {
  auto c = plaintext();
  expect_all(*c, error_code::delegation_token_request_not_allowed, "ANONYMOUS");
}

TEST_F(DelegationTokenWire, SaslConnectionsHearTokensAreDisabled) {
  auto c = sasl("alice", "alice-secret");
  expect_all(*c, error_code::delegation_token_auth_disabled, "alice");
}

TEST_F(DelegationTokenWire, ATokenForAnotherOwnerNeedsCreateTokensOnThatUser) {
  create_request req;
  req.owner_principal_type = "User";
  req.owner_principal_name = "carol";
  auto alice = sasl("alice", "alice-secret");
  auto r = alice->call<create_response>(req, 3);
  EXPECT_EQ(r.error_code, to_int(error_code::delegation_token_authorization_failed));
  EXPECT_EQ(r.principal_name, "carol");
  EXPECT_EQ(r.token_requester_principal_name, "alice");
  EXPECT_NE(broker_->log_tail().find("CREATE_TOKENS"), std::string::npos) << "an audit line for the denial";
  // A super user may: then only the disabled tokens stop it.
  auto admin = sasl("admin", "admin-secret");
  r = admin->call<create_response>(req, 3);
  EXPECT_EQ(r.error_code, to_int(error_code::delegation_token_auth_disabled));
  EXPECT_EQ(r.principal_name, "carol");
  EXPECT_EQ(r.token_requester_principal_name, "admin");
  // Naming oneself needs nothing.
  req.owner_principal_name = "alice";
  EXPECT_EQ(alice->call<create_response>(req, 3).error_code, to_int(error_code::delegation_token_auth_disabled));
}

TEST_F(DelegationTokenWire, ApiVersionsListsEveryVersion) {
  auto c = plaintext();
  protocol::api_versions_request_data req;
  auto r = c->call<protocol::api_versions_response_data>(req, 3);
  std::map<int16_t, std::pair<int16_t, int16_t>> want{{38, {0, 3}}, {39, {0, 2}}, {40, {0, 2}}, {41, {0, 3}}};
  for (const auto& k : r.api_keys) {
    auto it = want.find(k.api_key);
    if (it == want.end()) continue;
    EXPECT_EQ(k.min_version, it->second.first) << k.api_key;
    EXPECT_EQ(k.max_version, it->second.second) << k.api_key;
    want.erase(it);
  }
  EXPECT_TRUE(want.empty()) << "not listed: " << want.size();
}

}  // namespace
}  // namespace samsa::wire_test
