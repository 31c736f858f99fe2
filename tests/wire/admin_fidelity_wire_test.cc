// Wire fidelity of the admin APIs at every version the broker advertises:
// nullable fields are null where Kafka sends null and "" where Kafka sends ""
// (clients print, compare or branch on the difference), and the request
// flags (include_synonyms, include_documentation, validate_only,
// include_*_authorized_operations) change the answer exactly as they should.
#include <gtest/gtest.h>

#include <climits>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "broker_process.h"
#include "versioned_wire_test.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using protocol::api_key;
using protocol::error_code;
using protocol::to_int;

constexpr int8_t topic_resource = 2;
constexpr int8_t broker_resource = 4;

using AdminFidelity = versioned_wire_test;

TEST_F(AdminFidelity, CreateTopicsErrorMessageIsNullOnSuccess) {
  auto [min_v, max_v] = range(api_key::create_topics);
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("create_topics v" + std::to_string(v));
    for (bool validate_only : {true, false}) {
      if (validate_only && v < 1) continue;
      protocol::create_topics_request_data req;
      req.topics.push_back({});
      req.topics[0].name = "null-msg-" + std::to_string(v);
      req.topics[0].num_partitions = 1;
      req.topics[0].replication_factor = 1;
      req.topics.push_back({});
      req.topics[1].name = "bad name";
      req.topics[1].num_partitions = 1;
      req.topics[1].replication_factor = 1;
      req.validate_only = validate_only;
      auto resp = client_->call<protocol::create_topics_response_data>(req, v);
      ASSERT_EQ(resp.topics.size(), 2u);
      EXPECT_EQ(resp.topics[0].error_code, 0);
      EXPECT_EQ(resp.topics[1].error_code, to_int(error_code::invalid_topic_exception));
      if (v >= 1) {  // ErrorMessage exists from v1
        EXPECT_EQ(resp.topics[0].error_message, std::nullopt);
        EXPECT_FALSE(resp.topics[1].error_message.value_or("").empty());
      }
      if (v >= 5) {
        ASSERT_TRUE(resp.topics[0].configs.has_value());
        EXPECT_FALSE(resp.topics[0].configs->empty());
      }
    }
  }
}

TEST_F(AdminFidelity, AlterConfigsErrorMessageIsNullOnSuccess) {
  ASSERT_EQ(create_topic(*client_, "altered", 1), 0);
  auto [min_v, max_v] = range(api_key::alter_configs);
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("alter_configs v" + std::to_string(v));
    for (bool validate_only : {true, false}) {
      protocol::alter_configs_request_data req;
      req.resources.push_back({});
      req.resources[0].resource_type = topic_resource;
      req.resources[0].resource_name = "altered";
      req.resources[0].configs.push_back({});
      req.resources[0].configs[0].name = "retention.ms";
      req.resources[0].configs[0].value = "3600000";
      req.resources.push_back({});
      req.resources[1].resource_type = topic_resource;
      req.resources[1].resource_name = "absent";
      req.validate_only = validate_only;
      auto resp = client_->call<protocol::alter_configs_response_data>(req, v);
      ASSERT_EQ(resp.responses.size(), 2u);
      EXPECT_EQ(resp.responses[0].error_code, 0);
      EXPECT_EQ(resp.responses[0].error_message, std::nullopt);
      EXPECT_EQ(resp.responses[1].error_code, to_int(error_code::unknown_topic_or_partition));
      EXPECT_FALSE(resp.responses[1].error_message.value_or("").empty());
    }
  }
  auto [inc_min, inc_max] = range(api_key::incremental_alter_configs);
  for (int16_t v = inc_min; v <= inc_max; ++v) {
    SCOPED_TRACE("incremental_alter_configs v" + std::to_string(v));
    protocol::incremental_alter_configs_request_data req;
    req.resources.push_back({});
    req.resources[0].resource_type = topic_resource;
    req.resources[0].resource_name = "altered";
    req.resources[0].configs.push_back({});
    req.resources[0].configs[0].name = "retention.ms";
    req.resources[0].configs[0].config_operation = 0;
    req.resources[0].configs[0].value = "7200000";
    auto resp = client_->call<protocol::incremental_alter_configs_response_data>(req, v);
    ASSERT_EQ(resp.responses.size(), 1u);
    EXPECT_EQ(resp.responses[0].error_code, 0);
    EXPECT_EQ(resp.responses[0].error_message, std::nullopt);
  }
}

TEST_F(AdminFidelity, CreatePartitionsAndDeleteTopicsErrorMessageIsNullOnSuccess) {
  ASSERT_EQ(create_topic(*client_, "grown", 1), 0);
  auto [min_v, max_v] = range(api_key::create_partitions);
  int32_t count = 1;
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("create_partitions v" + std::to_string(v));
    protocol::create_partitions_request_data req;
    req.topics.push_back({});
    req.topics[0].name = "grown";
    req.topics[0].count = ++count;
    auto resp = client_->call<protocol::create_partitions_response_data>(req, v);
    EXPECT_EQ(resp.results.at(0).error_code, 0);
    EXPECT_EQ(resp.results.at(0).error_message, std::nullopt);
  }
  auto [del_min, del_max] = range(api_key::delete_topics);
  for (int16_t v = del_min; v <= del_max; ++v) {
    SCOPED_TRACE("delete_topics v" + std::to_string(v));
    const std::string name = "doomed-" + std::to_string(v);
    ASSERT_EQ(create_topic(*client_, name, 1), 0);
    protocol::delete_topics_request_data req;
    if (v >= 6) {
      req.topics.push_back({});
      req.topics[0].name = name;
    } else {
      req.topic_names = {name};
    }
    req.timeout_ms = 10000;
    auto resp = client_->call<protocol::delete_topics_response_data>(req, v);
    EXPECT_EQ(resp.responses.at(0).error_code, 0);
    EXPECT_EQ(resp.responses.at(0).error_message, std::nullopt);
  }
}

TEST_F(AdminFidelity, DescribeConfigsHonoursSynonymAndDocumentationFlags) {
  ASSERT_EQ(create_topic(*client_, "described", 1, {{"retention.ms", "3600000"}}), 0);
  auto [min_v, max_v] = range(api_key::describe_configs);
  for (int16_t v = min_v; v <= max_v; ++v) {
    for (bool flags : {false, true}) {
      SCOPED_TRACE("describe_configs v" + std::to_string(v) + (flags ? " with" : " without") + " flags");
      protocol::describe_configs_request_data req;
      req.resources.push_back({});
      req.resources[0].resource_type = topic_resource;
      req.resources[0].resource_name = "described";
      req.resources[0].configuration_keys = std::nullopt;
      req.resources.push_back({});
      req.resources[1].resource_type = broker_resource;
      req.resources[1].resource_name = "";
      req.resources[1].configuration_keys = std::nullopt;
      req.include_synonyms = flags;
      req.include_documentation = flags;
      auto resp = client_->call<protocol::describe_configs_response_data>(req, v);
      ASSERT_EQ(resp.results.size(), 2u);
      for (const auto& result : resp.results) {
        EXPECT_EQ(result.error_code, 0);
        EXPECT_EQ(result.error_message, "");  // Kafka leaves it at its default, ""
        bool any_synonym = false, any_doc = false;
        for (const auto& c : result.configs) {
          any_synonym |= !c.synonyms.empty();
          any_doc |= c.documentation.has_value();
          if (v >= 3 && !flags) {  // not on the wire before v3
            EXPECT_EQ(c.documentation, std::nullopt) << c.name;
          }
          if (!(flags && v >= 1)) {
            EXPECT_TRUE(c.synonyms.empty()) << c.name;
          }
        }
        EXPECT_EQ(any_synonym, flags && v >= 1);
        if (v >= 3) {
          EXPECT_EQ(any_doc, flags);
        }
      }
    }
  }
}

TEST_F(AdminFidelity, AuthorizedOperationsOnlyWhenAsked) {
  ASSERT_EQ(create_topic(*client_, "asked", 1), 0);
  auto [min_v, max_v] = range(api_key::metadata);
  for (int16_t v = std::max<int16_t>(min_v, 8); v <= max_v; ++v) {
    for (bool ask : {false, true}) {
      SCOPED_TRACE("metadata v" + std::to_string(v) + (ask ? " asking" : ""));
      protocol::metadata_request_data req;
      req.topics.emplace();
      req.topics->push_back({});
      req.topics->back().name = "asked";
      req.allow_auto_topic_creation = false;
      req.include_topic_authorized_operations = ask;
      if (v <= 10) req.include_cluster_authorized_operations = ask;
      auto resp = client_->call<protocol::metadata_response_data>(req, v);
      ASSERT_EQ(resp.topics.size(), 1u);
      EXPECT_EQ(resp.topics[0].topic_authorized_operations != INT32_MIN, ask);
      if (v <= 10) {
        EXPECT_EQ(resp.cluster_authorized_operations != INT32_MIN, ask);
      }
    }
  }
  auto [dc_min, dc_max] = range(api_key::describe_cluster);
  for (int16_t v = dc_min; v <= dc_max; ++v) {
    for (bool ask : {false, true}) {
      SCOPED_TRACE("describe_cluster v" + std::to_string(v) + (ask ? " asking" : ""));
      protocol::describe_cluster_request_data req;
      req.include_cluster_authorized_operations = ask;
      auto resp = client_->call<protocol::describe_cluster_response_data>(req, v);
      EXPECT_EQ(resp.error_code, 0);
      EXPECT_EQ(resp.error_message, std::nullopt);
      EXPECT_EQ(resp.cluster_authorized_operations != INT32_MIN, ask);
    }
  }
}

}  // namespace
}  // namespace samsa::wire_test
