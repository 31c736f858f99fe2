// The threading model (docs/architecture.md, "Threads") against a real
// `samsa serve` process: Produce and Fetch run on the request handler
// threads (num.io.threads), every other request on the control thread. A
// request sent with the test latch's client id blocks the very thread it is
// handled on (SAMSA_TEST_HOLD_HANDLER), so each case shows which work goes
// on without that thread.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <thread>

#include "broker_process.h"
#include "protocol/api_keys.h"
#include "protocol/messages.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

constexpr const char* held_client_id = "samsa-test-hold";  // broker/test_latch.h

// A broker whose handler latch file exists until the returned path is removed.
std::string start_held(broker_process& broker) {
  std::string latch = ::testing::TempDir() + "samsa-handler-latch-" + std::to_string(::getpid());
  { std::ofstream(latch) << "held\n"; }
  ::setenv("SAMSA_TEST_HOLD_HANDLER", latch.c_str(), 1);
  broker.start();
  ::unsetenv("SAMSA_TEST_HOLD_HANDLER");
  return latch;
}

protocol::fetch_request_data fetch_of(const std::string& topic, int64_t offset, int32_t max_wait_ms) {
  protocol::fetch_request_data req;
  req.max_wait_ms = max_wait_ms;
  req.min_bytes = 1;
  req.max_bytes = 1 << 20;
  auto& t = req.topics.emplace_back();
  t.topic = topic;
  auto& p = t.partitions.emplace_back();
  p.partition = 0;
  p.fetch_offset = offset;
  p.partition_max_bytes = 1 << 20;
  return req;
}

size_t record_bytes(const protocol::fetch_response_data& resp) {
  const auto& p = resp.responses.at(0).partitions.at(0);
  EXPECT_EQ(p.error_code, 0);
  return p.records ? p.records->size() : 0;
}

// With the control thread blocked (a DescribeCluster held on it), Produce
// and Fetch are still answered, and a long-polling fetch on one request
// handler thread is woken by a produce on the other: the data plane needs
// nothing from the control thread.
TEST(HandlerThreads, ProduceAndFetchGoOnWhileTheControlThreadIsHeld) {
  broker_process broker;
  std::string latch = start_held(broker);
  wire_client admin(broker.port());
  ASSERT_EQ(create_topic(admin, "plane", 1), 0);
  // Connected and answered first: the control thread also accepts
  // connections, so one it had not accepted before the latch would wait.
  wire_client holder(broker.port(), held_client_id);
  wire_client producer(broker.port(), "producer");
  wire_client consumer(broker.port(), "consumer");
  for (wire_client* c : {&producer, &consumer}) ASSERT_FALSE(advertised_versions(*c).empty());

  int32_t held_id = holder.send(protocol::describe_cluster_request_data{}, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // it reaches the latch

  auto first = produce_batch(producer, 9, "plane", 0, batch_of({"a"}, 0));
  EXPECT_EQ(first.error_code, 0);
  EXPECT_EQ(first.base_offset, 0);
  EXPECT_GT(record_bytes(consumer.call<protocol::fetch_response_data>(fetch_of("plane", 0, 0), 12)), 0u);

  // Parked on the consumer's handler thread; woken by the producer's append.
  int32_t poll_id = consumer.send(fetch_of("plane", 1, 30000), 12);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // it parks
  EXPECT_FALSE(consumer.answer_waiting()) << "the long poll returned before any record arrived";
  EXPECT_EQ(produce_batch(producer, 9, "plane", 0, batch_of({"b"}, 1)).base_offset, 1);
  // Far below the poll's 30 s: answered by the wake-up, not by its deadline.
  ASSERT_TRUE(consumer.answer_waiting(10000)) << "the parked fetch was not woken by the append";
  EXPECT_GT(record_bytes(consumer.receive<protocol::fetch_response_data>(protocol::fetch_request_data::api_key, 12,
                                                                          poll_id)),
            0u);

  EXPECT_FALSE(holder.answer_waiting()) << "the held DescribeCluster was answered: the latch did not hold";
  std::remove(latch.c_str());
  auto cluster = holder.receive<protocol::describe_cluster_response_data>(
      protocol::describe_cluster_request_data::api_key, 0, held_id);
  EXPECT_EQ(cluster.error_code, 0);
  if (HasFailure()) std::cerr << broker.log_tail() << "\n";
}

// Two connections made one after the other get different request handler
// threads (round robin): with one of them blocked, the other's produce is
// answered. With num.io.threads=1 the same produce waits for the held one,
// which shows where the requests run.
void produce_beside_a_held_one(int io_threads) {
  broker_process broker({{"num.io.threads", std::to_string(io_threads)}});
  std::string latch = start_held(broker);
  wire_client admin(broker.port());
  ASSERT_EQ(create_topic(admin, "spread", 1), 0);
  wire_client holder(broker.port(), held_client_id);
  wire_client other(broker.port(), "other");
  ASSERT_FALSE(advertised_versions(other).empty());  // accepted before anything is held

  protocol::produce_request_data empty;  // held before it is even looked at
  empty.acks = 1;
  int32_t held_id = holder.send(empty, 9);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // it reaches the latch
  protocol::produce_request_data req;
  req.acks = 1;
  req.timeout_ms = 30000;
  auto& t = req.topic_data.emplace_back();
  t.name = "spread";
  auto& p = t.partition_data.emplace_back();
  p.index = 0;
  p.records = protocol::records::copy(batch_of({"x"}, 0));
  int32_t other_id = other.send(req, 9);
  if (io_threads > 1) {
    ASSERT_TRUE(other.answer_waiting(10000)) << "a produce on the other handler thread waited for the held one";
  } else {
    EXPECT_FALSE(other.answer_waiting(500)) << "the one handler thread was held, yet the produce was answered";
  }
  EXPECT_FALSE(holder.answer_waiting()) << "the held produce was answered: the latch did not hold";
  std::remove(latch.c_str());
  auto answered = other.receive<protocol::produce_response_data>(protocol::produce_request_data::api_key, 9, other_id);
  EXPECT_EQ(answered.responses.at(0).partition_responses.at(0).error_code, 0);
  auto held = holder.receive<protocol::produce_response_data>(protocol::produce_request_data::api_key, 9, held_id);
  EXPECT_TRUE(held.responses.empty());  // it listed nothing
  if (::testing::Test::HasFailure()) std::cerr << broker.log_tail() << "\n";
}

TEST(HandlerThreads, AProduceIsAnsweredWhileAnotherHandlerThreadIsHeld) { produce_beside_a_held_one(2); }

TEST(HandlerThreads, WithOneHandlerThreadAProduceWaitsForTheHeldOne) { produce_beside_a_held_one(1); }

}  // namespace
}  // namespace samsa::wire_test
