// The versions Kafka 4.1 to 4.3 added to APIs this broker already served,
// each at exactly that version against a real `samsa serve`, with the error
// cases Kafka answers (docs/api-versions.md lists them):
// - Produce v13 (KIP-516): topics by id in the request and the answer; an id
//   no topic has is UNKNOWN_TOPIC_ID, also the id of a topic deleted and
//   made again under the same name;
// - Fetch v18 (KIP-1166): the follower's high watermark, a tagged field a
//   consumer never sends, read past;
// - ListOffsets v11 (KIP-1023): timestamp -6, earliest pending upload, is -1
//   without tiered storage (no leader epoch either); below the version that
//   introduced it a special timestamp is UNSUPPORTED_VERSION;
// - OffsetCommit and OffsetFetch v10: topics by id (UNKNOWN_TOPIC_ID), the
//   offsets the same as those committed and read by name;
// - DescribeGroups v6 (KIP-1043): an unknown group is GROUP_ID_NOT_FOUND with
//   a message (before v6: Dead, no error).
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <optional>
#include <tuple>
#include <string>
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

// A topic id no topic has (ids are random version-4 UUIDs).
protocol::uuid unknown_id() {
  protocol::uuid id;
  id.bytes.fill(0x5a);
  return id;
}

class NewestVersionsWire : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
    ASSERT_EQ(create_topic(*client_, topic_, 2), 0);
    topic_id_ = topic_id_of(*client_, topic_);
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }

  protocol::produce_response_data produce_v13(const protocol::uuid& id, int32_t partition,
                                              const std::vector<std::string>& values) {
    protocol::produce_request_data req;
    req.acks = -1;
    req.timeout_ms = 10000;
    auto& t = req.topic_data.emplace_back();
    t.topic_id = id;
    auto& p = t.partition_data.emplace_back();
    p.index = partition;
    p.records = protocol::records::copy(batch_of(values, 0));
    return client_->call<protocol::produce_response_data>(req, 13);
  }

  protocol::fetch_response_data fetch_v18(const protocol::uuid& id, int32_t partition, int64_t offset) {
    protocol::fetch_request_data req;
    req.max_wait_ms = 0;
    req.min_bytes = 1;
    req.max_bytes = 1 << 20;
    auto& t = req.topics.emplace_back();
    t.topic_id = id;
    auto& p = t.partitions.emplace_back();
    p.partition = partition;
    p.fetch_offset = offset;
    p.partition_max_bytes = 1 << 20;
    // What a KRaft follower sends (KIP-1166); a consumer leaves it out.
    p.high_watermark = 3;
    return client_->call<protocol::fetch_response_data>(req, 18);
  }

  int64_t high_watermark(int32_t partition) {
    auto resp = fetch_v18(topic_id_, partition, 0);
    return resp.responses.at(0).partitions.at(0).high_watermark;
  }

  // ListOffsets of `timestamp` on partition 0 at `version`: (error, offset, leader epoch).
  std::tuple<int16_t, int64_t, int32_t> list_offset(int64_t timestamp, int16_t version) {
    protocol::list_offsets_request_data req;
    req.replica_id = -1;
    auto& t = req.topics.emplace_back();
    t.name = topic_;
    auto& p = t.partitions.emplace_back();
    p.partition_index = 0;
    p.timestamp = timestamp;
    auto resp = client_->call<protocol::list_offsets_response_data>(req, version);
    const auto& answer = resp.topics.at(0).partitions.at(0);
    return {answer.error_code, answer.offset, answer.leader_epoch};
  }

  protocol::offset_commit_response_data commit_v10(const std::string& group, const protocol::uuid& id,
                                                   int64_t offset) {
    protocol::offset_commit_request_data req;
    req.group_id = group;
    req.generation_id_or_member_epoch = -1;
    auto& t = req.topics.emplace_back();
    t.topic_id = id;
    for (int32_t p = 0; p < 2; ++p) {
      auto& part = t.partitions.emplace_back();
      part.partition_index = p;
      part.committed_offset = offset + p;
      part.committed_metadata = "at-" + std::to_string(offset + p);
    }
    return client_->call<protocol::offset_commit_response_data>(req, 10);
  }

  using fetch_topics = std::vector<protocol::offset_fetch_request_data::offset_fetch_request_group::offset_fetch_request_topics>;

  protocol::offset_fetch_response_data fetch_offsets(const std::string& group, std::optional<fetch_topics> topics,
                                                     int16_t version) {
    protocol::offset_fetch_request_data req;
    auto& g = req.groups.emplace_back();
    g.group_id = group;
    g.topics = std::move(topics);
    return client_->call<protocol::offset_fetch_response_data>(req, version);
  }

  broker_process broker_;
  std::unique_ptr<wire_client> client_;
  std::string topic_ = "newest";
  protocol::uuid topic_id_;
};

TEST_F(NewestVersionsWire, AdvertisesTheNewestVersions) {
  auto versions = advertised_versions(*client_);
  EXPECT_EQ(versions.at(static_cast<int16_t>(api_key::produce)).second, 13);
  EXPECT_EQ(versions.at(static_cast<int16_t>(api_key::fetch)).second, 18);
  EXPECT_EQ(versions.at(static_cast<int16_t>(api_key::list_offsets)).second, 11);
  EXPECT_EQ(versions.at(static_cast<int16_t>(api_key::offset_commit)).second, 10);
  EXPECT_EQ(versions.at(static_cast<int16_t>(api_key::offset_fetch)).second, 10);
  EXPECT_EQ(versions.at(static_cast<int16_t>(api_key::describe_groups)).second, 6);
}

TEST_F(NewestVersionsWire, ProduceV13WritesByTopicIdAndAnswersWithIt) {
  auto resp = produce_v13(topic_id_, 1, {"a", "b"});
  ASSERT_EQ(resp.responses.size(), 1u);
  EXPECT_EQ(resp.responses[0].topic_id, topic_id_);
  EXPECT_EQ(resp.responses[0].name, "");  // not on the wire at v13
  ASSERT_EQ(resp.responses[0].partition_responses.size(), 1u);
  const auto& p = resp.responses[0].partition_responses[0];
  EXPECT_EQ(p.index, 1);
  EXPECT_EQ(p.error_code, 0);
  EXPECT_EQ(p.base_offset, 0);
  EXPECT_EQ(high_watermark(1), 2);
  EXPECT_EQ(high_watermark(0), 0);
  // The next append follows on.
  EXPECT_EQ(produce_v13(topic_id_, 1, {"c"}).responses[0].partition_responses[0].base_offset, 2);
}

TEST_F(NewestVersionsWire, ProduceV13UnknownTopicIdStoresNothing) {
  for (const protocol::uuid& id : {unknown_id(), protocol::uuid{}}) {
    SCOPED_TRACE(id.to_string());
    auto resp = produce_v13(id, 0, {"lost"});
    ASSERT_EQ(resp.responses.size(), 1u);
    EXPECT_EQ(resp.responses[0].topic_id, id);
    const auto& p = resp.responses[0].partition_responses.at(0);
    EXPECT_EQ(p.error_code, to_int(error_code::unknown_topic_id));
    EXPECT_EQ(p.base_offset, -1);
  }
  // A known id with a partition it does not have.
  EXPECT_EQ(produce_v13(topic_id_, 9, {"x"}).responses[0].partition_responses[0].error_code,
            to_int(error_code::unknown_topic_or_partition));
  EXPECT_EQ(high_watermark(0), 0);
  EXPECT_EQ(high_watermark(1), 0);
}

// The point of KIP-516: a producer holding the id of a deleted topic cannot
// write into a new topic that took its name.
TEST_F(NewestVersionsWire, ProduceV13ToADeletedTopicsIdIsRefusedAfterRecreation) {
  const protocol::uuid old_id = topic_id_;
  protocol::delete_topics_request_data del;
  del.topic_names = {topic_};
  del.timeout_ms = 10000;
  auto deleted = client_->call<protocol::delete_topics_response_data>(del, 5);
  ASSERT_EQ(deleted.responses.at(0).error_code, 0);
  ASSERT_EQ(create_topic(*client_, topic_, 2), 0);
  const protocol::uuid new_id = topic_id_of(*client_, topic_);
  ASSERT_NE(new_id, old_id);
  EXPECT_EQ(produce_v13(old_id, 0, {"stale"}).responses[0].partition_responses[0].error_code,
            to_int(error_code::unknown_topic_id));
  topic_id_ = new_id;
  EXPECT_EQ(high_watermark(0), 0);
  EXPECT_EQ(produce_v13(new_id, 0, {"fresh"}).responses[0].partition_responses[0].error_code, 0);
  EXPECT_EQ(high_watermark(0), 1);
}

TEST_F(NewestVersionsWire, FetchV18ReadsPastTheFollowersHighWatermark) {
  ASSERT_EQ(produce_v13(topic_id_, 0, {"r0", "r1", "r2"}).responses[0].partition_responses[0].error_code, 0);
  auto resp = fetch_v18(topic_id_, 0, 1);
  ASSERT_EQ(resp.responses.size(), 1u);
  EXPECT_EQ(resp.responses[0].topic_id, topic_id_);
  const auto& p = resp.responses[0].partitions.at(0);
  EXPECT_EQ(p.error_code, 0);
  EXPECT_EQ(p.high_watermark, 3);
  ASSERT_TRUE(p.records.has_value());
  EXPECT_GT(p.records->size(), 0u);

  auto unknown = fetch_v18(unknown_id(), 0, 0);
  ASSERT_EQ(unknown.responses.size(), 1u);
  EXPECT_EQ(unknown.responses[0].topic_id, unknown_id());
  EXPECT_EQ(unknown.responses[0].partitions.at(0).error_code, to_int(error_code::unknown_topic_id));
}

TEST_F(NewestVersionsWire, ListOffsetsV11EarliestPendingUploadIsNoneWithoutTieredStorage) {
  ASSERT_EQ(produce_v13(topic_id_, 0, {"o0", "o1"}).responses[0].partition_responses[0].error_code, 0);
  EXPECT_EQ(list_offset(-6, 11), std::make_tuple(int16_t{0}, int64_t{-1}, int32_t{-1}));
  EXPECT_EQ(list_offset(-5, 11), std::make_tuple(int16_t{0}, int64_t{-1}, int32_t{-1}));
  EXPECT_EQ(list_offset(-1, 11), std::make_tuple(int16_t{0}, int64_t{2}, int32_t{0}));
  EXPECT_EQ(list_offset(-2, 11), std::make_tuple(int16_t{0}, int64_t{0}, int32_t{0}));
  // A time past every record: no offset, and no epoch with it.
  EXPECT_EQ(list_offset(base_timestamp + 1000, 11), std::make_tuple(int16_t{0}, int64_t{-1}, int32_t{-1}));
  // Below the version that introduced it, a special timestamp is refused, as
  // Kafka 4.2 refuses it (not taken for a time before every record), and so
  // is a negative timestamp that is none of them.
  const int16_t unsupported = to_int(error_code::unsupported_version);
  EXPECT_EQ(std::get<0>(list_offset(-6, 10)), unsupported);
  EXPECT_EQ(std::get<0>(list_offset(-5, 8)), unsupported);
  EXPECT_EQ(std::get<0>(list_offset(-4, 7)), unsupported);
  EXPECT_EQ(std::get<0>(list_offset(-3, 6)), unsupported);
  EXPECT_EQ(std::get<0>(list_offset(-7, 11)), unsupported);
  EXPECT_EQ(std::get<0>(list_offset(-5, 9)), 0);

  protocol::list_offsets_request_data req;
  req.replica_id = -1;
  auto& t = req.topics.emplace_back();
  t.name = "no-such-topic";
  t.partitions.emplace_back().timestamp = -6;
  auto resp = client_->call<protocol::list_offsets_response_data>(req, 11);
  EXPECT_EQ(resp.topics.at(0).partitions.at(0).error_code, to_int(error_code::unknown_topic_or_partition));
}

TEST_F(NewestVersionsWire, OffsetCommitAndFetchV10ByTopicId) {
  auto committed = commit_v10("by-id", topic_id_, 40);
  ASSERT_EQ(committed.topics.size(), 1u);
  EXPECT_EQ(committed.topics[0].topic_id, topic_id_);
  ASSERT_EQ(committed.topics[0].partitions.size(), 2u);
  for (const auto& p : committed.topics[0].partitions) EXPECT_EQ(p.error_code, 0) << p.partition_index;

  // Read back by id (v10) ...
  auto by_id = fetch_offsets("by-id", fetch_topics{{.topic_id = topic_id_, .partition_indexes = {0, 1}}}, 10);
  ASSERT_EQ(by_id.groups.size(), 1u);
  EXPECT_EQ(by_id.groups[0].error_code, 0);
  ASSERT_EQ(by_id.groups[0].topics.size(), 1u);
  EXPECT_EQ(by_id.groups[0].topics[0].topic_id, topic_id_);
  ASSERT_EQ(by_id.groups[0].topics[0].partitions.size(), 2u);
  EXPECT_EQ(by_id.groups[0].topics[0].partitions[0].committed_offset, 40);
  EXPECT_EQ(by_id.groups[0].topics[0].partitions[1].committed_offset, 41);
  EXPECT_EQ(by_id.groups[0].topics[0].partitions[1].metadata, "at-41");

  // ... by name (v9): the same offsets, kept under the topic's name.
  auto by_name = fetch_offsets("by-id", fetch_topics{{.name = topic_, .partition_indexes = {0, 1}}}, 9);
  ASSERT_EQ(by_name.groups.at(0).topics.size(), 1u);
  EXPECT_EQ(by_name.groups[0].topics[0].name, topic_);
  EXPECT_EQ(by_name.groups[0].topics[0].partitions.at(0).committed_offset, 40);

  // ... and every committed topic (null topics), named by id at v10.
  auto all = fetch_offsets("by-id", std::nullopt, 10);
  ASSERT_EQ(all.groups.at(0).topics.size(), 1u);
  EXPECT_EQ(all.groups[0].topics[0].topic_id, topic_id_);
  EXPECT_EQ(all.groups[0].topics[0].partitions.size(), 2u);
}

TEST_F(NewestVersionsWire, OffsetCommitAndFetchV10UnknownTopicId) {
  auto committed = commit_v10("unknown-id", unknown_id(), 7);
  ASSERT_EQ(committed.topics.size(), 1u);
  EXPECT_EQ(committed.topics[0].topic_id, unknown_id());
  ASSERT_EQ(committed.topics[0].partitions.size(), 2u);
  for (const auto& p : committed.topics[0].partitions) {
    EXPECT_EQ(p.error_code, to_int(error_code::unknown_topic_id)) << p.partition_index;
  }
  // Nothing was stored for the group.
  auto all = fetch_offsets("unknown-id", std::nullopt, 9);
  EXPECT_TRUE(all.groups.at(0).topics.empty());

  // A fetch naming a known and an unknown id: the unknown one's partitions
  // answer UNKNOWN_TOPIC_ID, the known one's as usual.
  ASSERT_EQ(commit_v10("mixed", topic_id_, 3).topics[0].partitions[0].error_code, 0);
  auto mixed = fetch_offsets("mixed",
                             fetch_topics{{.topic_id = unknown_id(), .partition_indexes = {0}},
                                          {.topic_id = topic_id_, .partition_indexes = {0}}},
                             10);
  ASSERT_EQ(mixed.groups.at(0).error_code, 0);
  const auto& topics = mixed.groups[0].topics;
  ASSERT_EQ(topics.size(), 2u);
  bool saw_known = false, saw_unknown = false;
  for (const auto& t : topics) {
    ASSERT_EQ(t.partitions.size(), 1u);
    if (t.topic_id == topic_id_) {
      saw_known = true;
      EXPECT_EQ(t.partitions[0].error_code, 0);
      EXPECT_EQ(t.partitions[0].committed_offset, 3);
    } else {
      saw_unknown = true;
      EXPECT_EQ(t.topic_id, unknown_id());
      EXPECT_EQ(t.partitions[0].error_code, to_int(error_code::unknown_topic_id));
      EXPECT_EQ(t.partitions[0].committed_offset, -1);
    }
  }
  EXPECT_TRUE(saw_known);
  EXPECT_TRUE(saw_unknown);
}

TEST_F(NewestVersionsWire, DescribeGroupsV6UnknownGroupIsNotFound) {
  protocol::describe_groups_request_data req;
  req.groups = {"never-was"};
  auto v6 = client_->call<protocol::describe_groups_response_data>(req, 6);
  ASSERT_EQ(v6.groups.size(), 1u);
  EXPECT_EQ(v6.groups[0].error_code, to_int(error_code::group_id_not_found));
  EXPECT_EQ(v6.groups[0].error_message, std::optional<std::string>("Group never-was not found."));
  EXPECT_EQ(v6.groups[0].group_state, "Dead");
  // Before v6 the same group is Dead with no error.
  auto v5 = client_->call<protocol::describe_groups_response_data>(req, 5);
  EXPECT_EQ(v5.groups.at(0).error_code, 0);
  EXPECT_EQ(v5.groups[0].group_state, "Dead");
  // A group with offsets only (no members) exists: Empty, no error, no message.
  ASSERT_EQ(commit_v10("offsets-only", topic_id_, 1).topics[0].partitions[0].error_code, 0);
  req.groups = {"offsets-only"};
  auto empty = client_->call<protocol::describe_groups_response_data>(req, 6);
  EXPECT_EQ(empty.groups.at(0).error_code, 0);
  EXPECT_EQ(empty.groups[0].error_message, std::nullopt);
  EXPECT_EQ(empty.groups[0].group_state, "Empty");
}

}  // namespace
}  // namespace samsa::wire_test
