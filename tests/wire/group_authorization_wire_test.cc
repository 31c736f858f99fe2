// Group requests under the authorizer, against a real `samsa serve`:
// a KIP-848 SubscribedTopicRegex matches only the topics the member's
// principal may DESCRIBE (as Kafka filters regex resolutions), and
// DescribeGroups answers the refused groups first, in the order asked, then
// the described ones (Kafka's handler order).
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <set>
#include <string>

#include "broker_process.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using protocol::error_code;
using protocol::to_int;
using hb_request = protocol::consumer_group_heartbeat_request_data;
using hb_response = protocol::consumer_group_heartbeat_response_data;

constexpr int8_t topic_resource = 2;
constexpr int8_t group_resource = 3;
constexpr int8_t literal = 3;
constexpr int8_t op_read = 3;
constexpr int8_t op_describe = 8;
constexpr int8_t allow = 3;

class GroupAuthorizationWire : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_ = std::make_unique<broker_process>(std::map<std::string, std::string>{
        {"listeners", "SASL_PLAINTEXT://127.0.0.1:0,PLAINTEXT://127.0.0.1:0"},
        {"sasl.enabled.mechanisms", "PLAIN"},
        {"listener.name.sasl_plaintext.plain.sasl.jaas.config",
         "org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"alice-secret\";"},
        {"authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer"},
        // The PLAINTEXT connection sets the stage.
        {"super.users", "User:ANONYMOUS"},
    });
    broker_->start();
    admin_ = std::make_unique<wire_client>(broker_->port_of("PLAINTEXT"));
  }
  void TearDown() override {
    if (HasFailure() && broker_) std::cerr << "--- broker log (tail) ---\n" << broker_->log_tail() << "\n";
  }

  std::unique_ptr<wire_client> alice() {
    auto c = std::make_unique<wire_client>(broker_->port_of("SASL_PLAINTEXT"));
    protocol::sasl_handshake_request_data hs;
    hs.mechanism = "PLAIN";
    EXPECT_EQ(c->call<protocol::sasl_handshake_response_data>(hs, 1).error_code, 0);
    protocol::sasl_authenticate_request_data auth;
    std::string t = std::string(1, '\0') + "alice" + std::string(1, '\0') + "alice-secret";
    auth.auth_bytes.assign(t.begin(), t.end());
    EXPECT_EQ(c->call<protocol::sasl_authenticate_response_data>(auth, 2).error_code, 0);
    return c;
  }
  void allow_alice(int8_t type, const std::string& name, int8_t op) {
    protocol::create_acls_request_data req;
    auto& c = req.creations.emplace_back();
    c.resource_type = type;
    c.resource_name = name;
    c.resource_pattern_type = literal;
    c.principal = "User:alice";
    c.host = "*";
    c.operation = op;
    c.permission_type = allow;
    auto r = admin_->call<protocol::create_acls_response_data>(req, 3);
    ASSERT_EQ(r.results.at(0).error_code, 0);
  }
  // The topic names of a member's assignment, as the super user sees it.
  std::set<std::string> assigned_topics(const std::string& group) {
    protocol::consumer_group_describe_request_data req;
    req.group_ids = {group};
    auto r = admin_->call<protocol::consumer_group_describe_response_data>(req, 1);
    std::set<std::string> out;
    for (const auto& m : r.groups.at(0).members)
      for (const auto& t : m.assignment.topic_partitions) out.insert(t.topic_name);
    return out;
  }

  std::unique_ptr<broker_process> broker_;
  std::unique_ptr<wire_client> admin_;
};

TEST_F(GroupAuthorizationWire, RegexMatchesOnlyTopicsThePrincipalMayDescribe) {
  for (const char* t : {"logs.a", "logs.b", "logs.secret"}) ASSERT_EQ(create_topic(*admin_, t, 1), 0);
  allow_alice(group_resource, "gre", op_read);
  allow_alice(topic_resource, "logs.a", op_describe);
  auto c = alice();
  hb_request join;
  join.group_id = "gre";
  join.member_id = "m1";
  join.member_epoch = 0;
  join.rebalance_timeout_ms = 30000;
  join.subscribed_topic_regex = "logs\\..*";
  join.topic_partitions.emplace();
  auto joined = c->call<hb_response>(join, 1);
  ASSERT_EQ(joined.error_code, 0);
  ASSERT_TRUE(joined.assignment);
  ASSERT_EQ(joined.assignment->topic_partitions.size(), 1u);
  EXPECT_EQ(joined.assignment->topic_partitions[0].topic_id, topic_id_of(*admin_, "logs.a"));
  EXPECT_EQ(assigned_topics("gre"), (std::set<std::string>{"logs.a"}));
  // A new grant is seen at the next heartbeat; the secret topic never is.
  allow_alice(topic_resource, "logs.b", op_read);
  hb_request next;
  next.group_id = "gre";
  next.member_id = "m1";
  next.member_epoch = joined.member_epoch;
  auto grown = c->call<hb_response>(next, 1);
  ASSERT_EQ(grown.error_code, 0);
  EXPECT_EQ(grown.member_epoch, joined.member_epoch + 1);
  EXPECT_EQ(assigned_topics("gre"), (std::set<std::string>{"logs.a", "logs.b"}));
}

TEST_F(GroupAuthorizationWire, DescribeGroupsAnswersRefusedGroupsFirstInTheOrderAsked) {
  allow_alice(group_resource, "ok-1", op_describe);
  allow_alice(group_resource, "ok-2", op_describe);
  auto c = alice();
  protocol::describe_groups_request_data req;
  req.groups = {"ok-2", "no-1", "ok-1", "no-2"};
  for (int16_t v : {5, 6}) {
    auto r = c->call<protocol::describe_groups_response_data>(req, v);
    ASSERT_EQ(r.groups.size(), 4u);
    std::vector<std::string> order;
    for (const auto& g : r.groups) order.push_back(g.group_id);
    EXPECT_EQ(order, (std::vector<std::string>{"no-1", "no-2", "ok-2", "ok-1"})) << "v" << v;
    EXPECT_EQ(r.groups[0].error_code, to_int(error_code::group_authorization_failed));
    EXPECT_EQ(r.groups[1].error_code, to_int(error_code::group_authorization_failed));
    EXPECT_NE(r.groups[2].error_code, to_int(error_code::group_authorization_failed));
    EXPECT_NE(r.groups[3].error_code, to_int(error_code::group_authorization_failed));
  }
}

}  // namespace
}  // namespace samsa::wire_test
