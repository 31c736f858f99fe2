// offsets.max.memory.bytes against a real `samsa serve` process: a client
// committing 4 KiB of metadata into group after new group is refused once
// the offsets of all groups reach the bound, while a consumer that already
// commits goes on, and the bound holds again after a restart.
#include <gtest/gtest.h>

#include <iostream>
#include <string>

#include "broker_process.h"
#include "protocol/error_code.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using protocol::error_code;
using protocol::to_int;

class OffsetMemoryWire : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
    ASSERT_EQ(create_topic(*client_, "orders", 2), 0);
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }

  // A simple consumer's commit of both partitions; the first partition's error.
  int16_t commit(const std::string& group, int64_t offset, const std::string& metadata) {
    protocol::offset_commit_request_data req;
    req.group_id = group;
    req.generation_id_or_member_epoch = -1;
    protocol::offset_commit_request_data::offset_commit_request_topic t;
    t.name = "orders";
    for (int32_t p = 0; p < 2; ++p) {
      protocol::offset_commit_request_data::offset_commit_request_topic::offset_commit_request_partition part;
      part.partition_index = p;
      part.committed_offset = offset;
      part.committed_metadata = metadata;
      t.partitions.push_back(part);
    }
    req.topics.push_back(t);
    auto resp = client_->call<protocol::offset_commit_response_data>(req, 8);
    return resp.topics.at(0).partitions.at(0).error_code;
  }

  int64_t committed(const std::string& group) {
    protocol::offset_fetch_request_data req;
    req.group_id = group;
    protocol::offset_fetch_request_data::offset_fetch_request_topic t;
    t.name = "orders";
    t.partition_indexes = {0};
    req.topics = std::vector{t};
    auto resp = client_->call<protocol::offset_fetch_response_data>(req, 7);
    return resp.topics.at(0).partitions.at(0).committed_offset;
  }

  // The smallest bound the broker takes: 1 MiB.
  broker_process broker_{{{"offsets.max.memory.bytes", "1048576"}}};
  std::unique_ptr<wire_client> client_;
};

TEST_F(OffsetMemoryWire, NewGroupsOffsetsStopAtTheBoundWhileConsumersGoOn) {
  const std::string metadata(4096, 'm');
  ASSERT_EQ(commit("consumer", 1, ""), 0);
  // Each attacking group holds 2 x (4 KiB + 166 bytes): about 123 fit in 1 MiB.
  int accepted = 0;
  int16_t refusal = 0;
  for (int i = 0; i < 300 && refusal == 0; ++i) {
    const int16_t err = commit("attacker-" + std::to_string(i), 1, metadata);
    if (err == 0) {
      ++accepted;
    } else {
      refusal = err;
    }
  }
  EXPECT_EQ(refusal, to_int(error_code::invalid_commit_offset_size));
  EXPECT_GE(accepted, 100);
  EXPECT_LE(accepted, 125);
  // The consumer that was there moves on; the refused group was not kept.
  EXPECT_EQ(commit("consumer", 2, ""), 0);
  EXPECT_EQ(committed("consumer"), 2);
  EXPECT_EQ(commit("attacker-0", 2, metadata), 0) << "same size: no growth";
  EXPECT_NE(broker_.log_text().find("offsets.max.memory.bytes"), std::string::npos) << "the refusal is logged";

  // Replayed offsets count again after a restart.
  client_.reset();
  broker_.stop_gracefully();
  broker_.start();
  client_ = std::make_unique<wire_client>(broker_.port());
  EXPECT_EQ(committed("consumer"), 2);
  EXPECT_EQ(commit("attacker-new", 1, metadata), to_int(error_code::invalid_commit_offset_size));
  EXPECT_EQ(commit("consumer", 3, ""), 0);
}

}  // namespace
}  // namespace samsa::wire_test
