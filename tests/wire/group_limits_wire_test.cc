// The bounds on what a client can make the group coordinators hold, against
// a real `samsa serve` process: group.max.groups (classic and consumer groups
// together, and kept across a restart), group.max.pending.members, the length
// of a new group's id, an offset commit too large for __consumer_offsets,
// consumer-protocol groups every member left being removed once they hold no
// offsets, group.share.max.groups, and offsets.max.memory.bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <string>
#include <thread>
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
  explicit GroupLimitsWire(std::map<std::string, std::string> settings = {{"group.initial.rebalance.delay.ms", "0"},
                                                                          {"group.max.groups", "3"},
                                                                          {"group.max.pending.members", "2"}})
      : broker_(std::move(settings)) {}

  void SetUp() override {
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
    ASSERT_EQ(create_topic(*client_, "orders", 2), 0);
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }

  // A simple consumer's commit (generation -1), which creates the group.
  int16_t commit(const std::string& group, const std::string& metadata = "", int32_t partitions = 1,
               int64_t offset = 5) {
    protocol::offset_commit_request_data req;
    req.group_id = group;
    req.generation_id_or_member_epoch = -1;
    protocol::offset_commit_request_data::offset_commit_request_topic t;
    t.name = "orders";
    for (int32_t p = 0; p < partitions; ++p) {
      protocol::offset_commit_request_data::offset_commit_request_topic::offset_commit_request_partition part;
      part.partition_index = p % 2;
      part.committed_offset = offset;
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

  // The member consumer_group_join made leaves (epoch -1).
  int16_t consumer_group_leave(const std::string& group) {
    protocol::consumer_group_heartbeat_request_data r;
    r.group_id = group;
    r.member_id = "member-of-" + group.substr(0, 32);
    r.member_epoch = -1;
    return client_->call<protocol::consumer_group_heartbeat_response_data>(r, 1).error_code;
  }

  std::vector<std::string> listed_groups() {
    std::vector<std::string> out;
    auto listed = client_->call<protocol::list_groups_response_data>(protocol::list_groups_request_data{}, 5);
    for (const auto& g : listed.groups) out.push_back(g.group_id);
    std::sort(out.begin(), out.end());
    return out;
  }

  void restart() {
    client_.reset();
    broker_.stop_gracefully();
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
  }

  broker_process broker_;
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

TEST_F(GroupLimitsWire, AConsumerGroupWithCommittedOffsetsCountsOnce) {
  // The consumer group's offsets are kept by the classic coordinator: the id
  // is held by both coordinators and is still one group.
  ASSERT_EQ(consumer_group_join("consumer-b"), 0);
  ASSERT_EQ(consumer_group_leave("consumer-b"), 0);
  ASSERT_EQ(commit("consumer-b"), 0);
  EXPECT_EQ(commit("classic-c"), 0);
  EXPECT_EQ(commit("classic-d"), 0) << "consumer-b counted twice";
  EXPECT_EQ(commit("classic-e"), group_max_size_reached);
  EXPECT_EQ(consumer_group_join("consumer-e"), group_max_size_reached);
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

// The offsets retention check runs every 100 ms here; two groups at most.
class EmptyConsumerGroupWire : public GroupLimitsWire {
 protected:
  EmptyConsumerGroupWire()
      : GroupLimitsWire({{"group.initial.rebalance.delay.ms", "0"},
                         {"group.max.groups", "2"},
                         {"offsets.retention.check.interval.ms", "100"}}) {}
};

TEST_F(EmptyConsumerGroupWire, AGroupEveryMemberLeftIsRemovedAndMakesRoomForANewOne) {
  EXPECT_EQ(consumer_group_join("cg-a"), 0);
  EXPECT_EQ(commit("classic-b"), 0);
  EXPECT_EQ(consumer_group_join("cg-c"), group_max_size_reached);

  // cg-a's only member leaves: the group is Empty and holds no offsets, so
  // a retention check removes it (before, it stayed until DeleteGroups).
  EXPECT_EQ(consumer_group_leave("cg-a"), 0);
  std::vector<std::string> listed;
  for (int i = 0; i < 100; ++i) {
    listed = listed_groups();
    if (std::find(listed.begin(), listed.end(), "cg-a") == listed.end()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(listed, (std::vector<std::string>{"classic-b"})) << "cg-a removed; the classic group keeps its offset";
  EXPECT_NE(broker_.log_text().find("consumer group cg-a removed"), std::string::npos);
  EXPECT_EQ(consumer_group_join("cg-c"), 0) << "its place is free";

  // The removal is durable.
  restart();
  EXPECT_EQ(listed_groups(), (std::vector<std::string>{"cg-c", "classic-b"}));
}

// Two share groups at most.
class ShareGroupLimitsWire : public GroupLimitsWire {
 protected:
  ShareGroupLimitsWire() : GroupLimitsWire({{"group.share.max.groups", "2"}}) {}

  protocol::share_group_heartbeat_response_data share_heartbeat(const std::string& group, const std::string& member,
                                                                int32_t epoch) {
    protocol::share_group_heartbeat_request_data r;
    r.group_id = group;
    r.member_id = member;
    r.member_epoch = epoch;
    if (epoch == 0) r.subscribed_topic_names = std::vector<std::string>{"orders"};
    return client_->call<protocol::share_group_heartbeat_response_data>(r, 1);
  }
  int16_t share_join(const std::string& group, const std::string& member) {
    return share_heartbeat(group, member, 0).error_code;
  }
};

TEST_F(ShareGroupLimitsWire, ShareGroupsStopAtMaxGroupsAndExistingOnesKeepWorking) {
  EXPECT_EQ(share_join("share-a", "m1"), 0);
  EXPECT_EQ(share_join("share-b", "m2"), 0);
  auto refused = share_heartbeat("share-c", "m3", 0);
  EXPECT_EQ(refused.error_code, group_max_size_reached);
  EXPECT_NE(refused.error_message.value_or("").find("group.share.max.groups"), std::string::npos);
  EXPECT_NE(broker_.log_text().find("group.share.max.groups=2"), std::string::npos) << "the refusal is logged";
  // Groups that exist take new members; a new group's id is bounded.
  EXPECT_EQ(share_join("share-a", "m4"), 0);
  EXPECT_EQ(share_join(std::string(1025, 's'), "m5"), invalid_group_id);
  // A heartbeat that is no join creates nothing under a new id.
  EXPECT_EQ(share_heartbeat("share-c", "m3", 1).error_code, to_int(error_code::unknown_member_id));
  EXPECT_EQ(listed_groups(), (std::vector<std::string>{"share-a", "share-b"}));

  // Groups restored at start are never refused, and still count.
  restart();
  EXPECT_EQ(share_join("share-c", "m3"), group_max_size_reached);
  EXPECT_EQ(share_join("share-a", "m1"), 0);

  // Deleting a group (once its members left) makes room.
  EXPECT_EQ(share_heartbeat("share-b", "m2", -1).error_code, 0);
  protocol::delete_groups_request_data del;
  del.groups_names = {"share-b"};
  ASSERT_EQ(client_->call<protocol::delete_groups_response_data>(del, 2).results.at(0).error_code, 0);
  EXPECT_EQ(share_join("share-c", "m3"), 0);
}

// offsets.max.memory.bytes at its smallest, 1 MiB: a client committing 4 KiB
// of metadata into group after new group is refused once the offsets of all
// groups reach the bound, while a consumer that already commits goes on, and
// the bound holds again after a restart.
class OffsetMemoryWire : public GroupLimitsWire {
 protected:
  OffsetMemoryWire() : GroupLimitsWire({{"offsets.max.memory.bytes", "1048576"}}) {}

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
};

TEST_F(OffsetMemoryWire, NewGroupsOffsetsStopAtTheBoundWhileConsumersGoOn) {
  const std::string metadata(4096, 'm');
  const int16_t full = to_int(error_code::invalid_commit_offset_size);
  ASSERT_EQ(commit("consumer", "", 2, 1), 0);
  // Each attacking group holds 2 x (4 KiB + 166 bytes): about 123 fit in 1 MiB.
  int accepted = 0;
  int16_t refusal = 0;
  for (int i = 0; i < 300 && refusal == 0; ++i) {
    const int16_t err = commit("attacker-" + std::to_string(i), metadata, 2, 1);
    if (err == 0) {
      ++accepted;
    } else {
      refusal = err;
    }
  }
  EXPECT_EQ(refusal, full);
  EXPECT_GE(accepted, 100);
  EXPECT_LE(accepted, 125);
  // The consumer that was there moves on; the refused group was not kept.
  EXPECT_EQ(commit("consumer", "", 2, 2), 0);
  EXPECT_EQ(committed("consumer"), 2);
  EXPECT_EQ(commit("attacker-0", metadata, 2, 2), 0) << "same size: no growth";
  const auto groups = listed_groups();
  EXPECT_EQ(std::count(groups.begin(), groups.end(), "attacker-0"), 1);
  EXPECT_EQ(std::count(groups.begin(), groups.end(), "attacker-" + std::to_string(accepted)), 0);
  EXPECT_NE(broker_.log_text().find("offsets.max.memory.bytes"), std::string::npos) << "the refusal is logged";

  // Replayed offsets count again after a restart.
  restart();
  EXPECT_EQ(committed("consumer"), 2);
  EXPECT_EQ(commit("attacker-new", metadata, 2, 1), full);
  EXPECT_EQ(commit("consumer", "", 2, 3), 0);
}

}  // namespace
}  // namespace samsa::wire_test
