// The per-connection ordering contract (docs/architecture.md), seen from the
// wire with requests pipelined on one connection: a group request starts
// only after the request before it was answered, as Kafka's muted
// connections guarantee; a request behind a parked Fetch does start, and
// consecutive Produce requests keep their order.
#include <gtest/gtest.h>

#include <future>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "broker_process.h"
#include "protocol/error_code.h"
#include "record/batch_builder.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using protocol::error_code;
using protocol::to_int;
using bytes = std::vector<uint8_t>;

constexpr int16_t join_v = 5;
constexpr int16_t sync_v = 3;
constexpr int16_t commit_v = 7;
constexpr int16_t heartbeat_v = 3;

class OrderingWire : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
    ASSERT_EQ(create_topic(*client_, topic_, 3), 0);
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }

  protocol::join_group_request_data join_request(const std::string& member_id) {
    protocol::join_group_request_data req;
    req.group_id = group_;
    req.session_timeout_ms = 30000;
    req.rebalance_timeout_ms = 30000;
    req.member_id = member_id;
    req.protocol_type = "consumer";
    req.protocols.push_back({"range", consumer_subscription({topic_}), {}});
    return req;
  }

  // A new member's full join (the v4+ member-id round trip included).
  protocol::join_group_response_data join_new(wire_client& c) {
    auto first = c.call<protocol::join_group_response_data>(join_request(""), join_v);
    EXPECT_EQ(first.error_code, to_int(error_code::member_id_required));
    return c.call<protocol::join_group_response_data>(join_request(first.member_id), join_v);
  }

  protocol::sync_group_request_data sync_request(const protocol::join_group_response_data& joined,
                                                 std::vector<protocol::sync_group_request_data::sync_group_request_assignment> plan) {
    protocol::sync_group_request_data sync;
    sync.group_id = group_;
    sync.generation_id = joined.generation_id;
    sync.member_id = joined.member_id;
    sync.assignments = std::move(plan);
    return sync;
  }

  protocol::offset_commit_request_data commit_request(int32_t generation, const std::string& member) {
    protocol::offset_commit_request_data req;
    req.group_id = group_;
    req.generation_id_or_member_epoch = generation;
    req.member_id = member;
    protocol::offset_commit_request_data::offset_commit_request_topic t;
    t.name = topic_;
    protocol::offset_commit_request_data::offset_commit_request_topic::offset_commit_request_partition part;
    part.partition_index = 0;
    part.committed_offset = 5;
    t.partitions.push_back(part);
    req.topics.push_back(t);
    return req;
  }

  int16_t heartbeat(wire_client& c, const protocol::join_group_response_data& joined) {
    protocol::heartbeat_request_data hb;
    hb.group_id = group_;
    hb.generation_id = joined.generation_id;
    hb.member_id = joined.member_id;
    return c.call<protocol::heartbeat_response_data>(hb, heartbeat_v).error_code;
  }

  broker_process broker_{{{"group.initial.rebalance.delay.ms", "0"}}};
  std::unique_ptr<wire_client> client_;
  std::string topic_ = "ordering";
  std::string group_ = "ordering-group";
};

// Kafka answers an OffsetCommit sent right behind the leader's SyncGroup
// after the SyncGroup, with the group Stable: the commit must succeed.
TEST_F(OrderingWire, CommitPipelinedBehindSyncGroupSeesTheStableGroup) {
  auto a = join_new(*client_);
  ASSERT_EQ(a.error_code, 0);
  auto sync = sync_request(a, {{a.member_id, consumer_assignment(topic_, {0, 1, 2}), {}}});
  int32_t sync_id = client_->send(sync, sync_v);
  int32_t commit_id = client_->send(commit_request(a.generation_id, a.member_id), commit_v);
  auto synced = client_->receive<protocol::sync_group_response_data>(protocol::sync_group_request_data::api_key,
                                                                     sync_v, sync_id);
  EXPECT_EQ(synced.error_code, 0);
  auto committed = client_->receive<protocol::offset_commit_response_data>(
      protocol::offset_commit_request_data::api_key, commit_v, commit_id);
  ASSERT_EQ(committed.topics.size(), 1u);
  EXPECT_EQ(committed.topics[0].partitions[0].error_code, 0)
      << "the commit ran before the SyncGroup ahead of it was answered";
}

// A commit pipelined behind a JoinGroup that waits for the rest of the group
// runs only after the join is answered, with a new generation: the commit's
// old generation is then ILLEGAL_GENERATION (Kafka's answer), never accepted.
TEST_F(OrderingWire, CommitPipelinedBehindAWaitingJoinIsJudgedAfterTheJoin) {
  wire_client other(broker_.port(), "other-member");
  // Two members, A (leader, this connection) and C, stable at one generation.
  auto a = join_new(*client_);
  ASSERT_EQ(a.error_code, 0);
  auto c_future = std::async(std::launch::async, [&] { return join_new(other); });
  // C's join makes A rejoin.
  while (heartbeat(*client_, a) != to_int(error_code::rebalance_in_progress)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto a2 = client_->call<protocol::join_group_response_data>(join_request(a.member_id), join_v);
  auto c = c_future.get();
  ASSERT_EQ(a2.error_code, 0);
  ASSERT_EQ(c.error_code, 0);
  ASSERT_EQ(a2.generation_id, c.generation_id);
  auto c_sync = std::async(std::launch::async, [&] {
    return other.call<protocol::sync_group_response_data>(sync_request(c, {}), sync_v);
  });
  auto a_sync = client_->call<protocol::sync_group_response_data>(
      sync_request(a2, {{a.member_id, consumer_assignment(topic_, {0, 1}), {}}, {c.member_id, consumer_assignment(topic_, {2}), {}}}),
      sync_v);
  ASSERT_EQ(a_sync.error_code, 0);
  ASSERT_EQ(c_sync.get().error_code, 0);

  // A third member arrives: the group prepares a rebalance.
  wire_client third(broker_.port(), "third-member");
  auto b_future = std::async(std::launch::async, [&] { return join_new(third); });
  while (heartbeat(*client_, a2) != to_int(error_code::rebalance_in_progress)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // A rejoins and, on the same connection, commits with its old generation;
  // its join waits for C.
  int32_t join_id = client_->send(join_request(a.member_id), join_v);
  int32_t commit_id = client_->send(commit_request(a2.generation_id, a.member_id), commit_v);
  // Give a broker that wrongly overlaps them the time to run the commit now.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto c_rejoin = std::async(std::launch::async, [&] {
    return other.call<protocol::join_group_response_data>(join_request(c.member_id), join_v);
  });
  auto a3 = client_->receive<protocol::join_group_response_data>(protocol::join_group_request_data::api_key, join_v,
                                                                 join_id);
  ASSERT_EQ(a3.error_code, 0);
  EXPECT_GT(a3.generation_id, a2.generation_id);
  auto committed = client_->receive<protocol::offset_commit_response_data>(
      protocol::offset_commit_request_data::api_key, commit_v, commit_id);
  ASSERT_EQ(committed.topics.size(), 1u);
  EXPECT_EQ(committed.topics[0].partitions[0].error_code, to_int(error_code::illegal_generation))
      << "the commit ran while the JoinGroup ahead of it was still waiting";
  EXPECT_EQ(c_rejoin.get().error_code, 0);
  EXPECT_EQ(b_future.get().error_code, 0);
}

// A Produce pipelined behind a parked Fetch starts while the Fetch waits:
// its append wakes the Fetch, which answers with the new record long before
// its max_wait_ms. (Were the Produce held back, the Fetch would run to its
// deadline and come back empty.)
TEST_F(OrderingWire, ProduceBehindAParkedFetchStartsAndWakesIt) {
  protocol::fetch_request_data fetch;
  fetch.replica_id = -1;
  fetch.max_wait_ms = 20000;
  fetch.min_bytes = 1;
  fetch.max_bytes = 1 << 20;
  fetch.session_epoch = -1;
  fetch.topics.push_back({});
  fetch.topics[0].topic = topic_;
  fetch.topics[0].partitions.push_back({});
  fetch.topics[0].partitions[0].partition = 1;
  fetch.topics[0].partitions[0].fetch_offset = 0;
  fetch.topics[0].partitions[0].partition_max_bytes = 1 << 20;
  int32_t fetch_id = client_->send(fetch, 11);

  protocol::produce_request_data produce;
  produce.acks = 1;
  produce.timeout_ms = 10000;
  produce.topic_data.push_back({});
  produce.topic_data[0].name = topic_;
  produce.topic_data[0].partition_data.push_back({});
  produce.topic_data[0].partition_data[0].index = 1;
  produce.topic_data[0].partition_data[0].records = protocol::records::copy(batch_of({"wake-up"}, 0));
  int32_t produce_id = client_->send(produce, 7);

  auto fetched = client_->receive<protocol::fetch_response_data>(protocol::fetch_request_data::api_key, 11, fetch_id);
  ASSERT_EQ(fetched.responses.size(), 1u);
  const auto& part = fetched.responses[0].partitions[0];
  EXPECT_EQ(part.error_code, 0);
  EXPECT_EQ(part.high_watermark, 1);
  ASSERT_TRUE(part.records.has_value());
  EXPECT_GT(part.records->size(), 0u) << "the Produce behind the parked Fetch did not start";
  auto produced = client_->receive<protocol::produce_response_data>(protocol::produce_request_data::api_key, 7,
                                                                    produce_id);
  EXPECT_EQ(produced.responses[0].partition_responses[0].error_code, 0);
}

// Consecutive Produce requests overlap but append in arrival order.
TEST_F(OrderingWire, PipelinedProducesAppendInArrivalOrder) {
  constexpr int count = 40;
  std::vector<int32_t> ids;
  for (int i = 0; i < count; ++i) {
    protocol::produce_request_data produce;
    produce.acks = static_cast<int16_t>(i % 2 == 0 ? 1 : -1);
    produce.timeout_ms = 10000;
    produce.topic_data.push_back({});
    produce.topic_data[0].name = topic_;
    produce.topic_data[0].partition_data.push_back({});
    produce.topic_data[0].partition_data[0].index = 2;
    produce.topic_data[0].partition_data[0].records =
        protocol::records::copy(batch_of({"m" + std::to_string(i), "n" + std::to_string(i)}, 0));
    ids.push_back(client_->send(produce, 9));
  }
  for (int i = 0; i < count; ++i) {
    auto produced = client_->receive<protocol::produce_response_data>(protocol::produce_request_data::api_key, 9,
                                                                      ids[static_cast<size_t>(i)]);
    const auto& p = produced.responses[0].partition_responses[0];
    EXPECT_EQ(p.error_code, 0);
    EXPECT_EQ(p.base_offset, 2 * i) << "request " << i;
  }
}

// Large and compressed requests are checked on the worker pool, which also
// appends them when the connection's earlier produces have appended; small
// ones are checked and appended on the handler thread. A compressed batch
// takes longer to check than the plain one sent behind it, so the plain one
// is ready first and must wait. Interleaved and pipelined on one connection,
// all three kinds append in arrival order.
TEST_F(OrderingWire, LargeCompressedAndSmallPipelinedProducesAppendInArrivalOrder) {
  constexpr int count = 30;
  const std::string large(300 * 1024, 'L');  // past the size checked on the handler thread
  record::batch_options zstd;
  zstd.compression = record::compression_type::zstd;
  record::batch_builder builder(zstd);
  const std::vector<uint8_t> zeros(size_t{3} << 20, 0);  // a few ms to decompress and walk
  ASSERT_TRUE(builder.append(0, std::nullopt, std::span<const uint8_t>(zeros)).ok());
  auto compressed = builder.build();
  ASSERT_TRUE(compressed.ok());
  std::vector<int32_t> ids;
  for (int i = 0; i < count; ++i) {
    protocol::produce_request_data produce;
    produce.acks = static_cast<int16_t>(i % 4 == 3 ? -1 : 1);
    produce.timeout_ms = 10000;
    produce.topic_data.push_back({});
    produce.topic_data[0].name = topic_;
    produce.topic_data[0].partition_data.push_back({});
    produce.topic_data[0].partition_data[0].index = 1;
    auto& records = produce.topic_data[0].partition_data[0].records;
    switch (i % 3) {
      case 0: records = protocol::records::copy(compressed.value()); break;
      case 1: records = protocol::records::copy(batch_of({large + std::to_string(i)}, 0)); break;
      default: records = protocol::records::copy(batch_of({"s" + std::to_string(i)}, 0)); break;
    }
    ids.push_back(client_->send(produce, 9));
  }
  for (int i = 0; i < count; ++i) {
    auto produced = client_->receive<protocol::produce_response_data>(protocol::produce_request_data::api_key, 9,
                                                                      ids[static_cast<size_t>(i)]);
    const auto& p = produced.responses[0].partition_responses[0];
    EXPECT_EQ(p.error_code, 0) << "request " << i;
    EXPECT_EQ(p.base_offset, i) << "request " << i;
  }
}

}  // namespace
}  // namespace samsa::wire_test
