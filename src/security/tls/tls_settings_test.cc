#include "security/tls/tls_settings.h"

#include <gtest/gtest.h>

#include <map>

namespace samsa::security::tls {
namespace {

result<tls_settings> parse(std::map<std::string, std::string> values) {
  return parse_tls_settings("SSL", [&](const std::string& key) -> std::optional<std::string> {
    auto it = values.find(key);
    if (it == values.end()) return std::nullopt;
    return it->second;
  });
}

std::string message_of(const result<tls_settings>& r) { return r ? "" : r.err().message; }

TEST(TlsSettings, PemFileWithDefaults) {
  auto s = parse({{"ssl.keystore.location", "/x/broker.pem"}});
  ASSERT_TRUE(s) << message_of(s);
  EXPECT_EQ(s->keystore_location, "/x/broker.pem");
  EXPECT_EQ(s->auth, client_auth::none);
  EXPECT_TRUE(s->tls12);
  EXPECT_TRUE(s->tls13);
  EXPECT_EQ(s->principal_mapping_rules, "DEFAULT");
}

TEST(TlsSettings, InlinePemNeedsBothParts) {
  auto ok = parse({{"ssl.keystore.certificate.chain", "-----BEGIN CERTIFICATE-----"},
                   {"ssl.keystore.key", "-----BEGIN PRIVATE KEY-----"}});
  ASSERT_TRUE(ok) << message_of(ok);
  EXPECT_EQ(ok->keystore_type, "PEM");
  auto half = parse({{"ssl.keystore.certificate.chain", "x"}});
  EXPECT_NE(message_of(half).find("together"), std::string::npos);
  auto wrong_type = parse({{"ssl.keystore.type", "PKCS12"}, {"ssl.keystore.certificate.chain", "x"},
                           {"ssl.keystore.key", "y"}});
  EXPECT_NE(message_of(wrong_type).find("ssl.keystore.type=PEM"), std::string::npos);
}

TEST(TlsSettings, JksIsRefusedWithTheWayOut) {
  auto s = parse({{"ssl.keystore.type", "JKS"}, {"ssl.keystore.location", "/x/k.jks"}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.err().message.find("keytool -importkeystore"), std::string::npos);
  EXPECT_NE(s.err().message.find("listener SSL"), std::string::npos);
  EXPECT_FALSE(parse({{"ssl.truststore.type", "jks"}, {"ssl.keystore.location", "/x/k.pem"}}));
}

TEST(TlsSettings, NoCertificateIsRefused) {
  EXPECT_NE(message_of(parse({})).find("needs a certificate"), std::string::npos);
}

TEST(TlsSettings, ClientAuthModes) {
  auto required = parse({{"ssl.keystore.location", "k"}, {"ssl.client.auth", "required"},
                         {"ssl.truststore.location", "t"}});
  ASSERT_TRUE(required) << message_of(required);
  EXPECT_EQ(required->auth, client_auth::required);
  auto requested = parse({{"ssl.keystore.location", "k"}, {"ssl.client.auth", "requested"},
                          {"ssl.truststore.certificates", "pem"}});
  ASSERT_TRUE(requested) << message_of(requested);
  EXPECT_EQ(requested->auth, client_auth::requested);
  EXPECT_NE(message_of(parse({{"ssl.keystore.location", "k"}, {"ssl.client.auth", "required"}})).find("truststore"),
            std::string::npos);
  EXPECT_NE(message_of(parse({{"ssl.keystore.location", "k"}, {"ssl.client.auth", "always"}})).find("always"),
            std::string::npos);
}

TEST(TlsSettings, OnlyTls12And13) {
  auto only13 = parse({{"ssl.keystore.location", "k"}, {"ssl.enabled.protocols", "TLSv1.3"}});
  ASSERT_TRUE(only13) << message_of(only13);
  EXPECT_FALSE(only13->tls12);
  EXPECT_TRUE(only13->tls13);
  auto both = parse({{"ssl.keystore.location", "k"}, {"ssl.enabled.protocols", " TLSv1.2 , TLSv1.3 "}});
  ASSERT_TRUE(both);
  EXPECT_TRUE(both->tls12 && both->tls13);
  EXPECT_NE(message_of(parse({{"ssl.keystore.location", "k"}, {"ssl.enabled.protocols", "TLSv1.1,TLSv1.2"}}))
                .find("TLSv1.1"),
            std::string::npos);
  EXPECT_FALSE(parse({{"ssl.keystore.location", "k"}, {"ssl.enabled.protocols", ""}}));
  EXPECT_FALSE(parse({{"ssl.keystore.location", "k"}, {"ssl.protocol", "SSLv3"}}));
}

}  // namespace
}  // namespace samsa::security::tls
