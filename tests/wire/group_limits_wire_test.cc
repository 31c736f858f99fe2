// The bounds on what a client can make the group coordinators hold, against
// a real `samsa serve` process: group.max.groups (classic and consumer groups
// together, and kept across a restart), group.max.pending.members, the length
// of a new group's id, and an offset commit too large for __consumer_offsets.
#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <vector>

#include "broker_process.h"
#include "protocol/error_code.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using protocol::error_code;
using protocol::to_int;

const int16_t group_max_size_reached = to_int(error_code::group_max_size_reached);
const int16_t invalid_group_id = to_int(error_code::invalid_group_id);

class GroupLimitsWire : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
    ASSERT_EQ(create_topic(*client_, "orders", 2), 0);
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }

  // A simple consumer's commit (generation -1), which creates the group.
  int16_t commit(const std::string& group, const std::string& metadata = "", int32_t partitions = 1) {
    protocol::offset_commit_request_data req;
    req.group_id = group;
    req.generation_id_or_member_epoch = -1;
    protocol::offset_commit_request_data::offset_commit_request_topic t;
    t.name = "orders";
    for (int32_t p = 0; p < partitions; ++p) {
      protocol::offset_commit_request_data::offset_commit_request_topic::offset_commit_request_partition part;
      part.partition_index = p % 2;
      part.committed_offset = 5;
      part.committed_metadata = metadata;
      t.partitions.push_back(part);
    }
    req.topics.push_back(t);
    auto resp = client_->call<protocol::offset_commit_response_data>(req, 8);
    return resp.topics.at(0).partitions.at(0).error_code;
  }

  protocol::join_group_response_data join(const std::string& group) {
    protocol::join_group_request_data req;
    req.group_id = group;
    req.session_timeout_ms = 10000;
    req.rebalance_timeout_ms = 10000;
    req.protocol_type = "consumer";
    req.protocols.push_back({"range", consumer_subscription({"orders"}), {}});
    return client_->call<protocol::join_group_response_data>(req, 9);
  }

  int16_t consumer_group_join(const std::string& group) {
    protocol::consumer_group_heartbeat_request_data r;
    r.group_id = group;
    r.member_id = "member-of-" + group.substr(0, 32);
    r.member_epoch = 0;
    r.rebalance_timeout_ms = 30000;
    r.subscribed_topic_names = std::vector<std::string>{"orders"};
    r.topic_partitions.emplace();
    return client_->call<protocol::consumer_group_heartbeat_response_data>(r, 1).error_code;
  }

  broker_process broker_{{{"group.initial.rebalance.delay.ms", "0"},
                          {"group.max.groups", "3"},
                          {"group.max.pending.members", "2"}}};
  std::unique_ptr<wire_client> client_;
};

TEST_F(GroupLimitsWire, GroupsOfBothKindsStopAtMaxGroupsAndStayStoppedAfterARestart) {
  EXPECT_EQ(commit("classic-a"), 0);
  EXPECT_EQ(consumer_group_join("consumer-b"), 0);
  EXPECT_EQ(commit("classic-c"), 0);
  // Three groups: no request creates a fourth, whichever kind.
  EXPECT_EQ(commit("classic-d"), group_max_size_reached);
  EXPECT_EQ(join("classic-d").error_code, group_max_size_reached);
  EXPECT_EQ(consumer_group_join("consumer-d"), group_max_size_reached);
  // The groups that exist keep working.
  EXPECT_EQ(commit("classic-a"), 0);
  EXPECT_NE(broker_.log_text().find("group.max.groups=3"), std::string::npos) << "the refusal is logged";

  // The groups are replayed at start (never refused), and still count.
  client_.reset();
  broker_.stop_gracefully();
  broker_.start();
  client_ = std::make_unique<wire_client>(broker_.port());
  EXPECT_EQ(commit("classic-d"), group_max_size_reached);
  EXPECT_EQ(commit("classic-a"), 0);

  // Deleting a group makes room.
  protocol::delete_groups_request_data del;
  del.groups_names = {"classic-c"};
  auto deleted = client_->call<protocol::delete_groups_response_data>(del, 2);
  ASSERT_EQ(deleted.results.at(0).error_code, 0);
  EXPECT_EQ(commit("classic-d"), 0);
}

TEST_F(GroupLimitsWire, PendingMembersStopAtTheBoundAndNewGroupIdsAreBounded) {
  // JoinGroup v9 without a member id: the broker hands out an id and keeps a
  // pending member until the client comes back with it.
  EXPECT_EQ(join("g").error_code, to_int(error_code::member_id_required));
  EXPECT_EQ(join("g").error_code, to_int(error_code::member_id_required));
  EXPECT_EQ(join("g").error_code, group_max_size_reached);

  EXPECT_EQ(commit(std::string(1025, 'x')), invalid_group_id);
  EXPECT_EQ(join(std::string(1025, 'x')).error_code, invalid_group_id);
  EXPECT_EQ(consumer_group_join(std::string(1025, 'x')), invalid_group_id);
}

TEST_F(GroupLimitsWire, ACommitTooLargeForTheOffsetsTopicIsRefusedAsFinal) {
  // 400 partitions x 4 KiB of metadata: a batch past __consumer_offsets'
  // 1 MiB. Kafka answers INVALID_COMMIT_OFFSET_SIZE (clients do not retry it).
  EXPECT_EQ(commit("big", std::string(4096, 'm'), 400), to_int(error_code::invalid_commit_offset_size));
  EXPECT_EQ(commit("big", "small"), 0);
}

}  // namespace
}  // namespace samsa::wire_test
