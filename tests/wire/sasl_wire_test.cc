// SASL on the wire against a real `samsa serve` with a SASL_PLAINTEXT
// listener: SaslHandshake v0-1 and SaslAuthenticate v0-2 for PLAIN (JAAS and
// metadata-log users), SCRAM-SHA-256/512 and OAUTHBEARER (unsecured JWT, and
// RS256 against a JWKS file); the raw tokens after a v0 handshake; what is
// served before authentication; failures (same answer for a wrong password
// and an unknown user, after the configured delay, then the connection
// closes, with a log line); oversize and malformed tokens; an exchange that
// never finishes; re-authentication (KIP-368).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "broker_process.h"
#include "hostile_client.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"
#include "security/sasl/crypto.h"
#include "security/sasl/jwt_test_support.h"
#include "security/sasl/scram.h"
#include "wire_client.h"

namespace samsa::wire_test {
namespace {

using protocol::error_code;
using protocol::to_int;
using handshake_request = protocol::sasl_handshake_request_data;
using handshake_response = protocol::sasl_handshake_response_data;
using authenticate_request = protocol::sasl_authenticate_request_data;
using authenticate_response = protocol::sasl_authenticate_response_data;
using sasl::bytes;

const std::string jaas =
    "org.apache.kafka.common.security.plain.PlainLoginModule required "
    "user_alice=\"alice-secret\" user_bob=\"bob-secret\";";

bytes to_bytes(std::string_view s) { return bytes(s.begin(), s.end()); }
std::string as_text(const std::vector<uint8_t>& b) { return std::string(b.begin(), b.end()); }

bytes plain_token(const std::string& user, const std::string& password) {
  std::string t;
  t += '\0';
  t += user;
  t += '\0';
  t += password;
  return to_bytes(t);
}

std::map<std::string, std::string> sasl_settings(std::map<std::string, std::string> extra = {}) {
  std::map<std::string, std::string> s{
      {"listeners", "SASL_PLAINTEXT://127.0.0.1:0,PLAINTEXT://127.0.0.1:0"},
      {"sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER"},
      {"listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas},
  };
  for (auto& [k, v] : extra) s[k] = v;
  return s;
}

// The client side of SCRAM (RFC 5802), enough to drive the broker.
struct scram_client {
  sasl::scram_mechanism mechanism;
  std::string user, password;
  std::string nonce = "fyko+d2lbbFgONRv9qkxdawL";
  std::string first_bare, server_first, without_proof;
  bytes salted;

  std::string first() {
    first_bare = "n=" + user + ",r=" + nonce;
    return "n,," + first_bare;
  }
  std::string final(const std::string& server_first_message) {
    server_first = server_first_message;
    std::string combined, salt_b64;
    int iterations = 0;
    for (size_t pos = 0; pos < server_first.size();) {
      size_t comma = server_first.find(',', pos);
      std::string part = server_first.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      if (part.starts_with("r=")) combined = part.substr(2);
      if (part.starts_with("s=")) salt_b64 = part.substr(2);
      if (part.starts_with("i=")) iterations = std::stoi(part.substr(2));
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
    auto salt = sasl::base64_decode(salt_b64);
    if (!salt || !combined.starts_with(nonce)) throw std::runtime_error("bad server-first: " + server_first);
    salted = sasl::scram_salted_password(mechanism, password, *salt, iterations);
    auto h = sasl::scram_hash(mechanism);
    bytes client_key = sasl::hmac(h, salted, "Client Key");
    bytes stored = sasl::hash(h, as_text(client_key));
    without_proof = "c=biws,r=" + combined;
    bytes signature = sasl::hmac(h, stored, auth_message());
    bytes proof(client_key.size());
    for (size_t i = 0; i < proof.size(); ++i) proof[i] = client_key[i] ^ signature[i];
    return without_proof + ",p=" + sasl::base64_encode(proof);
  }
  std::string auth_message() const { return first_bare + "," + server_first + "," + without_proof; }
  std::string expected_server_final() const {
    bytes server_key = sasl::hmac(sasl::scram_hash(mechanism), salted, "Server Key");
    return "v=" + sasl::base64_encode(sasl::hmac(sasl::scram_hash(mechanism), server_key, auth_message()));
  }
};

class SaslWire : public ::testing::Test {
 protected:
  void start(std::map<std::string, std::string> extra = {}) {
    broker_ = std::make_unique<broker_process>(sasl_settings(std::move(extra)));
    broker_->start();
    sasl_port_ = broker_->port_of("SASL_PLAINTEXT");
    plain_port_ = broker_->port_of("PLAINTEXT");
  }
  void TearDown() override {
    if (HasFailure() && broker_) std::cerr << "--- broker log (tail) ---\n" << broker_->log_tail() << "\n";
  }

  std::unique_ptr<wire_client> connect() { return std::make_unique<wire_client>(sasl_port_); }

  static handshake_response handshake(wire_client& c, const std::string& mechanism, int16_t version = 1) {
    handshake_request req;
    req.mechanism = mechanism;
    return c.call<handshake_response>(req, version);
  }
  static authenticate_response authenticate(wire_client& c, const bytes& token, int16_t version = 2) {
    authenticate_request req;
    req.auth_bytes = token;
    return c.call<authenticate_response>(req, version);
  }
  // Metadata is the request that must never be served without authentication.
  static protocol::metadata_response_data metadata(wire_client& c) {
    protocol::metadata_request_data req;
    req.topics = std::nullopt;
    return c.call<protocol::metadata_response_data>(req, 12);
  }
  // A raw token (after a v0 handshake): 4-byte size, then the bytes.
  static void send_raw_token(wire_client& c, const bytes& token) {
    std::vector<uint8_t> frame(4);
    uint32_t n = static_cast<uint32_t>(token.size());
    frame[0] = static_cast<uint8_t>(n >> 24);
    frame[1] = static_cast<uint8_t>(n >> 16);
    frame[2] = static_cast<uint8_t>(n >> 8);
    frame[3] = static_cast<uint8_t>(n);
    frame.insert(frame.end(), token.begin(), token.end());
    c.send_raw(frame);
  }

  void create_scram_user(const std::string& user, const std::string& password, sasl::scram_mechanism m,
                         int32_t iterations = 4096) {
    wire_client admin(plain_port_);
    protocol::alter_user_scram_credentials_request_data req;
    auto& u = req.upsertions.emplace_back();
    u.name = user;
    u.mechanism = static_cast<int8_t>(m);
    u.iterations = iterations;
    u.salt = to_bytes("salt-of-" + user);
    u.salted_password = sasl::scram_salted_password(m, password, u.salt, iterations);
    auto r = admin.call<protocol::alter_user_scram_credentials_response_data>(req, 0);
    ASSERT_EQ(r.results.size(), 1u);
    ASSERT_EQ(r.results[0].error_code, 0) << r.results[0].error_message.value_or("");
  }

  // Runs a whole SCRAM exchange over SaslAuthenticate; returns the last answer.
  authenticate_response scram_login(wire_client& c, sasl::scram_mechanism m, const std::string& user,
                                    const std::string& password, int16_t version = 2) {
    auto hs = handshake(c, sasl::scram_mechanism_name(m));
    EXPECT_EQ(hs.error_code, 0);
    scram_client sc{m, user, password};
    auto first = authenticate(c, to_bytes(sc.first()), version);
    if (first.error_code != 0) return first;
    auto last = authenticate(c, to_bytes(sc.final(as_text(first.auth_bytes))), version);
    if (last.error_code == 0) {
      EXPECT_EQ(as_text(last.auth_bytes), sc.expected_server_final());
    }
    return last;
  }

  size_t log_count(const std::string& needle) const {
    std::string log = broker_->log_text();
    size_t n = 0;
    for (size_t at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) ++n;
    return n;
  }

  std::unique_ptr<broker_process> broker_;
  uint16_t sasl_port_ = 0;
  uint16_t plain_port_ = 0;
};

TEST_F(SaslWire, HandshakeListsTheEnabledMechanismsAndPlainAuthenticates) {
  start();
  for (int16_t version : {0, 1, 2}) {
    auto c = connect();
    auto hs = handshake(*c, "PLAIN", 1);
    EXPECT_EQ(hs.error_code, 0);
    EXPECT_EQ(hs.mechanisms, (std::vector<std::string>{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"}));
    auto r = authenticate(*c, plain_token("alice", "alice-secret"), version);
    EXPECT_EQ(r.error_code, 0) << version << ": " << r.error_message.value_or("");
    EXPECT_EQ(r.error_message, "") << "Kafka leaves a successful exchange's message at its default";
    EXPECT_EQ(r.session_lifetime_ms, 0) << "no connections.max.reauth.ms: no limit";
    EXPECT_EQ(metadata(*c).brokers.size(), 1u) << "served once authenticated";
  }
}

TEST_F(SaslWire, NothingButTheExchangeBeforeAuthentication) {
  start();
  {
    // ApiVersions is served; Metadata closes the connection unanswered.
    auto c = connect();
    protocol::api_versions_request_data av;
    av.client_software_name = "t";
    av.client_software_version = "1";
    EXPECT_EQ(c->call<protocol::api_versions_response_data>(av, 3).error_code, 0);
    EXPECT_THROW(metadata(*c), std::runtime_error);
  }
  {
    // Mid-exchange (after the handshake) too.
    auto c = connect();
    EXPECT_EQ(handshake(*c, "PLAIN").error_code, 0);
    EXPECT_THROW(metadata(*c), std::runtime_error);
  }
  {
    // SaslAuthenticate without a handshake closes the connection.
    auto c = connect();
    EXPECT_THROW(authenticate(*c, plain_token("alice", "alice-secret")), std::runtime_error);
  }
  EXPECT_GE(log_count("before SASL authentication"), 1u);
  EXPECT_GE(log_count("during SASL authentication"), 1u);
  EXPECT_GE(log_count("SaslAuthenticate before SaslHandshake"), 1u);
}

TEST_F(SaslWire, UnknownMechanismIsRefusedWithTheEnabledListThenClosed) {
  start({{"sasl.enabled.mechanisms", "SCRAM-SHA-512,PLAIN"}});
  auto c = connect();
  auto hs = handshake(*c, "GSSAPI");
  EXPECT_EQ(hs.error_code, to_int(error_code::unsupported_sasl_mechanism));
  EXPECT_EQ(hs.mechanisms, (std::vector<std::string>{"SCRAM-SHA-512", "PLAIN"}));
  EXPECT_TRUE(c->closed_by_peer_within(10000));
  // Known to Samsa but not enabled on this listener: the same.
  auto d = connect();
  EXPECT_EQ(handshake(*d, "OAUTHBEARER", 0).error_code, to_int(error_code::unsupported_sasl_mechanism));
  EXPECT_TRUE(d->closed_by_peer_within(10000));
  EXPECT_EQ(log_count("SASL authentication failed"), 2u);
  EXPECT_EQ(log_count("mechanism 'GSSAPI' is not enabled"), 1u);
}

TEST_F(SaslWire, WrongPasswordAndUnknownUserGetTheSameAnswerAndAClose) {
  start();
  create_scram_user("carol", "carol-secret", sasl::scram_mechanism::sha256);
  std::vector<std::string> messages;
  for (auto [user, password] : std::vector<std::pair<std::string, std::string>>{
           {"alice", "wrong"}, {"nobody", "alice-secret"}, {"carol", "wrong"}}) {
    auto c = connect();
    ASSERT_EQ(handshake(*c, "PLAIN").error_code, 0);
    auto r = authenticate(*c, plain_token(user, password));
    EXPECT_EQ(r.error_code, to_int(error_code::sasl_authentication_failed)) << user;
    messages.push_back(r.error_message.value_or(""));
    EXPECT_TRUE(c->closed_by_peer_within(10000)) << user;
  }
  EXPECT_EQ(messages[0], messages[1]);
  EXPECT_EQ(messages[0], messages[2]);
  EXPECT_EQ(messages[0].find("password"), std::string::npos) << messages[0];
  EXPECT_NE(messages[0].find("invalid credentials"), std::string::npos) << messages[0];
  // SCRAM: an unknown user goes through the whole exchange and fails the same way.
  std::vector<std::string> scram_messages;
  for (auto [user, password] : std::vector<std::pair<std::string, std::string>>{
           {"carol", "wrong"}, {"nobody", "carol-secret"}}) {
    auto c = connect();
    auto r = scram_login(*c, sasl::scram_mechanism::sha256, user, password);
    EXPECT_EQ(r.error_code, to_int(error_code::sasl_authentication_failed)) << user;
    scram_messages.push_back(r.error_message.value_or(""));
    EXPECT_TRUE(c->closed_by_peer_within(10000)) << user;
  }
  EXPECT_EQ(scram_messages[0], scram_messages[1]);
  // One log line per failure, naming the user but not what was wrong.
  EXPECT_EQ(log_count("SASL authentication failed"), 5u);
  EXPECT_EQ(log_count("user 'nobody'"), 2u);
}

TEST_F(SaslWire, ScramSha256And512FromTheMetadataLog) {
  start();
  create_scram_user("dave", "dave-secret", sasl::scram_mechanism::sha256);
  create_scram_user("erin", "erin-secret", sasl::scram_mechanism::sha512, 8192);
  for (int16_t version : {0, 1, 2}) {
    auto c = connect();
    auto r = scram_login(*c, sasl::scram_mechanism::sha256, "dave", "dave-secret", version);
    ASSERT_EQ(r.error_code, 0) << r.error_message.value_or("");
    EXPECT_EQ(metadata(*c).brokers.size(), 1u);
  }
  auto c = connect();
  auto r = scram_login(*c, sasl::scram_mechanism::sha512, "erin", "erin-secret");
  ASSERT_EQ(r.error_code, 0) << r.error_message.value_or("");
  EXPECT_EQ(metadata(*c).brokers.size(), 1u);
  // A SHA-256 credential does not log in with SHA-512.
  auto d = connect();
  EXPECT_EQ(scram_login(*d, sasl::scram_mechanism::sha512, "dave", "dave-secret").error_code,
            to_int(error_code::sasl_authentication_failed));
  // PLAIN accepts metadata-log users too (the password checked against the salted hash).
  auto e = connect();
  ASSERT_EQ(handshake(*e, "PLAIN").error_code, 0);
  EXPECT_EQ(authenticate(*e, plain_token("erin", "erin-secret")).error_code, 0);
  EXPECT_EQ(metadata(*e).brokers.size(), 1u);
}

TEST_F(SaslWire, RawTokensAfterAVersion0Handshake) {
  start();
  create_scram_user("frank", "frank-secret", sasl::scram_mechanism::sha512);
  {
    // PLAIN: kafka-python 2.0.2 expects four zero bytes on success.
    auto c = connect();
    ASSERT_EQ(handshake(*c, "PLAIN", 0).error_code, 0);
    send_raw_token(*c, plain_token("bob", "bob-secret"));
    EXPECT_TRUE(c->receive_raw().empty());
    EXPECT_EQ(metadata(*c).brokers.size(), 1u) << "Kafka framing again after the raw exchange";
  }
  {
    auto c = connect();
    ASSERT_EQ(handshake(*c, "SCRAM-SHA-512", 0).error_code, 0);
    scram_client sc{sasl::scram_mechanism::sha512, "frank", "frank-secret"};
    send_raw_token(*c, to_bytes(sc.first()));
    std::string server_first = as_text(c->receive_raw());
    send_raw_token(*c, to_bytes(sc.final(server_first)));
    EXPECT_EQ(as_text(c->receive_raw()), sc.expected_server_final());
    EXPECT_EQ(metadata(*c).brokers.size(), 1u);
  }
  {
    // A raw failure cannot carry an error: the connection closes unanswered.
    auto c = connect();
    ASSERT_EQ(handshake(*c, "PLAIN", 0).error_code, 0);
    send_raw_token(*c, plain_token("bob", "not-bob"));
    EXPECT_TRUE(c->closed_by_peer_within(10000));
  }
  {
    // The raw token is a token, even when it looks like a Kafka request.
    auto c = connect();
    ASSERT_EQ(handshake(*c, "PLAIN", 0).error_code, 0);
    std::vector<uint8_t> metadata_frame = raw_frame(3, 12, 7, {0xff, 0xff, 0xff, 0xff, 0, 0, 0}, true);
    c->send_raw(metadata_frame);
    EXPECT_TRUE(c->closed_by_peer_within(10000));
  }
  EXPECT_EQ(log_count("SASL authentication failed"), 2u);
}

TEST_F(SaslWire, MalformedAndOversizeTokensAreRefused) {
  start({{"sasl.server.max.receive.size", "4096"}});
  {
    auto c = connect();
    ASSERT_EQ(handshake(*c, "PLAIN").error_code, 0);
    auto r = authenticate(*c, to_bytes("no separators at all"));
    EXPECT_EQ(r.error_code, to_int(error_code::sasl_authentication_failed));
    EXPECT_TRUE(c->closed_by_peer_within(10000));
  }
  {
    auto c = connect();
    ASSERT_EQ(handshake(*c, "SCRAM-SHA-256").error_code, 0);
    auto r = authenticate(*c, to_bytes("garbage,,,"));
    EXPECT_EQ(r.error_code, to_int(error_code::sasl_authentication_failed));
    EXPECT_TRUE(c->closed_by_peer_within(10000));
  }
  {
    auto c = connect();
    ASSERT_EQ(handshake(*c, "OAUTHBEARER").error_code, 0);
    auto r = authenticate(*c, to_bytes("n,,\x01" "auth=Bearer not.a.jwt\x01\x01"));
    // RFC 7628: an error challenge first, the failure after the client's %x01.
    ASSERT_EQ(r.error_code, 0);
    EXPECT_NE(as_text(r.auth_bytes).find("invalid_token"), std::string::npos);
    auto last = authenticate(*c, to_bytes("\x01"));
    EXPECT_EQ(last.error_code, to_int(error_code::sasl_authentication_failed));
    EXPECT_TRUE(c->closed_by_peer_within(10000));
  }
  {
    // A SaslAuthenticate larger than sasl.server.max.receive.size: closed
    // before its body is read.
    auto c = connect();
    ASSERT_EQ(handshake(*c, "PLAIN").error_code, 0);
    authenticate_request big;
    big.auth_bytes = bytes(5000, 'x');
    c->send(big, 2);
    EXPECT_TRUE(c->closed_by_peer_within(10000));
  }
  {
    // The same for a raw token, announced at 1 GiB and never sent.
    auto c = connect();
    ASSERT_EQ(handshake(*c, "PLAIN", 0).error_code, 0);
    c->send_raw({0x40, 0, 0, 0});
    EXPECT_TRUE(c->closed_by_peer_within(10000));
  }
  {
    // And for any request before authentication.
    auto c = connect();
    c->send_raw({0, 0, 0x20, 0x00});
    EXPECT_TRUE(c->closed_by_peer_within(10000));
  }
  EXPECT_EQ(log_count("sasl.server.max.receive.size=4096"), 3u);
  EXPECT_EQ(log_count("SASL authentication failed"), 3u);
}

TEST_F(SaslWire, AnExchangeThatNeverFinishesIsClosed) {
  start({{"sasl.authentication.timeout.ms", "1000"}});
  auto silent = connect();
  auto stuck = connect();
  ASSERT_EQ(handshake(*stuck, "PLAIN").error_code, 0);
  auto trickle = connect();
  trickle->send_raw({0, 0, 0});  // part of a size prefix, then nothing
  EXPECT_TRUE(silent->closed_by_peer_within(15000));
  EXPECT_TRUE(stuck->closed_by_peer_within(15000));
  EXPECT_TRUE(trickle->closed_by_peer_within(15000));
  EXPECT_EQ(log_count("SASL authentication not finished within 1000 ms"), 3u);
  // An authenticated connection is not affected by the deadline.
  auto fine = connect();
  ASSERT_EQ(handshake(*fine, "PLAIN").error_code, 0);
  ASSERT_EQ(authenticate(*fine, plain_token("alice", "alice-secret")).error_code, 0);
  EXPECT_FALSE(fine->closed_by_peer_within(2000));
  EXPECT_EQ(metadata(*fine).brokers.size(), 1u);
}

TEST_F(SaslWire, AFailingClientWaitsAloneForItsDelay) {
  start({{"connection.failed.authentication.delay.ms", "3000"}});
  auto failing = connect();
  ASSERT_EQ(handshake(*failing, "PLAIN").error_code, 0);
  authenticate_request bad;
  bad.auth_bytes = plain_token("alice", "wrong");
  int32_t id = failing->send(bad, 2);
  // Meanwhile another client logs in and is served in full.
  auto other = connect();
  ASSERT_EQ(handshake(*other, "PLAIN").error_code, 0);
  ASSERT_EQ(authenticate(*other, plain_token("bob", "bob-secret")).error_code, 0);
  EXPECT_EQ(metadata(*other).brokers.size(), 1u);
  EXPECT_FALSE(failing->answer_waiting(0)) << "the failure is answered only after the delay";
  auto r = failing->receive<authenticate_response>(36, 2, id);
  EXPECT_EQ(r.error_code, to_int(error_code::sasl_authentication_failed));
  EXPECT_TRUE(failing->closed_by_peer_within(10000));
}

TEST_F(SaslWire, OAuthBearerUnsecuredJwt) {
  start();
  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  auto initial = [](const std::string& token) { return to_bytes("n,,\x01" "auth=Bearer " + token + "\x01\x01"); };
  {
    auto c = connect();
    ASSERT_EQ(handshake(*c, "OAUTHBEARER").error_code, 0);
    auto token = sasl::testing::unsecured_token({{"sub", "grace"}, {"iat", now_s}, {"exp", now_s + 3600}});
    auto r = authenticate(*c, initial(token));
    ASSERT_EQ(r.error_code, 0) << r.error_message.value_or("");
    // The token's lifetime bounds the session (KIP-368) even without connections.max.reauth.ms.
    EXPECT_GT(r.session_lifetime_ms, 3500 * 1000);
    EXPECT_LE(r.session_lifetime_ms, 3600 * 1000);
    EXPECT_EQ(metadata(*c).brokers.size(), 1u);
  }
  {
    auto c = connect();
    ASSERT_EQ(handshake(*c, "OAUTHBEARER").error_code, 0);
    auto expired = sasl::testing::unsecured_token({{"sub", "grace"}, {"iat", now_s - 7200}, {"exp", now_s - 3600}});
    auto r = authenticate(*c, initial(expired));
    ASSERT_EQ(r.error_code, 0);
    EXPECT_NE(as_text(r.auth_bytes).find("invalid_token"), std::string::npos);
    EXPECT_EQ(authenticate(*c, to_bytes("\x01")).error_code, to_int(error_code::sasl_authentication_failed));
    EXPECT_TRUE(c->closed_by_peer_within(10000));
  }
}

TEST_F(SaslWire, OAuthBearerRs256AgainstAJwksFile) {
  sasl::testing::test_key key(false, "k1");
  auto dir = std::filesystem::temp_directory_path() / ("samsa-jwks-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "jwks.json") << sasl::testing::jwks_of({&key});
  start({{"listener.name.sasl_plaintext.oauthbearer.sasl.server.callback.handler.class",
          "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler"},
         {"sasl.oauthbearer.jwks.endpoint.url", "file://" + (dir / "jwks.json").string()},
         {"sasl.oauthbearer.expected.issuer", "https://idp.test"},
         {"sasl.oauthbearer.expected.audience", "samsa"}});
  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  auto login = [&](const nlohmann::json& claims) {
    auto c = connect();
    EXPECT_EQ(handshake(*c, "OAUTHBEARER").error_code, 0);
    auto r = authenticate(*c, to_bytes("n,,\x01" "auth=Bearer " + sasl::testing::signed_token(key, claims) +
                                       "\x01\x01"));
    if (r.error_code == 0 && !r.auth_bytes.empty()) r = authenticate(*c, to_bytes("\x01"));
    return std::pair{std::move(c), r};
  };
  nlohmann::json good{{"sub", "svc"}, {"iss", "https://idp.test"}, {"aud", "samsa"}, {"iat", now_s},
                      {"exp", now_s + 600}};
  auto [ok, r] = login(good);
  ASSERT_EQ(r.error_code, 0) << r.error_message.value_or("");
  EXPECT_EQ(metadata(*ok).brokers.size(), 1u);
  nlohmann::json wrong_issuer = good;
  wrong_issuer["iss"] = "https://evil.test";
  auto [bad, refused] = login(wrong_issuer);
  EXPECT_EQ(refused.error_code, to_int(error_code::sasl_authentication_failed));
  std::filesystem::remove_all(dir);
}

TEST_F(SaslWire, ReauthenticationKeepsTheSessionAndThePrincipal) {
  start({{"connections.max.reauth.ms", "1500"}});
  auto c = connect();
  ASSERT_EQ(handshake(*c, "PLAIN").error_code, 0);
  auto r = authenticate(*c, plain_token("alice", "alice-secret"), 1);
  ASSERT_EQ(r.error_code, 0);
  EXPECT_EQ(r.session_lifetime_ms, 1500);
  // Re-authenticate as the same user: the session starts over.
  ASSERT_EQ(handshake(*c, "PLAIN").error_code, 0);
  r = authenticate(*c, plain_token("alice", "alice-secret"), 1);
  ASSERT_EQ(r.error_code, 0) << r.error_message.value_or("");
  EXPECT_EQ(r.session_lifetime_ms, 1500);
  EXPECT_EQ(metadata(*c).brokers.size(), 1u);
  // Within a second of the last one: answered as Kafka's request handler does.
  EXPECT_EQ(handshake(*c, "PLAIN").error_code, to_int(error_code::illegal_sasl_state));
  EXPECT_EQ(metadata(*c).brokers.size(), 1u);

  // Re-authenticating as someone else fails and closes the connection.
  auto d = connect();
  ASSERT_EQ(handshake(*d, "PLAIN").error_code, 0);
  ASSERT_EQ(authenticate(*d, plain_token("alice", "alice-secret")).error_code, 0);
  ASSERT_EQ(handshake(*d, "PLAIN").error_code, 0);
  auto other = authenticate(*d, plain_token("bob", "bob-secret"));
  EXPECT_EQ(other.error_code, to_int(error_code::sasl_authentication_failed));
  EXPECT_NE(other.error_message.value_or("").find("User:alice"), std::string::npos);
  EXPECT_TRUE(d->closed_by_peer_within(10000));

  // Another mechanism: the handshake is answered, the token fails (as Kafka).
  create_scram_user("alice", "alice-secret", sasl::scram_mechanism::sha256);
  auto e = connect();
  ASSERT_EQ(handshake(*e, "PLAIN").error_code, 0);
  ASSERT_EQ(authenticate(*e, plain_token("alice", "alice-secret")).error_code, 0);
  EXPECT_EQ(scram_login(*e, sasl::scram_mechanism::sha256, "alice", "alice-secret").error_code,
            to_int(error_code::sasl_authentication_failed));
  EXPECT_TRUE(e->closed_by_peer_within(10000));

  // A session past its lifetime without re-authentication: the next request
  // closes the connection. (Waiting out the lifetime is the point here.)
  auto f = connect();
  ASSERT_EQ(handshake(*f, "PLAIN").error_code, 0);
  ASSERT_EQ(authenticate(*f, plain_token("bob", "bob-secret")).error_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1700));
  EXPECT_THROW(metadata(*f), std::runtime_error);
  EXPECT_EQ(log_count("did not re-authenticate"), 1u);
  // ...while re-authenticating after the expiry is still allowed.
  auto g = connect();
  ASSERT_EQ(handshake(*g, "PLAIN").error_code, 0);
  ASSERT_EQ(authenticate(*g, plain_token("bob", "bob-secret")).error_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1700));
  ASSERT_EQ(handshake(*g, "PLAIN").error_code, 0);
  ASSERT_EQ(authenticate(*g, plain_token("bob", "bob-secret")).error_code, 0);
  EXPECT_EQ(metadata(*g).brokers.size(), 1u);
  EXPECT_EQ(log_count("re-authenticated as User:alice with PLAIN, session lifetime 1500 ms"), 1u);
  EXPECT_EQ(log_count("re-authenticated as User:bob"), 1u);
}

TEST_F(SaslWire, WithoutASessionLifetimeThereIsNoReauthentication) {
  start();
  auto c = connect();
  ASSERT_EQ(handshake(*c, "PLAIN").error_code, 0);
  ASSERT_EQ(authenticate(*c, plain_token("alice", "alice-secret")).error_code, 0);
  EXPECT_EQ(handshake(*c, "PLAIN").error_code, to_int(error_code::illegal_sasl_state));
  auto late = authenticate(*c, plain_token("alice", "alice-secret"));
  EXPECT_EQ(late.error_code, to_int(error_code::illegal_sasl_state));
  EXPECT_EQ(metadata(*c).brokers.size(), 1u);
  // A PLAINTEXT listener has no SASL at all.
  wire_client p(plain_port_);
  auto hs = handshake(p, "PLAIN");
  EXPECT_EQ(hs.error_code, to_int(error_code::illegal_sasl_state));
  EXPECT_TRUE(hs.mechanisms.empty());
  EXPECT_EQ(authenticate(p, plain_token("alice", "alice-secret")).error_code,
            to_int(error_code::illegal_sasl_state));
}

}  // namespace
}  // namespace samsa::wire_test
