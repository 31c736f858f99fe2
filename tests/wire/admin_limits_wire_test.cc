// Topic administration at its limits, against a real `samsa serve` process:
// oversized config values (refused before they reach the metadata log, so a
// restart keeps every topic), 231-249 character topic names (create, delete,
// re-create, restart), partition-count bounds (per request and per broker),
// a creation that fails midway on EMFILE (nothing left behind), and the
// broker's internal topics (no DeleteRecords, CreatePartitions, colliding
// names or configs that would stop compaction).
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "broker_process.h"
#include "hostile_client.h"
#include "restartable_broker_test.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using protocol::error_code;
using protocol::to_int;

constexpr int8_t topic_resource = 2;

class AdminLimits : public restartable_broker_test {
 protected:
  void TearDown() override {
    // After each refused request (a 70 MB config value, 10,000,001
    // partitions, EMFILE midway) the broker answers others and holds little.
    if (broker_) expect_broker_healthy(broker_->port(), broker_->pid(), 128 * 1024);
    restartable_broker_test::TearDown();
  }
  using create_result = protocol::create_topics_response_data::creatable_topic_result;

  protocol::create_topics_response_data create_many(const std::vector<std::pair<std::string, int32_t>>& topics,
                                                    const std::map<std::string, std::string>& configs = {},
                                                    bool validate_only = false, int16_t version = 7) {
    protocol::create_topics_request_data req;
    for (const auto& [name, partitions] : topics) {
      req.topics.push_back({});
      req.topics.back().name = name;
      req.topics.back().num_partitions = partitions;
      req.topics.back().replication_factor = 1;
      for (const auto& [k, v] : configs) {
        req.topics.back().configs.push_back({});
        req.topics.back().configs.back().name = k;
        req.topics.back().configs.back().value = v;
      }
    }
    req.timeout_ms = 10000;
    req.validate_only = validate_only;
    return client_->call<protocol::create_topics_response_data>(req, version);
  }

  create_result create(const std::string& name, int32_t partitions, const std::map<std::string, std::string>& configs = {},
                       bool validate_only = false) {
    return create_many({{name, partitions}}, configs, validate_only).topics.at(0);
  }

  protocol::create_partitions_response_data::create_partitions_topic_result grow(const std::string& name, int32_t to,
                                                                                  bool validate_only = false) {
    protocol::create_partitions_request_data req;
    req.topics.push_back({});
    req.topics[0].name = name;
    req.topics[0].count = to;
    req.timeout_ms = 10000;
    req.validate_only = validate_only;
    return client_->call<protocol::create_partitions_response_data>(req, 3).results.at(0);
  }

  // A commit of a group without members (generation -1), as a client that
  // assigns itself partitions makes; its error code.
  int16_t commit_offset(const std::string& group, const std::string& topic, int64_t offset) {
    protocol::offset_commit_request_data req;
    req.group_id = group;
    req.generation_id_or_member_epoch = -1;
    auto& t = req.topics.emplace_back();
    t.name = topic;
    t.partitions.push_back({});
    t.partitions[0].partition_index = 0;
    t.partitions[0].committed_offset = offset;
    return client_->call<protocol::offset_commit_response_data>(req, 2).topics.at(0).partitions.at(0).error_code;
  }

  // The group's committed offset of the topic's partition 0 (-1: none).
  int64_t committed_offset(const std::string& group, const std::string& topic) {
    protocol::offset_fetch_request_data req;
    req.group_id = group;
    req.topics = std::vector<protocol::offset_fetch_request_data::offset_fetch_request_topic>{{topic, {0}, {}}};
    auto resp = client_->call<protocol::offset_fetch_response_data>(req, 1);
    return resp.topics.at(0).partitions.at(0).committed_offset;
  }

  // The topic's partition count, or -1 when it does not exist.
  int32_t partition_count(const std::string& topic) {
    protocol::metadata_request_data req;
    req.topics.emplace();
    req.topics->push_back({});
    req.topics->back().name = topic;
    req.allow_auto_topic_creation = false;
    auto resp = client_->call<protocol::metadata_response_data>(req, 12);
    return resp.topics.at(0).error_code == 0 ? static_cast<int32_t>(resp.topics[0].partitions.size()) : -1;
  }

  int16_t delete_topic(const std::string& name) {
    protocol::delete_topics_request_data req;
    req.topic_names = {name};
    req.timeout_ms = 10000;
    return client_->call<protocol::delete_topics_response_data>(req, 5).responses.at(0).error_code;
  }

  int64_t latest_offset(const std::string& topic, int32_t partition) {
    protocol::list_offsets_request_data req;
    req.replica_id = -1;
    req.topics.push_back({});
    req.topics[0].name = topic;
    req.topics[0].partitions.push_back({});
    req.topics[0].partitions[0].partition_index = partition;
    req.topics[0].partitions[0].timestamp = -1;
    auto p = client_->call<protocol::list_offsets_response_data>(req, 7).topics.at(0).partitions.at(0);
    return p.error_code == 0 ? p.offset : -1000 - p.error_code;
  }

  protocol::incremental_alter_configs_response_data::alter_configs_resource_response set_config(
      const std::string& topic, const std::string& key, const std::string& value, bool validate_only = false,
      int8_t op = 0) {
    protocol::incremental_alter_configs_request_data req;
    req.resources.push_back({});
    req.resources[0].resource_type = topic_resource;
    req.resources[0].resource_name = topic;
    req.resources[0].configs.push_back({});
    req.resources[0].configs[0].name = key;
    req.resources[0].configs[0].config_operation = op;
    req.resources[0].configs[0].value = value;
    req.validate_only = validate_only;
    return client_->call<protocol::incremental_alter_configs_response_data>(req, 1).responses.at(0);
  }

  protocol::alter_configs_response_data::alter_configs_resource_response replace_configs(
      const std::string& topic, const std::map<std::string, std::string>& configs, bool validate_only = false) {
    protocol::alter_configs_request_data req;
    req.resources.push_back({});
    req.resources[0].resource_type = topic_resource;
    req.resources[0].resource_name = topic;
    for (const auto& [k, v] : configs) {
      req.resources[0].configs.push_back({});
      req.resources[0].configs.back().name = k;
      req.resources[0].configs.back().value = v;
    }
    req.validate_only = validate_only;
    return client_->call<protocol::alter_configs_response_data>(req, 2).responses.at(0);
  }

  // Names of the entries of the data directory that start with `prefix`.
  std::vector<std::string> data_entries(const std::string& prefix) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(broker_->data_dir())) {
      std::string n = e.path().filename().string();
      if (n.starts_with(prefix)) out.push_back(n);
    }
    return out;
  }

};

// Finding 2: a 70 MB config value used to be written to the metadata log as
// one record that the next start could not read, losing every topic created
// after it. Every path that stores configs refuses it now.
TEST_F(AdminLimits, OversizedConfigValuesAreRefusedAndRestartKeepsEveryTopic) {
  start();
  ASSERT_EQ(create("before", 1).error_code, 0);
  std::string huge;
  huge.reserve(70u << 20);
  while (huge.size() < (70u << 20)) huge += "1:0,";
  huge.pop_back();
  const std::string key = "leader.replication.throttled.replicas";
  for (bool validate_only : {true, false}) {
    SCOPED_TRACE(validate_only ? "validate_only" : "for real");
    auto made = create("huge", 1, {{key, huge}}, validate_only);
    EXPECT_EQ(made.error_code, to_int(error_code::invalid_config));
    EXPECT_NE(made.error_message.value_or("").find(key), std::string::npos) << made.error_message.value_or("");
    EXPECT_EQ(replace_configs("before", {{key, huge}}, validate_only).error_code, to_int(error_code::invalid_config));
    EXPECT_EQ(set_config("before", key, huge, validate_only).error_code, to_int(error_code::invalid_config));
  }
  EXPECT_EQ(partition_count("huge"), -1);
  // Numbers padded with blanks are numbers to the parser, but not 1 MiB of them.
  EXPECT_EQ(set_config("before", "retention.ms", "1" + std::string(2u << 20, ' ')).error_code,
            to_int(error_code::invalid_config));
  // APPEND grows a list past the limit one acceptable piece at a time.
  std::string half, other;  // distinct entries: APPEND skips ones already listed
  for (int i = 0; half.size() < (150u << 10); ++i) half += std::to_string(i) + ":0,";
  half.pop_back();
  for (int i = 1000000; other.size() < (150u << 10); ++i) other += std::to_string(i) + ":0,";
  other.pop_back();
  EXPECT_EQ(set_config("before", key, half).error_code, 0);
  EXPECT_EQ(set_config("before", key, other, false, /*APPEND*/ 2).error_code, to_int(error_code::invalid_config));
  // Kafka's format for throttled replicas: '*' or partition:broker pairs.
  EXPECT_EQ(set_config("before", key, "*").error_code, 0);
  EXPECT_EQ(set_config("before", key, "0:0, 1:0").error_code, 0);
  EXPECT_EQ(set_config("before", key, "all of them").error_code, to_int(error_code::invalid_config));

  ASSERT_EQ(create("after", 2).error_code, 0);
  restart_after_kill();
  EXPECT_EQ(partition_count("before"), 1);
  EXPECT_EQ(partition_count("after"), 2);
}

// Finding 4: Kafka allows 249 characters. The directory of a deleted
// partition (`<dir>.<ms>.<n>-delete`) used to exceed NAME_MAX, so the delete
// failed silently and the re-created topic served the old records.
TEST_F(AdminLimits, LongestTopicNamesCreateDeleteRecreateAndRestart) {
  start();
  for (size_t length : {230u, 240u, 249u}) {
    const std::string name = std::string(length - 4, 'n') + "-" + std::to_string(length);
    SCOPED_TRACE(std::to_string(length) + " characters");
    ASSERT_EQ(name.size(), length);
    auto made = create(name, 2);
    ASSERT_EQ(made.error_code, 0) << made.error_message.value_or("");
    ASSERT_EQ(produce_batch(*client_, 9, name, 1, batch_of({"a", "b", "c"}, 0)).error_code, 0);
    EXPECT_EQ(latest_offset(name, 1), 3);
    ASSERT_EQ(delete_topic(name), 0);
    EXPECT_EQ(partition_count(name), -1);
    EXPECT_TRUE(data_entries(name + "-").empty()) << "a live partition directory is left";
    ASSERT_EQ(create(name, 2).error_code, 0);
    EXPECT_EQ(latest_offset(name, 1), 0) << "the re-created topic must be empty";
  }
  restart_after_kill();
  for (size_t length : {230u, 240u, 249u}) {
    const std::string name = std::string(length - 4, 'n') + "-" + std::to_string(length);
    EXPECT_EQ(partition_count(name), 2);
    EXPECT_EQ(latest_offset(name, 1), 0);
  }
}

// Finding 5: at most 10,000 new partitions per request (Kafka 4.0's rule),
// answered at once, and the broker keeps serving.
TEST_F(AdminLimits, PartitionsPerRequestAreBounded) {
  start();
  auto began = std::chrono::steady_clock::now();
  for (bool validate_only : {true, false}) {
    auto made = create("enormous", 10000001, {}, validate_only);
    EXPECT_EQ(made.error_code, to_int(error_code::policy_violation));
    EXPECT_FALSE(made.error_message.value_or("").empty());
  }
  auto pair = create_many({{"half-a", 6000}, {"half-b", 5000}});
  ASSERT_EQ(pair.topics.size(), 2u);
  EXPECT_EQ(pair.topics[0].error_code, to_int(error_code::policy_violation));
  EXPECT_EQ(pair.topics[1].error_code, to_int(error_code::policy_violation));
  ASSERT_EQ(create("small", 1).error_code, 0);
  EXPECT_EQ(grow("small", 10002).error_code, to_int(error_code::policy_violation));
  EXPECT_EQ(grow("small", 10002, true).error_code, to_int(error_code::policy_violation));
  auto took = std::chrono::steady_clock::now() - began;
  EXPECT_LT(took, std::chrono::seconds(5));
  EXPECT_EQ(partition_count("enormous"), -1);
  EXPECT_EQ(partition_count("half-a"), -1);
  EXPECT_EQ(partition_count("small"), 1);
  EXPECT_EQ(create("ordinary", 3).error_code, 0);
  EXPECT_EQ(partition_count("ordinary"), 3);
}

// Finding 5: max.broker.partitions bounds the partitions of the whole broker.
TEST_F(AdminLimits, PartitionsPerBrokerAreBounded) {
  start({{"max.broker.partitions", "10"}});
  ASSERT_EQ(create("six", 6).error_code, 0);
  auto refused = create("five", 5);
  EXPECT_EQ(refused.error_code, to_int(error_code::policy_violation));
  EXPECT_NE(refused.error_message.value_or("").find("max.broker.partitions"), std::string::npos);
  EXPECT_EQ(grow("six", 11).error_code, to_int(error_code::policy_violation));
  EXPECT_EQ(partition_count("six"), 6);
  EXPECT_EQ(create("four", 4).error_code, 0);
  EXPECT_EQ(partition_count("five"), -1);
}

// Finding 5: when creating partition k fails (here: EMFILE), the partitions
// made so far are removed, nothing is committed, and the name can be used
// again, also after a restart.
TEST_F(AdminLimits, CreationThatFailsMidwayLeavesNothingBehind) {
  start();
  ASSERT_EQ(create("steady", 1).error_code, 0);
  struct rlimit low {200, 200};
  ASSERT_EQ(prlimit(broker_->pid(), RLIMIT_NOFILE, &low, nullptr), 0);
  auto failed = create("toomany", 400);
  EXPECT_EQ(failed.error_code, to_int(error_code::kafka_storage_error));
  EXPECT_FALSE(failed.error_message.value_or("").empty());
  std::cout << "refused as expected: " << failed.error_message.value_or("") << "\n";
  EXPECT_EQ(partition_count("toomany"), -1);
  EXPECT_TRUE(data_entries("toomany-").empty()) << data_entries("toomany-").size() << " entries left";
  // The broker still works within its limit, and the name is free.
  auto again = create("toomany", 3);
  EXPECT_EQ(again.error_code, 0) << again.error_message.value_or("");
  EXPECT_EQ(partition_count("toomany"), 3);
  EXPECT_EQ(produce_batch(*client_, 9, "toomany", 2, batch_of({"x"}, 0)).error_code, 0);
  // The same for CreatePartitions.
  EXPECT_EQ(grow("steady", 400).error_code, to_int(error_code::kafka_storage_error));
  EXPECT_EQ(partition_count("steady"), 1);
  EXPECT_EQ(data_entries("steady-").size(), 1u);
  restart_after_kill();
  EXPECT_EQ(partition_count("toomany"), 3);
  EXPECT_EQ(partition_count("steady"), 1);
  EXPECT_EQ(latest_offset("toomany", 2), 1);
  EXPECT_EQ(grow("steady", 4).error_code, 0);
}

// Finding 6: the broker's own topics are protected as Kafka protects them,
// and the committed offsets they hold come back whole after a restart.
TEST_F(AdminLimits, InternalTopicsAreProtected) {
  start();
  // Names that collide with an internal topic ('.' and '_' are alike) are
  // refused even before that topic exists.
  EXPECT_EQ(create("__consumer.offsets", 1).error_code, to_int(error_code::invalid_topic_exception));
  EXPECT_EQ(create("__transaction.state", 1).error_code, to_int(error_code::invalid_topic_exception));
  EXPECT_EQ(create("__consumer.offsets", 1, {}, true).error_code, to_int(error_code::invalid_topic_exception));
  // Bring __consumer_offsets into being the way a client does.
  protocol::metadata_request_data meta;
  meta.topics.emplace();
  meta.topics->push_back({});
  meta.topics->back().name = "__consumer_offsets";
  meta.allow_auto_topic_creation = true;
  ASSERT_EQ(client_->call<protocol::metadata_response_data>(meta, 9).topics.at(0).error_code, 0);
  EXPECT_EQ(create("__consumer.offsets", 1).error_code, to_int(error_code::invalid_topic_exception));
  // Offsets the refused calls below must not disturb, across a restart:
  // each group commits twice, so a trimmed log or groups remapped to other
  // partitions would bring back the first offset or none.
  ASSERT_EQ(create("data", 1).error_code, 0);
  const int groups = 20;
  for (int64_t offset : {5, 7}) {
    for (int g = 0; g < groups; ++g) ASSERT_EQ(commit_offset("group-" + std::to_string(g), "data", offset), 0);
  }

  protocol::delete_records_request_data trim;
  trim.topics.push_back({});
  trim.topics[0].name = "__consumer_offsets";
  trim.topics[0].partitions.push_back({});
  trim.topics[0].partitions[0].partition_index = 0;
  trim.topics[0].partitions[0].offset = -1;
  trim.timeout_ms = 10000;
  auto trimmed = client_->call<protocol::delete_records_response_data>(trim, 2);
  EXPECT_EQ(trimmed.topics.at(0).partitions.at(0).error_code, to_int(error_code::invalid_topic_exception));

  auto grown = grow("__consumer_offsets", 60);
  EXPECT_EQ(grown.error_code, to_int(error_code::invalid_request));
  EXPECT_FALSE(grown.error_message.value_or("").empty());
  EXPECT_EQ(grow("__consumer_offsets", 60, true).error_code, to_int(error_code::invalid_request));
  EXPECT_EQ(partition_count("__consumer_offsets"), 50);
  EXPECT_EQ(delete_topic("__consumer_offsets"), to_int(error_code::invalid_request));

  // Configs may change, but the offsets must stay compacted: AlterConfigs
  // replaces the whole override set, which would drop cleanup.policy=compact.
  EXPECT_EQ(replace_configs("__consumer_offsets", {}).error_code, to_int(error_code::invalid_config));
  EXPECT_EQ(set_config("__consumer_offsets", "cleanup.policy", "delete").error_code,
            to_int(error_code::invalid_config));
  EXPECT_EQ(set_config("__consumer_offsets", "cleanup.policy", "", false, /*DELETE*/ 1).error_code,
            to_int(error_code::invalid_config));
  EXPECT_EQ(replace_configs("__consumer_offsets", {{"cleanup.policy", "compact"}, {"segment.ms", "3600000"}})
                .error_code,
            0);
  EXPECT_EQ(set_config("__consumer_offsets", "segment.ms", "7200000").error_code, 0);

  restart_after_kill();
  EXPECT_EQ(partition_count("__consumer_offsets"), 50);
  for (int g = 0; g < groups; ++g)
    EXPECT_EQ(committed_offset("group-" + std::to_string(g), "data"), 7) << "group-" << g;
}

}  // namespace
}  // namespace samsa::wire_test
