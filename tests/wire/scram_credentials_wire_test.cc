// DescribeUserScramCredentials (key 50) and AlterUserScramCredentials (key
// 51), v0 (every version Kafka defines), against a real `samsa serve`:
// Kafka's error codes and messages, durability across a SIGKILL, and that
// the metadata log keeps salted hashes only, never the salted password.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "broker_process.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"
#include "wire_client.h"

namespace samsa::wire_test {
namespace {

using protocol::error_code;
using protocol::to_int;
using describe_response = protocol::describe_user_scram_credentials_response_data;
using alter_response = protocol::alter_user_scram_credentials_response_data;
using alter_request = protocol::alter_user_scram_credentials_request_data;

constexpr int8_t sha256 = 1;
constexpr int8_t sha512 = 2;

alter_request::scram_credential_upsertion upsertion(const std::string& user, int8_t mechanism, int32_t iterations,
                                                    uint8_t fill = 0x5a) {
  alter_request::scram_credential_upsertion u;
  u.name = user;
  u.mechanism = mechanism;
  u.iterations = iterations;
  u.salt = std::vector<uint8_t>(16, 0x11);
  u.salted_password = std::vector<uint8_t>(mechanism == sha256 ? 32 : 64, fill);
  return u;
}

alter_request::scram_credential_deletion deletion(const std::string& user, int8_t mechanism) {
  alter_request::scram_credential_deletion d;
  d.name = user;
  d.mechanism = mechanism;
  return d;
}

class ScramCredentials : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_ = std::make_unique<broker_process>();
    broker_->start();
    client_ = std::make_unique<wire_client>(broker_->port());
  }
  void TearDown() override {
    if (HasFailure() && broker_) std::cerr << "--- broker log (tail) ---\n" << broker_->log_tail() << "\n";
  }

  alter_response alter(alter_request req) { return client_->call<alter_response>(req, 0); }
  describe_response describe(std::optional<std::vector<std::string>> users) {
    protocol::describe_user_scram_credentials_request_data req;
    if (!users) {
      req.users = std::nullopt;
    } else {
      req.users.emplace();
      for (const auto& u : *users) {
        req.users->push_back({});
        req.users->back().name = u;
      }
    }
    return client_->call<describe_response>(req, 0);
  }

  const alter_response::alter_user_scram_credentials_result& result_of(const alter_response& r,
                                                                       const std::string& user) {
    for (const auto& x : r.results)
      if (x.user == user) return x;
    throw std::runtime_error("no result for " + user);
  }

  std::unique_ptr<broker_process> broker_;
  std::unique_ptr<wire_client> client_;
};

TEST_F(ScramCredentials, CreateDescribeDeleteAndSurviveAKill) {
  auto empty = describe(std::nullopt);
  EXPECT_EQ(empty.error_code, 0);
  EXPECT_EQ(empty.error_message, "");  // Kafka's default; AlterUserScramCredentials sets null
  EXPECT_TRUE(empty.results.empty());

  alter_request req;
  req.upsertions = {upsertion("alice", sha256, 4096), upsertion("bob", sha512, 8192)};
  auto created = alter(req);
  ASSERT_EQ(created.results.size(), 2u);
  for (const auto& r : created.results) {
    EXPECT_EQ(r.error_code, 0) << r.user;
    EXPECT_FALSE(r.error_message.has_value());
  }
  // alice gets a second mechanism in a request of its own.
  req.upsertions = {upsertion("alice", sha512, 16384)};
  ASSERT_EQ(alter(req).results.at(0).error_code, 0);

  client_.reset();
  broker_->kill_hard();
  broker_->start();
  client_ = std::make_unique<wire_client>(broker_->port());

  // Null and empty both mean every user.
  std::vector<std::optional<std::vector<std::string>>> every = {std::nullopt, std::vector<std::string>{}};
  for (const auto& users : every) {
    auto all = describe(users);
    ASSERT_EQ(all.results.size(), 2u);
    EXPECT_EQ(all.results[0].user, "alice");
    ASSERT_EQ(all.results[0].credential_infos.size(), 2u);
    EXPECT_EQ(all.results[0].credential_infos[0].mechanism, sha256);
    EXPECT_EQ(all.results[0].credential_infos[0].iterations, 4096);
    EXPECT_EQ(all.results[0].credential_infos[1].mechanism, sha512);
    EXPECT_EQ(all.results[0].credential_infos[1].iterations, 16384);
    EXPECT_EQ(all.results[1].user, "bob");
    ASSERT_EQ(all.results[1].credential_infos.size(), 1u);
    EXPECT_EQ(all.results[1].credential_infos[0].iterations, 8192);
  }

  alter_request del;
  del.deletions = {deletion("alice", sha256)};
  ASSERT_EQ(alter(del).results.at(0).error_code, 0);
  auto alice = describe(std::vector<std::string>{"alice"});
  ASSERT_EQ(alice.results.size(), 1u);
  ASSERT_EQ(alice.results[0].credential_infos.size(), 1u);
  EXPECT_EQ(alice.results[0].credential_infos[0].mechanism, sha512);
  del.deletions = {deletion("alice", sha512)};
  ASSERT_EQ(alter(del).results.at(0).error_code, 0);
  auto gone = describe(std::vector<std::string>{"alice"});
  EXPECT_EQ(gone.results.at(0).error_code, to_int(error_code::resource_not_found));
}

TEST_F(ScramCredentials, KafkasErrorsPerUser) {
  alter_request seed;
  seed.upsertions = {upsertion("erin", sha256, 4096)};
  ASSERT_EQ(alter(seed).results.at(0).error_code, 0);

  alter_request req;
  req.deletions = {deletion("ghost", sha256), deletion("erin", 7)};
  req.upsertions = {upsertion("carol", sha256, 4096), upsertion("carol", sha512, 4096), upsertion("", sha256, 4096),
                    upsertion("few", sha256, 4095),    upsertion("many", sha512, 16385), upsertion("mech", 3, 4096),
                    upsertion("dave", sha512, 4096)};
  auto nosalt = upsertion("nosalt", sha256, 4096);
  nosalt.salt.clear();
  req.upsertions.push_back(nosalt);
  auto r = alter(req);
  EXPECT_EQ(r.results.size(), 9u);
  auto expect = [&](const std::string& user, error_code code, const std::string& message) {
    const auto& x = result_of(r, user);
    EXPECT_EQ(x.error_code, to_int(code)) << user;
    EXPECT_EQ(x.error_message.value_or("<null>"), message) << user;
  };
  expect("ghost", error_code::resource_not_found, "Attempt to delete a user credential that does not exist");
  expect("erin", error_code::unsupported_sasl_mechanism, "Unknown SCRAM mechanism");
  expect("carol", error_code::duplicate_resource, "A user credential cannot be altered twice in the same request");
  expect("", error_code::unacceptable_credential, "Username must not be empty");
  expect("few", error_code::unacceptable_credential, "Too few iterations");
  expect("many", error_code::unacceptable_credential, "Too many iterations");
  expect("mech", error_code::unsupported_sasl_mechanism, "Unknown SCRAM mechanism");
  expect("nosalt", error_code::unacceptable_credential, "The salt must be 1 to 1024 bytes");
  EXPECT_EQ(result_of(r, "dave").error_code, 0) << "a valid change in the same request is made";

  // A deletion and an upsertion of one user is a duplicate too.
  alter_request both;
  both.deletions = {deletion("erin", sha256)};
  both.upsertions = {upsertion("erin", sha512, 4096)};
  auto b = alter(both);
  ASSERT_EQ(b.results.size(), 1u);
  EXPECT_EQ(b.results[0].error_code, to_int(error_code::duplicate_resource));

  auto d = describe(std::vector<std::string>{"erin", "dave", "erin", "nobody"});
  ASSERT_EQ(d.results.size(), 3u);
  EXPECT_EQ(d.error_code, 0);
  EXPECT_EQ(d.results[0].user, "erin");
  EXPECT_EQ(d.results[0].error_code, to_int(error_code::duplicate_resource));
  EXPECT_EQ(d.results[0].error_message.value_or("<null>"),
            "Cannot describe SCRAM credentials for the same user twice in a single request: erin");
  EXPECT_EQ(d.results[1].error_code, 0);
  EXPECT_EQ(d.results[1].credential_infos.size(), 1u);
  EXPECT_EQ(d.results[2].error_code, to_int(error_code::resource_not_found));
  EXPECT_EQ(d.results[2].error_message.value_or("<null>"), "Attempt to describe a user credential that does not exist: nobody");
  // Nothing of the refused changes was stored.
  auto all = describe(std::nullopt);
  ASSERT_EQ(all.results.size(), 2u);
  EXPECT_EQ(all.results[0].user, "dave");
  EXPECT_EQ(all.results[1].user, "erin");
}

TEST_F(ScramCredentials, TheMetadataLogHoldsHashesNotTheSaltedPassword) {
  alter_request req;
  auto u = upsertion("frank", sha512, 4096, 0xC3);
  req.upsertions = {u};
  ASSERT_EQ(alter(req).results.at(0).error_code, 0);
  std::string log_path = broker_->data_dir() + "/__cluster_metadata/log";
  std::ifstream in(log_path, std::ios::binary);
  ASSERT_TRUE(in) << log_path;
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(bytes.find("frank"), std::string::npos);
  std::string salted(u.salted_password.begin(), u.salted_password.end());
  EXPECT_EQ(bytes.find(salted.substr(0, 16)), std::string::npos) << "the salted password reached the disk";
}

}  // namespace
}  // namespace samsa::wire_test
