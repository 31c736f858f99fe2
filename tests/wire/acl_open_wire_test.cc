// allow.everyone.if.no.acl.found=true and the audit log (issue 14), against a
// real broker with the authorizer on, over PLAINTEXT (principal
// User:ANONYMOUS). A resource without any ACL is open to everyone; one with
// ACLs is denied to a principal none of them names. Each denied request
// leaves one audit line naming principal, operation, resource, client
// address, API and the deciding rule; a check that only filters a listing
// leaves none. (Few denials happen here, well under the audit log's rate
// bound, so every one of them must be logged.)
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>

#include "broker_process.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using protocol::error_code;
using protocol::to_int;

class AclOpen : public ::testing::Test {
 protected:
  AclOpen()
      : broker_({{"authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer"},
                 {"allow.everyone.if.no.acl.found", "true"}}) {}

  void SetUp() override {
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
  }

  void TearDown() override {
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }

  // ANONYMOUS may create this ACL: the cluster has none, so ALTER on it is open.
  void allow_only_someone_else(const std::string& topic) {
    protocol::create_acls_request_data req;
    auto& c = req.creations.emplace_back();
    c.resource_type = 2;
    c.resource_name = topic;
    c.resource_pattern_type = 3;
    c.principal = "User:someone-else";
    c.host = "*";
    c.operation = 2;  // ALL
    c.permission_type = 3;
    auto resp = client_->call<protocol::create_acls_response_data>(req, 3);
    ASSERT_EQ(resp.results.at(0).error_code, 0) << resp.results[0].error_message.value_or("");
  }

  // Waits (bounded) until the broker's log holds `text`: the line is written
  // before the answer, but through the broker's own stdout.
  bool log_shows(const std::string& text) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (broker_.log_tail(1 << 22).find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  broker_process broker_;
  std::unique_ptr<wire_client> client_;
};

TEST_F(AclOpen, ResourcesWithoutAclsAreOpenAndTheOthersClosed) {
  ASSERT_EQ(create_topic(*client_, "open-t", 1), 0) << "CREATE on a cluster without ACLs";
  ASSERT_EQ(create_topic(*client_, "closed-t", 1), 0);
  EXPECT_EQ(produce_batch(*client_, 9, "open-t", 0, batch_of({"a"}, 0)).error_code, 0);
  allow_only_someone_else("closed-t");
  EXPECT_EQ(produce_batch(*client_, 9, "closed-t", 0, batch_of({"a"}, 0)).error_code,
            to_int(error_code::topic_authorization_failed));
  EXPECT_EQ(produce_batch(*client_, 9, "open-t", 0, batch_of({"b"}, 1)).error_code, 0) << "untouched";
}

TEST_F(AclOpen, EachDenialIsAuditedButAFilteredListingIsNot) {
  ASSERT_EQ(create_topic(*client_, "audited-t", 1), 0);
  allow_only_someone_else("audited-t");

  // Listing every topic leaves the closed one out, silently.
  protocol::metadata_request_data all;
  all.topics = std::nullopt;
  auto listed = client_->call<protocol::metadata_response_data>(all, 12);
  for (const auto& t : listed.topics) EXPECT_NE(t.name.value_or(""), "audited-t");

  // Asking for it by name is a denied request: one line.
  protocol::metadata_request_data named;
  named.allow_auto_topic_creation = false;
  named.topics->emplace_back().name = "audited-t";
  EXPECT_EQ(client_->call<protocol::metadata_response_data>(named, 12).topics.at(0).error_code,
            to_int(error_code::topic_authorization_failed));
  EXPECT_TRUE(log_shows("audit: authorization denied: principal=User:ANONYMOUS operation=DESCRIBE "
                        "resource=TOPIC:audited-t client=127.0.0.1:"));
  EXPECT_TRUE(log_shows("api=Metadata (DefaultDeny (no ACL on the resource matches))"));

  EXPECT_EQ(produce_batch(*client_, 9, "audited-t", 0, batch_of({"a"}, 0)).error_code,
            to_int(error_code::topic_authorization_failed));
  EXPECT_TRUE(log_shows("principal=User:ANONYMOUS operation=WRITE resource=TOPIC:audited-t"));

  const std::string log = broker_.log_tail(1 << 22);
  auto count = [&log](const std::string& text) {
    size_t n = 0;
    for (size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("operation=DESCRIBE resource=TOPIC:audited-t"), 1u) << "the listing wrote none";
  EXPECT_EQ(count("operation=WRITE resource=TOPIC:audited-t"), 1u);
}

}  // namespace
}  // namespace samsa::wire_test
