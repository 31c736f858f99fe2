// Wire fidelity beyond the admin and group APIs (admin_fidelity_wire_test,
// group_fidelity_wire_test): every nullable message field whose schema
// default is null is null on success, at every version the broker
// advertises, as Kafka leaves it unset: Produce (v8+), DescribeProducers and
// ConsumerGroupHeartbeat (whose MemberId, nullable too, is set once joined).
// A client that prints or branches on the message sees no "" where Kafka
// sends nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker_process.h"
#include "versioned_wire_test.h"
#include "protocol/api_keys.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using protocol::api_key;

class DataFidelity : public versioned_wire_test {
 protected:
  void SetUp() override {
    versioned_wire_test::SetUp();
    ASSERT_EQ(create_topic(*client_, "fidelity", 2), 0);
  }
};

TEST_F(DataFidelity, ProduceErrorMessageIsNullOnSuccess) {
  auto [min_v, max_v] = range(api_key::produce);
  int64_t next = 0;
  // v3 is the first that carries record batches; v8 the first with a message.
  for (int16_t v = std::max<int16_t>(min_v, 8); v <= max_v; ++v) {
    SCOPED_TRACE("produce v" + std::to_string(v));
    auto answer = produce_batch(*client_, v, "fidelity", 0, batch_of({"a", "b"}, next));
    ASSERT_EQ(answer.error_code, 0) << answer.error_message.value_or("");
    EXPECT_EQ(answer.base_offset, next);
    EXPECT_EQ(answer.error_message, std::nullopt);
    EXPECT_TRUE(answer.record_errors.empty());
    next += 2;
  }
  EXPECT_GT(next, 0) << "no Produce version with an error message is advertised";
}

TEST_F(DataFidelity, DescribeProducersErrorMessageIsNullOnSuccess) {
  ASSERT_EQ(produce_batch(*client_, 9, "fidelity", 1, batch_of({"x"}, 0)).error_code, 0);
  auto [min_v, max_v] = range(api_key::describe_producers);
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("describe_producers v" + std::to_string(v));
    protocol::describe_producers_request_data req;
    req.topics.push_back({"fidelity", {0, 1}, {}});
    auto resp = client_->call<protocol::describe_producers_response_data>(req, v);
    ASSERT_EQ(resp.topics.size(), 1u);
    ASSERT_EQ(resp.topics[0].partitions.size(), 2u);
    for (const auto& p : resp.topics[0].partitions) {
      EXPECT_EQ(p.error_code, 0);
      EXPECT_EQ(p.error_message, std::nullopt) << "partition " << p.partition_index;
    }
  }
}

TEST_F(DataFidelity, ConsumerGroupHeartbeatErrorMessageIsNullOnSuccess) {
  auto [min_v, max_v] = range(api_key::consumer_group_heartbeat);
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("consumer_group_heartbeat v" + std::to_string(v));
    protocol::consumer_group_heartbeat_request_data req;
    req.group_id = "fidelity-" + std::to_string(v);
    req.member_id = v >= 1 ? "member-of-v" + std::to_string(v) + "-0123456789" : "";
    req.member_epoch = 0;
    req.rebalance_timeout_ms = 30000;
    req.subscribed_topic_names = std::vector<std::string>{"fidelity"};
    req.topic_partitions.emplace();
    auto resp = client_->call<protocol::consumer_group_heartbeat_response_data>(req, v);
    ASSERT_EQ(resp.error_code, 0) << resp.error_message.value_or("");
    EXPECT_EQ(resp.error_message, std::nullopt);
    ASSERT_TRUE(resp.member_id.has_value());
    EXPECT_FALSE(resp.member_id->empty());
    EXPECT_GE(resp.member_epoch, 1);
  }
}

}  // namespace
}  // namespace samsa::wire_test
