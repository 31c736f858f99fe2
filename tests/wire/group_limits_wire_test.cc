// The bounds on what a client can make the group coordinators hold, against
// a real `samsa serve` process: group.max.groups (classic and consumer groups
// together, and kept across a restart), group.max.pending.members, the length
// of a new group's id, an offset commit too large for __consumer_offsets,
// consumer-protocol groups every member left being removed once they hold no
// offsets, group.share.max.groups, offsets.max.memory.bytes and
// group.classic.member.metadata.max.bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <optional>
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

// group.consumer.max.size (10,000 by default here, unbounded in Kafka):
// each join recomputes the whole group's target on the handler thread.
class ConsumerGroupSizeWire : public GroupLimitsWire {
 protected:
  ConsumerGroupSizeWire() : GroupLimitsWire({{"group.consumer.max.size", "2"}}) {}

  protocol::consumer_group_heartbeat_response_data join_as(const std::string& member) {
    protocol::consumer_group_heartbeat_request_data r;
    r.group_id = "big";
    r.member_id = member;
    r.member_epoch = 0;
    r.rebalance_timeout_ms = 30000;
    r.subscribed_topic_names = std::vector<std::string>{"orders"};
    r.topic_partitions.emplace();
    return client_->call<protocol::consumer_group_heartbeat_response_data>(r, 1);
  }
};

TEST_F(ConsumerGroupSizeWire, AMemberPastTheGroupsSizeIsRefusedUntilOneLeaves) {
  EXPECT_EQ(join_as("m1").error_code, 0);
  EXPECT_EQ(join_as("m2").error_code, 0);
  auto third = join_as("m3");
  EXPECT_EQ(third.error_code, group_max_size_reached);
  ASSERT_TRUE(third.error_message.has_value());
  EXPECT_NE(third.error_message->find("2 members"), std::string::npos) << *third.error_message;
  // A member already in the group may join again; it takes no new place.
  EXPECT_EQ(join_as("m2").error_code, 0);

  protocol::consumer_group_heartbeat_request_data leave;
  leave.group_id = "big";
  leave.member_id = "m1";
  leave.member_epoch = -1;
  EXPECT_EQ(client_->call<protocol::consumer_group_heartbeat_response_data>(leave, 1).error_code, 0);
  EXPECT_EQ(join_as("m3").error_code, 0) << "m1's place is free";
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

// The other ways an id becomes a share group (a share session's opening,
// AlterShareGroupOffsets, GROUP configs under a new id) meet the checks a
// join meets, and a member names itself with at most 1 KiB.
TEST_F(ShareGroupLimitsWire, SessionsAdminOffsetsAndConfigsUnderNewIdsMeetTheGroupLimit) {
  const int16_t invalid_request = to_int(error_code::invalid_request);
  const protocol::uuid orders = topic_id_of(*client_, "orders");
  auto open_session = [&](const std::string& group, const std::string& member) {
    protocol::share_fetch_request_data fetch;
    fetch.group_id = group;
    fetch.member_id = member;
    fetch.share_session_epoch = 0;
    fetch.max_wait_ms = 0;
    fetch.max_records = 10;
    auto& t = fetch.topics.emplace_back();
    t.topic_id = orders;
    t.partitions.emplace_back().partition_index = 0;
    return client_->call<protocol::share_fetch_response_data>(fetch, 1);
  };
  auto alter_offsets = [&](const std::string& group) {
    protocol::alter_share_group_offsets_request_data alter;
    alter.group_id = group;
    auto& t = alter.topics.emplace_back();
    t.topic_name = "orders";
    t.partitions.push_back({0, 0, {}});
    return client_->call<protocol::alter_share_group_offsets_response_data>(alter, 0);
  };
  auto set_config = [&](const std::string& group, std::optional<std::string> value) {
    protocol::incremental_alter_configs_request_data req;
    auto& r = req.resources.emplace_back();
    r.resource_type = 32;  // GROUP
    r.resource_name = group;
    auto& c = r.configs.emplace_back();
    c.name = "share.auto.offset.reset";
    c.config_operation = value ? 0 : 1;  // SET, DELETE
    c.value = std::move(value);
    return client_->call<protocol::incremental_alter_configs_response_data>(req, 1).responses.at(0);
  };
  ASSERT_EQ(share_join("share-a", "m1"), 0);
  // Configs under an id hold a slot until their last one is deleted.
  ASSERT_EQ(set_config("share-tmp", "earliest").error_code, 0);
  EXPECT_EQ(set_config("share-other", "earliest").error_code, group_max_size_reached);
  ASSERT_EQ(set_config("share-tmp", std::nullopt).error_code, 0);
  ASSERT_EQ(set_config("share-cfg", "earliest").error_code, 0);

  // Full: share-a and share-cfg.
  auto refused = open_session("share-b", "m2");
  EXPECT_EQ(refused.error_code, group_max_size_reached);
  EXPECT_NE(refused.error_message.value_or("").find("group.share.max.groups"), std::string::npos);
  EXPECT_EQ(open_session(std::string(1025, 's'), "m2").error_code, invalid_group_id);
  auto alter = alter_offsets("share-b");
  EXPECT_EQ(alter.error_code, group_max_size_reached);
  EXPECT_EQ(alter.responses.at(0).partitions.at(0).error_code, group_max_size_reached);
  auto config = set_config("share-b", "earliest");
  EXPECT_EQ(config.error_code, group_max_size_reached);
  EXPECT_NE(config.error_message.value_or("").find("group.share.max.groups"), std::string::npos);
  EXPECT_EQ(listed_groups(), (std::vector<std::string>{"share-a"})) << "no share state was made";

  // Ids that count already are untouched by the limit: the one holding
  // configs takes its first member, the group takes a session.
  EXPECT_EQ(share_join("share-cfg", "m3"), 0);
  EXPECT_EQ(listed_groups(), (std::vector<std::string>{"share-a", "share-cfg"}));
  EXPECT_EQ(open_session("share-a", "m1").error_code, 0);
  EXPECT_EQ(open_session("share-cfg", "m4").error_code, 0);

  // Member ids: at most 1 KiB in a join and in a new session.
  const std::string long_member(1025, 'm');
  auto join = share_heartbeat("share-a", long_member, 0);
  EXPECT_EQ(join.error_code, invalid_request);
  EXPECT_NE(join.error_message.value_or("").find("1024"), std::string::npos);
  EXPECT_EQ(open_session("share-a", long_member).error_code, invalid_request);
  EXPECT_EQ(share_join("share-a", std::string(1024, 'm')), 0);
  EXPECT_NE(broker_.log_text().find("group.share.max.groups=2"), std::string::npos) << "the refusal is logged";

  // The slots are kept across a restart.
  restart();
  EXPECT_EQ(open_session("share-b", "m2").error_code, group_max_size_reached);
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

// group.classic.member.metadata.max.bytes at its smallest, 1 MiB: members
// offering 300 KiB of protocol metadata, each in a group of its own, are
// refused GROUP_MAX_SIZE_REACHED once all classic members would hold more,
// while a small group that was there keeps working, a member rejoining as
// it was passes, and the members replayed after a restart count again.
class MemberMemoryWire : public GroupLimitsWire {
 protected:
  MemberMemoryWire()
      : GroupLimitsWire({{"group.initial.rebalance.delay.ms", "0"},
                         {"group.classic.member.metadata.max.bytes", "1048576"}}) {}

  // JoinGroup v9 as Kafka's clients send it: a first join without a member
  // id only gets one (MEMBER_ID_REQUIRED), the second joins.
  protocol::join_group_response_data join_with(const std::string& group, const std::vector<uint8_t>& metadata,
                                               const std::string& member_id = "") {
    protocol::join_group_request_data req;
    req.group_id = group;
    req.member_id = member_id;
    req.session_timeout_ms = 60000;
    req.rebalance_timeout_ms = 10000;
    req.protocol_type = "consumer";
    req.protocols.push_back({"range", metadata, {}});
    auto resp = client_->call<protocol::join_group_response_data>(req, 9);
    if (member_id.empty() && resp.error_code == to_int(error_code::member_id_required)) {
      return join_with(group, metadata, resp.member_id);
    }
    return resp;
  }

  int16_t sync_alone(const std::string& group, const protocol::join_group_response_data& joined) {
    protocol::sync_group_request_data sync;
    sync.group_id = group;
    sync.generation_id = joined.generation_id;
    sync.member_id = joined.member_id;
    sync.protocol_type = "consumer";
    sync.protocol_name = "range";
    sync.assignments.push_back({joined.member_id, consumer_assignment("orders", {0, 1}), {}});
    return client_->call<protocol::sync_group_response_data>(sync, 5).error_code;
  }
};

TEST_F(MemberMemoryWire, LargeMetadataStopsAtTheBoundWhileSmallGroupsGoOn) {
  const std::vector<uint8_t> small = consumer_subscription({"orders"});
  const std::vector<uint8_t> large(300 * 1024, 'm');
  auto first = join_with("small", small);
  ASSERT_EQ(first.error_code, 0);
  ASSERT_EQ(sync_alone("small", first), 0);
  // Each large member holds 300 KiB and some bytes: three fit in 1 MiB.
  int accepted = 0;
  int16_t refusal = 0;
  std::map<std::string, protocol::join_group_response_data> joined;
  for (int i = 0; i < 10 && refusal == 0; ++i) {
    const std::string group = "large-" + std::to_string(i);
    auto r = join_with(group, large);
    if (r.error_code == 0) {
      ++accepted;
      EXPECT_EQ(sync_alone(group, r), 0);
      joined[group] = r;
    } else {
      refusal = r.error_code;
    }
  }
  EXPECT_EQ(refusal, group_max_size_reached);
  EXPECT_EQ(accepted, 3);
  const auto groups = listed_groups();
  EXPECT_EQ(std::count(groups.begin(), groups.end(), "large-" + std::to_string(accepted)), 0)
      << "the refused member left no group behind";
  EXPECT_NE(broker_.log_text().find("group.classic.member.metadata.max.bytes"), std::string::npos)
      << "the refusal is logged";

  // The small group rebalances and syncs; a large member rejoining with the
  // same metadata passes, with more it does not.
  auto again = join_with("small", small, first.member_id);
  ASSERT_EQ(again.error_code, 0);
  EXPECT_EQ(again.generation_id, 2);
  EXPECT_EQ(sync_alone("small", again), 0);
  const auto& l0 = joined.at("large-0");
  EXPECT_EQ(join_with("large-0", large, l0.member_id).error_code, 0);
  std::vector<uint8_t> larger = large;
  larger.resize(large.size() + 200 * 1024, 'm');
  EXPECT_EQ(join_with("large-0", larger, l0.member_id).error_code, group_max_size_reached);

  // The members stored in __consumer_offsets count again after a restart.
  restart();
  EXPECT_EQ(join_with("large-new", large).error_code, group_max_size_reached);
  auto after = join_with("small", small, first.member_id);
  ASSERT_EQ(after.error_code, 0);
  EXPECT_EQ(sync_alone("small", after), 0);
}

// group.consumer.member.metadata.max.bytes at its smallest, 1 MiB:
// ConsumerGroupHeartbeats subscribing to 300 KiB of topic names, each in a
// group of its own, are refused GROUP_MAX_SIZE_REACHED (with a message naming
// the setting) once all consumer-protocol members would hold more, leaving no
// group behind, while a small group that was there keeps working, a member
// sending the same subscription again passes, and the members replayed after
// a restart count again.
class ConsumerMemberMemoryWire : public GroupLimitsWire {
 protected:
  ConsumerMemberMemoryWire()
      : GroupLimitsWire({{"group.initial.rebalance.delay.ms", "0"},
                         {"group.consumer.member.metadata.max.bytes", "1048576"}}) {}

  protocol::consumer_group_heartbeat_response_data heartbeat(const std::string& group, const std::string& member_id,
                                                              int32_t epoch,
                                                              const std::vector<std::string>& subscribed) {
    protocol::consumer_group_heartbeat_request_data r;
    r.group_id = group;
    r.member_id = member_id;
    r.member_epoch = epoch;
    r.rebalance_timeout_ms = 30000;
    r.subscribed_topic_names = subscribed;
    r.topic_partitions.emplace();
    return client_->call<protocol::consumer_group_heartbeat_response_data>(r, 1);
  }

  // A heartbeat with no changes (null fields keep their last values).
  int16_t beat(const std::string& group, const std::string& member_id, int32_t epoch) {
    protocol::consumer_group_heartbeat_request_data r;
    r.group_id = group;
    r.member_id = member_id;
    r.member_epoch = epoch;
    return client_->call<protocol::consumer_group_heartbeat_response_data>(r, 1).error_code;
  }

  // 300 names of 1 KiB (no such topics): 300 KiB of subscription.
  static std::vector<std::string> large_subscription() {
    std::vector<std::string> out;
    for (int i = 0; i < 300; ++i) out.push_back("t" + std::to_string(i) + "-" + std::string(1018, 'x'));
    return out;
  }
};

TEST_F(ConsumerMemberMemoryWire, LargeSubscriptionsStopAtTheBoundWhileSmallGroupsGoOn) {
  const std::vector<std::string> small = {"orders"};
  const auto large = large_subscription();
  auto first = heartbeat("small", "small-member-0000000001", 0, small);
  ASSERT_EQ(first.error_code, 0);
  const int32_t small_epoch = first.member_epoch;
  // Each large member holds 300 KiB and some bytes: three fit in 1 MiB.
  int accepted = 0;
  std::optional<protocol::consumer_group_heartbeat_response_data> refused;
  std::map<std::string, int32_t> epochs;
  for (int i = 0; i < 10 && !refused; ++i) {
    const std::string group = "large-" + std::to_string(i);
    auto r = heartbeat(group, "large-member-" + std::to_string(i), 0, large);
    if (r.error_code == 0) {
      ++accepted;
      epochs[group] = r.member_epoch;
    } else {
      refused = r;
    }
  }
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->error_code, group_max_size_reached);
  ASSERT_TRUE(refused->error_message.has_value());
  EXPECT_NE(refused->error_message->find("group.consumer.member.metadata.max.bytes"), std::string::npos)
      << *refused->error_message;
  EXPECT_EQ(accepted, 3);
  const auto groups = listed_groups();
  EXPECT_EQ(std::count(groups.begin(), groups.end(), "large-" + std::to_string(accepted)), 0)
      << "the refused member left no group behind";
  EXPECT_NE(broker_.log_text().find("group.consumer.member.metadata.max.bytes"), std::string::npos)
      << "the refusal is logged";

  // The small group goes on; a large member sending its subscription again
  // passes, and a larger one is refused.
  EXPECT_EQ(beat("small", "small-member-0000000001", small_epoch), 0);
  EXPECT_EQ(heartbeat("large-0", "large-member-0", epochs.at("large-0"), large).error_code, 0);
  auto larger = large;
  larger.push_back(std::string(200 * 1024, 'y'));
  EXPECT_EQ(heartbeat("large-0", "large-member-0", epochs.at("large-0"), larger).error_code, group_max_size_reached);
  EXPECT_EQ(heartbeat("small", "small-member-0000000002", 0, small).error_code, 0) << "a small member still fits";

  // The members stored in __consumer_offsets count again after a restart.
  restart();
  auto after = heartbeat("large-new", "large-member-new", 0, large);
  EXPECT_EQ(after.error_code, group_max_size_reached);
  const auto listed = listed_groups();
  EXPECT_EQ(std::count(listed.begin(), listed.end(), "large-new"), 0);
  EXPECT_EQ(beat("small", "small-member-0000000001", small_epoch), 0);
  EXPECT_EQ(heartbeat("large-1", "large-member-1", epochs.at("large-1"), large).error_code, 0);
}

}  // namespace
}  // namespace samsa::wire_test
