#include "security/sasl/sasl_config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "security/sasl/jwt_test_support.h"

namespace samsa::sasl {
namespace {

TEST(SaslConfig, KafkaServerPropertiesForPlainAndScram) {
  properties p{
      {"sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512"},
      {"listener.name.sasl_plaintext.plain.sasl.jaas.config",
       "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"admin-secret\" "
       "user_admin=\"admin-secret\" user_alice=\"alice-secret\";"},
      {"connections.max.reauth.ms", "3600000"},
      {"listener.name.sasl_plaintext.scram-sha-512.connections.max.reauth.ms", "60000"},
  };
  auto c = read_listener_sasl_config(p, "SASL_PLAINTEXT");
  ASSERT_TRUE(c) << c.err().message;
  EXPECT_EQ(c->mechanisms, (std::vector<std::string>{"PLAIN", "SCRAM-SHA-512"}));
  EXPECT_EQ(c->plain_users.size(), 2u);
  EXPECT_EQ(c->plain_users.at("alice"), "alice-secret");
  EXPECT_EQ(c->max_reauth_ms.at("PLAIN"), 3600000);
  EXPECT_EQ(c->max_reauth_ms.at("SCRAM-SHA-512"), 60000);

  auto plain = start(*c, "PLAIN", nullptr);
  ASSERT_TRUE(plain);
  auto r = (*plain)->step(to_bytes(std::string_view("\0alice\0alice-secret", 19)));
  ASSERT_TRUE(r.is_success()) << r.message;
  EXPECT_EQ(r.session_lifetime_ms, 3600000);
  EXPECT_TRUE(start(*c, "SCRAM-SHA-512", nullptr));
  EXPECT_FALSE(start(*c, "SCRAM-SHA-256", nullptr)) << "not enabled on this listener";
  EXPECT_FALSE(start(*c, "GSSAPI", nullptr));
}

TEST(SaslConfig, ListenerPrefixWins) {
  properties p{{"sasl.enabled.mechanisms", "PLAIN"},
               {"listener.name.external.sasl.enabled.mechanisms", "OAUTHBEARER"}};
  auto c = read_listener_sasl_config(p, "EXTERNAL");
  ASSERT_TRUE(c) << c.err().message;
  EXPECT_EQ(c->mechanisms, std::vector<std::string>{"OAUTHBEARER"});
  EXPECT_FALSE(c->oauth_secured) << "Kafka's default is the unsecured validator";
  auto other = read_listener_sasl_config(p, "INTERNAL");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->mechanisms, std::vector<std::string>{"PLAIN"});
}

TEST(SaslConfig, ConnectionBoundsHaveKafkasDefaultsAndNames) {
  properties p{{"sasl.enabled.mechanisms", "PLAIN"}};
  auto c = read_listener_sasl_config(p, "l");
  ASSERT_TRUE(c) << c.err().message;
  EXPECT_EQ(c->max_receive_size, 524288);
  EXPECT_EQ(c->failed_authentication_delay_ms, 100);
  EXPECT_EQ(c->authentication_timeout_ms, 30000);
  p["sasl.server.max.receive.size"] = "4096";
  p["connection.failed.authentication.delay.ms"] = "0";
  p["listener.name.l.sasl.authentication.timeout.ms"] = "1500";
  c = read_listener_sasl_config(p, "l");
  ASSERT_TRUE(c) << c.err().message;
  EXPECT_EQ(c->max_receive_size, 4096);
  EXPECT_EQ(c->failed_authentication_delay_ms, 0);
  EXPECT_EQ(c->authentication_timeout_ms, 1500);
  p["connection.failed.authentication.delay.ms"] = "-1";
  c = read_listener_sasl_config(p, "l");
  ASSERT_FALSE(c);
  EXPECT_NE(c.err().message.find("connection.failed.authentication.delay.ms"), std::string::npos);
}

TEST(SaslConfig, SaslKeysAreKnownWithAndWithoutPrefixes) {
  for (const char* k : {"sasl.enabled.mechanisms", "listener.name.sasl_ssl.sasl.enabled.mechanisms",
                        "listener.name.sasl_ssl.plain.sasl.jaas.config",
                        "listener.name.x.scram-sha-512.connections.max.reauth.ms", "connections.max.reauth.ms",
                        "sasl.oauthbearer.jwks.endpoint.url", "listener.name.x.oauthbearer.sasl.oauthbearer.expected.issuer",
                        "sasl.server.max.receive.size", "connection.failed.authentication.delay.ms",
                        "sasl.mechanism.inter.broker.protocol"}) {
    EXPECT_TRUE(is_sasl_key(k)) << k;
  }
  for (const char* k : {"sasl.enabled.mechanism", "listener.name.x.ssl.keystore.location", "listener.name.sasl.enabled",
                        "listener.name.x.gssapi.sasl.jaas.config", "log.dirs"}) {
    EXPECT_FALSE(is_sasl_key(k)) << k;
  }
}

TEST(SaslConfig, BadSettingsNameTheProperty) {
  auto fails_with = [](properties p, const std::string& needle) {
    auto c = read_listener_sasl_config(p, "l");
    ASSERT_FALSE(c) << needle;
    EXPECT_NE(c.err().message.find(needle), std::string::npos) << c.err().message;
  };
  fails_with({}, "sasl.enabled.mechanisms");
  fails_with({{"sasl.enabled.mechanisms", "GSSAPI"}}, "GSSAPI");
  fails_with({{"sasl.enabled.mechanisms", " , "}}, "names no mechanism");
  fails_with({{"sasl.enabled.mechanisms", "PLAIN"}, {"listener.name.l.plain.sasl.jaas.config", "broken"}},
             "listener.name.l.plain.sasl.jaas.config");
  fails_with({{"sasl.enabled.mechanisms", "PLAIN"},
              {"listener.name.l.plain.sasl.jaas.config", "com.x.Other required;"}},
             "PlainLoginModule");
  fails_with({{"sasl.enabled.mechanisms", "PLAIN"}, {"connections.max.reauth.ms", "soon"}}, "connections.max.reauth.ms");
  fails_with({{"sasl.enabled.mechanisms", "OAUTHBEARER"},
              {"listener.name.l.oauthbearer.sasl.server.callback.handler.class", "com.x.Mine"}},
             "com.x.Mine");
  properties secured{{"sasl.enabled.mechanisms", "OAUTHBEARER"},
                     {"listener.name.l.oauthbearer.sasl.server.callback.handler.class",
                      "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler"}};
  fails_with(secured, "sasl.oauthbearer.jwks.endpoint.url");
  secured["sasl.oauthbearer.jwks.endpoint.url"] = "https://idp.example/jwks";
  fails_with(secured, "file://");
  secured["sasl.oauthbearer.jwks.endpoint.url"] = "file:///nonexistent/jwks.json";
  fails_with(secured, "cannot read");
}

TEST(SaslConfig, SecuredOAuthFromAJwksFile) {
  testing::test_key key(false, "k1");
  auto path = std::filesystem::temp_directory_path() / ("samsa-jwks-" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << testing::jwks_of({&key});
  properties p{{"sasl.enabled.mechanisms", "OAUTHBEARER"},
               {"listener.name.l.oauthbearer.sasl.server.callback.handler.class",
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler"},
               {"sasl.oauthbearer.jwks.endpoint.url", "file://" + path.string()},
               {"sasl.oauthbearer.expected.audience", "kafka, other"},
               {"sasl.oauthbearer.expected.issuer", "iss-1"},
               {"sasl.oauthbearer.sub.claim.name", "azp"},
               {"sasl.oauthbearer.scope.claim.name", "scp"},
               {"sasl.oauthbearer.clock.skew.seconds", "5"}};
  auto c = read_listener_sasl_config(p, "L");
  std::filesystem::remove(path);
  ASSERT_TRUE(c) << c.err().message;
  EXPECT_TRUE(c->oauth_secured);
  const auto& s = c->oauth_secured_options;
  EXPECT_EQ(s.expected_audience, (std::vector<std::string>{"kafka", "other"}));
  EXPECT_EQ(s.expected_issuer, "iss-1");
  EXPECT_EQ(s.sub_claim, "azp");
  EXPECT_EQ(s.scope_claim, "scp");
  EXPECT_EQ(s.clock_skew_s, 5);
  int64_t now = 1'700'000'000'000;
  nlohmann::json claims{{"azp", "svc"}, {"aud", "other"}, {"iss", "iss-1"}, {"exp", now / 1000 + 100}};
  auto m = start(*c, "OAUTHBEARER", nullptr, [now] { return now; });
  ASSERT_TRUE(m);
  auto r = (*m)->step(to_bytes("n,,\x01" "auth=Bearer " + testing::signed_token(key, claims) + "\x01\x01"));
  ASSERT_TRUE(r.is_success()) << r.message;
  EXPECT_EQ(r.principal.name, "svc");
}

TEST(SaslConfig, UnsecuredValidatorOptionsFromJaas) {
  properties p{{"sasl.enabled.mechanisms", "OAUTHBEARER"},
               {"listener.name.l.oauthbearer.sasl.jaas.config",
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required "
                "unsecuredValidatorPrincipalClaimName=\"user\" unsecuredValidatorRequiredScope=\"a b\" "
                "unsecuredValidatorAllowableClockSkewMs=\"250\";"}};
  auto c = read_listener_sasl_config(p, "l");
  ASSERT_TRUE(c) << c.err().message;
  EXPECT_EQ(c->oauth_unsecured.principal_claim, "user");
  EXPECT_EQ(c->oauth_unsecured.required_scope, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c->oauth_unsecured.clock_skew_ms, 250);
}

}  // namespace
}  // namespace samsa::sasl
