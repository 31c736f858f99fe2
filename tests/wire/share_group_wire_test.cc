// Share groups (KIP-932) over the wire against a real `samsa serve`, at the
// exact versions Kafka 4.1+ defines: ShareGroupHeartbeat v1, ShareGroupDescribe
// v1, ShareFetch v1-2, ShareAcknowledge v1-2, the share-offset admin APIs v0,
// the GROUP config resource, ListGroups/DescribeGroups, and the share state
// surviving SIGKILL (no accepted record delivered again, no released one lost).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "broker_process.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "record/batch_builder.h"
#include "record/record.h"
#include "record/split.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using protocol::api_key;
using protocol::error_code;
using protocol::to_int;

constexpr int8_t accept_t = 1;
constexpr int8_t release_t = 2;
constexpr int8_t reject_t = 3;
constexpr int8_t renew_t = 4;

using fetch_req = protocol::share_fetch_request_data;
using fetch_resp = protocol::share_fetch_response_data;
using ack_req = protocol::share_acknowledge_request_data;
using ack_resp = protocol::share_acknowledge_response_data;
using hb_req = protocol::share_group_heartbeat_request_data;
using hb_resp = protocol::share_group_heartbeat_response_data;

// (offset, value, delivery count) of every record a ShareFetch handed out.
struct delivered {
  int64_t offset;
  std::string value;
  int16_t delivery_count;
  bool operator==(const delivered&) const = default;
};

std::ostream& operator<<(std::ostream& os, const delivered& d) {
  return os << "{" << d.offset << ", " << d.value << ", dc=" << d.delivery_count << "}";
}

std::vector<delivered> records_of(const fetch_resp& resp) {
  std::vector<delivered> out;
  for (const auto& t : resp.responses) {
    for (const auto& p : t.partitions) {
      if (!p.records) throw std::runtime_error("null records");
      auto batches = record::split_batches(p.records->bytes(), record::split_mode::lenient);
      if (!batches.ok()) throw std::runtime_error(batches.err().describe());
      std::map<int64_t, std::string> values;
      for (const auto& b : batches.value()) {
        auto decoded = record::decode_records(b.bytes);
        if (!decoded.ok()) throw std::runtime_error(decoded.err().describe());
        for (const auto& r : decoded.value()) values[r.offset] = r.value ? std::string(r.value->begin(), r.value->end()) : "";
      }
      for (const auto& a : p.acquired_records) {
        for (int64_t o = a.first_offset; o <= a.last_offset; ++o) {
          auto v = values.find(o);
          if (v == values.end()) throw std::runtime_error("acquired offset " + std::to_string(o) + " not in the bytes");
          out.push_back({o, v->second, a.delivery_count});
        }
      }
    }
  }
  return out;
}

class ShareWire : public ::testing::Test {
 protected:
  explicit ShareWire(std::map<std::string, std::string> settings = {}) : broker_(std::move(settings)) {}

  void SetUp() override {
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }

  protocol::uuid make_topic(const std::string& name, int32_t partitions = 1) {
    EXPECT_EQ(create_topic(*client_, name, partitions), 0);
    protocol::metadata_request_data req;
    req.topics.emplace().emplace_back().name = name;
    auto resp = client_->call<protocol::metadata_response_data>(req, 12);
    return resp.topics.at(0).topic_id;
  }

  void produce(const std::string& topic, const std::vector<std::string>& values, int32_t partition = 0) {
    auto r = produce_batch(*client_, 9, topic, partition, batch_of(values, 0));
    ASSERT_EQ(r.error_code, 0);
  }

  hb_resp heartbeat(const std::string& group, const std::string& member, int32_t epoch,
                    std::optional<std::vector<std::string>> topics = std::nullopt) {
    hb_req req;
    req.group_id = group;
    req.member_id = member;
    req.member_epoch = epoch;
    req.subscribed_topic_names = std::move(topics);
    return client_->call<hb_resp>(req, 1);
  }

  // Sets the group's share.auto.offset.reset through IncrementalAlterConfigs.
  int16_t set_group_config(const std::string& group, const std::string& name, std::optional<std::string> value,
                           int8_t operation = 0) {
    protocol::incremental_alter_configs_request_data req;
    auto& r = req.resources.emplace_back();
    r.resource_type = 32;
    r.resource_name = group;
    auto& c = r.configs.emplace_back();
    c.name = name;
    c.config_operation = operation;
    c.value = std::move(value);
    return client_->call<protocol::incremental_alter_configs_response_data>(req, 1).responses.at(0).error_code;
  }

  static fetch_req fetch_request(const std::string& group, const std::string& member, int32_t epoch,
                                 const protocol::uuid& topic, int32_t max_records = 100, int32_t max_wait_ms = 0) {
    fetch_req req;
    req.group_id = group;
    req.member_id = member;
    req.share_session_epoch = epoch;
    req.max_wait_ms = max_wait_ms;
    req.min_bytes = 1;
    req.max_records = max_records;
    req.batch_size = max_records;
    auto& t = req.topics.emplace_back();
    t.topic_id = topic;
    t.partitions.emplace_back().partition_index = 0;
    return req;
  }

  static void add_ack(fetch_req& req, int64_t first, int64_t last, std::vector<int8_t> types) {
    req.topics.at(0).partitions.at(0).acknowledgement_batches.push_back({first, last, std::move(types), {}});
  }

  ack_resp acknowledge(const std::string& group, const std::string& member, int32_t epoch, const protocol::uuid& topic,
                       int64_t first, int64_t last, std::vector<int8_t> types, int16_t version = 1,
                       bool renew = false) {
    ack_req req;
    req.group_id = group;
    req.member_id = member;
    req.share_session_epoch = epoch;
    req.is_renew_ack = renew;
    auto& t = req.topics.emplace_back();
    t.topic_id = topic;
    auto& p = t.partitions.emplace_back();
    p.partition_index = 0;
    p.acknowledgement_batches.push_back({first, last, std::move(types), {}});
    return client_->call<ack_resp>(req, version);
  }

  int64_t start_offset(const std::string& group, const std::string& topic) {
    protocol::describe_share_group_offsets_request_data req;
    auto& g = req.groups.emplace_back();
    g.group_id = group;
    g.topics.emplace().push_back({topic, {0}, {}});
    auto resp = client_->call<protocol::describe_share_group_offsets_response_data>(req, 0);
    return resp.groups.at(0).topics.at(0).partitions.at(0).start_offset;
  }

  // DescribeShareGroupOffsets v1's lag of partition 0.
  int64_t lag(const std::string& group, const std::string& topic) {
    protocol::describe_share_group_offsets_request_data req;
    auto& g = req.groups.emplace_back();
    g.group_id = group;
    g.topics.emplace().push_back({topic, {0}, {}});
    auto resp = client_->call<protocol::describe_share_group_offsets_response_data>(req, 1);
    return resp.groups.at(0).topics.at(0).partitions.at(0).lag;
  }

  broker_process broker_;
  std::unique_ptr<wire_client> client_;
};

TEST_F(ShareWire, AdvertisesTheShareApisAndTheShareVersionFeature) {
  auto versions = advertised_versions(*client_);
  EXPECT_EQ(versions.at(76), (std::pair<int16_t, int16_t>{1, 1}));
  EXPECT_EQ(versions.at(77), (std::pair<int16_t, int16_t>{1, 1}));
  EXPECT_EQ(versions.at(78), (std::pair<int16_t, int16_t>{1, 2}));
  EXPECT_EQ(versions.at(79), (std::pair<int16_t, int16_t>{1, 2}));
  EXPECT_EQ(versions.at(90), (std::pair<int16_t, int16_t>{0, 1}));
  for (int16_t key : {91, 92}) EXPECT_EQ(versions.at(key), (std::pair<int16_t, int16_t>{0, 0}));
  auto resp = client_->call<protocol::api_versions_response_data>(protocol::api_versions_request_data{}, 3);
  bool finalized = false;
  for (const auto& f : resp.finalized_features) {
    if (f.name == "share.version") finalized = f.min_version_level == 1 && f.max_version_level == 1;
  }
  EXPECT_TRUE(finalized);
}

TEST_F(ShareWire, MembersShareOnePartitionWithEpochsFencingAndDescribe) {
  auto topic_id = make_topic("queue");
  auto a = heartbeat("g", "member-a", 0, std::vector<std::string>{"queue"});
  ASSERT_EQ(a.error_code, 0) << a.error_message.value_or("");
  EXPECT_EQ(a.member_epoch, 1);
  EXPECT_EQ(a.heartbeat_interval_ms, 5000);
  ASSERT_TRUE(a.assignment);
  ASSERT_EQ(a.assignment->topic_partitions.size(), 1u);
  EXPECT_EQ(a.assignment->topic_partitions[0].topic_id, topic_id);
  EXPECT_EQ(a.assignment->topic_partitions[0].partitions, std::vector<int32_t>{0});
  auto b = heartbeat("g", "member-b", 0, std::vector<std::string>{"queue"});
  EXPECT_EQ(b.member_epoch, 2);
  EXPECT_EQ(b.assignment->topic_partitions.at(0).partitions, std::vector<int32_t>{0});  // shared

  // a learns the new epoch on its next heartbeat with the one it holds.
  EXPECT_EQ(heartbeat("g", "member-a", 2).error_code, to_int(error_code::fenced_member_epoch));
  EXPECT_EQ(heartbeat("g", "member-a", 1).member_epoch, 2);
  EXPECT_EQ(heartbeat("g", "member-a", 1).error_code, to_int(error_code::fenced_member_epoch));
  EXPECT_EQ(heartbeat("g", "member-a", 2).member_epoch, 2);
  EXPECT_EQ(heartbeat("g", "nobody", 2).error_code, to_int(error_code::unknown_member_id));
  EXPECT_EQ(heartbeat("g", "", 0, std::vector<std::string>{"queue"}).error_code, to_int(error_code::invalid_request));
  EXPECT_EQ(heartbeat("g", "member-c", 0).error_code, to_int(error_code::invalid_request));  // no subscription

  protocol::share_group_describe_request_data dreq;
  dreq.group_ids = {"g", "missing"};
  auto d = client_->call<protocol::share_group_describe_response_data>(dreq, 1);
  ASSERT_EQ(d.groups.size(), 2u);
  EXPECT_EQ(d.groups[0].group_state, "Stable");
  EXPECT_EQ(d.groups[0].group_epoch, 2);
  EXPECT_EQ(d.groups[0].assignor_name, "simple");
  ASSERT_EQ(d.groups[0].members.size(), 2u);
  EXPECT_EQ(d.groups[0].members[0].member_id, "member-a");
  EXPECT_EQ(d.groups[0].members[0].subscribed_topic_names, std::vector<std::string>{"queue"});
  EXPECT_EQ(d.groups[0].members[0].assignment.topic_partitions.at(0).topic_name, "queue");
  EXPECT_EQ(d.groups[1].error_code, to_int(error_code::group_id_not_found));

  protocol::list_groups_request_data lreq;
  lreq.types_filter = {"Share"};
  auto l = client_->call<protocol::list_groups_response_data>(lreq, 5);
  ASSERT_EQ(l.groups.size(), 1u);
  EXPECT_EQ(l.groups[0].group_id, "g");
  EXPECT_EQ(l.groups[0].group_type, "share");
  EXPECT_EQ(l.groups[0].group_state, "Stable");
  lreq.types_filter = {"classic"};
  EXPECT_TRUE(client_->call<protocol::list_groups_response_data>(lreq, 5).groups.empty());

  protocol::describe_groups_request_data dg;
  dg.groups = {"g"};
  EXPECT_EQ(client_->call<protocol::describe_groups_response_data>(dg, 5).groups.at(0).error_code,
            to_int(error_code::group_id_not_found));

  // Leaving bumps the epoch; the last one out leaves the group Empty.
  EXPECT_EQ(heartbeat("g", "member-b", -1).member_epoch, -1);
  EXPECT_EQ(heartbeat("g", "member-a", 2).member_epoch, 3);
  EXPECT_EQ(heartbeat("g", "member-a", -1).member_epoch, -1);
  d = client_->call<protocol::share_group_describe_response_data>(dreq, 1);
  EXPECT_EQ(d.groups[0].group_state, "Empty");
}

TEST_F(ShareWire, RecordsAreAcquiredAcknowledgedReleasedAndRedeliveredToAnotherMember) {
  auto topic_id = make_topic("jobs");
  ASSERT_EQ(set_group_config("workers", "share.auto.offset.reset", "earliest"), 0);
  produce("jobs", {"j0", "j1", "j2", "j3", "j4"});

  auto a1 = client_->call<fetch_resp>(fetch_request("workers", "a", 0, topic_id, 2), 1);
  ASSERT_EQ(a1.error_code, 0) << a1.error_message.value_or("");
  EXPECT_EQ(a1.acquisition_lock_timeout_ms, 30000);
  EXPECT_EQ(records_of(a1), (std::vector<delivered>{{0, "j0", 1}, {1, "j1", 1}}));
  auto b1 = client_->call<fetch_resp>(fetch_request("workers", "b", 0, topic_id), 2);
  EXPECT_EQ(records_of(b1), (std::vector<delivered>{{2, "j2", 1}, {3, "j3", 1}, {4, "j4", 1}}));

  // a: accept 0, release 1 (one batch, a type per offset).
  auto ack = acknowledge("workers", "a", 1, topic_id, 0, 1, {accept_t, release_t});
  ASSERT_EQ(ack.error_code, 0) << ack.error_message.value_or("");
  EXPECT_EQ(ack.responses.at(0).partitions.at(0).error_code, 0);
  EXPECT_EQ(start_offset("workers", "jobs"), 1);
  EXPECT_EQ(lag("workers", "jobs"), 4);  // 1..4 still to be finished

  // b: accepts 2, rejects 3 in its next fetch; gets the released 1 again, delivery count 2.
  auto b2req = fetch_request("workers", "b", 1, topic_id);
  add_ack(b2req, 2, 2, {accept_t});
  add_ack(b2req, 3, 3, {reject_t});
  auto b2 = client_->call<fetch_resp>(b2req, 2);
  ASSERT_EQ(b2.error_code, 0);
  EXPECT_EQ(b2.responses.at(0).partitions.at(0).acknowledge_error_code, 0);
  EXPECT_EQ(records_of(b2), (std::vector<delivered>{{1, "j1", 2}}));

  // a may not acknowledge what b holds; nothing changes for b.
  auto wrong = acknowledge("workers", "a", 2, topic_id, 4, 4, {accept_t});
  EXPECT_EQ(wrong.responses.at(0).partitions.at(0).error_code, to_int(error_code::invalid_record_state));
  auto ok = acknowledge("workers", "b", 2, topic_id, 1, 1, {accept_t});
  EXPECT_EQ(ok.responses.at(0).partitions.at(0).error_code, 0);
  ok = acknowledge("workers", "b", 3, topic_id, 4, 4, {accept_t});
  EXPECT_EQ(ok.responses.at(0).partitions.at(0).error_code, 0);
  EXPECT_EQ(start_offset("workers", "jobs"), 5);
  EXPECT_EQ(lag("workers", "jobs"), 0);
  // Nothing is left to hand out.
  EXPECT_TRUE(records_of(client_->call<fetch_resp>(fetch_request("workers", "b", 4, topic_id), 1)).empty());
}

TEST_F(ShareWire, ShareSessionEpochsAndMalformedRequests) {
  auto topic_id = make_topic("s");
  ASSERT_EQ(set_group_config("g", "share.auto.offset.reset", "earliest"), 0);
  produce("s", {"x"});
  // Acknowledgements may not open a session.
  auto with_acks = fetch_request("g", "m", 0, topic_id);
  add_ack(with_acks, 0, 0, {accept_t});
  EXPECT_EQ(client_->call<fetch_resp>(with_acks, 1).error_code, to_int(error_code::invalid_request));
  // No session yet.
  EXPECT_EQ(client_->call<fetch_resp>(fetch_request("g", "m", 1, topic_id), 1).error_code,
            to_int(error_code::share_session_not_found));
  EXPECT_EQ(acknowledge("g", "m", 0, topic_id, 0, 0, {accept_t}).error_code,
            to_int(error_code::invalid_share_session_epoch));
  ASSERT_EQ(client_->call<fetch_resp>(fetch_request("g", "m", 0, topic_id), 1).error_code, 0);
  EXPECT_EQ(client_->call<fetch_resp>(fetch_request("g", "m", 5, topic_id), 1).error_code,
            to_int(error_code::invalid_share_session_epoch));
  EXPECT_EQ(client_->call<fetch_resp>(fetch_request("g", "m", 1, topic_id), 1).error_code, 0);
  // Acquire modes: 0 and 1 are known, others are not (v2).
  auto mode = fetch_request("g", "m", 2, topic_id);
  mode.share_acquire_mode = 7;
  EXPECT_EQ(client_->call<fetch_resp>(mode, 2).error_code, to_int(error_code::invalid_request));
  auto no_group = fetch_request("", "m", 2, topic_id);
  EXPECT_EQ(client_->call<fetch_resp>(no_group, 1).error_code, to_int(error_code::invalid_request));
  // Unknown topic id: a partition error.
  auto unknown = client_->call<fetch_resp>(fetch_request("g", "m", 2, protocol::uuid::random()), 1);
  bool saw = false;
  for (const auto& t : unknown.responses) {
    for (const auto& p : t.partitions) saw |= p.error_code == to_int(error_code::unknown_topic_id);
  }
  EXPECT_TRUE(saw);
  // A malformed batch (two types for three offsets) is INVALID_REQUEST; RENEW needs v2 with IsRenewAck.
  auto bad = acknowledge("g", "m", 3, topic_id, 0, 2, {accept_t, accept_t});
  EXPECT_EQ(bad.responses.at(0).partitions.at(0).error_code, to_int(error_code::invalid_request));
  auto renew_v1 = acknowledge("g", "m", 4, topic_id, 0, 0, {renew_t});
  EXPECT_EQ(renew_v1.responses.at(0).partitions.at(0).error_code, to_int(error_code::invalid_request));
  // Closing the session (epoch -1) releases the member's records; as in
  // Kafka, that delivery is taken back (the count returns to 0, the next
  // delivery is the first).
  EXPECT_EQ(acknowledge("g", "m", -1, topic_id, 0, 0, {renew_t}, 2, true).responses.at(0).partitions.at(0).error_code,
            0);
  auto other = client_->call<fetch_resp>(fetch_request("g", "other", 0, topic_id), 1);
  EXPECT_EQ(records_of(other), (std::vector<delivered>{{0, "x", 1}}));
}

TEST_F(ShareWire, AutoOffsetResetLatestIsTheDefaultAndGroupConfigsAreValidated) {
  auto topic_id = make_topic("late");
  produce("late", {"old"});
  auto first = client_->call<fetch_resp>(fetch_request("fresh", "m", 0, topic_id), 1);
  EXPECT_TRUE(records_of(first).empty());
  produce("late", {"new"});
  auto second = client_->call<fetch_resp>(fetch_request("fresh", "m", 1, topic_id, 100, 2000), 1);
  EXPECT_EQ(records_of(second), (std::vector<delivered>{{1, "new", 1}}));

  EXPECT_EQ(set_group_config("fresh", "share.auto.offset.reset", "sometimes"), to_int(error_code::invalid_config));
  EXPECT_EQ(set_group_config("fresh", "share.record.lock.duration.ms", "999999"), to_int(error_code::invalid_config));
  EXPECT_EQ(set_group_config("fresh", "no.such.config", "1"), to_int(error_code::invalid_config));
  EXPECT_EQ(set_group_config("fresh", "share.record.lock.duration.ms", "20000"), 0);

  protocol::describe_configs_request_data req;
  auto& r = req.resources.emplace_back();
  r.resource_type = 32;
  r.resource_name = "fresh";
  r.configuration_keys = std::nullopt;  // every config
  auto resp = client_->call<protocol::describe_configs_response_data>(req, 4);
  // (value, source): 5 = DEFAULT_CONFIG, 8 = GROUP_CONFIG.
  std::map<std::string, std::pair<std::string, int8_t>> seen;
  for (const auto& c : resp.results.at(0).configs) seen[c.name] = {c.value.value_or(""), c.config_source};
  EXPECT_EQ(seen.at("share.auto.offset.reset"), (std::pair<std::string, int8_t>{"latest", 5}));
  EXPECT_EQ(seen.at("share.record.lock.duration.ms"), (std::pair<std::string, int8_t>{"20000", 8}));
  // The lock duration now answers in ShareFetch.
  EXPECT_EQ(client_->call<fetch_resp>(fetch_request("fresh", "m", 2, topic_id), 1).acquisition_lock_timeout_ms, 20000);
  EXPECT_EQ(set_group_config("fresh", "share.record.lock.duration.ms", std::nullopt, 1), 0);  // DELETE
  EXPECT_EQ(client_->call<fetch_resp>(fetch_request("fresh", "m", 3, topic_id), 1).acquisition_lock_timeout_ms, 30000);
}

// Every share API leaves its nullable messages null on success, at every
// version advertised, as Kafka does (their schemas' default is null): a
// client that prints a present message would otherwise show an empty error.
TEST_F(ShareWire, ErrorMessagesAreNullOnSuccessAtEveryVersion) {
  auto topic_id = make_topic("fid");
  produce("fid", {"a", "b", "c", "d"});
  auto versions = advertised_versions(*client_);
  auto expect_fetch_clean = [](const fetch_resp& r) {
    EXPECT_EQ(r.error_code, 0) << r.error_message.value_or("<null>");
    EXPECT_EQ(r.error_message, std::nullopt);
    for (const auto& t : r.responses)
      for (const auto& p : t.partitions) {
        EXPECT_EQ(p.error_code, 0);
        EXPECT_EQ(p.error_message, std::nullopt);
        EXPECT_EQ(p.acknowledge_error_code, 0);
        EXPECT_EQ(p.acknowledge_error_message, std::nullopt);
      }
  };
  const auto [fetch_min, fetch_max] = versions.at(static_cast<int16_t>(protocol::api_key::share_fetch));
  const auto [ack_min, ack_max] = versions.at(static_cast<int16_t>(protocol::api_key::share_acknowledge));
  ASSERT_EQ(fetch_min, ack_min);
  ASSERT_EQ(fetch_max, ack_max);
  std::vector<std::string> groups;
  for (int16_t v = fetch_min; v <= fetch_max; ++v) {
    SCOPED_TRACE("share fetch and acknowledge v" + std::to_string(v));
    const std::string group = groups.emplace_back("fid-" + std::to_string(v));
    ASSERT_EQ(set_group_config(group, "share.auto.offset.reset", "earliest"), 0);
    ASSERT_EQ(heartbeat(group, "m", 0, std::vector<std::string>{"fid"}).error_code, 0);
    auto first = client_->call<fetch_resp>(fetch_request(group, "m", 0, topic_id, 1), v);
    expect_fetch_clean(first);
    ASSERT_EQ(records_of(first).size(), 1u);
    auto next = fetch_request(group, "m", 1, topic_id, 1);
    add_ack(next, 0, 0, {accept_t});  // acknowledged in the fetch
    auto second = client_->call<fetch_resp>(next, v);
    expect_fetch_clean(second);
    ASSERT_EQ(records_of(second).size(), 1u);
    auto acked = acknowledge(group, "m", 2, topic_id, 1, 1, {accept_t}, v);
    EXPECT_EQ(acked.error_code, 0) << acked.error_message.value_or("<null>");
    EXPECT_EQ(acked.error_message, std::nullopt);
    ASSERT_EQ(acked.responses.size(), 1u);
    ASSERT_EQ(acked.responses[0].partitions.size(), 1u);
    EXPECT_EQ(acked.responses[0].partitions[0].error_code, 0);
    EXPECT_EQ(acked.responses[0].partitions[0].error_message, std::nullopt);
    ASSERT_EQ(heartbeat(group, "m", -1).member_epoch, -1);  // leaves the group empty for the admin calls
  }

  const auto [describe_min, describe_max] =
      versions.at(static_cast<int16_t>(protocol::api_key::describe_share_group_offsets));
  for (int16_t v = describe_min; v <= describe_max; ++v) {
    SCOPED_TRACE("describe_share_group_offsets v" + std::to_string(v));
    protocol::describe_share_group_offsets_request_data req;
    auto& g = req.groups.emplace_back();
    g.group_id = groups.front();
    g.topics.emplace().push_back({"fid", {0}, {}});
    auto resp = client_->call<protocol::describe_share_group_offsets_response_data>(req, v);
    ASSERT_EQ(resp.groups.size(), 1u);
    EXPECT_EQ(resp.groups[0].error_code, 0);
    EXPECT_EQ(resp.groups[0].error_message, std::nullopt);
    const auto& part = resp.groups[0].topics.at(0).partitions.at(0);
    EXPECT_EQ(part.error_code, 0);
    EXPECT_EQ(part.error_message, std::nullopt);
    EXPECT_EQ(part.start_offset, 2);
  }
  const auto [alter_min, alter_max] = versions.at(static_cast<int16_t>(protocol::api_key::alter_share_group_offsets));
  for (int16_t v = alter_min; v <= alter_max; ++v) {
    SCOPED_TRACE("alter_share_group_offsets v" + std::to_string(v));
    protocol::alter_share_group_offsets_request_data alter;
    alter.group_id = groups.front();
    auto& t = alter.topics.emplace_back();
    t.topic_name = "fid";
    t.partitions.push_back({0, 3, {}});
    auto resp = client_->call<protocol::alter_share_group_offsets_response_data>(alter, v);
    EXPECT_EQ(resp.error_code, 0);
    EXPECT_EQ(resp.error_message, std::nullopt);
    const auto& part = resp.responses.at(0).partitions.at(0);
    EXPECT_EQ(part.error_code, 0);
    EXPECT_EQ(part.error_message, std::nullopt);
  }
  const auto [delete_min, delete_max] =
      versions.at(static_cast<int16_t>(protocol::api_key::delete_share_group_offsets));
  for (int16_t v = delete_min; v <= delete_max; ++v) {
    SCOPED_TRACE("delete_share_group_offsets v" + std::to_string(v));
    protocol::delete_share_group_offsets_request_data del;
    del.group_id = groups.front();
    del.topics.push_back({"fid", {}});
    auto resp = client_->call<protocol::delete_share_group_offsets_response_data>(del, v);
    EXPECT_EQ(resp.error_code, 0);
    EXPECT_EQ(resp.error_message, std::nullopt);
    ASSERT_EQ(resp.responses.size(), 1u);
    EXPECT_EQ(resp.responses[0].error_code, 0);
    EXPECT_EQ(resp.responses[0].error_message, std::nullopt);
  }
}

TEST_F(ShareWire, AdminOffsetsNeedAnEmptyGroup) {
  auto topic_id = make_topic("adm");
  produce("adm", {"a", "b", "c", "d", "e"});
  ASSERT_EQ(heartbeat("ag", "m", 0, std::vector<std::string>{"adm"}).error_code, 0);
  protocol::alter_share_group_offsets_request_data alter;
  alter.group_id = "ag";
  auto& t = alter.topics.emplace_back();
  t.topic_name = "adm";
  t.partitions.push_back({0, 3, {}});
  auto busy = client_->call<protocol::alter_share_group_offsets_response_data>(alter, 0);
  EXPECT_EQ(busy.error_code, to_int(error_code::non_empty_group));
  EXPECT_EQ(busy.responses.at(0).partitions.at(0).error_code, to_int(error_code::non_empty_group));
  ASSERT_EQ(heartbeat("ag", "m", -1).member_epoch, -1);
  auto done = client_->call<protocol::alter_share_group_offsets_response_data>(alter, 0);
  EXPECT_EQ(done.responses.at(0).partitions.at(0).error_code, 0);
  EXPECT_EQ(done.responses.at(0).topic_id, topic_id);
  EXPECT_EQ(start_offset("ag", "adm"), 3);
  EXPECT_EQ(records_of(client_->call<fetch_resp>(fetch_request("ag", "m2", 0, topic_id), 1)),
            (std::vector<delivered>{{3, "d", 1}, {4, "e", 1}}));
  alter.topics[0].partitions[0].start_offset = 99;
  EXPECT_EQ(client_->call<protocol::alter_share_group_offsets_response_data>(alter, 0)
                .responses.at(0).partitions.at(0).error_code,
            to_int(error_code::invalid_request));

  protocol::delete_share_group_offsets_request_data del;
  del.group_id = "ag";
  del.topics.push_back({"adm", {}});
  auto deleted = client_->call<protocol::delete_share_group_offsets_response_data>(del, 0);
  EXPECT_EQ(deleted.error_code, 0);
  EXPECT_EQ(deleted.responses.at(0).error_code, 0);
  EXPECT_EQ(deleted.responses.at(0).topic_id, topic_id);
  EXPECT_EQ(start_offset("ag", "adm"), -1);
  del.group_id = "no-such-group";
  EXPECT_EQ(client_->call<protocol::delete_share_group_offsets_response_data>(del, 0).error_code,
            to_int(error_code::group_id_not_found));

  // DeleteGroups removes an empty share group.
  protocol::delete_groups_request_data dg;
  dg.groups_names = {"ag"};
  EXPECT_EQ(client_->call<protocol::delete_groups_response_data>(dg, 2).results.at(0).error_code, 0);
  protocol::share_group_describe_request_data dreq;
  dreq.group_ids = {"ag"};
  EXPECT_EQ(client_->call<protocol::share_group_describe_response_data>(dreq, 1).groups.at(0).error_code,
            to_int(error_code::group_id_not_found));
}

// The simple assignor over the wire: three members on two partitions share
// them two by two; when one leaves, the others keep what they had.
TEST_F(ShareWire, MembersOutnumberingPartitionsShareThemAndKeepThemWhenOneLeaves) {
  make_topic("pair", 2);
  auto partitions_of = [](const hb_resp& r) {
    std::vector<int32_t> out;
    if (r.assignment) {
      for (const auto& tp : r.assignment->topic_partitions) out.insert(out.end(), tp.partitions.begin(), tp.partitions.end());
    }
    return out;
  };
  ASSERT_EQ(heartbeat("pg", "a", 0, std::vector<std::string>{"pair"}).error_code, 0);
  ASSERT_EQ(heartbeat("pg", "b", 0, std::vector<std::string>{"pair"}).error_code, 0);
  auto c = heartbeat("pg", "c", 0, std::vector<std::string>{"pair"});
  ASSERT_EQ(c.member_epoch, 3);
  std::map<std::string, std::vector<int32_t>> held{{"a", partitions_of(heartbeat("pg", "a", 1))},
                                                   {"b", partitions_of(heartbeat("pg", "b", 2))},
                                                   {"c", partitions_of(c)}};
  std::map<int32_t, int> sharers;
  for (const auto& [m, ps] : held) {
    EXPECT_FALSE(ps.empty()) << m;
    for (int32_t p : ps) ++sharers[p];
  }
  EXPECT_EQ(sharers, (std::map<int32_t, int>{{0, 2}, {1, 2}}));  // ceil(3 / 2) members each
  ASSERT_EQ(heartbeat("pg", "c", -1).member_epoch, -1);
  auto a = heartbeat("pg", "a", 3);
  auto b = heartbeat("pg", "b", 3);
  EXPECT_EQ(a.member_epoch, 4);
  auto still = [](const std::vector<int32_t>& now, const std::vector<int32_t>& before) {
    for (int32_t p : now) {
      if (std::find(before.begin(), before.end(), p) == before.end()) return false;
    }
    return !now.empty();
  };
  EXPECT_TRUE(still(partitions_of(a), held["a"])) << "a moved";
  EXPECT_TRUE(still(partitions_of(b), held["b"])) << "b moved";
  EXPECT_EQ(partitions_of(a).size() + partitions_of(b).size(), 2u);
}

// A member subscribed to a topic that does not exist yet gets its partitions
// at the heartbeat after the topic is created, and more when it grows: the
// share groups' view of the topics follows every topic change.
TEST_F(ShareWire, ATopicCreatedOrGrownAfterTheJoinIsAssignedAtTheNextHeartbeat) {
  auto count = [](const hb_resp& r) {
    size_t n = 0;
    if (r.assignment) {
      for (const auto& tp : r.assignment->topic_partitions) n += tp.partitions.size();
    }
    return n;
  };
  auto joined = heartbeat("late-g", "a", 0, std::vector<std::string>{"late"});
  ASSERT_EQ(joined.error_code, 0);
  EXPECT_EQ(count(joined), 0u);
  auto quiet = heartbeat("late-g", "a", joined.member_epoch);
  EXPECT_EQ(quiet.member_epoch, joined.member_epoch);
  make_topic("late", 2);
  auto created = heartbeat("late-g", "a", quiet.member_epoch);
  EXPECT_GT(created.member_epoch, quiet.member_epoch);
  EXPECT_EQ(count(created), 2u);
  protocol::create_partitions_request_data grow;
  auto& t = grow.topics.emplace_back();
  t.name = "late";
  t.count = 3;
  grow.timeout_ms = 5000;
  ASSERT_EQ(client_->call<protocol::create_partitions_response_data>(grow, 3).results.at(0).error_code, 0);
  auto grown = heartbeat("late-g", "a", created.member_epoch);
  EXPECT_EQ(count(grown), 3u);
}

// A group id belongs to one protocol (Kafka's GroupMetadataManager): a share
// group's id refuses a classic JoinGroup (INCONSISTENT_GROUP_PROTOCOL) and a
// ConsumerGroupHeartbeat (GROUP_ID_NOT_FOUND), and a classic or
// consumer-protocol group's id refuses ShareGroupHeartbeat (GROUP_ID_NOT_FOUND).
TEST_F(ShareWire, AGroupIdBelongsToOneProtocol) {
  make_topic("kinds");
  ASSERT_EQ(heartbeat("share-g", "sm", 0, std::vector<std::string>{"kinds"}).error_code, 0);

  protocol::join_group_request_data jg;
  jg.group_id = "share-g";
  jg.session_timeout_ms = 10000;
  jg.rebalance_timeout_ms = 10000;
  jg.protocol_type = "consumer";
  jg.protocols.push_back({"range", {}, {}});
  for (int16_t v : {0, 5, 9}) {
    EXPECT_EQ(client_->call<protocol::join_group_response_data>(jg, v).error_code,
              to_int(error_code::inconsistent_group_protocol))
        << "JoinGroup v" << v;
  }
  protocol::consumer_group_heartbeat_request_data cg;
  cg.group_id = "share-g";
  cg.member_id = "cm";
  cg.member_epoch = 0;
  cg.rebalance_timeout_ms = 30000;
  cg.subscribed_topic_names = std::vector<std::string>{"kinds"};
  cg.topic_partitions.emplace();
  auto refused = client_->call<protocol::consumer_group_heartbeat_response_data>(cg, 1);
  EXPECT_EQ(refused.error_code, to_int(error_code::group_id_not_found));
  EXPECT_EQ(refused.error_message.value_or(""), "Group share-g is not a consumer group.");
  // An empty share group keeps its id too (only DeleteGroups frees it).
  ASSERT_EQ(heartbeat("share-g", "sm", -1).member_epoch, -1);
  EXPECT_EQ(client_->call<protocol::join_group_response_data>(jg, 5).error_code,
            to_int(error_code::inconsistent_group_protocol));

  // The other way round: a consumer-protocol group and a classic group.
  cg.group_id = "consumer-g";
  ASSERT_EQ(client_->call<protocol::consumer_group_heartbeat_response_data>(cg, 1).error_code, 0);
  auto on_consumer = heartbeat("consumer-g", "sm", 0, std::vector<std::string>{"kinds"});
  EXPECT_EQ(on_consumer.error_code, to_int(error_code::group_id_not_found));
  EXPECT_EQ(on_consumer.error_message.value_or(""), "Group consumer-g is not a share group.");
  protocol::offset_commit_request_data commit;  // a classic group holding offsets only
  commit.group_id = "classic-g";
  commit.generation_id_or_member_epoch = -1;
  auto& ct = commit.topics.emplace_back();
  ct.name = "kinds";
  ct.partitions.emplace_back().committed_offset = 0;
  ASSERT_EQ(client_->call<protocol::offset_commit_response_data>(commit, 2).topics.at(0).partitions.at(0).error_code, 0);
  EXPECT_EQ(heartbeat("classic-g", "sm", 0, std::vector<std::string>{"kinds"}).error_code,
            to_int(error_code::group_id_not_found));
  protocol::share_group_describe_request_data dreq;
  dreq.group_ids = {"classic-g", "consumer-g", "share-g", "configured-only"};
  ASSERT_EQ(set_group_config("configured-only", "share.record.lock.duration.ms", "20000"), 0);
  auto described = client_->call<protocol::share_group_describe_response_data>(dreq, 1);
  EXPECT_EQ(described.groups.at(0).error_message.value_or(""), "Group classic-g is not a share group.");
  EXPECT_EQ(described.groups.at(1).error_message.value_or(""), "Group consumer-g is not a share group.");
  EXPECT_EQ(described.groups.at(2).error_code, 0);
  EXPECT_EQ(described.groups.at(2).group_state, "Empty");
  EXPECT_EQ(described.groups.at(3).error_code, to_int(error_code::group_id_not_found));
  EXPECT_EQ(described.groups.at(3).error_message.value_or(""), "Group configured-only not found.");

  // Group configs alone make no share group: another protocol may still take the id.
  ASSERT_EQ(set_group_config("configured", "share.auto.offset.reset", "earliest"), 0);
  cg.group_id = "configured";
  EXPECT_EQ(client_->call<protocol::consumer_group_heartbeat_response_data>(cg, 1).error_code, 0);
}

// One uncompressed batch of `values` stamped with the wall clock (recent
// records for share.auto.offset.reset=by_duration), or transactional.
std::vector<uint8_t> stamped_batch(const std::vector<std::string>& values, int64_t timestamp_ms,
                                   int64_t producer_id = -1, int16_t epoch = -1, int32_t sequence = -1) {
  record::batch_options o;
  o.producer_id = producer_id;
  o.producer_epoch = epoch;
  o.base_sequence = sequence;
  o.transactional = producer_id >= 0;
  record::batch_builder b(o);
  for (const auto& v : values) {
    std::vector<uint8_t> bytes(v.begin(), v.end());
    if (!b.append(timestamp_ms, std::nullopt, std::span<const uint8_t>(bytes)).ok()) throw std::runtime_error("append");
  }
  auto built = b.build();
  if (!built.ok()) throw std::runtime_error(built.err().describe());
  return std::move(built).value();
}

int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// KIP-1106: share.auto.offset.reset=by_duration:<ISO-8601> starts a new share
// partition at the first record no older than the duration (the end of the
// log when there is none); bad values are INVALID_CONFIG.
TEST_F(ShareWire, AutoOffsetResetByDurationStartsAtTheFirstRecentRecord) {
  auto topic_id = make_topic("timed");
  produce("timed", {"old0", "old1"});  // stamped in 2023
  ASSERT_EQ(set_group_config("hour-early", "share.auto.offset.reset", "by_duration:PT1H"), 0);
  // Nothing is that recent yet: the partition starts at the end.
  EXPECT_TRUE(records_of(client_->call<fetch_resp>(fetch_request("hour-early", "m", 0, topic_id), 1)).empty());
  EXPECT_EQ(start_offset("hour-early", "timed"), 2);

  auto recent = produce_batch(*client_, 9, "timed", 0, stamped_batch({"new0", "new1"}, wall_clock_ms()));
  ASSERT_EQ(recent.error_code, 0);
  ASSERT_EQ(set_group_config("hour", "share.auto.offset.reset", "by_duration:PT1H"), 0);
  ASSERT_EQ(set_group_config("century", "share.auto.offset.reset", "by_duration:P36500D"), 0);
  EXPECT_EQ(records_of(client_->call<fetch_resp>(fetch_request("hour", "m", 0, topic_id), 1)),
            (std::vector<delivered>{{2, "new0", 1}, {3, "new1", 1}}));
  EXPECT_EQ(records_of(client_->call<fetch_resp>(fetch_request("century", "m", 0, topic_id), 1)).size(), 4u);
  EXPECT_EQ(records_of(client_->call<fetch_resp>(fetch_request("hour-early", "m", 1, topic_id), 1)),
            (std::vector<delivered>{{2, "new0", 1}, {3, "new1", 1}}));

  for (const char* bad : {"by_duration:", "by_duration", "by_duration:-PT1H", "by_duration:1h", "by_duration:PT",
                          "EARLIEST", "by_duration:P1W"}) {
    EXPECT_EQ(set_group_config("hour", "share.auto.offset.reset", bad), to_int(error_code::invalid_config)) << bad;
  }
  ASSERT_EQ(set_group_config("hour", "share.auto.offset.reset", "by_duration:p1dt2h3m4.5s"), 0);
  protocol::describe_configs_request_data req;
  auto& r = req.resources.emplace_back();
  r.resource_type = 32;
  r.resource_name = "hour";
  r.configuration_keys = std::vector<std::string>{"share.auto.offset.reset", "share.isolation.level"};
  auto resp = client_->call<protocol::describe_configs_response_data>(req, 4);
  std::map<std::string, std::string> seen;
  for (const auto& c : resp.results.at(0).configs) seen[c.name] = c.value.value_or("");
  EXPECT_EQ(seen.at("share.auto.offset.reset"), "by_duration:p1dt2h3m4.5s");
  EXPECT_EQ(seen.at("share.isolation.level"), "read_uncommitted");
}

// share.isolation.level=read_committed: a share group acquires only up to the
// last stable offset and never hands out records of aborted transactions
// (archived at once); read_uncommitted (the default) reads up to the high
// watermark, aborted records included.
TEST_F(ShareWire, ReadCommittedShareGroupsSkipAbortedAndOpenTransactions) {
  auto topic_id = make_topic("txq");
  ASSERT_EQ(set_group_config("rc", "share.isolation.level", "read_committed"), 0);
  ASSERT_EQ(set_group_config("rc", "share.auto.offset.reset", "earliest"), 0);
  ASSERT_EQ(set_group_config("ru", "share.auto.offset.reset", "earliest"), 0);
  EXPECT_EQ(set_group_config("rc", "share.isolation.level", "READ_COMMITTED"), to_int(error_code::invalid_config));
  EXPECT_EQ(set_group_config("rc", "share.isolation.level", "serializable"), to_int(error_code::invalid_config));

  // A transactional producer: InitProducerId, then per transaction
  // AddPartitionsToTxn + Produce + EndTxn (transactions v1).
  protocol::init_producer_id_request_data init;
  init.transactional_id = "tx";
  init.transaction_timeout_ms = 60000;
  auto ir = client_->call<protocol::init_producer_id_response_data>(init, 4);
  ASSERT_EQ(ir.error_code, 0);
  int32_t sequence = 0;
  auto transaction = [&](const std::vector<std::string>& values) {
    protocol::add_partitions_to_txn_request_data add;
    add.v3_and_below_transactional_id = "tx";
    add.v3_and_below_producer_id = ir.producer_id;
    add.v3_and_below_producer_epoch = ir.producer_epoch;
    add.v3_and_below_topics.push_back({"txq", {0}});
    // The previous transaction's markers are written after EndTxn answers:
    // retried while the coordinator says CONCURRENT_TRANSACTIONS, as clients do.
    int16_t added = -1;
    for (int attempt = 0; attempt < 100; ++attempt) {
      auto ar = client_->call<protocol::add_partitions_to_txn_response_data>(add, 3);
      added = ar.results_by_topic_v3_and_below.at(0).results_by_partition.at(0).partition_error_code;
      if (added != to_int(error_code::concurrent_transactions)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_EQ(added, 0);
    auto pr = produce_batch(*client_, 9, "txq", 0,
                            stamped_batch(values, wall_clock_ms(), ir.producer_id, ir.producer_epoch, sequence));
    ASSERT_EQ(pr.error_code, 0);
    sequence += static_cast<int32_t>(values.size());
  };
  auto end_txn = [&](bool commit) {
    protocol::end_txn_request_data req;
    req.transactional_id = "tx";
    req.producer_id = ir.producer_id;
    req.producer_epoch = ir.producer_epoch;
    req.committed = commit;
    ASSERT_EQ(client_->call<protocol::end_txn_response_data>(req, 3).error_code, 0);
  };
  produce("txq", {"p0"});           // 0
  transaction({"a1", "a2"});        // 1, 2
  end_txn(false);                   // ABORT marker at 3
  transaction({"b1"});              // 4, still open: the LSO stays at 4
  produce("txq", {"p1"});           // 5

  // (acquired offsets, data values of the acquired offsets)
  auto look = [](const fetch_resp& resp) {
    std::set<int64_t> acquired;
    std::map<int64_t, std::string> data;
    for (const auto& t : resp.responses) {
      for (const auto& p : t.partitions) {
        for (const auto& a : p.acquired_records) {
          for (int64_t o = a.first_offset; o <= a.last_offset; ++o) acquired.insert(o);
        }
        auto batches = record::split_batches(p.records->bytes(), record::split_mode::lenient);
        for (const auto& b : batches.value()) {
          if (b.header.is_control()) continue;
          auto decoded = record::decode_records(b.bytes);
          for (const auto& r : decoded.value()) {
            if (acquired.count(r.offset)) data[r.offset] = std::string(r.value->begin(), r.value->end());
          }
        }
      }
    }
    return std::make_pair(acquired, data);
  };
  auto [rc_acquired, rc_data] = look(client_->call<fetch_resp>(fetch_request("rc", "m", 0, topic_id), 1));
  EXPECT_EQ(rc_acquired, (std::set<int64_t>{0, 3}));  // the ABORT marker's offset too, as in Kafka
  EXPECT_EQ(rc_data, (std::map<int64_t, std::string>{{0, "p0"}}));
  auto [ru_acquired, ru_data] = look(client_->call<fetch_resp>(fetch_request("ru", "m", 0, topic_id), 1));
  EXPECT_EQ(ru_data, (std::map<int64_t, std::string>{{0, "p0"}, {1, "a1"}, {2, "a2"}, {4, "b1"}, {5, "p1"}}));

  // The open transaction commits: the rest becomes readable; 1 and 2 never are.
  end_txn(true);  // COMMIT marker at 6
  auto [later, later_data] = look(client_->call<fetch_resp>(fetch_request("rc", "m", 1, topic_id), 1));
  EXPECT_EQ(later_data, (std::map<int64_t, std::string>{{4, "b1"}, {5, "p1"}}));
  EXPECT_EQ(later.count(1) + later.count(2), 0u);
  // Accept what was handed out (the markers as GAP): only the aborted records
  // were never delivered, yet the start offset passes them (archived).
  EXPECT_EQ(acknowledge("rc", "m", 2, topic_id, 0, 0, {accept_t}).responses.at(0).partitions.at(0).error_code, 0);
  EXPECT_EQ(acknowledge("rc", "m", 3, topic_id, 3, 6, {0, accept_t, accept_t, 0}).responses.at(0).partitions.at(0)
                .error_code,
            0);
  EXPECT_EQ(start_offset("rc", "txq"), 7);
}

class ShareLockWire : public ShareWire {
 protected:
  ShareLockWire()
      : ShareWire({{"group.share.record.lock.duration.ms", "400"}, {"group.share.delivery.count.limit", "2"}}) {}
};

TEST_F(ShareLockWire, ExpiredLocksRedeliverUntilTheDeliveryCountLimitArchives) {
  auto topic_id = make_topic("slow");
  ASSERT_EQ(set_group_config("lg", "share.auto.offset.reset", "earliest"), 0);
  produce("slow", {"p0", "p1"});
  auto a = client_->call<fetch_resp>(fetch_request("lg", "a", 0, topic_id, 1), 1);
  EXPECT_EQ(records_of(a), (std::vector<delivered>{{0, "p0", 1}}));
  // The lock runs out; the record goes to b, second delivery, parked fetch woken by the expiry.
  auto b = client_->call<fetch_resp>(fetch_request("lg", "b", 0, topic_id, 1, 0), 1);
  EXPECT_EQ(records_of(b), (std::vector<delivered>{{1, "p1", 1}}));
  auto started = std::chrono::steady_clock::now();
  auto b2 = client_->call<fetch_resp>(fetch_request("lg", "b", 1, topic_id, 1, 5000), 1);
  auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(records_of(b2), (std::vector<delivered>{{0, "p0", 2}}));
  EXPECT_LT(waited, std::chrono::milliseconds(3000));
  // a's lock is gone: its late acknowledgement is refused.
  EXPECT_EQ(acknowledge("lg", "a", 1, topic_id, 0, 0, {accept_t}).responses.at(0).partitions.at(0).error_code,
            to_int(error_code::invalid_record_state));
  // Past the limit (2 deliveries) both are archived; the start offset moves past them.
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  EXPECT_EQ(records_of(client_->call<fetch_resp>(fetch_request("lg", "b", 2, topic_id), 1)),
            (std::vector<delivered>{{1, "p1", 2}}));
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  EXPECT_TRUE(records_of(client_->call<fetch_resp>(fetch_request("lg", "b", 3, topic_id), 1)).empty());
  EXPECT_EQ(start_offset("lg", "slow"), 2);
}

class ShareSessionWire : public ShareWire {
 protected:
  ShareSessionWire() : ShareWire({{"group.share.session.timeout.ms", "1000"}}) {}
};

// A member that stops heartbeating is removed after its session timeout and
// its locks are released at once (long before the 30 s lock duration).
TEST_F(ShareSessionWire, AnExpiredMemberReleasesItsRecords) {
  auto topic_id = make_topic("expiry");
  ASSERT_EQ(set_group_config("eg", "share.auto.offset.reset", "earliest"), 0);
  produce("expiry", {"e0"});
  ASSERT_EQ(heartbeat("eg", "gone", 0, std::vector<std::string>{"expiry"}).error_code, 0);
  EXPECT_EQ(records_of(client_->call<fetch_resp>(fetch_request("eg", "gone", 0, topic_id), 1)),
            (std::vector<delivered>{{0, "e0", 1}}));
  ASSERT_EQ(heartbeat("eg", "stays", 0, std::vector<std::string>{"expiry"}).error_code, 0);
  EXPECT_TRUE(records_of(client_->call<fetch_resp>(fetch_request("eg", "stays", 0, topic_id), 1)).empty());
  // "stays" keeps heartbeating; "gone" does not. Its session (and its share session) ends.
  int32_t epoch = 2;
  for (int i = 0; i < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    hb_resp r = heartbeat("eg", "stays", epoch);
    ASSERT_EQ(r.error_code, 0) << r.error_message.value_or("");
    epoch = r.member_epoch;
  }
  EXPECT_EQ(epoch, 3);  // "gone" left the group: one more epoch
  EXPECT_EQ(records_of(client_->call<fetch_resp>(fetch_request("eg", "stays", 1, topic_id), 1)),
            (std::vector<delivered>{{0, "e0", 1}}));  // the lost member's delivery is not counted
  EXPECT_EQ(heartbeat("eg", "gone", 2).error_code, to_int(error_code::unknown_member_id));
  EXPECT_EQ(client_->call<fetch_resp>(fetch_request("eg", "gone", 1, topic_id), 1).error_code,
            to_int(error_code::share_session_not_found));
}

TEST_F(ShareWire, StateSurvivesSigkillNoAcceptedRedeliveredNoReleasedLost) {
  auto topic_id = make_topic("durable");
  ASSERT_EQ(set_group_config("dg", "share.auto.offset.reset", "earliest"), 0);
  produce("durable", {"r0", "r1", "r2", "r3", "r4", "r5"});
  ASSERT_EQ(heartbeat("dg", "m", 0, std::vector<std::string>{"durable"}).error_code, 0);
  auto got = client_->call<fetch_resp>(fetch_request("dg", "m", 0, topic_id), 1);
  ASSERT_EQ(records_of(got).size(), 6u);
  auto ack = acknowledge("dg", "m", 1, topic_id, 0, 3, {accept_t, reject_t, accept_t, release_t});
  ASSERT_EQ(ack.responses.at(0).partitions.at(0).error_code, 0);
  // The acknowledgement was answered: it must be on disk now.
  broker_.kill_hard();
  broker_.start();
  client_ = std::make_unique<wire_client>(broker_.port());
  EXPECT_EQ(start_offset("dg", "durable"), 3);
  auto after = client_->call<fetch_resp>(fetch_request("dg", "n", 0, topic_id), 1);
  // 0 and 2 accepted and 1 rejected never come back; 3 (released) does, with
  // its delivery counted; 4 and 5 were in flight and are delivered again.
  EXPECT_EQ(records_of(after), (std::vector<delivered>{{3, "r3", 2}, {4, "r4", 2}, {5, "r5", 2}}));
  // Membership and configs came back too.
  protocol::share_group_describe_request_data dreq;
  dreq.group_ids = {"dg"};
  auto d = client_->call<protocol::share_group_describe_response_data>(dreq, 1);
  ASSERT_EQ(d.groups.at(0).members.size(), 1u);
  EXPECT_EQ(d.groups[0].members[0].member_id, "m");
  EXPECT_EQ(d.groups[0].group_epoch, 1);
}

}  // namespace
}  // namespace samsa::wire_test
