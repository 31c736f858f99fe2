// Idempotent producers over the wire against a real `samsa serve` process:
// InitProducerId at every advertised version, duplicate batches answered with
// their first offsets, sequence gaps and old epochs refused, and both the
// producer ids and the duplicate detection surviving a SIGKILL.
#include <gtest/gtest.h>

#include <iostream>
#include <set>
#include <string>

#include "broker_process.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using protocol::api_key;
using protocol::error_code;
using protocol::to_int;

class IdempotenceWire : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    connect();
    ASSERT_EQ(create_topic(*client_, topic_, 1), 0);
  }

  void TearDown() override {
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }

  void connect() {
    client_ = std::make_unique<wire_client>(broker_.port());
    versions_ = advertised_versions(*client_);
  }

  std::pair<int16_t, int16_t> range(api_key key) { return versions_.at(static_cast<int16_t>(key)); }

  protocol::init_producer_id_response_data init_producer(int16_t version,
                                                         std::optional<std::string> transactional_id = {}) {
    protocol::init_producer_id_request_data req;
    req.transactional_id = std::move(transactional_id);
    req.transaction_timeout_ms = 60000;
    req.producer_id = -1;
    req.producer_epoch = -1;
    return client_->call<protocol::init_producer_id_response_data>(req, version);
  }

  auto send(const std::vector<std::string>& values, producer_stamp stamp) {
    return produce_batch(*client_, range(api_key::produce).second, topic_, 0, batch_of(values, 0, stamp));
  }

  int64_t high_watermark() {
    protocol::list_offsets_request_data req;
    req.replica_id = -1;
    req.topics.push_back({});
    req.topics[0].name = topic_;
    req.topics[0].partitions.push_back({});
    req.topics[0].partitions[0].partition_index = 0;
    req.topics[0].partitions[0].timestamp = -1;
    return client_->call<protocol::list_offsets_response_data>(req, 5).topics.at(0).partitions.at(0).offset;
  }

  broker_process broker_;
  std::unique_ptr<wire_client> client_;
  std::map<int16_t, std::pair<int16_t, int16_t>> versions_;
  std::string topic_ = "idempotent";
};

TEST_F(IdempotenceWire, InitProducerIdAtEveryVersionGivesDistinctIds) {
  auto [min_v, max_v] = range(api_key::init_producer_id);
  std::set<int64_t> ids;
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("init_producer_id v" + std::to_string(v));
    auto resp = init_producer(v);
    EXPECT_EQ(resp.error_code, 0);
    EXPECT_GE(resp.producer_id, 0);
    EXPECT_EQ(resp.producer_epoch, 0);
    ids.insert(resp.producer_id);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(max_v - min_v + 1));
  // A transactional id is the transaction coordinator's (txn_coordinator_wire_test.cc).
  auto transactional = init_producer(max_v, "txn-1");
  EXPECT_EQ(transactional.error_code, 0);
  EXPECT_FALSE(ids.count(transactional.producer_id));
}

TEST_F(IdempotenceWire, RetriedBatchIsStoredOnce) {
  auto pid = init_producer(range(api_key::init_producer_id).second);
  ASSERT_EQ(pid.error_code, 0);
  producer_stamp s{pid.producer_id, 0, 0};
  auto first = send({"a", "b", "c"}, s);
  ASSERT_EQ(first.error_code, 0);
  EXPECT_EQ(first.base_offset, 0);
  auto retry = send({"a", "b", "c"}, s);
  EXPECT_EQ(retry.error_code, 0);
  EXPECT_EQ(retry.base_offset, 0);  // the offsets of the first attempt
  EXPECT_EQ(high_watermark(), 3);    // stored once

  auto next = send({"d"}, {pid.producer_id, 0, 3});
  EXPECT_EQ(next.error_code, 0);
  EXPECT_EQ(next.base_offset, 3);
  auto gap = send({"f"}, {pid.producer_id, 0, 9});
  EXPECT_EQ(gap.error_code, to_int(error_code::out_of_order_sequence_number));
  EXPECT_EQ(high_watermark(), 4);

  // A bumped epoch starts at sequence 0 and fences the old one.
  EXPECT_EQ(send({"g"}, {pid.producer_id, 1, 4}).error_code, to_int(error_code::out_of_order_sequence_number));
  EXPECT_EQ(send({"g"}, {pid.producer_id, 1, 0}).error_code, 0);
  EXPECT_EQ(send({"h"}, {pid.producer_id, 0, 4}).error_code, to_int(error_code::invalid_producer_epoch));
  EXPECT_EQ(high_watermark(), 5);

  // Producers do not interfere with each other; batches without a producer id are never deduplicated.
  auto other = init_producer(range(api_key::init_producer_id).second);
  EXPECT_EQ(send({"x"}, {other.producer_id, 0, 0}).error_code, 0);
  EXPECT_EQ(send({"plain"}, {}).error_code, 0);
  EXPECT_EQ(send({"plain"}, {}).error_code, 0);
  EXPECT_EQ(high_watermark(), 8);
}

TEST_F(IdempotenceWire, DuplicatesAndIdsSurviveSigkill) {
  auto pid = init_producer(range(api_key::init_producer_id).second);
  ASSERT_EQ(pid.error_code, 0);
  ASSERT_EQ(send({"a", "b"}, {pid.producer_id, 0, 0}).error_code, 0);
  ASSERT_EQ(send({"c"}, {pid.producer_id, 0, 2}).error_code, 0);

  client_.reset();
  broker_.kill_hard();
  broker_.start();
  connect();

  // The retry of the last batch arrives after the restart: still one copy.
  auto retry = send({"c"}, {pid.producer_id, 0, 2});
  EXPECT_EQ(retry.error_code, 0);
  EXPECT_EQ(retry.base_offset, 2);
  EXPECT_EQ(high_watermark(), 3);
  EXPECT_EQ(send({"d"}, {pid.producer_id, 0, 5}).error_code, to_int(error_code::out_of_order_sequence_number));
  EXPECT_EQ(send({"d"}, {pid.producer_id, 0, 3}).error_code, 0);

  auto after = init_producer(range(api_key::init_producer_id).second);
  ASSERT_EQ(after.error_code, 0);
  EXPECT_GT(after.producer_id, pid.producer_id);  // never handed out twice

  // DescribeProducers shows the producer the partition knows.
  protocol::describe_producers_request_data describe;
  describe.topics.push_back({});
  describe.topics[0].name = topic_;
  describe.topics[0].partition_indexes = {0, 5};
  auto described = client_->call<protocol::describe_producers_response_data>(describe, 0);
  ASSERT_EQ(described.topics.size(), 1u);
  ASSERT_EQ(described.topics[0].partitions.size(), 2u);
  const auto& p0 = described.topics[0].partitions[0];
  EXPECT_EQ(p0.error_code, 0);
  ASSERT_EQ(p0.active_producers.size(), 1u);
  EXPECT_EQ(p0.active_producers[0].producer_id, pid.producer_id);
  EXPECT_EQ(p0.active_producers[0].producer_epoch, 0);
  EXPECT_EQ(p0.active_producers[0].last_sequence, 3);
  EXPECT_EQ(p0.active_producers[0].current_txn_start_offset, -1);
  EXPECT_EQ(described.topics[0].partitions[1].error_code, to_int(error_code::unknown_topic_or_partition));
}

}  // namespace
}  // namespace samsa::wire_test
