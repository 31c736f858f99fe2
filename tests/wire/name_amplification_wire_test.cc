// A topic name longer than any topic's (32,000 bytes; Kafka allows 249),
// listed once with 20,000 tiny partition entries: handlers that copied the
// name for every partition made a ~700 KB request cost the broker about
// 640 MB and seconds of its handler thread (1.9 GB and 21 s for Fetch). Each
// API that takes topics with partitions is sent one; the broker must answer
// every partition (unknown topic), keep its peak RSS within a small bound,
// and keep answering a bystander. Also: one Fetch answer is capped at
// fetch.max.bytes whatever the client asks for, and a partition listed many
// times is read once by Fetch and refused (INVALID_REQUEST) by ListOffsets.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <tuple>
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

constexpr int32_t partitions_listed = 20000;
const std::string long_name(32000, 'n');

int64_t peak_rss(pid_t pid) { return peak_resident_kib(pid) * 1024; }

class NameAmplificationWire : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
    bystander_ = std::make_unique<wire_client>(broker_.port());
    before_ = peak_rss(broker_.pid());
  }
  void TearDown() override {
    const int64_t after = peak_rss(broker_.pid());
    std::cout << "broker peak RSS " << before_ / (1 << 20) << " MiB -> " << after / (1 << 20) << " MiB\n";
    // The request frame and its decoded form (~0.7 MB each) may be held; one
    // name per partition (640 MB) may not.
    EXPECT_LT(after - before_, int64_t{64} << 20);
    EXPECT_FALSE(advertised_versions(*bystander_).empty());
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }

  broker_process broker_;
  std::unique_ptr<wire_client> client_;
  std::unique_ptr<wire_client> bystander_;
  int64_t before_ = 0;
};

TEST_F(NameAmplificationWire, Fetch) {
  protocol::fetch_request_data req;
  req.replica_id = -1;
  req.max_wait_ms = 0;
  req.max_bytes = 1 << 20;
  auto& t = req.topics.emplace_back();
  t.topic = long_name;
  for (int32_t p = 0; p < partitions_listed; ++p) {
    auto& part = t.partitions.emplace_back();
    part.partition = p;
    part.partition_max_bytes = 1024;
  }
  auto resp = client_->call<protocol::fetch_response_data>(req, 4);
  ASSERT_EQ(resp.responses.size(), 1u);
  ASSERT_EQ(resp.responses[0].partitions.size(), static_cast<size_t>(partitions_listed));
  EXPECT_EQ(resp.responses[0].partitions[0].error_code, to_int(error_code::unknown_topic_or_partition));
  // With a session (v7, epoch 0 asks for one): answered without one.
  req.session_epoch = 0;
  auto with_session = client_->call<protocol::fetch_response_data>(req, 7);
  EXPECT_EQ(with_session.session_id, 0);
  EXPECT_EQ(with_session.responses.at(0).partitions.size(), static_cast<size_t>(partitions_listed));
}

TEST_F(NameAmplificationWire, OffsetFetch) {
  protocol::offset_fetch_request_data req;
  req.group_id = "g";
  auto& t = req.topics.emplace();
  auto& topic = t.emplace_back();
  topic.name = long_name;
  for (int32_t p = 0; p < partitions_listed; ++p) topic.partition_indexes.push_back(p);
  auto resp = client_->call<protocol::offset_fetch_response_data>(req, 1);
  ASSERT_EQ(resp.topics.size(), 1u);
  ASSERT_EQ(resp.topics[0].partitions.size(), static_cast<size_t>(partitions_listed));
  EXPECT_EQ(resp.topics[0].partitions[0].committed_offset, -1);
}

TEST_F(NameAmplificationWire, OffsetDelete) {
  protocol::offset_delete_request_data req;
  req.group_id = "g";
  auto& topic = req.topics.emplace_back();
  topic.name = long_name;
  for (int32_t p = 0; p < partitions_listed; ++p) topic.partitions.emplace_back().partition_index = p;
  auto resp = client_->call<protocol::offset_delete_response_data>(req, 0);
  // A group that does not exist is answered at the top.
  EXPECT_NE(resp.error_code, 0);
}

TEST_F(NameAmplificationWire, DescribeProducers) {
  protocol::describe_producers_request_data req;
  auto& topic = req.topics.emplace_back();
  topic.name = long_name;
  for (int32_t p = 0; p < partitions_listed; ++p) topic.partition_indexes.push_back(p);
  auto resp = client_->call<protocol::describe_producers_response_data>(req, 0);
  ASSERT_EQ(resp.topics.size(), 1u);
  ASSERT_EQ(resp.topics[0].partitions.size(), static_cast<size_t>(partitions_listed));
  EXPECT_EQ(resp.topics[0].partitions[0].error_code, to_int(error_code::unknown_topic_or_partition));
  // The message does not repeat the name for every partition.
  EXPECT_LT(resp.topics[0].partitions[0].error_message.value_or("").size(), 100u);
}

TEST_F(NameAmplificationWire, AddPartitionsToTxn) {
  protocol::add_partitions_to_txn_request_data req;
  req.v3_and_below_transactional_id = "t";
  req.v3_and_below_producer_id = 1;
  req.v3_and_below_producer_epoch = 0;
  auto& topic = req.v3_and_below_topics.emplace_back();
  topic.name = long_name;
  for (int32_t p = 0; p < partitions_listed; ++p) topic.partitions.push_back(p);
  auto resp = client_->call<protocol::add_partitions_to_txn_response_data>(req, 0);
  ASSERT_EQ(resp.results_by_topic_v3_and_below.size(), 1u);
  EXPECT_EQ(resp.results_by_topic_v3_and_below[0].results_by_partition.size(), static_cast<size_t>(partitions_listed));
}

TEST_F(NameAmplificationWire, Produce) {
  protocol::produce_request_data req;
  req.acks = 1;
  req.timeout_ms = 1000;
  auto& topic = req.topic_data.emplace_back();
  topic.name = long_name;
  for (int32_t p = 0; p < partitions_listed; ++p) topic.partition_data.emplace_back().index = p;
  auto resp = client_->call<protocol::produce_response_data>(req, 3);
  ASSERT_EQ(resp.responses.size(), 1u);
  ASSERT_EQ(resp.responses[0].partition_responses.size(), static_cast<size_t>(partitions_listed));
  EXPECT_NE(resp.responses[0].partition_responses[0].error_code, 0);
}

TEST(FetchMaxBytesWire, OneAnswerNeverCarriesMoreThanTheBrokerAllows) {
  broker_process broker(std::map<std::string, std::string>{{"fetch.max.bytes", "4096"}});
  broker.start();
  wire_client client(broker.port());
  ASSERT_EQ(create_topic(client, "t", 1), 0);
  // Ten batches of ~2 KB each.
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(produce_batch(client, 9, "t", 0, batch_of({std::string(2000, 'v')}, i)).error_code, 0);
  }
  protocol::fetch_request_data req;
  req.replica_id = -1;
  req.max_wait_ms = 0;
  req.max_bytes = INT32_MAX;  // the client asks for everything
  auto& t = req.topics.emplace_back();
  t.topic = "t";
  for (int i = 0; i < 20; ++i) {  // the same partition, listed many times
    auto& part = t.partitions.emplace_back();
    part.partition = 0;
    part.partition_max_bytes = INT32_MAX;
  }
  auto resp = client.call<protocol::fetch_response_data>(req, 4);
  size_t carried = 0;
  for (const auto& p : resp.responses.at(0).partitions) carried += p.records ? p.records->size() : 0;
  std::cout << "answer carried " << carried << " record bytes\n";
  EXPECT_GT(carried, 0u) << "at least one batch goes out";
  EXPECT_LE(carried, 4096u + 2100u) << "fetch.max.bytes, plus at most the one batch that crosses it";
  if (HasFailure()) std::cerr << broker.log_tail() << "\n";
}

TEST(DuplicatePartitionsWire, FetchReadsAPartitionListedManyTimesOnceAndListOffsetsLooksNoRepeatUp) {
  broker_process broker;
  broker.start();
  wire_client client(broker.port());
  wire_client bystander(broker.port());
  ASSERT_EQ(create_topic(client, "t", 1), 0);
  ASSERT_EQ(create_topic(client, "u", 2), 0);
  ASSERT_EQ(produce_batch(client, 9, "t", 0, batch_of({"a", "b"}, 0)).error_code, 0);
  ASSERT_EQ(produce_batch(client, 9, "u", 1, batch_of({"c"}, 0)).error_code, 0);
  constexpr int32_t copies = 200000;
  protocol::fetch_request_data fetch;
  fetch.replica_id = -1;
  fetch.max_wait_ms = 0;
  auto& ft = fetch.topics.emplace_back();
  ft.topic = "t";
  for (int32_t i = 0; i < copies; ++i) {
    auto& part = ft.partitions.emplace_back();
    part.partition = 0;
    part.partition_max_bytes = 1 << 20;
  }
  auto fetched = client.call<protocol::fetch_response_data>(fetch, 4);
  ASSERT_EQ(fetched.responses.size(), 1u);
  EXPECT_EQ(fetched.responses[0].partitions.size(), 1u) << "one entry per partition, as Kafka";
  EXPECT_GT(fetched.responses[0].partitions[0].records ? fetched.responses[0].partitions[0].records->size() : 0, 0u);

  // ListOffsets answers a partition listed more than once INVALID_REQUEST at
  // every place it is listed, as Kafka does, instead of looking it up each
  // time; a bystander is served while the broker works through the entries.
  protocol::list_offsets_request_data offsets;
  offsets.replica_id = -1;
  auto& ot = offsets.topics.emplace_back();
  ot.name = "t";
  for (int32_t i = 0; i < copies; ++i) {
    auto& part = ot.partitions.emplace_back();
    part.partition_index = 0;
    part.timestamp = 0;
  }
  protocol::list_offsets_response_data listed;
  const auto started = std::chrono::steady_clock::now();
  std::thread big([&] { listed = client.call<protocol::list_offsets_response_data>(offsets, 1); });
  EXPECT_FALSE(advertised_versions(bystander).empty());
  big.join();
  std::cerr << "ListOffsets of " << copies << " copies of one partition answered in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count()
            << " ms\n";
  ASSERT_EQ(listed.topics.size(), 1u);
  ASSERT_EQ(listed.topics[0].partitions.size(), static_cast<size_t>(copies));
  size_t refused = 0;
  for (const auto& p : listed.topics[0].partitions) {
    refused += p.partition_index == 0 && p.error_code == to_int(error_code::invalid_request) && p.offset == -1;
  }
  EXPECT_EQ(refused, static_cast<size_t>(copies));

  // Repeats across topic entries count too; entries listed once are looked
  // up as usual, and the answer keeps the request's order.
  protocol::list_offsets_request_data mixed;
  mixed.replica_id = -1;
  auto add = [&](const std::string& topic, std::vector<int32_t> partitions) {
    auto& mt = mixed.topics.emplace_back();
    mt.name = topic;
    for (int32_t p : partitions) {
      auto& part = mt.partitions.emplace_back();
      part.partition_index = p;
      part.timestamp = -1;  // latest
    }
  };
  add("t", {0, 0});
  add("u", {1, 0, 5});
  add("t", {0});
  auto answer = client.call<protocol::list_offsets_response_data>(mixed, 7);
  ASSERT_EQ(answer.topics.size(), 3u);
  std::vector<std::tuple<std::string, int32_t, int16_t, int64_t>> got;
  for (const auto& t : answer.topics) {
    for (const auto& p : t.partitions) got.emplace_back(t.name, p.partition_index, p.error_code, p.offset);
  }
  const int16_t invalid = to_int(error_code::invalid_request);
  const std::vector<std::tuple<std::string, int32_t, int16_t, int64_t>> expected = {
      {"t", 0, invalid, -1}, {"t", 0, invalid, -1},
      {"u", 1, 0, 1},        {"u", 0, 0, 0},        {"u", 5, to_int(error_code::unknown_topic_or_partition), -1},
      {"t", 0, invalid, -1}};
  EXPECT_EQ(got, expected);
  if (HasFailure()) std::cerr << broker.log_tail() << "\n";
}

}  // namespace
}  // namespace samsa::wire_test
