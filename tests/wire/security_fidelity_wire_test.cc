// Wire fidelity of the ACL, client-quota, SCRAM-credential, cluster and
// group-describe APIs at every version the broker advertises: on success a
// nullable ErrorMessage is null where Kafka sets null (or its schema's
// default is null) and "" where Kafka leaves the generated default, which
// for a string without a declared default is "" even when the field is
// nullable. Which one Kafka sends differs per API, and clients print the
// difference ("Error: " with nothing after it), so each is pinned here:
//   ""   DescribeAcls, CreateAcls' results, DescribeClientQuotas,
//        DescribeUserScramCredentials (top and per user)
//   null DeleteAcls (filters and matching ACLs), AlterClientQuotas' entries,
//        AlterUserScramCredentials' results, DescribeCluster,
//        ConsumerGroupDescribe and ShareGroupDescribe groups,
//        ShareGroupHeartbeat
// (the admin, group and data APIs: admin_fidelity_wire_test,
// group_fidelity_wire_test, data_fidelity_wire_test; ShareFetch,
// ShareAcknowledge and the share-group offset APIs: share_group_wire_test).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "broker_process.h"
#include "protocol/api_keys.h"
#include "versioned_wire_test.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using protocol::api_key;

constexpr int8_t topic_resource = 2;
constexpr int8_t literal_pattern = 3;
constexpr int8_t read_operation = 3;
constexpr int8_t allow = 3;
constexpr int8_t sha256 = 1;

class SecurityFidelity : public versioned_wire_test {
 protected:
  SecurityFidelity()
      : versioned_wire_test({{"authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer"},
                             // ANONYMOUS administers over PLAINTEXT here.
                             {"super.users", "User:ANONYMOUS"}}) {}

  protocol::create_acls_request_data::acl_creation read_acl(const std::string& topic) {
    protocol::create_acls_request_data::acl_creation c;
    c.resource_type = topic_resource;
    c.resource_name = topic;
    c.resource_pattern_type = literal_pattern;
    c.principal = "User:alice";
    c.host = "*";
    c.operation = read_operation;
    c.permission_type = allow;
    return c;
  }
};

TEST_F(SecurityFidelity, AclApisOnSuccess) {
  auto [min_v, max_v] = range(api_key::create_acls);
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("acl apis v" + std::to_string(v));
    const std::string topic = "acl-topic-" + std::to_string(v);
    protocol::create_acls_request_data create;
    create.creations = {read_acl(topic)};
    auto created = client_->call<protocol::create_acls_response_data>(create, v);
    ASSERT_EQ(created.results.size(), 1u);
    EXPECT_EQ(created.results[0].error_code, 0) << created.results[0].error_message.value_or("<null>");
    EXPECT_EQ(created.results[0].error_message, "");

    protocol::describe_acls_request_data describe;
    describe.resource_type_filter = topic_resource;
    describe.resource_name_filter = topic;
    describe.pattern_type_filter = literal_pattern;
    describe.principal_filter = std::nullopt;
    describe.host_filter = std::nullopt;
    describe.operation = 1;        // ANY
    describe.permission_type = 1;  // ANY
    auto described = client_->call<protocol::describe_acls_response_data>(describe, v);
    EXPECT_EQ(described.error_code, 0);
    EXPECT_EQ(described.error_message, "");
    ASSERT_EQ(described.resources.size(), 1u);

    protocol::delete_acls_request_data remove;
    auto& f = remove.filters.emplace_back();
    f.resource_type_filter = topic_resource;
    f.resource_name_filter = topic;
    f.pattern_type_filter = literal_pattern;
    f.principal_filter = std::nullopt;
    f.host_filter = std::nullopt;
    f.operation = 1;
    f.permission_type = 1;
    auto removed = client_->call<protocol::delete_acls_response_data>(remove, v);
    ASSERT_EQ(removed.filter_results.size(), 1u);
    const auto& result = removed.filter_results[0];
    EXPECT_EQ(result.error_code, 0);
    EXPECT_EQ(result.error_message, std::nullopt);
    ASSERT_EQ(result.matching_acls.size(), 1u);
    EXPECT_EQ(result.matching_acls[0].error_code, 0);
    EXPECT_EQ(result.matching_acls[0].error_message, std::nullopt);
  }
}

TEST_F(SecurityFidelity, ClientQuotaApisOnSuccess) {
  auto [min_v, max_v] = range(api_key::alter_client_quotas);
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("client quota apis v" + std::to_string(v));
    protocol::alter_client_quotas_request_data alter;
    auto& e = alter.entries.emplace_back();
    auto& entity = e.entity.emplace_back();
    entity.entity_type = "client-id";
    entity.entity_name = "fidelity-" + std::to_string(v);
    auto& op = e.ops.emplace_back();
    op.key = "producer_byte_rate";
    op.value = 1048576;
    auto altered = client_->call<protocol::alter_client_quotas_response_data>(alter, v);
    ASSERT_EQ(altered.entries.size(), 1u);
    EXPECT_EQ(altered.entries[0].error_code, 0) << altered.entries[0].error_message.value_or("<null>");
    EXPECT_EQ(altered.entries[0].error_message, std::nullopt);
  }
  auto [dmin, dmax] = range(api_key::describe_client_quotas);
  for (int16_t v = dmin; v <= dmax; ++v) {
    SCOPED_TRACE("describe_client_quotas v" + std::to_string(v));
    protocol::describe_client_quotas_request_data describe;
    auto& c = describe.components.emplace_back();
    c.entity_type = "client-id";
    c.match_type = 2;  // any specified name
    c.match = std::nullopt;
    auto described = client_->call<protocol::describe_client_quotas_response_data>(describe, v);
    EXPECT_EQ(described.error_code, 0);
    EXPECT_EQ(described.error_message, "");
    ASSERT_TRUE(described.entries.has_value());
    EXPECT_FALSE(described.entries->empty());
  }
}

TEST_F(SecurityFidelity, ScramCredentialApisOnSuccess) {
  auto [amin, amax] = range(api_key::alter_user_scram_credentials);
  for (int16_t v = amin; v <= amax; ++v) {
    SCOPED_TRACE("alter_user_scram_credentials v" + std::to_string(v));
    protocol::alter_user_scram_credentials_request_data alter;
    auto& u = alter.upsertions.emplace_back();
    u.name = "user-" + std::to_string(v);
    u.mechanism = sha256;
    u.iterations = 4096;
    u.salt = std::vector<uint8_t>(16, 0x11);
    u.salted_password = std::vector<uint8_t>(32, 0x5a);
    auto altered = client_->call<protocol::alter_user_scram_credentials_response_data>(alter, v);
    ASSERT_EQ(altered.results.size(), 1u);
    EXPECT_EQ(altered.results[0].error_code, 0) << altered.results[0].error_message.value_or("<null>");
    EXPECT_EQ(altered.results[0].error_message, std::nullopt);
  }
  auto [dmin, dmax] = range(api_key::describe_user_scram_credentials);
  for (int16_t v = dmin; v <= dmax; ++v) {
    SCOPED_TRACE("describe_user_scram_credentials v" + std::to_string(v));
    protocol::describe_user_scram_credentials_request_data describe;
    describe.users.emplace().emplace_back().name = "user-" + std::to_string(amin);
    auto described = client_->call<protocol::describe_user_scram_credentials_response_data>(describe, v);
    EXPECT_EQ(described.error_code, 0);
    EXPECT_EQ(described.error_message, "");
    ASSERT_EQ(described.results.size(), 1u);
    EXPECT_EQ(described.results[0].error_code, 0);
    EXPECT_EQ(described.results[0].error_message, "");
    EXPECT_EQ(described.results[0].credential_infos.size(), 1u);
  }
}

TEST_F(SecurityFidelity, DescribeClusterAndGroupDescriptionsOnSuccess) {
  auto [cmin, cmax] = range(api_key::describe_cluster);
  for (int16_t v = cmin; v <= cmax; ++v) {
    SCOPED_TRACE("describe_cluster v" + std::to_string(v));
    protocol::describe_cluster_request_data req;
    auto resp = client_->call<protocol::describe_cluster_response_data>(req, v);
    EXPECT_EQ(resp.error_code, 0);
    EXPECT_EQ(resp.error_message, std::nullopt);
    EXPECT_EQ(resp.brokers.size(), 1u);
  }

  ASSERT_EQ(create_topic(*client_, "described", 1), 0);
  protocol::consumer_group_heartbeat_request_data join;
  join.group_id = "consumer-described";
  join.member_id = "member-of-described-0123456789";
  join.member_epoch = 0;
  join.rebalance_timeout_ms = 30000;
  join.subscribed_topic_names = std::vector<std::string>{"described"};
  join.topic_partitions.emplace();
  ASSERT_EQ(client_->call<protocol::consumer_group_heartbeat_response_data>(join, 1).error_code, 0);
  auto [gmin, gmax] = range(api_key::consumer_group_describe);
  for (int16_t v = gmin; v <= gmax; ++v) {
    SCOPED_TRACE("consumer_group_describe v" + std::to_string(v));
    protocol::consumer_group_describe_request_data req;
    req.group_ids = {"consumer-described"};
    auto resp = client_->call<protocol::consumer_group_describe_response_data>(req, v);
    ASSERT_EQ(resp.groups.size(), 1u);
    EXPECT_EQ(resp.groups[0].error_code, 0) << resp.groups[0].error_message.value_or("<null>");
    EXPECT_EQ(resp.groups[0].error_message, std::nullopt);
    EXPECT_EQ(resp.groups[0].members.size(), 1u);
  }

  auto [hmin, hmax] = range(api_key::share_group_heartbeat);
  for (int16_t v = hmin; v <= hmax; ++v) {
    SCOPED_TRACE("share_group_heartbeat v" + std::to_string(v));
    protocol::share_group_heartbeat_request_data hb;
    hb.group_id = "share-described-" + std::to_string(v);
    hb.member_id = "share-member-of-v" + std::to_string(v) + "-0123456789";
    hb.member_epoch = 0;
    hb.subscribed_topic_names = std::vector<std::string>{"described"};
    auto joined = client_->call<protocol::share_group_heartbeat_response_data>(hb, v);
    EXPECT_EQ(joined.error_code, 0) << joined.error_message.value_or("<null>");
    EXPECT_EQ(joined.error_message, std::nullopt);
  }
  auto [smin, smax] = range(api_key::share_group_describe);
  for (int16_t v = smin; v <= smax; ++v) {
    SCOPED_TRACE("share_group_describe v" + std::to_string(v));
    protocol::share_group_describe_request_data req;
    req.group_ids = {"share-described-" + std::to_string(hmin)};
    auto resp = client_->call<protocol::share_group_describe_response_data>(req, v);
    ASSERT_EQ(resp.groups.size(), 1u);
    EXPECT_EQ(resp.groups[0].error_code, 0) << resp.groups[0].error_message.value_or("<null>");
    EXPECT_EQ(resp.groups[0].error_message, std::nullopt);
  }
}

}  // namespace
}  // namespace samsa::wire_test
