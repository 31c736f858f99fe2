// KIP-848 consumer groups at the exact wire versions, for what a real client
// does not exercise: ConsumerGroupHeartbeat v0 (coordinator-made member ids)
// and v1 (regex, client-made ids), errors INVALID_REQUEST,
// INVALID_REGULAR_EXPRESSION, GROUP_ID_NOT_FOUND, static members (-2 and
// back), OffsetCommit/OffsetFetch v9 member epochs, ConsumerGroupDescribe
// v0/v1 (MemberType), ListGroups v5 types, DescribeGroups and JoinGroup on a
// consumer group id, a classic member in a consumer group (JoinGroup,
// SyncGroup, Heartbeat, OffsetCommit, LeaveGroup at classic versions), and the
// group.version feature.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
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
using hb_request = protocol::consumer_group_heartbeat_request_data;
using hb_response = protocol::consumer_group_heartbeat_response_data;
using describe_request = protocol::consumer_group_describe_request_data;
using describe_response = protocol::consumer_group_describe_response_data;

constexpr int16_t invalid_request = 42;
constexpr int16_t unsupported_version = 35;
constexpr int16_t group_id_not_found = 69;
constexpr int16_t unknown_member_id = 25;
constexpr int16_t inconsistent_group_protocol = 23;
constexpr int16_t stale_member_epoch = 113;
constexpr int16_t invalid_regular_expression = 128;

class ConsumerGroupWire : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
    versions_ = advertised_versions(*client_);
    ASSERT_EQ(create_topic(*client_, "orders", 2), 0);
    ASSERT_EQ(create_topic(*client_, "logs.a", 1), 0);
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }

  hb_request join(const std::string& group, const std::string& member, std::vector<std::string> topics) {
    hb_request r;
    r.group_id = group;
    r.member_id = member;
    r.member_epoch = 0;
    r.rebalance_timeout_ms = 30000;
    r.subscribed_topic_names = std::move(topics);
    r.topic_partitions.emplace();
    return r;
  }
  hb_response hb(const hb_request& r, int16_t version = 1) { return client_->call<hb_response>(r, version); }
  describe_response::described_group describe(const std::string& group, int16_t version = 1) {
    describe_request r;
    r.group_ids = {group};
    auto resp = client_->call<describe_response>(r, version);
    EXPECT_EQ(resp.groups.size(), 1u);
    return resp.groups.at(0);
  }
  static size_t partitions_of(const hb_response& r) {
    size_t n = 0;
    if (r.assignment) {
      for (const auto& t : r.assignment->topic_partitions) n += t.partitions.size();
    }
    return n;
  }
  int16_t commit(const std::string& group, const std::string& member, int32_t epoch, int16_t version,
                 int32_t partition = 0) {
    protocol::offset_commit_request_data req;
    req.group_id = group;
    req.member_id = member;
    req.generation_id_or_member_epoch = epoch;
    auto& t = req.topics.emplace_back();
    t.name = "orders";
    auto& p = t.partitions.emplace_back();
    p.partition_index = partition;
    p.committed_offset = 5;
    auto resp = client_->call<protocol::offset_commit_response_data>(req, version);
    return resp.topics.at(0).partitions.at(0).error_code;
  }

  broker_process broker_{{{"group.consumer.heartbeat.interval.ms", "700"}}};
  std::unique_ptr<wire_client> client_;
  std::map<int16_t, std::pair<int16_t, int16_t>> versions_;
};

TEST_F(ConsumerGroupWire, AdvertisedWithTheGroupVersionFeature) {
  EXPECT_EQ(versions_.at(static_cast<int16_t>(api_key::consumer_group_heartbeat)), std::make_pair(int16_t{0}, int16_t{1}));
  EXPECT_EQ(versions_.at(static_cast<int16_t>(api_key::consumer_group_describe)), std::make_pair(int16_t{0}, int16_t{1}));
  protocol::api_versions_request_data req;
  req.client_software_name = "wire";
  req.client_software_version = "1";
  auto resp = client_->call<protocol::api_versions_response_data>(req, 3);
  auto f = std::find_if(resp.finalized_features.begin(), resp.finalized_features.end(),
                        [](const auto& x) { return x.name == "group.version"; });
  ASSERT_NE(f, resp.finalized_features.end());
  EXPECT_EQ(f->max_version_level, 1);
  EXPECT_EQ(f->min_version_level, 1);
}

TEST_F(ConsumerGroupWire, MemberIdsAtV0AndV1) {
  // v0: the coordinator names a member that joins without an id.
  auto v0 = hb(join("g0", "", {"orders"}), 0);
  ASSERT_EQ(v0.error_code, 0);
  ASSERT_TRUE(v0.member_id);
  EXPECT_EQ(v0.member_id->size(), 22u);
  EXPECT_EQ(v0.member_epoch, 1);
  EXPECT_EQ(v0.heartbeat_interval_ms, 700);
  EXPECT_EQ(partitions_of(v0), 2u);
  // v1: the client must name itself (KIP-1082).
  auto v1 = hb(join("g1", "", {"orders"}), 1);
  EXPECT_EQ(v1.error_code, invalid_request);
  ASSERT_TRUE(v1.error_message);
  EXPECT_NE(v1.error_message->find("MemberId"), std::string::npos);
  EXPECT_FALSE(v1.assignment);
  // Joining without a subscription, or with a negative epoch other than -1/-2.
  auto no_sub = join("g1", "m", {});
  EXPECT_EQ(hb(no_sub).error_code, invalid_request);
  hb_request bad = join("g1", "m", {"orders"});
  bad.member_epoch = -7;
  EXPECT_EQ(hb(bad).error_code, invalid_request);
  // Heartbeating into a group that does not exist.
  hb_request ghost = join("nobody-here", "m", {"orders"});
  ghost.member_epoch = 3;
  EXPECT_EQ(hb(ghost).error_code, group_id_not_found);
}

TEST_F(ConsumerGroupWire, RegexSubscriptionsInRe2Syntax) {
  auto r = join("gre", "m1", {});
  r.subscribed_topic_regex = "logs\\.(a|b";  // unbalanced
  auto bad = hb(r);
  EXPECT_EQ(bad.error_code, invalid_regular_expression);
  ASSERT_TRUE(bad.error_message);
  r.subscribed_topic_regex = "logs\\..*";
  auto ok = hb(r);
  ASSERT_EQ(ok.error_code, 0);
  EXPECT_EQ(partitions_of(ok), 1u);
  auto d = describe("gre");
  ASSERT_EQ(d.members.size(), 1u);
  EXPECT_EQ(d.members[0].subscribed_topic_regex, "logs\\..*");
  ASSERT_EQ(d.members[0].assignment.topic_partitions.size(), 1u);
  EXPECT_EQ(d.members[0].assignment.topic_partitions[0].topic_name, "logs.a");
  // A new matching topic is picked up at the next heartbeat.
  ASSERT_EQ(create_topic(*client_, "logs.b", 3), 0);
  hb_request next;
  next.group_id = "gre";
  next.member_id = "m1";
  next.member_epoch = ok.member_epoch;
  auto grown = hb(next);
  EXPECT_EQ(grown.member_epoch, ok.member_epoch + 1);
  EXPECT_EQ(partitions_of(grown), 4u);
}

TEST_F(ConsumerGroupWire, StaticMemberLeavesAndComesBack) {
  auto j = join("gs", "first", {"orders"});
  j.instance_id = "host-1";
  auto first = hb(j);
  ASSERT_EQ(first.error_code, 0);
  hb_request leave;
  leave.group_id = "gs";
  leave.member_id = "first";
  leave.member_epoch = -2;
  leave.instance_id = "host-1";
  EXPECT_EQ(hb(leave).member_epoch, -2);
  auto back = join("gs", "second", {"orders"});
  back.instance_id = "host-1";
  auto r = hb(back);
  ASSERT_EQ(r.error_code, 0);
  EXPECT_EQ(r.member_epoch, first.member_epoch);
  EXPECT_EQ(partitions_of(r), 2u);
  auto d = describe("gs");
  EXPECT_EQ(d.group_epoch, 1);
  ASSERT_EQ(d.members.size(), 1u);
  EXPECT_EQ(d.members[0].member_id, "second");
  EXPECT_EQ(d.members[0].instance_id, "host-1");
}

TEST_F(ConsumerGroupWire, OffsetsWithMemberEpochs) {
  auto j = hb(join("go", "m1", {"orders"}));
  ASSERT_EQ(j.member_epoch, 1);
  EXPECT_EQ(commit("go", "m1", 1, 9), 0);
  EXPECT_EQ(commit("go", "m1", 2, 9), stale_member_epoch);
  EXPECT_EQ(commit("go", "nobody", 1, 9), unknown_member_id);
  EXPECT_EQ(commit("go", "", -1, 9), unknown_member_id);  // not while it has members
  EXPECT_EQ(commit("go", "m1", 1, 8), unsupported_version);

  protocol::offset_fetch_request_data fetch;
  auto& g = fetch.groups.emplace_back();
  g.group_id = "go";
  g.member_id = "m1";
  g.member_epoch = 1;
  g.topics.reset();
  auto fetched = client_->call<protocol::offset_fetch_response_data>(fetch, 9);
  ASSERT_EQ(fetched.groups.size(), 1u);
  EXPECT_EQ(fetched.groups[0].error_code, 0);
  ASSERT_EQ(fetched.groups[0].topics.size(), 1u);
  EXPECT_EQ(fetched.groups[0].topics[0].partitions.at(0).committed_offset, 5);
  fetch.groups[0].member_epoch = 0;
  EXPECT_EQ(client_->call<protocol::offset_fetch_response_data>(fetch, 9).groups[0].error_code, stale_member_epoch);
  fetch.groups[0].member_id.reset();  // an admin fetch
  fetch.groups[0].member_epoch = -1;
  EXPECT_EQ(client_->call<protocol::offset_fetch_response_data>(fetch, 9).groups[0].error_code, 0);
}

TEST_F(ConsumerGroupWire, ClassicApisSeeTheGroupAsConsumerType) {
  ASSERT_EQ(hb(join("gt", "m1", {"orders"})).error_code, 0);
  protocol::list_groups_request_data list;
  list.types_filter = {"Consumer"};
  auto listed = client_->call<protocol::list_groups_response_data>(list, 5);
  ASSERT_EQ(listed.groups.size(), 1u);
  EXPECT_EQ(listed.groups[0].group_id, "gt");
  EXPECT_EQ(listed.groups[0].group_type, "consumer");
  EXPECT_EQ(listed.groups[0].protocol_type, "consumer");
  EXPECT_EQ(listed.groups[0].group_state, "Stable");
  list.types_filter = {"classic"};
  EXPECT_TRUE(client_->call<protocol::list_groups_response_data>(list, 5).groups.empty());

  protocol::describe_groups_request_data dg;
  dg.groups = {"gt"};
  auto described = client_->call<protocol::describe_groups_response_data>(dg, 5);
  ASSERT_EQ(described.groups.size(), 1u);
  EXPECT_EQ(described.groups[0].group_state, "Dead");
  EXPECT_EQ(described.groups[0].protocol_type, "");

  // Another embedded protocol type cannot join a consumer group.
  protocol::join_group_request_data jg;
  jg.group_id = "gt";
  jg.session_timeout_ms = 10000;
  jg.rebalance_timeout_ms = 10000;
  jg.protocol_type = "connect";
  jg.protocols.push_back({"range", consumer_subscription({"orders"}), {}});
  EXPECT_EQ(client_->call<protocol::join_group_response_data>(jg, 5).error_code, inconsistent_group_protocol);

  // A classic group with members of another protocol type keeps its id.
  jg.group_id = "classic-g";
  jg.member_id = "";
  auto joined = client_->call<protocol::join_group_response_data>(jg, 3);
  ASSERT_EQ(joined.error_code, 0);
  auto taken = hb(join("classic-g", "m9", {"orders"}));
  EXPECT_EQ(taken.error_code, group_id_not_found);
  EXPECT_EQ(taken.error_message, "Cannot upgrade classic group classic-g to consumer group because the group does "
                                 "not use the consumer embedded protocol.");
  auto cd = describe("classic-g");
  EXPECT_EQ(cd.error_code, group_id_not_found);
}

// A classic member in a consumer-protocol group, at the versions a classic
// client sends: JoinGroup v5 (MEMBER_ID_REQUIRED first), SyncGroup v3,
// Heartbeat v2, OffsetCommit v7 with its generation, LeaveGroup v3.
TEST_F(ConsumerGroupWire, ClassicMemberInAConsumerGroup) {
  auto m1 = hb(join("mixed", "m1", {"orders"}));
  ASSERT_EQ(m1.error_code, 0);
  protocol::join_group_request_data jg;
  jg.group_id = "mixed";
  jg.session_timeout_ms = 10000;
  jg.rebalance_timeout_ms = 10000;
  jg.protocol_type = "consumer";
  jg.protocols.push_back({"range", consumer_subscription({"orders"}), {}});
  auto first = client_->call<protocol::join_group_response_data>(jg, 5);
  ASSERT_EQ(first.error_code, 79);  // MEMBER_ID_REQUIRED
  jg.member_id = first.member_id;
  auto joined = client_->call<protocol::join_group_response_data>(jg, 5);
  ASSERT_EQ(joined.error_code, 0);
  EXPECT_EQ(joined.generation_id, 2);  // its member epoch: m1's join was 1
  EXPECT_EQ(joined.protocol_name, "range");
  EXPECT_EQ(joined.leader, "");
  EXPECT_TRUE(joined.members.empty());
  auto d = describe("mixed");
  ASSERT_EQ(d.members.size(), 2u);
  for (const auto& m : d.members) EXPECT_EQ(m.member_type, m.member_id == "m1" ? 1 : 0);

  protocol::sync_group_request_data sync;
  sync.group_id = "mixed";
  sync.member_id = joined.member_id;
  sync.generation_id = joined.generation_id;
  auto synced = client_->call<protocol::sync_group_response_data>(sync, 3);
  EXPECT_EQ(synced.error_code, 0);
  // m1 gives up a partition; the classic member is then told to rejoin and gets it.
  hb_request next;
  next.group_id = "mixed";
  next.member_id = "m1";
  next.member_epoch = m1.member_epoch;
  next.topic_partitions.emplace();
  for (const auto& t : m1.assignment->topic_partitions) next.topic_partitions->push_back({t.topic_id, t.partitions, {}});
  auto revoke = hb(next);
  ASSERT_EQ(revoke.error_code, 0);
  ASSERT_EQ(partitions_of(revoke), 1u);
  next.member_epoch = revoke.member_epoch;
  next.topic_partitions->clear();
  for (const auto& t : revoke.assignment->topic_partitions) next.topic_partitions->push_back({t.topic_id, t.partitions, {}});
  ASSERT_EQ(hb(next).error_code, 0);
  protocol::heartbeat_request_data beat;
  beat.group_id = "mixed";
  beat.member_id = joined.member_id;
  beat.generation_id = joined.generation_id;
  EXPECT_EQ(client_->call<protocol::heartbeat_response_data>(beat, 2).error_code, 27);  // REBALANCE_IN_PROGRESS
  auto rejoined = client_->call<protocol::join_group_response_data>(jg, 5);
  ASSERT_EQ(rejoined.error_code, 0);
  sync.generation_id = rejoined.generation_id;
  synced = client_->call<protocol::sync_group_response_data>(sync, 3);
  ASSERT_EQ(synced.error_code, 0);
  // ConsumerProtocolAssignment: version, [topic, [partition]], user data.
  ASSERT_GE(synced.assignment.size(), 2u + 4 + 2 + 6 + 4 + 4);
  EXPECT_EQ(synced.assignment[5], 1);  // one topic
  beat.generation_id = rejoined.generation_id;
  EXPECT_EQ(client_->call<protocol::heartbeat_response_data>(beat, 2).error_code, 0);
  // It commits with its generation at a classic version; an old generation is ILLEGAL_GENERATION.
  EXPECT_EQ(commit("mixed", joined.member_id, rejoined.generation_id, 7), 0);
  EXPECT_EQ(commit("mixed", joined.member_id, rejoined.generation_id - 1, 7), 22);
  // Leaving with LeaveGroup: the consumer-protocol member stays, the group stays a consumer group.
  protocol::leave_group_request_data leave;
  leave.group_id = "mixed";
  leave.members.push_back({joined.member_id, std::nullopt, std::nullopt, {}});
  auto left = client_->call<protocol::leave_group_response_data>(leave, 3);
  ASSERT_EQ(left.members.size(), 1u);
  EXPECT_EQ(left.members[0].error_code, 0);
  EXPECT_EQ(describe("mixed").members.size(), 1u);
}

TEST_F(ConsumerGroupWire, DeleteOnlyWhenEmpty) {
  ASSERT_EQ(hb(join("gdel", "m1", {"orders"})).error_code, 0);
  ASSERT_EQ(commit("gdel", "m1", 1, 9), 0);
  protocol::delete_groups_request_data del;
  del.groups_names = {"gdel"};
  auto refused = client_->call<protocol::delete_groups_response_data>(del, 2);
  ASSERT_EQ(refused.results.size(), 1u);
  EXPECT_EQ(refused.results[0].error_code, 68);  // NON_EMPTY_GROUP
  hb_request leave;
  leave.group_id = "gdel";
  leave.member_id = "m1";
  leave.member_epoch = -1;
  ASSERT_EQ(hb(leave).error_code, 0);
  EXPECT_EQ(describe("gdel").group_state, "Empty");
  auto deleted = client_->call<protocol::delete_groups_response_data>(del, 2);
  EXPECT_EQ(deleted.results.at(0).error_code, 0);
  EXPECT_EQ(describe("gdel").error_code, group_id_not_found);
  // Its offsets went with it.
  protocol::offset_fetch_request_data fetch;
  auto& g = fetch.groups.emplace_back();
  g.group_id = "gdel";
  g.topics.reset();
  auto fetched = client_->call<protocol::offset_fetch_response_data>(fetch, 9);
  EXPECT_TRUE(fetched.groups.at(0).topics.empty());
}

// OffsetDelete on a consumer-protocol group refuses the topics its members
// subscribe to, by name or by pattern (GROUP_SUBSCRIBED_TO_TOPIC), and
// deletes the others, as Kafka does; its offsets live in the classic
// coordinator, which knew nothing of those subscriptions and deleted them all.
TEST_F(ConsumerGroupWire, OffsetDeleteKeepsWhatMembersSubscribeTo) {
  ASSERT_EQ(create_topic(*client_, "archive", 1), 0);
  ASSERT_EQ(hb(join("god", "m1", {"orders"})).error_code, 0);
  protocol::offset_commit_request_data req;
  req.group_id = "god";
  req.member_id = "m1";
  req.generation_id_or_member_epoch = 1;
  for (const char* name : {"orders", "logs.a", "archive"}) {
    auto& t = req.topics.emplace_back();
    t.name = name;
    auto& p = t.partitions.emplace_back();
    p.partition_index = 0;
    p.committed_offset = 3;
  }
  auto committed = client_->call<protocol::offset_commit_response_data>(req, 9);
  for (const auto& t : committed.topics) {
    EXPECT_EQ(t.partitions.at(0).error_code, 0) << t.name;
  }
  auto by_pattern = join("god", "m2", {});
  by_pattern.subscribed_topic_regex = "logs\\..*";
  ASSERT_EQ(hb(by_pattern).error_code, 0);

  protocol::offset_delete_request_data del;
  del.group_id = "god";
  for (const char* name : {"orders", "logs.a", "archive"}) {
    auto& t = del.topics.emplace_back();
    t.name = name;
    t.partitions.emplace_back().partition_index = 0;
  }
  auto deleted = client_->call<protocol::offset_delete_response_data>(del, 0);
  EXPECT_EQ(deleted.error_code, 0);
  std::map<std::string, int16_t> answers;
  for (const auto& t : deleted.topics) answers[t.name] = t.partitions.at(0).error_code;
  constexpr int16_t group_subscribed_to_topic = 86;
  const std::map<std::string, int16_t> expected{
      {"archive", 0}, {"logs.a", group_subscribed_to_topic}, {"orders", group_subscribed_to_topic}};
  EXPECT_EQ(answers, expected);

  protocol::offset_fetch_request_data fetch;
  auto& g = fetch.groups.emplace_back();
  g.group_id = "god";
  g.topics.reset();
  std::set<std::string> kept;
  auto fetched = client_->call<protocol::offset_fetch_response_data>(fetch, 9);
  for (const auto& t : fetched.groups.at(0).topics) {
    kept.insert(t.name);
  }
  EXPECT_EQ(kept, (std::set<std::string>{"logs.a", "orders"}));
}

TEST_F(ConsumerGroupWire, DescribeV0HasNoMemberType) {
  ASSERT_EQ(hb(join("gd", "m1", {"orders"})).error_code, 0);
  auto v1 = describe("gd", 1);
  ASSERT_EQ(v1.members.size(), 1u);
  EXPECT_EQ(v1.members[0].member_type, 1);
  EXPECT_EQ(v1.assignor_name, "uniform");
  EXPECT_EQ(v1.group_state, "Stable");
  auto v0 = describe("gd", 0);
  ASSERT_EQ(v0.members.size(), 1u);
  EXPECT_EQ(v0.members[0].member_type, -1);  // not on the wire at v0
  EXPECT_EQ(v0.members[0].target_assignment.topic_partitions.at(0).partitions.size(), 2u);
}

}  // namespace
}  // namespace samsa::wire_test
