// Wire fidelity of the consumer-group APIs at every version the broker
// advertises: a nullable field is null where Kafka sends null (errors, dynamic
// members, success without a message) and a string where Kafka sends one.
// Clients branch on the difference (a Java consumer treats a null protocol
// name in a JoinGroup error as "no protocol chosen", "" as a protocol called "").
#include <gtest/gtest.h>

#include <iostream>
#include <optional>
#include <string>
#include <vector>

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

constexpr int32_t session_timeout_ms = 10000;

class GroupFidelity : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
    versions_ = advertised_versions(*client_);
    ASSERT_EQ(create_topic(*client_, topic_, 2), 0);
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }
  std::pair<int16_t, int16_t> range(api_key key) { return versions_.at(static_cast<int16_t>(key)); }

  protocol::join_group_request_data join_request(const std::string& group, const std::string& member_id,
                                                 std::optional<std::string> instance_id = std::nullopt) {
    protocol::join_group_request_data req;
    req.group_id = group;
    req.session_timeout_ms = session_timeout_ms;
    req.rebalance_timeout_ms = session_timeout_ms;
    req.member_id = member_id;
    req.group_instance_id = std::move(instance_id);
    req.protocol_type = "consumer";
    req.protocols.push_back({"range", consumer_subscription({topic_}), {}});
    return req;
  }

  // A one-member group, joined and synced at JoinGroup v5 / SyncGroup v3.
  struct member {
    std::string member_id;
    int32_t generation = -1;
  };
  member stable_group(const std::string& group, std::optional<std::string> instance_id = std::nullopt) {
    auto req = join_request(group, "", instance_id);
    auto joined = client_->call<protocol::join_group_response_data>(req, 5);
    if (joined.error_code == to_int(error_code::member_id_required)) {
      req.member_id = joined.member_id;
      joined = client_->call<protocol::join_group_response_data>(req, 5);
    }
    EXPECT_EQ(joined.error_code, 0);
    protocol::sync_group_request_data sync;
    sync.group_id = group;
    sync.generation_id = joined.generation_id;
    sync.member_id = joined.member_id;
    sync.group_instance_id = instance_id;
    sync.assignments.push_back({joined.member_id, consumer_assignment(topic_, {0, 1}), {}});
    EXPECT_EQ(client_->call<protocol::sync_group_response_data>(sync, 3).error_code, 0);
    return {joined.member_id, joined.generation_id};
  }

  broker_process broker_{{{"group.initial.rebalance.delay.ms", "0"}}};
  std::unique_ptr<wire_client> client_;
  std::map<int16_t, std::pair<int16_t, int16_t>> versions_;
  std::string topic_ = "fidelity-topic";
};

TEST_F(GroupFidelity, JoinGroupProtocolIsNullInErrorsFromV7AndEmptyBefore) {
  auto [min_v, max_v] = range(api_key::join_group);
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("join_group v" + std::to_string(v));
    // A member id the group never issued: UNKNOWN_MEMBER_ID, no protocol.
    auto refused = client_->call<protocol::join_group_response_data>(
        join_request("join-error-" + std::to_string(v), "made-up-member"), v);
    EXPECT_EQ(refused.error_code, to_int(error_code::unknown_member_id));
    if (v >= 7) {
      EXPECT_EQ(refused.protocol_type, std::nullopt);
      EXPECT_EQ(refused.protocol_name, std::nullopt);
    } else {
      EXPECT_EQ(refused.protocol_name, std::optional<std::string>(""));
    }

    // Success names the chosen protocol (and, from v7, its type).
    auto req = join_request("join-ok-" + std::to_string(v), "");
    auto joined = client_->call<protocol::join_group_response_data>(req, v);
    if (joined.error_code == to_int(error_code::member_id_required)) {
      if (v >= 7) {
        EXPECT_EQ(joined.protocol_name, std::nullopt);
      }
      req.member_id = joined.member_id;
      joined = client_->call<protocol::join_group_response_data>(req, v);
    }
    ASSERT_EQ(joined.error_code, 0);
    EXPECT_EQ(joined.protocol_name, std::optional<std::string>("range"));
    if (v >= 7) {
      EXPECT_EQ(joined.protocol_type, std::optional<std::string>("consumer"));
    }
    // The leader sees every member; a dynamic member has no instance id.
    ASSERT_EQ(joined.members.size(), 1u);
    if (v >= 5) {
      EXPECT_EQ(joined.members[0].group_instance_id, std::nullopt);
    }
  }
}

TEST_F(GroupFidelity, JoinGroupEchoesStaticInstanceIds) {
  auto [min_v, max_v] = range(api_key::join_group);
  for (int16_t v = std::max<int16_t>(min_v, 5); v <= max_v; ++v) {
    SCOPED_TRACE("join_group v" + std::to_string(v));
    auto req = join_request("static-" + std::to_string(v), "", "instance-a");
    auto joined = client_->call<protocol::join_group_response_data>(req, v);
    ASSERT_EQ(joined.error_code, 0);
    ASSERT_EQ(joined.members.size(), 1u);
    EXPECT_EQ(joined.members[0].group_instance_id, std::optional<std::string>("instance-a"));
  }
}

TEST_F(GroupFidelity, SyncGroupProtocolIsNullInErrors) {
  const std::string group = "sync-fidelity";
  member m = stable_group(group);
  auto [min_v, max_v] = range(api_key::sync_group);
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("sync_group v" + std::to_string(v));
    protocol::sync_group_request_data sync;
    sync.group_id = group;
    sync.generation_id = m.generation;
    sync.member_id = "made-up-member";
    auto refused = client_->call<protocol::sync_group_response_data>(sync, v);
    EXPECT_EQ(refused.error_code, to_int(error_code::unknown_member_id));
    EXPECT_TRUE(refused.assignment.empty());
    if (v >= 5) {
      EXPECT_EQ(refused.protocol_type, std::nullopt);
      EXPECT_EQ(refused.protocol_name, std::nullopt);
    }
    sync.member_id = m.member_id;
    auto synced = client_->call<protocol::sync_group_response_data>(sync, v);
    ASSERT_EQ(synced.error_code, 0);
    EXPECT_EQ(synced.assignment, consumer_assignment(topic_, {0, 1}));
    if (v >= 5) {
      EXPECT_EQ(synced.protocol_type, std::optional<std::string>("consumer"));
      EXPECT_EQ(synced.protocol_name, std::optional<std::string>("range"));
    }
  }
}

TEST_F(GroupFidelity, DescribeGroupsNullsWhereKafkaSendsNull) {
  stable_group("described-dynamic");
  stable_group("described-static", "instance-s");
  auto [min_v, max_v] = range(api_key::describe_groups);
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("describe_groups v" + std::to_string(v));
    protocol::describe_groups_request_data req;
    req.groups = {"described-dynamic", "described-static"};
    auto resp = client_->call<protocol::describe_groups_response_data>(req, v);
    ASSERT_EQ(resp.groups.size(), 2u);
    for (const auto& g : resp.groups) {
      EXPECT_EQ(g.error_code, 0) << g.group_id;
      if (v >= 6) {
        EXPECT_EQ(g.error_message, std::nullopt) << g.group_id;
      }
      ASSERT_EQ(g.members.size(), 1u) << g.group_id;
      if (v >= 4) {
        EXPECT_EQ(g.members[0].group_instance_id, g.group_id == "described-static"
                                                      ? std::optional<std::string>("instance-s")
                                                      : std::nullopt);
      }
    }
  }
}

TEST_F(GroupFidelity, LeaveGroupEchoesEachMembersInstanceIdOrNull) {
  auto [min_v, max_v] = range(api_key::leave_group);
  for (int16_t v = std::max<int16_t>(min_v, 3); v <= max_v; ++v) {
    SCOPED_TRACE("leave_group v" + std::to_string(v));
    const std::string group = "leave-" + std::to_string(v);
    member dynamic = stable_group(group);
    protocol::leave_group_request_data leave;
    leave.group_id = group;
    leave.members.push_back({dynamic.member_id, std::nullopt, std::nullopt, {}});
    leave.members.push_back({"", std::optional<std::string>("never-joined"), std::nullopt, {}});
    auto resp = client_->call<protocol::leave_group_response_data>(leave, v);
    ASSERT_EQ(resp.members.size(), 2u);
    EXPECT_EQ(resp.members[0].member_id, dynamic.member_id);
    EXPECT_EQ(resp.members[0].group_instance_id, std::nullopt);
    EXPECT_EQ(resp.members[0].error_code, 0);
    EXPECT_EQ(resp.members[1].group_instance_id, std::optional<std::string>("never-joined"));
    EXPECT_EQ(resp.members[1].error_code, to_int(error_code::unknown_member_id));
  }
}

// Kafka stores a commit without metadata as "" and answers "" for a
// partition the group never committed: never null.
TEST_F(GroupFidelity, OffsetFetchMetadataIsEmptyNeverNull) {
  const std::string group = "fetch-fidelity";
  protocol::offset_commit_request_data commit;
  commit.group_id = group;
  commit.generation_id_or_member_epoch = -1;
  protocol::offset_commit_request_data::offset_commit_request_topic t;
  t.name = topic_;
  t.partitions.push_back({});
  t.partitions[0].partition_index = 0;
  t.partitions[0].committed_offset = 5;
  t.partitions[0].committed_metadata = std::nullopt;
  commit.topics.push_back(t);
  auto committed = client_->call<protocol::offset_commit_response_data>(commit, 2);
  ASSERT_EQ(committed.topics.at(0).partitions.at(0).error_code, 0);

  auto [min_v, max_v] = range(api_key::offset_fetch);
  for (int16_t v = std::max<int16_t>(min_v, 1); v <= max_v; ++v) {
    SCOPED_TRACE("offset_fetch v" + std::to_string(v));
    protocol::offset_fetch_request_data req;
    if (v >= 8) {
      protocol::offset_fetch_request_data::offset_fetch_request_group g;
      g.group_id = group;
      g.topics = std::vector<protocol::offset_fetch_request_data::offset_fetch_request_group::offset_fetch_request_topics>{
          {.name = topic_, .topic_id = topic_id_of(*client_, topic_), .partition_indexes = {0, 1}}};
      req.groups.push_back(g);
    } else {
      req.group_id = group;
      req.topics = std::vector<protocol::offset_fetch_request_data::offset_fetch_request_topic>{{topic_, {0, 1}, {}}};
    }
    auto resp = client_->call<protocol::offset_fetch_response_data>(req, v);
    std::vector<std::pair<int64_t, std::optional<std::string>>> seen;
    if (v >= 8) {
      for (const auto& g : resp.groups)
        for (const auto& tp : g.topics)
          for (const auto& p : tp.partitions) seen.emplace_back(p.committed_offset, p.metadata);
    } else {
      for (const auto& tp : resp.topics)
        for (const auto& p : tp.partitions) seen.emplace_back(p.committed_offset, p.metadata);
    }
    ASSERT_EQ(seen.size(), 2u);
    std::sort(seen.begin(), seen.end(), [](auto& a, auto& b) { return a.first > b.first; });
    EXPECT_EQ(seen[0], std::make_pair(int64_t{5}, std::optional<std::string>("")));   // committed, no metadata
    EXPECT_EQ(seen[1], std::make_pair(int64_t{-1}, std::optional<std::string>("")));  // never committed
  }
}

// Kafka fills ErrorMessage with the error's text, which for success is
// "NONE" (Errors.NONE.message()), not null; an error carries a message.
TEST_F(GroupFidelity, FindCoordinatorErrorMessageIsNoneOnSuccess) {
  auto [min_v, max_v] = range(api_key::find_coordinator);
  for (int16_t v = std::max<int16_t>(min_v, 1); v <= max_v; ++v) {
    SCOPED_TRACE("find_coordinator v" + std::to_string(v));
    protocol::find_coordinator_request_data req;
    req.key = "some-group";
    req.coordinator_keys = {"some-group"};
    auto ok = client_->call<protocol::find_coordinator_response_data>(req, v);
    req.key_type = 9;  // no such key type
    auto bad = client_->call<protocol::find_coordinator_response_data>(req, v);
    if (v < 4) {
      EXPECT_EQ(ok.error_code, 0);
      EXPECT_EQ(ok.error_message, std::optional<std::string>("NONE"));
      EXPECT_NE(bad.error_code, 0);
      EXPECT_FALSE(bad.error_message.value_or("").empty());
    } else {
      ASSERT_EQ(ok.coordinators.size(), 1u);
      EXPECT_EQ(ok.coordinators[0].error_code, 0);
      EXPECT_EQ(ok.coordinators[0].error_message, std::optional<std::string>("NONE"));
      ASSERT_EQ(bad.coordinators.size(), 1u);
      EXPECT_NE(bad.coordinators[0].error_code, 0);
      EXPECT_FALSE(bad.coordinators[0].error_message.value_or("").empty());
    }
  }
}

// A group without a protocol type (offsets only) lists with "" (the field is
// not nullable), a consumer group with its type.
TEST_F(GroupFidelity, ListGroupsProtocolTypeOfASimpleGroupIsEmpty) {
  protocol::offset_commit_request_data commit;
  commit.group_id = "simple";
  commit.generation_id_or_member_epoch = -1;
  auto& t = commit.topics.emplace_back();
  t.name = topic_;
  t.partitions.push_back({0, 1, -1, -1, std::string(""), {}});
  ASSERT_EQ(client_->call<protocol::offset_commit_response_data>(commit, 2).topics.at(0).partitions.at(0).error_code,
            0);
  stable_group("listed");
  auto [min_v, max_v] = range(api_key::list_groups);
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("list_groups v" + std::to_string(v));
    auto resp = client_->call<protocol::list_groups_response_data>(protocol::list_groups_request_data{}, v);
    std::map<std::string, std::string> types;
    for (const auto& g : resp.groups) types[g.group_id] = g.protocol_type;
    EXPECT_EQ(types.at("simple"), "");
    EXPECT_EQ(types.at("listed"), "consumer");
  }
}

}  // namespace
}  // namespace samsa::wire_test
