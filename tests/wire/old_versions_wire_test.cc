// The APIs an old client generation sends besides Produce and Fetch, at every
// old version, against a real `samsa serve`, answered as the Kafka of that
// generation did (0.9 to 2.0; Kafka 4.0 dropped most of these versions,
// KIP-896):
// - ListOffsets v0: up to max_num_offsets segment starts and the log end,
//   newest first (not one offset);
// - OffsetCommit v0 (the ZooKeeper era: stored like any other commit), v1's
//   commit timestamp (expiry counts from it), v2-4's retention time (an
//   explicit expiry), read back with OffsetFetch v0-1;
// - JoinGroup v0: no rebalance timeout, the session timeout serves;
// - Metadata v0: an empty topic list means every topic (v1+: none; null: all);
// - ApiVersions v0-2, FindCoordinator v0, CreateTopics v0-1, DeleteTopics v0;
// - Metadata v13 (KIP-1102): the top-level error code is there, and 0.
// And the newest APIs this part serves: DescribeTopicPartitions v0 (KIP-966),
// its paging by cursor as Kafka pages.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <limits>
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

using protocol::api_key;
using protocol::error_code;
using protocol::to_int;

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class OldVersionsWire : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }

  std::vector<std::string> metadata_topic_names(const std::optional<std::vector<std::string>>& topics,
                                                int16_t version) {
    protocol::metadata_request_data req;
    if (topics) {
      req.topics.emplace();
      for (const auto& t : *topics) req.topics->push_back({{}, t, {}});
    } else {
      req.topics = std::nullopt;
    }
    req.allow_auto_topic_creation = false;
    auto resp = client_->call<protocol::metadata_response_data>(req, version);
    std::vector<std::string> names;
    for (const auto& t : resp.topics) names.push_back(t.name.value_or("?"));
    std::sort(names.begin(), names.end());
    return names;
  }

  // OffsetCommit of one offset for partition 0 of `topic` by a group without
  // members (generation -1, member ""), at `version`.
  int16_t commit(const std::string& group, const std::string& topic, int64_t offset, int16_t version,
                 int64_t commit_timestamp = -1, int64_t retention_time_ms = -1) {
    protocol::offset_commit_request_data req;
    req.group_id = group;
    req.generation_id_or_member_epoch = -1;
    req.member_id = "";
    req.retention_time_ms = retention_time_ms;
    auto& t = req.topics.emplace_back();
    t.name = topic;
    auto& p = t.partitions.emplace_back();
    p.partition_index = 0;
    p.committed_offset = offset;
    p.commit_timestamp = commit_timestamp;
    p.committed_metadata = "m";
    auto resp = client_->call<protocol::offset_commit_response_data>(req, version);
    if (resp.topics.size() != 1 || resp.topics[0].partitions.size() != 1) throw std::runtime_error("commit shape");
    return resp.topics[0].partitions[0].error_code;
  }

  // The committed offset of partition 0 as OffsetFetch `version` reports it.
  int64_t committed(const std::string& group, const std::string& topic, int16_t version) {
    protocol::offset_fetch_request_data req;
    req.group_id = group;
    req.topics = std::vector<protocol::offset_fetch_request_data::offset_fetch_request_topic>{{topic, {0}, {}}};
    auto resp = client_->call<protocol::offset_fetch_response_data>(req, version);
    if (resp.topics.size() != 1 || resp.topics[0].partitions.size() != 1) throw std::runtime_error("fetch shape");
    EXPECT_EQ(resp.topics[0].partitions[0].error_code, 0);
    return resp.topics[0].partitions[0].committed_offset;
  }

  // Waits up to `ms` for `group`'s offset on `topic` to be gone (-1).
  bool expires_within(const std::string& group, const std::string& topic, int ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < deadline) {
      if (committed(group, topic, 1) == -1) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // Offset retention of one minute, checked every 100 ms, so that expiry can
  // be watched; no delay before the first rebalance; short sessions allowed.
  broker_process broker_{{{"offsets.retention.minutes", "1"},
                          {"offsets.retention.check.interval.ms", "100"},
                          {"group.initial.rebalance.delay.ms", "0"},
                          {"group.min.session.timeout.ms", "500"}}};
  std::unique_ptr<wire_client> client_;
};

TEST_F(OldVersionsWire, ListOffsetsV0ListsSegmentStartsAndTheEndNewestFirst) {
  // Segments below 1 MiB are refused (KIP-1030's minimum, as in Kafka 4.0).
  EXPECT_EQ(create_topic(*client_, "tiny", 1, {{"segment.bytes", "200"}}), to_int(error_code::invalid_config));
  EXPECT_EQ(create_topic(*client_, "tiny", 1, {{"segment.ms", "1000"}}), to_int(error_code::invalid_config));
  // Segments of at most 1 MiB and batches of 600 KB: every batch below rolls a new one.
  ASSERT_EQ(create_topic(*client_, "segmented", 1, {{"segment.bytes", "1048576"}}), 0);
  auto [produce_min, produce_max] = advertised_versions(*client_).at(static_cast<int16_t>(api_key::produce));
  (void)produce_min;
  int64_t next = 0;
  for (int i = 0; i < 3; ++i) {
    std::vector<std::string> values(3, std::string(200000, static_cast<char>('a' + i)));
    auto r = produce_batch(*client_, produce_max, "segmented", 0, batch_of(values, next));
    ASSERT_EQ(r.error_code, 0);
    next += 3;
  }
  auto ask = [&](int64_t timestamp, int32_t max_num_offsets, int16_t version = 0) {
    protocol::list_offsets_request_data req;
    req.replica_id = -1;
    auto& t = req.topics.emplace_back();
    t.name = "segmented";
    auto& p = t.partitions.emplace_back();
    p.partition_index = 0;
    p.timestamp = timestamp;
    p.max_num_offsets = max_num_offsets;
    auto resp = client_->call<protocol::list_offsets_response_data>(req, version);
    if (resp.topics.size() != 1 || resp.topics[0].partitions.size() != 1) throw std::runtime_error("shape");
    return resp.topics[0].partitions[0];
  };
  // Three batches, one per segment: segments start at 0, 3 and 6; the end is 9.
  auto all = ask(-1, 100);
  EXPECT_EQ(all.error_code, 0);
  EXPECT_EQ(all.old_style_offsets, (std::vector<int64_t>{9, 6, 3, 0}));
  EXPECT_EQ(ask(-1, 2).old_style_offsets, (std::vector<int64_t>{9, 6}));
  EXPECT_EQ(ask(-1, 1).old_style_offsets, (std::vector<int64_t>{9}));
  EXPECT_EQ(ask(-2, 100).old_style_offsets, (std::vector<int64_t>{0}));
  EXPECT_TRUE(ask(-1, 0).old_style_offsets.empty());
  // By time: segment files were all written just now; nothing is older than 1970.
  EXPECT_TRUE(ask(1, 100).old_style_offsets.empty());
  EXPECT_EQ(ask(wall_ms() + 60000, 100).old_style_offsets, (std::vector<int64_t>{9, 6, 3, 0}));
  EXPECT_EQ(ask(-1, -1).error_code, to_int(error_code::invalid_request));
  // v1+ answer one offset, never the array.
  for (int16_t v = 1; v <= 3; ++v) {
    auto one = ask(-1, 100, v);
    EXPECT_EQ(one.offset, 9) << "v" << v;
    EXPECT_TRUE(one.old_style_offsets.empty()) << "v" << v;
  }
  // An unknown topic: an error and no offsets.
  protocol::list_offsets_request_data req;
  req.replica_id = -1;
  req.topics.push_back({"no-such-topic", {{0, -1, -1, 1, {}}}, {}});
  auto resp = client_->call<protocol::list_offsets_response_data>(req, 0);
  ASSERT_EQ(resp.topics.size(), 1u);
  EXPECT_EQ(resp.topics[0].partitions[0].error_code, to_int(error_code::unknown_topic_or_partition));
  EXPECT_TRUE(resp.topics[0].partitions[0].old_style_offsets.empty());
}

TEST_F(OldVersionsWire, OffsetCommitV0AndV1AreReadBackAtOffsetFetchV0AndV1) {
  ASSERT_EQ(create_topic(*client_, "commits", 1), 0);
  for (int16_t v = 0; v <= 1; ++v) {
    const std::string group = "plain-v" + std::to_string(v);
    ASSERT_EQ(commit(group, "commits", 40 + v, v), 0);
    for (int16_t f = 0; f <= 1; ++f) EXPECT_EQ(committed(group, "commits", f), 40 + v) << "commit v" << v << " fetch v" << f;
  }
  // A partition nobody committed: offset -1 and no error at v0-1.
  EXPECT_EQ(committed("never-committed", "commits", 0), -1);
}

TEST_F(OldVersionsWire, OffsetCommitV1CommitTimestampIsWhereExpiryCountsFrom) {
  ASSERT_EQ(create_topic(*client_, "stamped", 1), 0);
  // Committed "two minutes ago" under a one-minute retention: expired at the
  // next check. The same commit stamped -1 (now) stays.
  ASSERT_EQ(commit("stamped-old", "stamped", 7, 1, wall_ms() - 120000), 0);
  ASSERT_EQ(commit("stamped-now", "stamped", 8, 1, -1), 0);
  EXPECT_TRUE(expires_within("stamped-old", "stamped", 3000));
  EXPECT_EQ(committed("stamped-now", "stamped", 1), 8);
}

TEST_F(OldVersionsWire, OffsetCommitV2ToV4RetentionTimeSetsTheOffsetsOwnExpiry) {
  ASSERT_EQ(create_topic(*client_, "retained", 1), 0);
  for (int16_t v = 2; v <= 4; ++v) {
    SCOPED_TRACE("offset_commit v" + std::to_string(v));
    const std::string brief = "brief-v" + std::to_string(v), kept = "kept-v" + std::to_string(v);
    ASSERT_EQ(commit(brief, "retained", 5, v, -1, 300), 0);  // expires 300 ms from now
    ASSERT_EQ(commit(kept, "retained", 6, v, -1, -1), 0);    // the broker's retention (a minute)
    EXPECT_EQ(committed(brief, "retained", 1), 5);
    EXPECT_TRUE(expires_within(brief, "retained", 3000));
    EXPECT_EQ(committed(kept, "retained", 1), 6);
  }
  // v5+ have no retention time: the commit stays.
  ASSERT_EQ(commit("modern", "retained", 9, 5), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(committed("modern", "retained", 1), 9);
  // An explicit expiry survives a restart (stored in the record, value v1).
  ASSERT_EQ(commit("durable-expiry", "retained", 3, 2, -1, 60000), 0);
  broker_.stop_gracefully();
  broker_.start();
  client_ = std::make_unique<wire_client>(broker_.port());
  EXPECT_EQ(committed("durable-expiry", "retained", 1), 3);
}

TEST_F(OldVersionsWire, OffsetCommitRetentionTimesAtTheInt64EndsDoNotWrap) {
  // now + INT64_MAX overflowed (UBSan; in a Release build it wrapped into the
  // past, so an offset meant to be kept for ever was expired at the next check).
  ASSERT_EQ(create_topic(*client_, "ends", 1), 0);
  ASSERT_EQ(commit("forever", "ends", 4, 2, -1, std::numeric_limits<int64_t>::max()), 0);
  // An expiry before now, as Kafka computes it: gone at the next check.
  ASSERT_EQ(commit("past", "ends", 5, 3, -1, std::numeric_limits<int64_t>::min()), 0);
  // A v1 commit stamped at the dawn of time is the oldest there is (its age
  // overflowed, and in Release wrapped negative: kept for ever); one stamped at
  // the end of time is not old yet.
  ASSERT_EQ(commit("dawn", "ends", 6, 1, std::numeric_limits<int64_t>::min()), 0);
  ASSERT_EQ(commit("future", "ends", 7, 1, std::numeric_limits<int64_t>::max()), 0);
  EXPECT_TRUE(expires_within("past", "ends", 3000));
  EXPECT_TRUE(expires_within("dawn", "ends", 3000));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // four more checks
  EXPECT_EQ(committed("forever", "ends", 1), 4);
  EXPECT_EQ(committed("future", "ends", 1), 7);
}

TEST_F(OldVersionsWire, JoinGroupV0WaitsTheSessionTimeoutForAMemberThatDoesNotRejoin) {
  ASSERT_EQ(create_topic(*client_, "joined", 1), 0);
  auto join = [&](wire_client& c, const std::string& member, int32_t session_ms, int32_t rebalance_ms,
                  int16_t version) {
    protocol::join_group_request_data req;
    req.group_id = "v0-group";
    req.session_timeout_ms = session_ms;
    req.rebalance_timeout_ms = rebalance_ms;
    req.member_id = member;
    req.protocol_type = "consumer";
    req.protocols.push_back({"range", consumer_subscription({"joined"}), {}});
    return c.call<protocol::join_group_response_data>(req, version);
  };
  // The first member joins at v0 with a 1.5 s session (v0 has no rebalance
  // timeout field; a rebalance_timeout_ms set here is not even sent).
  auto first = join(*client_, "", 1500, 600000, 0);
  ASSERT_EQ(first.error_code, 0);
  protocol::sync_group_request_data sync;
  sync.group_id = "v0-group";
  sync.generation_id = first.generation_id;
  sync.member_id = first.member_id;
  sync.assignments.push_back({first.member_id, consumer_assignment("joined", {0}), {}});
  ASSERT_EQ(client_->call<protocol::sync_group_response_data>(sync, 0).error_code, 0);

  // A second member joins; the first keeps heartbeating (so its session
  // stays alive) but never rejoins. The rebalance waits for it as long as its
  // rebalance timeout, which at v0 is its session timeout: about 1.5 s, not
  // the 600 s a v1+ member could have asked for.
  std::atomic<bool> done{false};
  std::thread heartbeats([&] {
    protocol::heartbeat_request_data hb;
    hb.group_id = "v0-group";
    hb.generation_id = first.generation_id;
    hb.member_id = first.member_id;
    while (!done.load()) {
      auto r = client_->call<protocol::heartbeat_response_data>(hb, 0);
      if (r.error_code == to_int(error_code::unknown_member_id)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  wire_client second_client(broker_.port());
  const auto started = std::chrono::steady_clock::now();
  auto second = join(second_client, "", 1500, 600000, 0);
  const auto waited =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  done = true;
  heartbeats.join();
  EXPECT_EQ(second.error_code, 0);
  EXPECT_EQ(second.leader, second.member_id);  // the first member was removed
  EXPECT_EQ(second.members.size(), 1u);
  EXPECT_GE(waited, 1000);
  EXPECT_LT(waited, 10000);
}

TEST_F(OldVersionsWire, MetadataV0EmptyListMeansEveryTopic) {
  ASSERT_EQ(create_topic(*client_, "meta-a", 1), 0);
  ASSERT_EQ(create_topic(*client_, "meta-b", 1), 0);
  const std::vector<std::string> both{"meta-a", "meta-b"};
  EXPECT_EQ(metadata_topic_names(std::vector<std::string>{}, 0), both);
  for (int16_t v = 1; v <= 13; ++v) {
    SCOPED_TRACE("metadata v" + std::to_string(v));
    EXPECT_TRUE(metadata_topic_names(std::vector<std::string>{}, v).empty());  // v1+: empty = none
    EXPECT_EQ(metadata_topic_names(std::nullopt, v), both);                    // null = all
  }
  EXPECT_EQ(metadata_topic_names(std::vector<std::string>{"meta-b"}, 0), std::vector<std::string>{"meta-b"});
  // v0-3 cannot say "do not create": a missing topic is created (auto.create.topics.enable).
  for (int16_t v = 0; v <= 3; ++v) {
    const std::string name = "auto-v" + std::to_string(v);
    protocol::metadata_request_data req;
    req.topics.emplace();
    req.topics->push_back({{}, name, {}});
    auto resp = client_->call<protocol::metadata_response_data>(req, v);
    ASSERT_EQ(resp.topics.size(), 1u);
    EXPECT_EQ(resp.topics[0].error_code, 0) << "v" << v;
    EXPECT_FALSE(resp.topics[0].partitions.empty()) << "v" << v;
  }
}

TEST_F(OldVersionsWire, MetadataV13CarriesTheTopLevelErrorCode) {
  ASSERT_EQ(create_topic(*client_, "meta13", 1), 0);
  protocol::metadata_request_data req;
  req.topics = std::nullopt;
  auto resp = client_->call<protocol::metadata_response_data>(req, 13);
  // KIP-1102: REBOOTSTRAP_REQUIRED would tell a client to go back to its
  // bootstrap servers; this single broker never needs that, so 0.
  EXPECT_EQ(resp.error_code, 0);
  EXPECT_EQ(resp.brokers.size(), 1u);
  // A v12 answer has no such field: the same body decodes without it (the
  // wire client rejects trailing bytes).
  auto v12 = client_->call<protocol::metadata_response_data>(req, 12);
  EXPECT_EQ(v12.topics.size(), resp.topics.size());
}

TEST_F(OldVersionsWire, ApiVersionsFindCoordinatorAndTopicAdminAtTheirFirstVersions) {
  for (int16_t v = 0; v <= 2; ++v) {
    protocol::api_versions_request_data req;
    auto resp = client_->call<protocol::api_versions_response_data>(req, v);
    EXPECT_EQ(resp.error_code, 0) << "v" << v;
    bool lists_itself = false;
    for (const auto& k : resp.api_keys) lists_itself |= k.api_key == static_cast<int16_t>(api_key::api_versions);
    EXPECT_TRUE(lists_itself) << "v" << v;
  }
  protocol::find_coordinator_request_data fc;
  fc.key = "any-group";
  auto coordinator = client_->call<protocol::find_coordinator_response_data>(fc, 0);
  EXPECT_EQ(coordinator.error_code, 0);
  EXPECT_EQ(coordinator.port, broker_.port());

  // CreateTopics v0 creates; v1 can only validate.
  for (int16_t v = 0; v <= 1; ++v) {
    protocol::create_topics_request_data req;
    req.timeout_ms = 10000;
    auto& t = req.topics.emplace_back();
    t.name = "admin-v" + std::to_string(v);
    t.num_partitions = 2;
    t.replication_factor = 1;
    auto resp = client_->call<protocol::create_topics_response_data>(req, v);
    ASSERT_EQ(resp.topics.size(), 1u);
    EXPECT_EQ(resp.topics[0].error_code, 0) << "v" << v;
  }
  protocol::create_topics_request_data only_validate;
  only_validate.timeout_ms = 10000;
  only_validate.validate_only = true;
  only_validate.topics.push_back({});
  only_validate.topics[0].name = "validated-only";
  only_validate.topics[0].num_partitions = 1;
  only_validate.topics[0].replication_factor = 1;
  auto validated = client_->call<protocol::create_topics_response_data>(only_validate, 1);
  ASSERT_EQ(validated.topics.size(), 1u);
  EXPECT_EQ(validated.topics[0].error_code, 0);
  EXPECT_EQ(metadata_topic_names(std::vector<std::string>{}, 0),
            (std::vector<std::string>{"admin-v0", "admin-v1"}));

  // DeleteTopics v0.
  protocol::delete_topics_request_data del;
  del.timeout_ms = 10000;
  del.topic_names = {"admin-v0"};
  auto deleted = client_->call<protocol::delete_topics_response_data>(del, 0);
  ASSERT_EQ(deleted.responses.size(), 1u);
  EXPECT_EQ(deleted.responses[0].error_code, 0);
  EXPECT_EQ(metadata_topic_names(std::vector<std::string>{}, 0), std::vector<std::string>{"admin-v1"});
}

TEST_F(OldVersionsWire, DescribeTopicPartitionsPagesByCursor) {
  ASSERT_EQ(create_topic(*client_, "dtp-a", 3), 0);
  ASSERT_EQ(create_topic(*client_, "dtp-b", 2), 0);
  ASSERT_EQ(create_topic(*client_, "dtp-c", 1), 0);
  using req_t = protocol::describe_topic_partitions_request_data;
  using resp_t = protocol::describe_topic_partitions_response_data;
  auto ask = [&](std::vector<std::string> names, int32_t limit, std::optional<std::pair<std::string, int32_t>> cursor) {
    req_t req;
    for (auto& n : names) req.topics.push_back({n, {}});
    req.response_partition_limit = limit;
    if (cursor) {
      req.cursor.emplace();
      req.cursor->topic_name = cursor->first;
      req.cursor->partition_index = cursor->second;
    }
    return client_->call<resp_t>(req, 0);
  };
  // "topic:first-last" per topic, then the cursor.
  auto shape = [](const resp_t& r) {
    std::string out;
    for (const auto& t : r.topics) {
      out += t.name.value_or("?") + ":" + std::to_string(t.error_code);
      for (const auto& p : t.partitions) out += "," + std::to_string(p.partition_index);
      out += " ";
    }
    if (r.next_cursor) out += "next=" + r.next_cursor->topic_name + "/" + std::to_string(r.next_cursor->partition_index);
    return out;
  };
  EXPECT_EQ(shape(ask({}, 4, std::nullopt)), "dtp-a:0,0,1,2 dtp-b:0,0 next=dtp-b/1");
  EXPECT_EQ(shape(ask({}, 4, std::make_pair("dtp-b", 1))), "dtp-b:0,1 dtp-c:0,0 ");
  EXPECT_EQ(shape(ask({}, 3, std::nullopt)), "dtp-a:0,0,1,2 next=dtp-b/0");
  EXPECT_EQ(shape(ask({}, 2000, std::nullopt)), "dtp-a:0,0,1,2 dtp-b:0,0,1 dtp-c:0,0 ");
  // By name: sorted, unknown and impossible names reported.
  const auto unknown = std::to_string(to_int(error_code::unknown_topic_or_partition));
  const auto invalid_name = std::to_string(to_int(error_code::invalid_topic_exception));
  EXPECT_EQ(shape(ask({"nope", "dtp-c", "bad/name"}, 100, std::nullopt)),
            "bad/name:" + invalid_name + " dtp-c:0,0 nope:" + unknown + " ");
  // A cursor must name a listed topic and a partition >= 0.
  const auto bad = std::to_string(to_int(error_code::invalid_request));
  EXPECT_EQ(shape(ask({"dtp-a"}, 100, std::make_pair("dtp-b", 0))), "dtp-a:" + bad + " ");
  EXPECT_EQ(shape(ask({"dtp-a"}, 100, std::make_pair("dtp-a", -1))), "dtp-a:" + bad + " ");
  // The partition details: this broker leads, no eligible leader replicas.
  auto one = ask({"dtp-c"}, 100, std::nullopt);
  ASSERT_EQ(one.topics.size(), 1u);
  ASSERT_EQ(one.topics[0].partitions.size(), 1u);
  const auto& p = one.topics[0].partitions[0];
  EXPECT_GE(p.leader_id, 0);
  EXPECT_EQ(p.replica_nodes, std::vector<int32_t>{p.leader_id});
  EXPECT_EQ(p.isr_nodes, std::vector<int32_t>{p.leader_id});
  ASSERT_TRUE(p.eligible_leader_replicas.has_value());
  EXPECT_TRUE(p.eligible_leader_replicas->empty());
  EXPECT_NE(one.topics[0].topic_id, protocol::uuid{});
}

}  // namespace
}  // namespace samsa::wire_test
