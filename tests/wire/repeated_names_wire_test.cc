// A describe request may name one thing many times: a few bytes of request
// per mention, while each answer to it may be large (every partition of a
// topic, every config with its documentation, every producer of a
// partition, every committed offset of a group). Kafka's Metadata answers
// each topic once; every describe API here answers each thing once
// (src/broker/handlers/first_of_each.h). Each test names things repeatedly
// against a real broker and checks the answer's shape; the first two also
// check that the broker's peak RSS stays within a small bound while a
// bystander is answered.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "broker_process.h"
#include "hostile_client.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using protocol::error_code;
using protocol::to_int;

constexpr int32_t big_topic_partitions = 1000;
constexpr int mentions = 5000;

class RepeatedNamesWire : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
    bystander_ = std::make_unique<wire_client>(broker_.port());
    ASSERT_EQ(create_topic(*client_, "t", big_topic_partitions), 0);
    before_ = peak_resident_kib(broker_.pid()) * 1024;
  }
  void TearDown() override {
    const int64_t after = peak_resident_kib(broker_.pid()) * 1024;
    std::cout << "broker peak RSS " << before_ / (1 << 20) << " MiB -> " << after / (1 << 20) << " MiB\n";
    // Before each thing was answered once, the Metadata case alone asked for
    // 5,000,000 partition entries (about 1.4 GB).
    EXPECT_LT(after - before_, int64_t{64} << 20);
    EXPECT_FALSE(advertised_versions(*bystander_).empty());
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }

  broker_process broker_{{{"auto.create.topics.enable", "false"}}};
  std::unique_ptr<wire_client> client_;
  std::unique_ptr<wire_client> bystander_;
  int64_t before_ = 0;
};

TEST_F(RepeatedNamesWire, MetadataAnswersEachTopicOnceWhereItWasFirstNamed) {
  protocol::metadata_request_data req;
  req.allow_auto_topic_creation = false;
  req.topics.emplace();
  auto name = [&](const std::string& topic) { req.topics->emplace_back().name = topic; };
  name("missing");
  for (int i = 0; i < mentions; ++i) name("t");
  name("missing");
  auto resp = client_->call<protocol::metadata_response_data>(req, 12);
  ASSERT_EQ(resp.topics.size(), 2u);
  EXPECT_EQ(resp.topics[0].name, "missing");
  EXPECT_EQ(resp.topics[0].error_code, to_int(error_code::unknown_topic_or_partition));
  EXPECT_EQ(resp.topics[1].name, "t");
  EXPECT_EQ(resp.topics[1].partitions.size(), static_cast<size_t>(big_topic_partitions));

  // By id (v12+), likewise.
  const protocol::uuid id = resp.topics[1].topic_id;
  protocol::metadata_request_data by_id;
  by_id.topics.emplace();
  for (int i = 0; i < 3; ++i) {
    auto& t = by_id.topics->emplace_back();
    t.name = std::nullopt;
    t.topic_id = id;
  }
  auto resp_by_id = client_->call<protocol::metadata_response_data>(by_id, 12);
  ASSERT_EQ(resp_by_id.topics.size(), 1u);
  EXPECT_EQ(resp_by_id.topics[0].name, "t");
}

TEST_F(RepeatedNamesWire, DescribeConfigsDescribesEachResourceOnceWithTheKeysOfEveryMention) {
  protocol::describe_configs_request_data req;
  req.include_documentation = true;
  req.include_synonyms = true;
  for (int i = 0; i < mentions * 4; ++i) {
    auto& r = req.resources.emplace_back();
    r.resource_type = 2;
    r.resource_name = "t";
    r.configuration_keys = std::nullopt;  // all of them
  }
  auto resp = client_->call<protocol::describe_configs_response_data>(req, 4);
  ASSERT_EQ(resp.results.size(), 1u);
  EXPECT_GT(resp.results[0].configs.size(), 10u);

  // Two mentions with keys: one answer with the keys of both.
  protocol::describe_configs_request_data keyed;
  for (const char* key : {"retention.ms", "cleanup.policy", "retention.ms"}) {
    auto& r = keyed.resources.emplace_back();
    r.resource_type = 2;
    r.resource_name = "t";
    r.configuration_keys = std::vector<std::string>{key};
  }
  auto keyed_resp = client_->call<protocol::describe_configs_response_data>(keyed, 4);
  ASSERT_EQ(keyed_resp.results.size(), 1u);
  std::vector<std::string> names;
  for (const auto& c : keyed_resp.results[0].configs) names.push_back(c.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"cleanup.policy", "retention.ms"}));
}

TEST_F(RepeatedNamesWire, GroupAndTransactionDescribesAnswerEachIdOnce) {
  {
    protocol::describe_groups_request_data req;
    req.groups = {"g", "h", "g", "g", "h"};
    auto resp = client_->call<protocol::describe_groups_response_data>(req, 5);
    ASSERT_EQ(resp.groups.size(), 2u);
    EXPECT_EQ(resp.groups[0].group_id, "g");
    EXPECT_EQ(resp.groups[1].group_id, "h");
  }
  {
    protocol::consumer_group_describe_request_data req;
    req.group_ids = {"g", "g", "g"};
    auto resp = client_->call<protocol::consumer_group_describe_response_data>(req, 0);
    EXPECT_EQ(resp.groups.size(), 1u);
  }
  {
    protocol::share_group_describe_request_data req;
    req.group_ids = {"g", "g", "g"};
    auto resp = client_->call<protocol::share_group_describe_response_data>(req, 1);
    EXPECT_EQ(resp.groups.size(), 1u);
  }
  {
    protocol::describe_transactions_request_data req;
    req.transactional_ids = {"x", "x", "y", "x"};
    auto resp = client_->call<protocol::describe_transactions_response_data>(req, 0);
    ASSERT_EQ(resp.transaction_states.size(), 2u);
    EXPECT_EQ(resp.transaction_states[0].transactional_id, "x");
    EXPECT_EQ(resp.transaction_states[1].transactional_id, "y");
  }
}

TEST_F(RepeatedNamesWire, DescribeProducersAnswersEachPartitionOnceUnderItsTopicsFirstEntry) {
  protocol::describe_producers_request_data req;
  auto& first = req.topics.emplace_back();
  first.name = "t";
  first.partition_indexes = {0, 0, 1};
  auto& other = req.topics.emplace_back();
  other.name = "missing";
  other.partition_indexes = {0};
  auto& again = req.topics.emplace_back();
  again.name = "t";
  again.partition_indexes = {1, 2, 0};
  auto resp = client_->call<protocol::describe_producers_response_data>(req, 0);
  ASSERT_EQ(resp.topics.size(), 2u);
  EXPECT_EQ(resp.topics[0].name, "t");
  std::vector<int32_t> partitions;
  for (const auto& p : resp.topics[0].partitions) {
    partitions.push_back(p.partition_index);
    EXPECT_EQ(p.error_code, 0);
  }
  EXPECT_EQ(partitions, (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(resp.topics[1].name, "missing");
}

TEST_F(RepeatedNamesWire, AGroupAskedForAllItsOffsetsAgainIsAnsweredOnce) {
  {
    protocol::offset_fetch_request_data req;
    for (int i = 0; i < 3; ++i) {
      auto& g = req.groups.emplace_back();
      g.group_id = "g";
      g.topics = std::nullopt;  // every committed partition
    }
    auto& listed = req.groups.emplace_back();
    listed.group_id = "g";
    auto& topic = listed.topics.emplace().emplace_back();
    topic.name = "t";
    topic.partition_indexes = {0};
    auto resp = client_->call<protocol::offset_fetch_response_data>(req, 8);
    ASSERT_EQ(resp.groups.size(), 2u) << "one ask for all, and the one that lists its topics";
    EXPECT_EQ(resp.groups[1].topics.at(0).partitions.at(0).committed_offset, -1);
  }
  {
    protocol::describe_share_group_offsets_request_data req;
    for (int i = 0; i < 3; ++i) {
      auto& g = req.groups.emplace_back();
      g.group_id = "s";
      g.topics = std::nullopt;
    }
    auto resp = client_->call<protocol::describe_share_group_offsets_response_data>(req, 0);
    EXPECT_EQ(resp.groups.size(), 1u);
  }
}

}  // namespace
}  // namespace samsa::wire_test
