#include "security/sasl/plain.h"

#include <gtest/gtest.h>

namespace samsa::sasl {
namespace {

step_result login(plain_options o, std::string_view message) {
  auto server = make_plain_server(std::move(o));
  return server->step(to_bytes(message));
}

plain_options jaas_users() {
  plain_options o;
  o.users = {{"alice", "alice-secret"}, {"bob", "b"}};
  o.now = [] { return int64_t{0}; };
  return o;
}

TEST(Plain, ParsesTheThreeFields) {
  auto m = parse_plain_message(std::string_view("admin\0alice\0pw", 14));
  ASSERT_TRUE(m) << m.err().message;
  EXPECT_EQ(m->authzid, "admin");
  EXPECT_EQ(m->user, "alice");
  EXPECT_EQ(m->password, "pw");
  for (std::string hostile : {std::string(""), std::string("alice"), std::string("\0alice", 6),
                              std::string("\0\0pw", 4), std::string("\0alice\0", 7),
                              std::string("\0a\0b\0c", 6)}) {
    EXPECT_FALSE(parse_plain_message(hostile)) << hostile.size();
  }
  EXPECT_FALSE(parse_plain_message(std::string("\0a\0", 3) + std::string(plain_max_message, 'x')));
}

TEST(Plain, JaasUsers) {
  auto ok = login(jaas_users(), std::string_view("\0alice\0alice-secret", 19));
  ASSERT_TRUE(ok.is_success()) << ok.message;
  EXPECT_EQ(ok.principal.to_string(), "User:alice");
  EXPECT_TRUE(ok.response.empty());
  auto wrong = login(jaas_users(), std::string_view("\0alice\0alice-secreT", 19));
  auto unknown = login(jaas_users(), std::string_view("\0carol\0alice-secret", 19));
  ASSERT_TRUE(wrong.is_failure());
  ASSERT_TRUE(unknown.is_failure());
  EXPECT_EQ(wrong.message, unknown.message) << "never tells which part was wrong";
  EXPECT_TRUE(login(jaas_users(), std::string_view("\0alice\0alice-secret-longer", 26)).is_failure());
  EXPECT_TRUE(login(jaas_users(), std::string_view("bob\0alice\0alice-secret", 22)).is_failure())
      << "authzid must be the user";
  EXPECT_TRUE(login(jaas_users(), std::string_view("alice\0alice\0alice-secret", 24)).is_success());
}

TEST(Plain, MetadataLogUsersThroughScramCredentials) {
  plain_options o = jaas_users();
  bytes salt = to_bytes("some-salt");
  auto cred = scram_credential_from_salted(
      scram_mechanism::sha256, scram_salted_password(scram_mechanism::sha256, "carol-pw", salt, 4096), salt, 4096);
  o.scram = [cred](const std::string& user, scram_mechanism m) -> std::optional<scram_credential> {
    if (user == "carol" && m == scram_mechanism::sha256) return cred;
    return std::nullopt;
  };
  EXPECT_TRUE(login(o, std::string_view("\0carol\0carol-pw", 15)).is_success());
  auto wrong = login(o, std::string_view("\0carol\0carol-px", 15));
  auto unknown = login(o, std::string_view("\0dave\0carol-pw", 14));
  EXPECT_TRUE(wrong.is_failure());
  EXPECT_TRUE(unknown.is_failure());
  EXPECT_EQ(wrong.message, unknown.message);
  EXPECT_TRUE(login(o, std::string_view("\0alice\0alice-secret", 19)).is_success()) << "JAAS users still work";
}

TEST(Plain, ReauthLifetimeAndOneStepOnly) {
  plain_options o = jaas_users();
  o.max_reauth_ms = 1234;
  auto server = make_plain_server(std::move(o));
  auto ok = server->step(to_bytes(std::string_view("\0bob\0b", 6)));
  ASSERT_TRUE(ok.is_success());
  EXPECT_EQ(ok.session_lifetime_ms, 1234);
  EXPECT_TRUE(server->step(to_bytes(std::string_view("\0bob\0b", 6))).is_failure());
}

}  // namespace
}  // namespace samsa::sasl
