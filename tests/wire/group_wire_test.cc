// Consumer-group APIs driven over the wire at every version the broker
// advertises, against a real `samsa serve` process: the membership cycle
// (join, sync, heartbeat, commit, fetch, describe, leave) per version, and the
// error codes Kafka's classic coordinator gives in the same situations.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <iostream>
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
using bytes = std::vector<uint8_t>;

constexpr int32_t session_timeout_ms = 10000;

protocol::join_group_request_data join_request(const std::string& group, const std::string& member_id,
                                               const bytes& metadata,
                                               std::vector<std::string> protocols = {"range"},
                                               std::string protocol_type = "consumer") {
  protocol::join_group_request_data req;
  req.group_id = group;
  req.session_timeout_ms = session_timeout_ms;
  req.rebalance_timeout_ms = session_timeout_ms;
  req.member_id = member_id;
  req.protocol_type = std::move(protocol_type);
  for (auto& name : protocols) req.protocols.push_back({name, metadata, {}});
  return req;
}

class GroupWire : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
    create_topic(topic_, 3);
  }

  void TearDown() override {
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }

  void create_topic(const std::string& name, int32_t partitions) {
    ASSERT_EQ(wire_test::create_topic(*client_, name, partitions), 0) << name;
  }

  // Joins as a new member; at v4+ the broker first hands out a member id.
  protocol::join_group_response_data join_new(wire_client& c, const std::string& group, int16_t version) {
    auto req = join_request(group, "", consumer_subscription({topic_}));
    auto resp = c.call<protocol::join_group_response_data>(req, version);
    if (version >= 4) {
      EXPECT_EQ(resp.error_code, to_int(error_code::member_id_required));
      EXPECT_FALSE(resp.member_id.empty());
      req.member_id = resp.member_id;
      resp = c.call<protocol::join_group_response_data>(req, version);
    }
    return resp;
  }

  protocol::offset_fetch_response_data fetch_offsets(const std::string& group, int16_t version) {
    protocol::offset_fetch_request_data req;
    if (version >= 8) {
      protocol::offset_fetch_request_data::offset_fetch_request_group g;
      g.group_id = group;
      g.topics = std::vector<protocol::offset_fetch_request_data::offset_fetch_request_group::offset_fetch_request_topics>{
          {.name = topic_, .partition_indexes = {0, 1, 2}}};
      req.groups.push_back(g);
    } else {
      req.group_id = group;
      req.topics = std::vector<protocol::offset_fetch_request_data::offset_fetch_request_topic>{
          {topic_, {0, 1, 2}, {}}};
    }
    return client_->call<protocol::offset_fetch_response_data>(req, version);
  }

  // (partition, offset, metadata, error) of `topic_` in an OffsetFetch answer.
  struct fetched {
    int32_t partition;
    int64_t offset;
    std::string metadata;
    int16_t error;
    bool operator==(const fetched&) const = default;
  };
  std::vector<fetched> fetched_offsets(const protocol::offset_fetch_response_data& resp, int16_t version) {
    std::vector<fetched> out;
    if (version >= 8) {
      for (const auto& g : resp.groups)
        for (const auto& t : g.topics)
          for (const auto& p : t.partitions)
            out.push_back({p.partition_index, p.committed_offset, p.metadata.value_or(""), p.error_code});
    } else {
      for (const auto& t : resp.topics)
        for (const auto& p : t.partitions)
          out.push_back({p.partition_index, p.committed_offset, p.metadata.value_or(""), p.error_code});
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.partition < b.partition; });
    return out;
  }

  protocol::offset_commit_request_data commit_request(const std::string& group, int32_t generation,
                                                      const std::string& member, int64_t base) {
    protocol::offset_commit_request_data req;
    req.group_id = group;
    req.generation_id_or_member_epoch = generation;
    req.member_id = member;
    protocol::offset_commit_request_data::offset_commit_request_topic t;
    t.name = topic_;
    for (int32_t p = 0; p < 3; ++p) {
      protocol::offset_commit_request_data::offset_commit_request_topic::offset_commit_request_partition part;
      part.partition_index = p;
      part.committed_offset = base + p;
      part.committed_metadata = "m" + std::to_string(p);
      t.partitions.push_back(part);
    }
    req.topics.push_back(t);
    return req;
  }

  broker_process broker_{{{"group.initial.rebalance.delay.ms", "0"}}};
  std::unique_ptr<wire_client> client_;
  std::string topic_ = "wire-topic";
};

// One member through the whole cycle, at each JoinGroup version with the
// matching versions of the other group APIs.
TEST_F(GroupWire, MembershipCycleAtEveryVersion) {
  for (int16_t v = 0; v <= 9; ++v) {
    SCOPED_TRACE("join_group v" + std::to_string(v));
    const std::string group = "cycle-" + std::to_string(v);
    const int16_t sync_v = std::min<int16_t>(v, 5), heartbeat_v = std::min<int16_t>(v, 4),
                  leave_v = std::min<int16_t>(v, 5), describe_v = std::min<int16_t>(v, 5),
                  commit_v = std::max<int16_t>(v, 1), fetch_v = std::max<int16_t>(v, 1);

    auto joined = join_new(*client_, group, v);
    ASSERT_EQ(joined.error_code, 0) << protocol::error_name(static_cast<error_code>(joined.error_code));
    EXPECT_EQ(joined.generation_id, 1);
    EXPECT_EQ(joined.leader, joined.member_id);
    EXPECT_EQ(joined.protocol_name.value_or(""), "range");
    if (v >= 7) {
      EXPECT_EQ(joined.protocol_type.value_or(""), "consumer");
    }
    ASSERT_EQ(joined.members.size(), 1u);
    EXPECT_EQ(joined.members[0].metadata, consumer_subscription({topic_}));

    protocol::sync_group_request_data sync;
    sync.group_id = group;
    sync.generation_id = joined.generation_id;
    sync.member_id = joined.member_id;
    sync.protocol_type = "consumer";
    sync.protocol_name = "range";
    sync.assignments.push_back({joined.member_id, consumer_assignment(topic_, {0, 1, 2}), {}});
    auto synced = client_->call<protocol::sync_group_response_data>(sync, sync_v);
    ASSERT_EQ(synced.error_code, 0);
    EXPECT_EQ(synced.assignment, consumer_assignment(topic_, {0, 1, 2}));
    if (sync_v >= 5) {
      EXPECT_EQ(synced.protocol_name.value_or(""), "range");
    }

    protocol::heartbeat_request_data hb;
    hb.group_id = group;
    hb.generation_id = joined.generation_id;
    hb.member_id = joined.member_id;
    EXPECT_EQ(client_->call<protocol::heartbeat_response_data>(hb, heartbeat_v).error_code, 0);
    hb.generation_id = joined.generation_id + 1;
    EXPECT_EQ(client_->call<protocol::heartbeat_response_data>(hb, heartbeat_v).error_code,
              to_int(error_code::illegal_generation));
    hb.generation_id = joined.generation_id;
    hb.member_id = "nobody";
    EXPECT_EQ(client_->call<protocol::heartbeat_response_data>(hb, heartbeat_v).error_code,
              to_int(error_code::unknown_member_id));

    // A member's commit carries its generation (OffsetCommit v1+).
    auto commit = commit_request(group, joined.generation_id, joined.member_id, 10 * (v + 1));
    auto committed = client_->call<protocol::offset_commit_response_data>(commit, commit_v);
    ASSERT_EQ(committed.topics.size(), 1u);
    for (const auto& p : committed.topics[0].partitions) EXPECT_EQ(p.error_code, 0) << "partition " << p.partition_index;
    commit.generation_id_or_member_epoch = joined.generation_id + 5;
    committed = client_->call<protocol::offset_commit_response_data>(commit, commit_v);
    EXPECT_EQ(committed.topics[0].partitions[0].error_code, to_int(error_code::illegal_generation));

    auto offsets = fetched_offsets(fetch_offsets(group, fetch_v), fetch_v);
    const int64_t base = 10 * (v + 1);
    EXPECT_EQ(offsets, (std::vector<fetched>{{0, base, "m0", 0}, {1, base + 1, "m1", 0}, {2, base + 2, "m2", 0}}));

    protocol::describe_groups_request_data describe;
    describe.groups = {group};
    describe.include_authorized_operations = true;
    auto described = client_->call<protocol::describe_groups_response_data>(describe, describe_v);
    ASSERT_EQ(described.groups.size(), 1u);
    const auto& dg = described.groups[0];
    EXPECT_EQ(dg.error_code, 0);
    EXPECT_EQ(dg.group_state, "Stable");
    EXPECT_EQ(dg.protocol_type, "consumer");
    EXPECT_EQ(dg.protocol_data, "range");
    ASSERT_EQ(dg.members.size(), 1u);
    EXPECT_EQ(dg.members[0].member_id, joined.member_id);
    EXPECT_EQ(dg.members[0].client_id, "samsa-wire-test");
    EXPECT_FALSE(dg.members[0].client_host.empty());
    EXPECT_EQ(dg.members[0].member_metadata, consumer_subscription({topic_}));
    EXPECT_EQ(dg.members[0].member_assignment, consumer_assignment(topic_, {0, 1, 2}));
    if (describe_v >= 3) {
      EXPECT_NE(dg.authorized_operations, INT32_MIN);
    }

    protocol::leave_group_request_data leave;
    leave.group_id = group;
    if (leave_v >= 3) {
      leave.members.push_back({joined.member_id, std::nullopt, std::nullopt, {}});
    } else {
      leave.member_id = joined.member_id;
    }
    auto left = client_->call<protocol::leave_group_response_data>(leave, leave_v);
    EXPECT_EQ(left.error_code, 0);
    if (leave_v >= 3) {
      ASSERT_EQ(left.members.size(), 1u);
      EXPECT_EQ(left.members[0].error_code, 0);
    }
    described = client_->call<protocol::describe_groups_response_data>(describe, describe_v);
    EXPECT_EQ(described.groups[0].group_state, "Empty");
    EXPECT_TRUE(described.groups[0].members.empty());
    // Offsets outlive the members.
    EXPECT_EQ(fetched_offsets(fetch_offsets(group, fetch_v), fetch_v).size(), 3u);
  }
}

// Commits from outside any group (manual assignment: generation -1, no
// member) at every OffsetCommit version, read back at every OffsetFetch version.
TEST_F(GroupWire, SimpleCommitsAtEveryVersion) {
  for (int16_t v = 0; v <= 9; ++v) {
    SCOPED_TRACE("offset_commit v" + std::to_string(v));
    const std::string group = "simple-" + std::to_string(v);
    auto committed = client_->call<protocol::offset_commit_response_data>(commit_request(group, -1, "", 100 + v), v);
    ASSERT_EQ(committed.topics.size(), 1u);
    for (const auto& p : committed.topics[0].partitions) EXPECT_EQ(p.error_code, 0);
    for (int16_t f = 0; f <= 9; ++f) {
      SCOPED_TRACE("offset_fetch v" + std::to_string(f));
      auto offsets = fetched_offsets(fetch_offsets(group, f), f);
      EXPECT_EQ(offsets, (std::vector<fetched>{{0, 100 + v, "m0", 0}, {1, 101 + v, "m1", 0}, {2, 102 + v, "m2", 0}}));
    }
  }
  // Unknown partitions of a known topic and unknown groups read as "no offset".
  auto none = fetched_offsets(fetch_offsets("never-committed", 8), 8);
  EXPECT_EQ(none, (std::vector<fetched>{{0, -1, "", 0}, {1, -1, "", 0}, {2, -1, "", 0}}));
}

TEST_F(GroupWire, OffsetFetchManyGroupsAndAllTopics) {
  for (const std::string group : {"multi-a", "multi-b"}) {
    auto r = client_->call<protocol::offset_commit_response_data>(commit_request(group, -1, "", group == "multi-a" ? 5 : 7), 8);
    ASSERT_EQ(r.topics[0].partitions[0].error_code, 0);
  }
  protocol::offset_fetch_request_data req;
  for (const std::string group : {"multi-a", "multi-b", "multi-none"}) {
    protocol::offset_fetch_request_data::offset_fetch_request_group g;
    g.group_id = group;
    g.topics = std::nullopt;  // every topic the group has offsets for
    req.groups.push_back(g);
  }
  for (int16_t v : {8, 9}) {
    SCOPED_TRACE("offset_fetch v" + std::to_string(v));
    auto resp = client_->call<protocol::offset_fetch_response_data>(req, v);
    ASSERT_EQ(resp.groups.size(), 3u);
    EXPECT_EQ(resp.groups[0].group_id, "multi-a");
    ASSERT_EQ(resp.groups[0].topics.size(), 1u);
    EXPECT_EQ(resp.groups[0].topics[0].name, topic_);
    ASSERT_EQ(resp.groups[0].topics[0].partitions.size(), 3u);
    EXPECT_EQ(resp.groups[1].group_id, "multi-b");
    ASSERT_EQ(resp.groups[1].topics.size(), 1u);
    int64_t b0 = -2;
    for (const auto& p : resp.groups[1].topics[0].partitions)
      if (p.partition_index == 0) b0 = p.committed_offset;
    EXPECT_EQ(b0, 7);
    EXPECT_EQ(resp.groups[2].group_id, "multi-none");
    EXPECT_EQ(resp.groups[2].error_code, 0);
    EXPECT_TRUE(resp.groups[2].topics.empty());
  }
}

TEST_F(GroupWire, FindCoordinatorSingleAndBatched) {
  for (int16_t v = 0; v <= 3; ++v) {
    protocol::find_coordinator_request_data req;
    req.key = "some-group";
    auto resp = client_->call<protocol::find_coordinator_response_data>(req, v);
    EXPECT_EQ(resp.error_code, 0) << "v" << v;
    EXPECT_EQ(resp.node_id, 1) << "v" << v;
    EXPECT_EQ(resp.host, "127.0.0.1") << "v" << v;
    EXPECT_EQ(resp.port, broker_.port()) << "v" << v;
  }
  for (int16_t v = 4; v <= 6; ++v) {
    protocol::find_coordinator_request_data req;
    req.coordinator_keys = {"group-a", "group-b"};
    auto resp = client_->call<protocol::find_coordinator_response_data>(req, v);
    ASSERT_EQ(resp.coordinators.size(), 2u) << "v" << v;
    for (size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(resp.coordinators[i].key, req.coordinator_keys[i]);
      EXPECT_EQ(resp.coordinators[i].error_code, 0);
      EXPECT_EQ(resp.coordinators[i].node_id, 1);
      EXPECT_EQ(resp.coordinators[i].port, broker_.port());
    }
  }
}

TEST_F(GroupWire, JoinErrors) {
  // Session timeout outside group.min/max.session.timeout.ms.
  auto req = join_request("bad-timeout", "", consumer_subscription({topic_}));
  req.session_timeout_ms = 1000;
  EXPECT_EQ(client_->call<protocol::join_group_response_data>(req, 5).error_code,
            to_int(error_code::invalid_session_timeout));
  // Empty group id.
  req = join_request("", "", consumer_subscription({topic_}));
  EXPECT_EQ(client_->call<protocol::join_group_response_data>(req, 5).error_code,
            to_int(error_code::invalid_group_id));
  // A member id the group never issued.
  req = join_request("unknown-member", "made-up-id", consumer_subscription({topic_}));
  EXPECT_EQ(client_->call<protocol::join_group_response_data>(req, 5).error_code,
            to_int(error_code::unknown_member_id));
  // No protocols at all.
  req = join_request("no-protocols", "", consumer_subscription({topic_}), {});
  EXPECT_EQ(client_->call<protocol::join_group_response_data>(req, 5).error_code,
            to_int(error_code::inconsistent_group_protocol));

  // A second member whose protocol type or protocols do not match the group's.
  auto first = join_new(*client_, "mismatch", 5);
  ASSERT_EQ(first.error_code, 0);
  wire_client other(broker_.port());
  auto wrong_type = join_request("mismatch", "", consumer_subscription({topic_}), {"range"}, "connect");
  EXPECT_EQ(other.call<protocol::join_group_response_data>(wrong_type, 3).error_code,
            to_int(error_code::inconsistent_group_protocol));
  auto no_common = join_request("mismatch", "", consumer_subscription({topic_}), {"roundrobin"});
  EXPECT_EQ(other.call<protocol::join_group_response_data>(no_common, 3).error_code,
            to_int(error_code::inconsistent_group_protocol));

  // Heartbeat and sync for a group that does not exist.
  protocol::heartbeat_request_data hb;
  hb.group_id = "no-such-group";
  hb.generation_id = 1;
  hb.member_id = "m";
  EXPECT_EQ(client_->call<protocol::heartbeat_response_data>(hb, 4).error_code,
            to_int(error_code::unknown_member_id));
}

// Two members: the second join starts a rebalance that the first one learns
// about from its heartbeat (REBALANCE_IN_PROGRESS), then both rejoin.
TEST_F(GroupWire, SecondMemberTriggersRebalance) {
  const std::string group = "two-members";
  auto a = join_new(*client_, group, 5);
  ASSERT_EQ(a.error_code, 0);
  protocol::sync_group_request_data sync;
  sync.group_id = group;
  sync.generation_id = a.generation_id;
  sync.member_id = a.member_id;
  sync.assignments.push_back({a.member_id, consumer_assignment(topic_, {0, 1, 2}), {}});
  ASSERT_EQ(client_->call<protocol::sync_group_response_data>(sync, 3).error_code, 0);

  wire_client second(broker_.port(), "second");
  auto b_future = std::async(std::launch::async, [&] { return join_new(second, group, 5); });
  protocol::heartbeat_request_data hb;
  hb.group_id = group;
  hb.generation_id = a.generation_id;
  hb.member_id = a.member_id;
  int16_t hb_error = 0;
  for (int i = 0; i < 100 && hb_error == 0; ++i) {
    hb_error = client_->call<protocol::heartbeat_response_data>(hb, 4).error_code;
    if (hb_error == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(hb_error, to_int(error_code::rebalance_in_progress));
  auto rejoin = join_request(group, a.member_id, consumer_subscription({topic_}));
  auto a2 = client_->call<protocol::join_group_response_data>(rejoin, 5);
  auto b = b_future.get();
  ASSERT_EQ(a2.error_code, 0);
  ASSERT_EQ(b.error_code, 0);
  EXPECT_EQ(a2.generation_id, 2);
  EXPECT_EQ(b.generation_id, 2);
  EXPECT_EQ(a2.leader, a.member_id);  // the leader stays while it rejoins
  EXPECT_EQ(a2.members.size(), 2u);   // only the leader learns the members
  EXPECT_TRUE(b.members.empty());

  // The follower's SyncGroup waits for the leader's assignment.
  protocol::sync_group_request_data follower;
  follower.group_id = group;
  follower.generation_id = b.generation_id;
  follower.member_id = b.member_id;
  auto b_sync = std::async(std::launch::async,
                           [&] { return second.call<protocol::sync_group_response_data>(follower, 4); });
  sync.generation_id = a2.generation_id;
  sync.assignments = {{a.member_id, consumer_assignment(topic_, {0, 1}), {}}, {b.member_id, consumer_assignment(topic_, {2}), {}}};
  auto a_synced = client_->call<protocol::sync_group_response_data>(sync, 4);
  EXPECT_EQ(a_synced.error_code, 0);
  EXPECT_EQ(a_synced.assignment, consumer_assignment(topic_, {0, 1}));
  auto b_synced = b_sync.get();
  EXPECT_EQ(b_synced.error_code, 0);
  EXPECT_EQ(b_synced.assignment, consumer_assignment(topic_, {2}));

  // Deleting a live group is refused; removing the offsets of a topic the
  // group subscribes to, too.
  protocol::delete_groups_request_data del;
  del.groups_names = {group, "never-existed"};
  auto deleted = client_->call<protocol::delete_groups_response_data>(del, 2);
  ASSERT_EQ(deleted.results.size(), 2u);
  EXPECT_EQ(deleted.results[0].error_code, to_int(error_code::non_empty_group));
  EXPECT_EQ(deleted.results[1].error_code, to_int(error_code::group_id_not_found));
  protocol::offset_delete_request_data od;
  od.group_id = group;
  protocol::offset_delete_request_data::offset_delete_request_topic od_topic;
  od_topic.name = topic_;
  od_topic.partitions.resize(1);
  od_topic.partitions[0].partition_index = 0;
  od.topics.push_back(od_topic);
  auto od_resp = client_->call<protocol::offset_delete_response_data>(od, 0);
  EXPECT_EQ(od_resp.error_code, 0);
  ASSERT_EQ(od_resp.topics.size(), 1u);
  EXPECT_EQ(od_resp.topics[0].partitions[0].error_code, to_int(error_code::group_subscribed_to_topic));

  // Batched LeaveGroup: both members and one the group does not know.
  protocol::leave_group_request_data leave;
  leave.group_id = group;
  leave.members = {{a.member_id, std::nullopt, std::nullopt, {}},
                   {b.member_id, std::nullopt, std::string("test done"), {}},
                   {"stranger", std::nullopt, std::nullopt, {}}};
  auto left = client_->call<protocol::leave_group_response_data>(leave, 5);
  EXPECT_EQ(left.error_code, 0);
  ASSERT_EQ(left.members.size(), 3u);
  EXPECT_EQ(left.members[0].error_code, 0);
  EXPECT_EQ(left.members[1].error_code, 0);
  EXPECT_EQ(left.members[2].error_code, to_int(error_code::unknown_member_id));

  // Now empty, the group can be deleted.
  deleted = client_->call<protocol::delete_groups_response_data>(del, 2);
  ASSERT_EQ(deleted.results.size(), 2u);
  EXPECT_EQ(deleted.results[0].error_code, 0);
  EXPECT_EQ(deleted.results[1].error_code, to_int(error_code::group_id_not_found));
}

TEST_F(GroupWire, ListGroupsFilters) {
  auto joined = join_new(*client_, "listed-stable", 5);
  ASSERT_EQ(joined.error_code, 0);
  protocol::sync_group_request_data sync;
  sync.group_id = "listed-stable";
  sync.generation_id = joined.generation_id;
  sync.member_id = joined.member_id;
  sync.assignments.push_back({joined.member_id, consumer_assignment(topic_, {0, 1, 2}), {}});
  ASSERT_EQ(client_->call<protocol::sync_group_response_data>(sync, 3).error_code, 0);
  ASSERT_EQ(client_->call<protocol::offset_commit_response_data>(commit_request("listed-empty", -1, "", 1), 8)
                .topics[0].partitions[0].error_code, 0);
  auto names = [](const protocol::list_groups_response_data& r) {
    std::vector<std::string> out;
    for (const auto& g : r.groups) out.push_back(g.group_id);
    std::sort(out.begin(), out.end());
    return out;
  };
  for (int16_t v = 0; v <= 5; ++v) {
    SCOPED_TRACE("list_groups v" + std::to_string(v));
    protocol::list_groups_request_data req;
    auto all = client_->call<protocol::list_groups_response_data>(req, v);
    EXPECT_EQ(all.error_code, 0);
    EXPECT_EQ(names(all), (std::vector<std::string>{"listed-empty", "listed-stable"}));
    for (const auto& g : all.groups) {
      EXPECT_EQ(g.protocol_type, g.group_id == "listed-stable" ? "consumer" : "");
      if (v >= 4) {
        EXPECT_EQ(g.group_state, g.group_id == "listed-stable" ? "Stable" : "Empty");
      }
      if (v >= 5) {
        EXPECT_EQ(g.group_type, "classic");
      }
    }
    if (v >= 4) {
      req.states_filter = {"Stable"};
      EXPECT_EQ(names(client_->call<protocol::list_groups_response_data>(req, v)),
                (std::vector<std::string>{"listed-stable"}));
      req.states_filter = {"empty"};  // Kafka matches states case-insensitively
      EXPECT_EQ(names(client_->call<protocol::list_groups_response_data>(req, v)),
                (std::vector<std::string>{"listed-empty"}));
    }
    if (v >= 5) {
      req.states_filter = {};
      req.types_filter = {"Classic"};
      EXPECT_EQ(names(client_->call<protocol::list_groups_response_data>(req, v)).size(), 2u);
      req.types_filter = {"consumer"};
      EXPECT_TRUE(client_->call<protocol::list_groups_response_data>(req, v).groups.empty());
    }
  }
}

// Static membership (group.instance.id, JoinGroup v5+): a restarted instance
// takes over its old member without a rebalance; the old member id is fenced.
TEST_F(GroupWire, StaticMemberRejoinsWithoutRebalance) {
  const std::string group = "static";
  auto req = join_request(group, "", consumer_subscription({topic_}));
  req.group_instance_id = "instance-1";
  auto first = client_->call<protocol::join_group_response_data>(req, 5);
  ASSERT_EQ(first.error_code, 0);  // static members get their id at once
  EXPECT_EQ(first.generation_id, 1);
  protocol::sync_group_request_data sync;
  sync.group_id = group;
  sync.generation_id = first.generation_id;
  sync.member_id = first.member_id;
  sync.group_instance_id = "instance-1";
  sync.assignments.push_back({first.member_id, consumer_assignment(topic_, {0, 1, 2}), {}});
  ASSERT_EQ(client_->call<protocol::sync_group_response_data>(sync, 3).error_code, 0);

  // The "restarted" process joins again with the same instance id.
  wire_client restarted(broker_.port(), "restarted");
  auto again = restarted.call<protocol::join_group_response_data>(req, 5);
  ASSERT_EQ(again.error_code, 0);
  EXPECT_EQ(again.generation_id, first.generation_id);  // no rebalance
  EXPECT_NE(again.member_id, first.member_id);
  sync.member_id = again.member_id;
  sync.assignments.clear();
  auto resynced = restarted.call<protocol::sync_group_response_data>(sync, 3);
  EXPECT_EQ(resynced.error_code, 0);
  EXPECT_EQ(resynced.assignment, consumer_assignment(topic_, {0, 1, 2}));  // its old assignment

  protocol::heartbeat_request_data hb;
  hb.group_id = group;
  hb.generation_id = first.generation_id;
  hb.member_id = first.member_id;
  hb.group_instance_id = "instance-1";
  EXPECT_EQ(client_->call<protocol::heartbeat_response_data>(hb, 3).error_code,
            to_int(error_code::fenced_instance_id));
  hb.member_id = again.member_id;
  EXPECT_EQ(restarted.call<protocol::heartbeat_response_data>(hb, 3).error_code, 0);

  protocol::describe_groups_request_data describe;
  describe.groups = {group};
  auto d = client_->call<protocol::describe_groups_response_data>(describe, 5);
  ASSERT_EQ(d.groups[0].members.size(), 1u);
  EXPECT_EQ(d.groups[0].members[0].group_instance_id.value_or(""), "instance-1");
  EXPECT_EQ(d.groups[0].group_state, "Stable");
}

// Committed offsets are durable: they survive SIGKILL and a restart.
TEST_F(GroupWire, OffsetsSurviveSigkill) {
  auto r = client_->call<protocol::offset_commit_response_data>(commit_request("durable", -1, "", 42), 8);
  ASSERT_EQ(r.topics[0].partitions[0].error_code, 0);
  client_.reset();
  broker_.kill_hard();
  broker_.start();
  client_ = std::make_unique<wire_client>(broker_.port());
  EXPECT_EQ(fetched_offsets(fetch_offsets("durable", 8), 8),
            (std::vector<fetched>{{0, 42, "m0", 0}, {1, 43, "m1", 0}, {2, 44, "m2", 0}}));
}

// __consumer_offsets belongs to the coordinator: it cannot be deleted, while a
// user topic that merely starts with "__" is an ordinary topic, also after a
// restart (the flag is not guessed from the name's prefix).
TEST_F(GroupWire, OffsetsTopicIsProtectedUserTopicsAreNot) {
  // Created on first use, not at start (a new broker starts without it), and
  // never by a client's CreateTopics.
  protocol::metadata_request_data listing;  // null topics: all, no auto-creation
  listing.topics = std::nullopt;
  for (const auto& t : client_->call<protocol::metadata_response_data>(listing, 12).topics) {
    EXPECT_NE(t.name.value_or(""), "__consumer_offsets");
  }
  EXPECT_EQ(wire_test::create_topic(*client_, "__consumer_offsets", 1), to_int(error_code::invalid_request));
  auto first = client_->call<protocol::offset_commit_response_data>(commit_request("first-use", -1, "", 1), 8);
  ASSERT_EQ(first.topics.at(0).partitions.at(0).error_code, 0);

  create_topic("__mine", 1);
  broker_.stop_gracefully();
  broker_.start();
  client_ = std::make_unique<wire_client>(broker_.port());
  protocol::metadata_request_data meta;
  meta.topics = std::vector<protocol::metadata_request_data::metadata_request_topic>{};
  meta.topics->push_back({});
  meta.topics->back().name = "__consumer_offsets";
  meta.topics->push_back({});
  meta.topics->back().name = "__mine";
  meta.allow_auto_topic_creation = false;
  auto described = client_->call<protocol::metadata_response_data>(meta, 12);
  ASSERT_EQ(described.topics.size(), 2u);
  EXPECT_EQ(described.topics[0].error_code, 0);
  EXPECT_EQ(described.topics[0].partitions.size(), 50u);
  EXPECT_TRUE(described.topics[0].is_internal);
  EXPECT_FALSE(described.topics[1].is_internal);

  protocol::delete_topics_request_data del;
  del.topic_names = {"__consumer_offsets", "__mine"};
  del.timeout_ms = 5000;
  auto deleted = client_->call<protocol::delete_topics_response_data>(del, 5);
  ASSERT_EQ(deleted.responses.size(), 2u);
  EXPECT_EQ(deleted.responses[0].error_code, to_int(error_code::invalid_request));
  EXPECT_EQ(deleted.responses[1].error_code, 0);

  // Clients may read it but not write to it.
  auto produced = produce_batch(*client_, 9, "__consumer_offsets", 0, batch_of({"forged"}, 0));
  EXPECT_EQ(produced.error_code, to_int(error_code::invalid_topic_exception));
}

// A client's Metadata request that would auto-create __consumer_offsets gets
// the real one (compacted, 50 partitions, internal), not an ordinary topic.
TEST_F(GroupWire, AutoCreatingTheOffsetsTopicMakesTheRealOne) {
  protocol::metadata_request_data meta;
  meta.topics.emplace();
  meta.topics->push_back({});
  meta.topics->back().name = "__consumer_offsets";
  meta.allow_auto_topic_creation = true;
  auto resp = client_->call<protocol::metadata_response_data>(meta, 9);
  ASSERT_EQ(resp.topics.size(), 1u);
  EXPECT_EQ(resp.topics[0].error_code, 0);
  EXPECT_EQ(resp.topics[0].partitions.size(), 50u);
  EXPECT_TRUE(resp.topics[0].is_internal);
  // And groups work on it.
  auto committed = client_->call<protocol::offset_commit_response_data>(commit_request("after-auto", -1, "", 3), 8);
  EXPECT_EQ(committed.topics.at(0).partitions.at(0).error_code, 0);
}

}  // namespace
}  // namespace samsa::wire_test
