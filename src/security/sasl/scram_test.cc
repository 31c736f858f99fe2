#include "security/sasl/scram.h"

#include <gtest/gtest.h>

namespace samsa::sasl {
namespace {

// RFC 7677 section 3: user "user", password "pencil".
constexpr const char* rfc_client_first = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr const char* rfc_server_nonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr const char* rfc_server_first =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr const char* rfc_client_final =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr const char* rfc_server_final = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

scram_credential credential(scram_mechanism m, const std::string& password, const bytes& salt, int32_t iterations) {
  return scram_credential_from_salted(m, scram_salted_password(m, password, salt, iterations), salt, iterations);
}

struct fixture {
  std::map<std::string, scram_credential> users;
  scram_options options(scram_mechanism m) {
    scram_options o;
    o.mechanism = m;
    o.lookup = [this, m](const std::string& user, scram_mechanism asked) -> std::optional<scram_credential> {
      if (asked != m) return std::nullopt;
      auto it = users.find(user);
      if (it == users.end()) return std::nullopt;
      return it->second;
    };
    o.now = [] { return int64_t{1000}; };
    return o;
  }
};

TEST(Scram, Rfc7677ExampleExchange) {
  fixture f;
  f.users["user"] = credential(scram_mechanism::sha256, "pencil", *base64_decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
  auto o = f.options(scram_mechanism::sha256);
  o.server_nonce = [] { return std::string(rfc_server_nonce); };
  auto server = make_scram_server(std::move(o));
  auto first = server->step(to_bytes(rfc_client_first));
  ASSERT_TRUE(first.is_challenge()) << first.message;
  EXPECT_EQ(as_text(first.response), rfc_server_first);
  auto final = server->step(to_bytes(rfc_client_final));
  ASSERT_TRUE(final.is_success()) << final.message;
  EXPECT_EQ(as_text(final.response), rfc_server_final);
  EXPECT_EQ(final.principal.to_string(), "User:user");
  EXPECT_FALSE(final.session_lifetime_ms.has_value());
  EXPECT_TRUE(server->step(to_bytes(rfc_client_final)).is_failure()) << "the exchange is over";
}

// A client written from RFC 5802's formulas, to drive SCRAM-SHA-512 and the
// failure cases.
struct test_client {
  scram_mechanism m;
  std::string user, password, nonce = "fyko+d2lbbFgONRv9qkxdawL";
  // Put in front of the echoed nonce (librdkafka before 2.6.1 repeats its own).
  std::string nonce_prefix;
  std::string first_bare() const { return "n=" + user + ",r=" + nonce; }
  std::string final_for(const std::string& server_first, const std::string& channel = "biws") const {
    std::string r, s;
    int32_t i = 0;
    for (size_t p = 0; p < server_first.size();) {
      size_t c = server_first.find(',', p);
      std::string part = server_first.substr(p, c == std::string::npos ? std::string::npos : c - p);
      if (part.starts_with("r=")) r = part.substr(2);
      if (part.starts_with("s=")) s = part.substr(2);
      if (part.starts_with("i=")) i = std::stoi(part.substr(2));
      if (c == std::string::npos) break;
      p = c + 1;
    }
    hash_kind h = scram_hash(m);
    bytes salted = scram_salted_password(m, password, *base64_decode(s), i);
    bytes client_key = hmac(h, salted, "Client Key");
    bytes stored = hash(h, as_text(client_key));
    std::string without = "c=" + channel + ",r=" + nonce_prefix + r;
    std::string auth = first_bare() + "," + server_first + "," + without;
    bytes sig = hmac(h, stored, auth);
    for (size_t k = 0; k < sig.size(); ++k) sig[k] ^= client_key[k];
    return without + ",p=" + base64_encode(sig);
  }
};

step_result run(fixture& f, scram_mechanism m, const test_client& c) {
  auto server = make_scram_server(f.options(m));
  auto first = server->step(to_bytes("n,," + c.first_bare()));
  if (!first.is_challenge()) return first;
  return server->step(to_bytes(c.final_for(std::string(as_text(first.response)))));
}

TEST(Scram, Sha512RoundTripAndWrongPassword) {
  fixture f;
  f.users["alice"] = credential(scram_mechanism::sha512, "alice-secret", to_bytes("0123456789abcdef"), 8192);
  auto ok = run(f, scram_mechanism::sha512, {scram_mechanism::sha512, "alice", "alice-secret"});
  ASSERT_TRUE(ok.is_success()) << ok.message;
  EXPECT_TRUE(as_text(ok.response).starts_with("v="));
  auto wrong = run(f, scram_mechanism::sha512, {scram_mechanism::sha512, "alice", "nope"});
  ASSERT_TRUE(wrong.is_failure());
  // The credential is for SHA-512 only: SHA-256 sees an unknown user.
  auto other = run(f, scram_mechanism::sha256, {scram_mechanism::sha256, "alice", "alice-secret"});
  ASSERT_TRUE(other.is_failure());
}

TEST(Scram, UnknownUserLooksLikeWrongPassword) {
  fixture f;
  f.users["alice"] = credential(scram_mechanism::sha256, "alice-secret", to_bytes("salt-salt-salt-1"), 4096);
  auto wrong = run(f, scram_mechanism::sha256, {scram_mechanism::sha256, "alice", "nope"});
  auto unknown = run(f, scram_mechanism::sha256, {scram_mechanism::sha256, "mallory", "nope"});
  ASSERT_TRUE(wrong.is_failure());
  ASSERT_TRUE(unknown.is_failure());
  EXPECT_EQ(wrong.message, unknown.message);
  EXPECT_EQ(unknown.message, invalid_credentials_message("SCRAM-SHA-256"));
  // The unknown user's server-first looks like a real one, and the same on every try.
  auto a = make_scram_server(f.options(scram_mechanism::sha256));
  auto b = make_scram_server(f.options(scram_mechanism::sha256));
  auto fa = a->step(to_bytes("n,,n=mallory,r=abc"));
  auto fb = b->step(to_bytes("n,,n=mallory,r=abc"));
  ASSERT_TRUE(fa.is_challenge());
  std::string sa(as_text(fa.response)), sb(as_text(fb.response));
  EXPECT_EQ(sa.substr(sa.find(",s=")), sb.substr(sb.find(",s=")));
  EXPECT_NE(sa.find(",i=4096"), std::string::npos);
}

TEST(Scram, OldLibrdkafkaRepeatingItsNonceIsAcceptedNothingElse) {
  fixture f;
  f.users["alice"] = credential(scram_mechanism::sha256, "alice-secret", to_bytes("salt-salt-salt-1"), 4096);
  test_client old{scram_mechanism::sha256, "alice", "alice-secret"};
  old.nonce_prefix = old.nonce;  // what librdkafka 2.0.2 sends
  auto ok = run(f, scram_mechanism::sha256, old);
  EXPECT_TRUE(ok.is_success()) << ok.message;
  test_client other{scram_mechanism::sha256, "alice", "alice-secret"};
  other.nonce_prefix = "x";
  auto refused = run(f, scram_mechanism::sha256, other);
  ASSERT_TRUE(refused.is_failure());
  EXPECT_NE(refused.message.find("nonce"), std::string::npos) << refused.message;
}

TEST(Scram, StoredCredentialBelowMinimumIterationsIsRefused) {
  fixture f;
  f.users["old"] = credential(scram_mechanism::sha256, "pw", to_bytes("salt"), 1000);
  auto r = run(f, scram_mechanism::sha256, {scram_mechanism::sha256, "old", "pw"});
  EXPECT_TRUE(r.is_failure());
}

TEST(Scram, SessionLifetimeIsTheReauthSetting) {
  fixture f;
  f.users["alice"] = credential(scram_mechanism::sha256, "pw", to_bytes("salt"), 4096);
  auto o = f.options(scram_mechanism::sha256);
  o.max_reauth_ms = 60000;
  auto server = make_scram_server(std::move(o));
  test_client c{scram_mechanism::sha256, "alice", "pw"};
  auto first = server->step(to_bytes("n,," + c.first_bare()));
  auto done = server->step(to_bytes(c.final_for(std::string(as_text(first.response)))));
  ASSERT_TRUE(done.is_success());
  EXPECT_EQ(done.session_lifetime_ms, 60000);
}

TEST(Scram, ClientFirstParsing) {
  auto p = parse_scram_client_first("n,a=bob=2Cx,n=bob=2Cx,r=abc");
  ASSERT_TRUE(p) << p.err().message;
  EXPECT_EQ(p->user, "bob,x");
  EXPECT_EQ(p->authzid, "bob,x");
  EXPECT_EQ(p->gs2_header, "n,a=bob=2Cx,");
  EXPECT_EQ(p->bare, "n=bob=2Cx,r=abc");
  auto e = parse_scram_client_first("n,,n=u=3D,r=x,tokenauth=true");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->user, "u=");
  ASSERT_EQ(e->extensions.size(), 1u);
  for (const char* hostile : {"", "n", "n,,", "n,,n=u", "x,,n=u,r=a", "p=tls-unique,,n=u,r=a", "n,,m=x,n=u,r=a",
                              "n,,n=,r=a", "n,,n=u=XY,r=a", "n,,n=u,r=", "n,,n=u,r=a b", "n,,r=a,n=u",
                              "n,b=x,n=u,r=a", "n,,n=u,r=a,=x", "n,,n=u,r=a,ext"}) {
    EXPECT_FALSE(parse_scram_client_first(hostile)) << hostile;
  }
  EXPECT_FALSE(parse_scram_client_first(std::string(scram_max_message + 1, 'n')));
}

TEST(Scram, ClientFinalParsing) {
  auto p = parse_scram_client_final("c=biws,r=abc,p=AAAA");
  ASSERT_TRUE(p) << p.err().message;
  EXPECT_EQ(p->without_proof, "c=biws,r=abc");
  EXPECT_EQ(as_text(p->channel_binding), "n,,");
  for (const char* hostile : {"", "c=biws", "c=biws,r=abc", "c=biws,p=AAAA,r=abc", "c=bi!s,r=abc,p=AAAA",
                              "c=biws,r=abc,p=A", "c=biws,r=abc,p=", "r=abc,c=biws,p=AAAA", "c=biws,r=,p=AAAA",
                              "c=biws,r=abc,,p=AAAA"}) {
    EXPECT_FALSE(parse_scram_client_final(hostile)) << hostile;
  }
}

TEST(Scram, HostileExchangesFailCleanly) {
  fixture f;
  f.users["u"] = credential(scram_mechanism::sha256, "pw", to_bytes("salt"), 4096);
  auto fails_at_final = [&](const std::string& first, auto make_final) {
    auto server = make_scram_server(f.options(scram_mechanism::sha256));
    auto r1 = server->step(to_bytes(first));
    if (!r1.is_challenge()) return r1.is_failure();
    return server->step(to_bytes(make_final(std::string(as_text(r1.response))))).is_failure();
  };
  test_client c{scram_mechanism::sha256, "u", "pw"};
  // Extensions (tokenauth included: no delegation tokens here) are refused up front.
  EXPECT_TRUE(fails_at_final("n,,n=u,r=" + c.nonce + ",tokenauth=true", [&](auto s) { return c.final_for(s); }));
  // The authorization id must be the user.
  EXPECT_TRUE(fails_at_final("n,a=admin,n=u,r=" + c.nonce, [&](auto s) { return c.final_for(s); }));
  // Channel binding that does not repeat the gs2 header.
  EXPECT_TRUE(fails_at_final("n,," + c.first_bare(), [&](auto s) { return c.final_for(s, "eSws"); }));
  // A nonce that is not the combined one.
  EXPECT_TRUE(fails_at_final("n,," + c.first_bare(), [&](auto) { return std::string("c=biws,r=" + c.nonce + ",p=AAAA"); }));
  // A proof of the wrong size.
  EXPECT_TRUE(fails_at_final("n,," + c.first_bare(), [&](auto s) {
    std::string full = c.final_for(s);
    return full.substr(0, full.find(",p=")) + ",p=AAAA";
  }));
  // Garbage.
  EXPECT_TRUE(fails_at_final(std::string("\0\xff", 2), [&](auto) { return std::string(); }));
  // And the correct exchange still passes, so the checks above fail for their own reason.
  EXPECT_FALSE(fails_at_final("n,," + c.first_bare(), [&](auto s) { return c.final_for(s); }));
  // "y" (client could bind, server does not offer -PLUS) is fine when c= repeats it.
  EXPECT_FALSE(fails_at_final("y,," + c.first_bare(), [&](auto s) { return c.final_for(s, "eSws"); }));
}

TEST(Scram, MechanismNames) {
  EXPECT_EQ(scram_mechanism_from_name("SCRAM-SHA-512"), scram_mechanism::sha512);
  EXPECT_FALSE(scram_mechanism_from_name("SCRAM-SHA-1"));
  EXPECT_EQ(scram_mechanism_from_wire(1), scram_mechanism::sha256);
  EXPECT_FALSE(scram_mechanism_from_wire(0));
  EXPECT_FALSE(scram_mechanism_from_wire(3));
}

TEST(Crypto, Base64RoundTripAndStrictness) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    EXPECT_EQ(as_text(*base64_decode(base64_encode(to_bytes(s)))), s);
    auto u = base64url_encode(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    EXPECT_EQ(as_text(*base64url_decode(u)), s);
  }
  EXPECT_EQ(base64_encode(to_bytes("foobar")), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(to_bytes("fo")), "Zm8=");
  EXPECT_FALSE(base64_decode("Zm8"));
  EXPECT_FALSE(base64_decode("Zm9="));  // non-zero trailing bits
  EXPECT_FALSE(base64_decode("Z==="));
  EXPECT_FALSE(base64url_decode("Zm8="));
  EXPECT_FALSE(base64url_decode("Z"));
}

TEST(Crypto, Pbkdf2KnownAnswer) {
  // RFC 7914 section 11: PBKDF2-HMAC-SHA256("passwd", "salt", 1, 64); the first 32 bytes.
  auto out = pbkdf2(hash_kind::sha256, "passwd", to_bytes("salt"), 1);
  EXPECT_EQ(base64_encode(out), base64_encode(bytes{0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f, 0xec, 0x16, 0x91,
                                                    0xc2, 0x25, 0x44, 0xb6, 0x05, 0xf9, 0x41, 0x85, 0x21, 0x6d, 0xde,
                                                    0x04, 0x65, 0xe6, 0x8b, 0x9d, 0x57, 0xc2, 0x0d, 0xac, 0xbc}));
}

TEST(SessionLifetime, KafkaRules) {
  EXPECT_FALSE(session_lifetime(0, std::nullopt, 100));
  EXPECT_EQ(session_lifetime(5000, std::nullopt, 100), 5000);
  EXPECT_EQ(session_lifetime(0, 1100, 100), 1000);
  EXPECT_EQ(session_lifetime(500, 1100, 100), 500);
  EXPECT_EQ(session_lifetime(5000, 1100, 100), 1000);
  EXPECT_EQ(session_lifetime(5000, 50, 100), 0);
}

}  // namespace
}  // namespace samsa::sasl
