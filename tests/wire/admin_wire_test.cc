// Topic administration over the wire at every version the broker advertises,
// against a real `samsa serve` process: CreateTopics, CreatePartitions,
// DescribeConfigs, IncrementalAlterConfigs, DeleteRecords,
// OffsetForLeaderEpoch, DescribeCluster and DeleteTopics, with the error
// codes Kafka gives for bad names, counts and configs.
#include <gtest/gtest.h>

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

class AdminWire : public versioned_wire_test {
 protected:
  protocol::create_topics_response_data::creatable_topic_result create(
      int16_t version, const std::string& name, int32_t partitions,
      std::vector<std::pair<std::string, std::string>> configs = {}, bool validate_only = false) {
    protocol::create_topics_request_data req;
    req.topics.push_back({});
    req.topics[0].name = name;
    req.topics[0].num_partitions = partitions;
    req.topics[0].replication_factor = 1;
    for (auto& [k, v] : configs) {
      req.topics[0].configs.push_back({});
      req.topics[0].configs.back().name = k;
      req.topics[0].configs.back().value = v;
    }
    req.timeout_ms = 10000;
    req.validate_only = validate_only;
    auto resp = client_->call<protocol::create_topics_response_data>(req, version);
    if (resp.topics.size() != 1) throw std::runtime_error("CreateTopics answered " + std::to_string(resp.topics.size()));
    return resp.topics[0];
  }

  // The topic's value of `key` as DescribeConfigs reports it.
  std::optional<std::string> config_value(int16_t version, const std::string& topic, const std::string& key) {
    protocol::describe_configs_request_data req;
    req.resources.push_back({});
    req.resources[0].resource_type = topic_resource;
    req.resources[0].resource_name = topic;
    req.resources[0].configuration_keys = std::vector<std::string>{key};
    auto resp = client_->call<protocol::describe_configs_response_data>(req, version);
    if (resp.results.size() != 1 || resp.results[0].error_code != 0 || resp.results[0].configs.size() != 1) {
      throw std::runtime_error("DescribeConfigs of " + topic + "/" + key + " failed");
    }
    return resp.results[0].configs[0].value;
  }

  // One IncrementalAlterConfigs operation on `topic`; returns its error code.
  int16_t incremental_alter(int16_t version, const std::string& topic, int8_t op, const std::string& key,
                            std::optional<std::string> value) {
    protocol::incremental_alter_configs_request_data req;
    req.resources.push_back({});
    req.resources[0].resource_type = topic_resource;
    req.resources[0].resource_name = topic;
    req.resources[0].configs.push_back({});
    req.resources[0].configs[0].name = key;
    req.resources[0].configs[0].config_operation = op;
    req.resources[0].configs[0].value = std::move(value);
    return client_->call<protocol::incremental_alter_configs_response_data>(req, version).responses.at(0).error_code;
  }

  int32_t partition_count(const std::string& topic) {
    protocol::metadata_request_data req;
    req.topics.emplace();
    req.topics->push_back({});
    req.topics->back().name = topic;
    req.allow_auto_topic_creation = false;
    auto resp = client_->call<protocol::metadata_response_data>(req, 9);
    return resp.topics.at(0).error_code == 0 ? static_cast<int32_t>(resp.topics[0].partitions.size()) : -1;
  }
};

TEST_F(AdminWire, CreateTopicsAtEveryVersion) {
  auto [min_v, max_v] = range(api_key::create_topics);
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("create_topics v" + std::to_string(v));
    const std::string name = "created-v" + std::to_string(v);
    auto made = create(v, name, 2, {{"retention.ms", "3600000"}});
    ASSERT_EQ(made.error_code, 0) << made.error_message.value_or("");
    EXPECT_EQ(partition_count(name), 2);
    if (v >= 5) {
      EXPECT_EQ(made.num_partitions, 2);
      EXPECT_EQ(made.replication_factor, 1);
      ASSERT_TRUE(made.configs.has_value());
      bool found = false;
      for (const auto& c : *made.configs) found |= c.name == "retention.ms" && c.value == "3600000";
      EXPECT_TRUE(found);
    }
    if (v >= 7) {
      EXPECT_NE(made.topic_id, protocol::uuid{});
    }
    EXPECT_EQ(create(v, name, 2).error_code, to_int(error_code::topic_already_exists));
    EXPECT_EQ(create(v, "bad name!", 1).error_code, to_int(error_code::invalid_topic_exception));
    EXPECT_EQ(create(v, name + "-zero", 0).error_code, to_int(error_code::invalid_partitions));
    EXPECT_EQ(create(v, name + "-badcfg", 1, {{"retention.ms", "soon"}}).error_code,
              to_int(error_code::invalid_config));
    EXPECT_EQ(create(v, name + "-nocfg", 1, {{"no.such.config", "1"}}).error_code,
              to_int(error_code::invalid_config));
    if (v >= 1) {
      EXPECT_EQ(create(v, name + "-dry", 1, {}, /*validate_only=*/true).error_code, 0);
      EXPECT_EQ(partition_count(name + "-dry"), -1);  // validated, not created
    }
  }
}

TEST_F(AdminWire, CreatePartitionsAtEveryVersion) {
  ASSERT_EQ(create(4, "grows", 1).error_code, 0);
  auto [min_v, max_v] = range(api_key::create_partitions);
  int32_t count = 1;
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("create_partitions v" + std::to_string(v));
    auto ask = [&](int32_t to, bool validate_only = false) {
      protocol::create_partitions_request_data req;
      req.topics.push_back({});
      req.topics[0].name = "grows";
      req.topics[0].count = to;
      req.timeout_ms = 10000;
      req.validate_only = validate_only;
      return client_->call<protocol::create_partitions_response_data>(req, v).results.at(0);
    };
    EXPECT_EQ(ask(count + 5, true).error_code, 0);
    EXPECT_EQ(partition_count("grows"), count);
    auto grown = ask(count + 1);
    EXPECT_EQ(grown.error_code, 0) << grown.error_message.value_or("");
    ++count;
    EXPECT_EQ(partition_count("grows"), count);
    EXPECT_EQ(ask(count - 1).error_code, to_int(error_code::invalid_partitions));
  }
}

TEST_F(AdminWire, DescribeAndAlterConfigsAtEveryVersion) {
  ASSERT_EQ(create(4, "configured", 1, {{"cleanup.policy", "compact"}}).error_code, 0);
  auto [min_v, max_v] = range(api_key::describe_configs);
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("describe_configs v" + std::to_string(v));
    protocol::describe_configs_request_data req;
    req.resources.push_back({});
    req.resources[0].resource_type = topic_resource;
    req.resources[0].resource_name = "configured";
    req.resources[0].configuration_keys = std::nullopt;  // all
    req.resources.push_back({});
    req.resources[1].resource_type = broker_resource;
    req.resources[1].resource_name = "1";
    req.resources[1].configuration_keys = std::nullopt;
    req.resources.push_back({});
    req.resources[2].resource_type = topic_resource;
    req.resources[2].resource_name = "absent";
    req.include_synonyms = true;
    auto resp = client_->call<protocol::describe_configs_response_data>(req, v);
    ASSERT_EQ(resp.results.size(), 3u);
    EXPECT_EQ(resp.results[0].error_code, 0);
    bool compact = false, has_retention = false;
    for (const auto& c : resp.results[0].configs) {
      if (c.name == "cleanup.policy") {
        compact = c.value == "compact";
        if (v >= 1) {
          EXPECT_EQ(c.config_source, 1);  // DYNAMIC_TOPIC_CONFIG
        } else {
          EXPECT_FALSE(c.is_default);
        }
      }
      has_retention |= c.name == "retention.ms";
    }
    EXPECT_TRUE(compact);
    EXPECT_TRUE(has_retention);
    EXPECT_EQ(resp.results[1].error_code, 0);
    EXPECT_FALSE(resp.results[1].configs.empty());
    EXPECT_EQ(resp.results[2].error_code, to_int(error_code::unknown_topic_or_partition));
  }

  auto [alter_min, alter_max] = range(api_key::incremental_alter_configs);
  for (int16_t v = alter_min; v <= alter_max; ++v) {
    SCOPED_TRACE("incremental_alter_configs v" + std::to_string(v));
    auto alter = [&](int8_t op, const std::string& key, std::optional<std::string> value) {
      return incremental_alter(v, "configured", op, key, std::move(value));
    };
    const std::string ms = std::to_string(1000000 + v);
    EXPECT_EQ(alter(0, "retention.ms", ms), 0);  // SET
    EXPECT_EQ(config_value(range(api_key::describe_configs).second, "configured", "retention.ms"), ms);
    EXPECT_EQ(alter(1, "retention.ms", std::nullopt), 0);  // DELETE: back to the default
    EXPECT_EQ(config_value(range(api_key::describe_configs).second, "configured", "retention.ms"), "604800000");
    EXPECT_EQ(alter(0, "retention.ms", "-7"), to_int(error_code::invalid_config));
    EXPECT_EQ(alter(0, "made.up", "1"), to_int(error_code::invalid_config));
  }
}

// A config changed with IncrementalAlterConfigs survives a SIGKILL and a
// restart, and so does the removal of another override (back to the default).
TEST_F(AdminWire, AlteredConfigsSurviveARestart) {
  ASSERT_EQ(create(4, "kept-config", 1, {{"segment.ms", "3600000"}}).error_code, 0);
  auto alter = [&](int8_t op, const std::string& key, std::optional<std::string> value) {
    return incremental_alter(1, "kept-config", op, key, std::move(value));
  };
  ASSERT_EQ(alter(0, "retention.ms", "1234567"), 0);
  ASSERT_EQ(alter(0, "cleanup.policy", "compact"), 0);
  ASSERT_EQ(alter(1, "segment.ms", std::nullopt), 0);
  broker_.kill_hard();
  broker_.start();
  client_ = std::make_unique<wire_client>(broker_.port());
  int16_t v = range(api_key::describe_configs).second;
  EXPECT_EQ(config_value(v, "kept-config", "retention.ms"), "1234567");
  EXPECT_EQ(config_value(v, "kept-config", "cleanup.policy"), "compact");
  EXPECT_EQ(config_value(v, "kept-config", "segment.ms"), "604800000");
}

TEST_F(AdminWire, DeleteRecordsAndLeaderEpochsAtEveryVersion) {
  ASSERT_EQ(create(4, "trimmed", 1).error_code, 0);
  ASSERT_EQ(produce_batch(*client_, range(api_key::produce).second, "trimmed", 0,
                          batch_of({"0", "1", "2", "3", "4", "5", "6", "7"}, 0)).error_code, 0);
  auto [min_v, max_v] = range(api_key::delete_records);
  int64_t low = 0;
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("delete_records v" + std::to_string(v));
    auto trim = [&](int64_t before) {
      protocol::delete_records_request_data req;
      req.topics.push_back({});
      req.topics[0].name = "trimmed";
      req.topics[0].partitions.push_back({});
      req.topics[0].partitions[0].partition_index = 0;
      req.topics[0].partitions[0].offset = before;
      req.timeout_ms = 10000;
      return client_->call<protocol::delete_records_response_data>(req, v).topics.at(0).partitions.at(0);
    };
    ++low;
    auto trimmed = trim(low);
    EXPECT_EQ(trimmed.error_code, 0);
    EXPECT_EQ(trimmed.low_watermark, low);
    EXPECT_EQ(trim(100).error_code, to_int(error_code::offset_out_of_range));
  }
  // -1 means "up to the high watermark".
  protocol::delete_records_request_data all;
  all.topics.push_back({"trimmed", {{0, -1, {}}}, {}});
  all.timeout_ms = 10000;
  EXPECT_EQ(client_->call<protocol::delete_records_response_data>(all, max_v).topics.at(0).partitions.at(0).low_watermark,
            8);

  auto [epoch_min, epoch_max] = range(api_key::offset_for_leader_epoch);
  for (int16_t v = epoch_min; v <= epoch_max; ++v) {
    SCOPED_TRACE("offset_for_leader_epoch v" + std::to_string(v));
    protocol::offset_for_leader_epoch_request_data req;
    req.replica_id = -1;
    req.topics.push_back({});
    req.topics[0].topic = "trimmed";
    req.topics[0].partitions.push_back({});
    req.topics[0].partitions[0].partition = 0;
    req.topics[0].partitions[0].current_leader_epoch = -1;
    req.topics[0].partitions[0].leader_epoch = 0;
    auto answer = client_->call<protocol::offset_for_leader_epoch_response_data>(req, v).topics.at(0).partitions.at(0);
    EXPECT_EQ(answer.error_code, 0);
    EXPECT_EQ(answer.end_offset, 8);  // one leader epoch so far: it ends at the log end
    req.topics[0].partitions[0].partition = 9;
    EXPECT_EQ(client_->call<protocol::offset_for_leader_epoch_response_data>(req, v).topics.at(0).partitions.at(0)
                  .error_code,
              to_int(error_code::unknown_topic_or_partition));
  }
}

TEST_F(AdminWire, DescribeClusterAtEveryVersion) {
  auto [min_v, max_v] = range(api_key::describe_cluster);
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("describe_cluster v" + std::to_string(v));
    protocol::describe_cluster_request_data req;
    auto resp = client_->call<protocol::describe_cluster_response_data>(req, v);
    EXPECT_EQ(resp.error_code, 0);
    EXPECT_FALSE(resp.cluster_id.empty());
    EXPECT_EQ(resp.controller_id, 1);
    ASSERT_EQ(resp.brokers.size(), 1u);
    EXPECT_EQ(resp.brokers[0].broker_id, 1);
    EXPECT_EQ(resp.brokers[0].port, broker_.port());
  }
}

TEST_F(AdminWire, DeleteTopicsAtEveryVersion) {
  auto [min_v, max_v] = range(api_key::delete_topics);
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("delete_topics v" + std::to_string(v));
    const std::string name = "doomed-v" + std::to_string(v);
    auto made = create(7, name, 1);
    ASSERT_EQ(made.error_code, 0);
    protocol::delete_topics_request_data req;
    req.timeout_ms = 10000;
    if (v >= 6) {
      req.topics.push_back({std::nullopt, made.topic_id, {}});  // by id
      req.topics.push_back({std::string("never-was"), protocol::uuid{}, {}});
    } else {
      req.topic_names = {name, "never-was"};
    }
    auto resp = client_->call<protocol::delete_topics_response_data>(req, v);
    ASSERT_EQ(resp.responses.size(), 2u);
    EXPECT_EQ(resp.responses[0].error_code, 0);
    EXPECT_EQ(resp.responses[0].name.value_or(""), name);
    EXPECT_EQ(resp.responses[1].error_code, to_int(error_code::unknown_topic_or_partition));
    EXPECT_EQ(partition_count(name), -1);
    // The name is free again.
    EXPECT_EQ(create(7, name, 3).error_code, 0);
    EXPECT_EQ(partition_count(name), 3);
  }
}

TEST_F(AdminWire, DescribeLogDirsAtEveryVersion) {
  ASSERT_EQ(create(4, "sized", 2).error_code, 0);
  ASSERT_EQ(produce_batch(*client_, range(api_key::produce).second, "sized", 1,
                          batch_of({std::string(5000, 'x')}, 0)).error_code, 0);
  auto [min_v, max_v] = range(api_key::describe_log_dirs);
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("describe_log_dirs v" + std::to_string(v));
    protocol::describe_log_dirs_request_data req;
    req.topics.emplace();
    req.topics->push_back({});
    req.topics->back().topic = "sized";
    req.topics->back().partitions = {0, 1, 7};
    auto resp = client_->call<protocol::describe_log_dirs_response_data>(req, v);
    ASSERT_EQ(resp.results.size(), 1u);
    const auto& dir = resp.results[0];
    EXPECT_EQ(dir.error_code, 0);
    EXPECT_FALSE(dir.log_dir.empty());
    ASSERT_EQ(dir.topics.size(), 1u);
    ASSERT_EQ(dir.topics[0].partitions.size(), 2u);  // partition 7 does not exist
    EXPECT_EQ(dir.topics[0].partitions[0].partition_size, 0);
    EXPECT_GT(dir.topics[0].partitions[1].partition_size, 5000);
    if (v >= 4) {
      EXPECT_GT(dir.total_bytes, 0);
      EXPECT_GE(dir.total_bytes, dir.usable_bytes);
    }
    req.topics = std::nullopt;  // every partition
    auto all = client_->call<protocol::describe_log_dirs_response_data>(req, v);
    bool listed = false;
    for (const auto& t : all.results.at(0).topics) listed |= t.name == "sized" && t.partitions.size() == 2;
    EXPECT_TRUE(listed);
  }
}

// Without an authorizer Kafka answers the ACL APIs with SECURITY_DISABLED.
TEST_F(AdminWire, AclApisSaySecurityIsDisabled) {
  const int16_t disabled = to_int(error_code::security_disabled);
  for (int16_t v = range(api_key::describe_acls).first; v <= range(api_key::describe_acls).second; ++v) {
    protocol::describe_acls_request_data req;
    req.resource_type_filter = 1;  // ANY
    req.pattern_type_filter = 1;
    req.operation = 1;
    req.permission_type = 1;
    auto resp = client_->call<protocol::describe_acls_response_data>(req, v);
    EXPECT_EQ(resp.error_code, disabled) << "describe_acls v" << v;
    EXPECT_TRUE(resp.resources.empty());
  }
  for (int16_t v = range(api_key::create_acls).first; v <= range(api_key::create_acls).second; ++v) {
    protocol::create_acls_request_data req;
    req.creations.resize(2);
    for (auto& c : req.creations) {
      c.resource_type = 2;
      c.resource_name = "t";
      c.resource_pattern_type = 3;
      c.principal = "User:alice";
      c.host = "*";
      c.operation = 3;
      c.permission_type = 3;
    }
    auto resp = client_->call<protocol::create_acls_response_data>(req, v);
    ASSERT_EQ(resp.results.size(), 2u) << "create_acls v" << v;
    EXPECT_EQ(resp.results[1].error_code, disabled);
  }
  for (int16_t v = range(api_key::delete_acls).first; v <= range(api_key::delete_acls).second; ++v) {
    protocol::delete_acls_request_data req;
    req.filters.resize(1);
    req.filters[0].resource_type_filter = 1;
    req.filters[0].pattern_type_filter = 1;
    req.filters[0].operation = 1;
    req.filters[0].permission_type = 1;
    auto resp = client_->call<protocol::delete_acls_response_data>(req, v);
    ASSERT_EQ(resp.filter_results.size(), 1u) << "delete_acls v" << v;
    EXPECT_EQ(resp.filter_results[0].error_code, disabled);
  }
}

}  // namespace
}  // namespace samsa::wire_test
