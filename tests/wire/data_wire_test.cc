// The data path over the wire at every version the broker advertises, against
// a real `samsa serve` process: Produce, Fetch, ListOffsets and Metadata.
// Clients each pick one version; newer clients (Java, franz-go) pick higher
// ones than the clients the integration tests run, so every version is
// exercised here.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <iostream>
#include <limits>
#include <thread>
#include <string>
#include <vector>

#include "broker_process.h"
#include "legacy_wire_util.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "record/record.h"
#include "record/split.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using protocol::api_key;
using protocol::error_code;
using protocol::to_int;

// Every record value in a fetched `records` blob, in offset order.
std::vector<std::pair<int64_t, std::string>> values_in(const std::optional<protocol::records>& records) {
  std::vector<std::pair<int64_t, std::string>> out;
  if (!records) throw std::runtime_error("records is null (clients such as librdkafka crash on that)");
  auto batches = record::split_batches(records->bytes(), record::split_mode::lenient);
  if (!batches.ok()) throw std::runtime_error("fetched records do not split: " + batches.err().describe());
  for (const auto& batch : batches.value()) {
    auto decoded = record::decode_records(batch.bytes);
    if (!decoded.ok()) throw std::runtime_error("fetched batch does not decode: " + decoded.err().describe());
    for (const auto& r : decoded.value()) {
      out.emplace_back(r.offset, r.value ? std::string(r.value->begin(), r.value->end()) : "<null>");
    }
  }
  return out;
}

// The same for Fetch v0-3, which read message format v0/v1 (converted).
std::vector<std::pair<int64_t, std::string>> values_in(const std::optional<protocol::records>& records,
                                                       int16_t fetch_version) {
  if (fetch_version >= 4) return values_in(records);
  std::vector<std::pair<int64_t, std::string>> out;
  for (const auto& m : old_messages_in(records)) out.emplace_back(m.offset, m.value);
  return out;
}

// `values` as an old producer sends them: a message set (format v0 for
// Produce v0-1, v1 for v2).
std::vector<uint8_t> message_set_of(const std::vector<std::string>& values, int16_t produce_version) {
  std::vector<uint8_t> set;
  for (size_t i = 0; i < values.size(); ++i) {
    record::legacy::append_message(set, produce_version < 2 ? 0 : 1, static_cast<int64_t>(i), 0,
                                   base_timestamp + static_cast<int64_t>(i), std::nullopt, as_span(values[i]));
  }
  return set;
}

class DataWire : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    client_ = std::make_unique<wire_client>(broker_.port());
    versions_ = advertised_versions(*client_);
    ASSERT_EQ(create_topic(*client_, topic_, 2), 0);
    topic_id_ = topic_id_of(topic_);
  }

  void TearDown() override {
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_.log_tail() << "\n";
  }

  std::pair<int16_t, int16_t> range(api_key key) { return versions_.at(static_cast<int16_t>(key)); }

  protocol::uuid topic_id_of(const std::string& name) {
    protocol::metadata_request_data req;
    req.topics.emplace();
    req.topics->push_back({});
    req.topics->back().name = name;
    auto resp = client_->call<protocol::metadata_response_data>(req, range(api_key::metadata).second);
    if (resp.topics.size() != 1) throw std::runtime_error("metadata lists " + std::to_string(resp.topics.size()));
    return resp.topics[0].topic_id;
  }

  // One partition's answer to a Produce of `batch`.
  auto produce(int16_t version, int32_t partition, const std::vector<uint8_t>& batch, int16_t acks = 1) {
    return produce_batch(*client_, version, topic_, partition, batch, acks);
  }

  protocol::fetch_response_data fetch(int16_t version, int32_t partition, int64_t offset, int32_t max_wait_ms = 0) {
    protocol::fetch_request_data req;
    req.replica_id = -1;
    req.max_wait_ms = max_wait_ms;
    req.min_bytes = 1;
    req.max_bytes = 1 << 20;
    req.session_id = 0;
    req.session_epoch = -1;
    req.topics.push_back({});
    req.topics[0].topic = topic_;
    req.topics[0].topic_id = topic_id_;
    req.topics[0].partitions.push_back({});
    req.topics[0].partitions[0].partition = partition;
    req.topics[0].partitions[0].fetch_offset = offset;
    req.topics[0].partitions[0].partition_max_bytes = 1 << 20;
    return client_->call<protocol::fetch_response_data>(req, version);
  }

  broker_process broker_;
  std::unique_ptr<wire_client> client_;
  std::map<int16_t, std::pair<int16_t, int16_t>> versions_;
  std::string topic_ = "wire-data";
  protocol::uuid topic_id_;
};

TEST_F(DataWire, ProduceAtEveryVersionFetchAtEveryVersion) {
  auto [produce_min, produce_max] = range(api_key::produce);
  std::vector<std::pair<int64_t, std::string>> expected;
  int64_t next_offset = 0;
  for (int16_t v = produce_min; v <= produce_max; ++v) {
    SCOPED_TRACE("produce v" + std::to_string(v));
    std::vector<std::string> values = {"v" + std::to_string(v) + "-a", "v" + std::to_string(v) + "-b"};
    // v0-2 carry message formats 0/1, converted on append (legacy_produce_wire_test).
    const auto p = produce(v, 0, v < 3 ? message_set_of(values, v) : batch_of(values, next_offset));
    ASSERT_EQ(p.error_code, 0) << p.error_message.value_or("");
    EXPECT_EQ(p.base_offset, next_offset);
    if (v >= 2) {
      EXPECT_EQ(p.log_append_time_ms, -1);  // CreateTime topic
    }
    if (v >= 5) {
      EXPECT_EQ(p.log_start_offset, 0);
    }
    for (size_t i = 0; i < values.size(); ++i) expected.emplace_back(next_offset + static_cast<int64_t>(i), values[i]);
    next_offset += static_cast<int64_t>(values.size());
  }
  ASSERT_FALSE(expected.empty());

  auto [fetch_min, fetch_max] = range(api_key::fetch);
  for (int16_t v = fetch_min; v <= fetch_max; ++v) {
    SCOPED_TRACE("fetch v" + std::to_string(v));
    auto resp = fetch(v, 0, 0);
    if (v >= 7) {
      EXPECT_EQ(resp.error_code, 0);
    }
    ASSERT_EQ(resp.responses.size(), 1u);
    if (v >= 13) {
      EXPECT_EQ(resp.responses[0].topic_id, topic_id_);
    } else {
      EXPECT_EQ(resp.responses[0].topic, topic_);
    }
    ASSERT_EQ(resp.responses[0].partitions.size(), 1u);
    const auto& p = resp.responses[0].partitions[0];
    EXPECT_EQ(p.error_code, 0);
    EXPECT_EQ(p.high_watermark, next_offset);
    if (v >= 4) {
      EXPECT_EQ(p.last_stable_offset, next_offset);
    }
    if (v >= 5) {
      EXPECT_EQ(p.log_start_offset, 0);
    }
    EXPECT_EQ(values_in(p.records, v), expected);

    // From the middle, and from the end (empty, never null records).
    auto middle = values_in(fetch(v, 0, 2).responses[0].partitions[0].records, v);
    ASSERT_FALSE(middle.empty());
    EXPECT_LE(middle.front().first, 2);  // whole batches: may start before the offset asked
    EXPECT_EQ(middle.back(), expected.back());
    auto at_end = fetch(v, 0, next_offset);
    EXPECT_EQ(at_end.responses[0].partitions[0].error_code, 0);
    EXPECT_TRUE(values_in(at_end.responses[0].partitions[0].records, v).empty());
    auto beyond = fetch(v, 0, next_offset + 100);
    EXPECT_EQ(beyond.responses[0].partitions[0].error_code, to_int(error_code::offset_out_of_range));
  }
}

// acks=0: the broker stores the records and sends no answer at all, so the
// next answer on the connection is the next request's.
TEST_F(DataWire, AcksZeroStoresAndAnswersNothing) {
  int16_t v = range(api_key::produce).second;
  protocol::produce_request_data req;
  req.acks = 0;
  req.timeout_ms = 10000;
  req.topic_data.push_back({});
  req.topic_data[0].name = topic_;
  req.topic_data[0].topic_id = topic_id_;  // v13+ name it by id
  req.topic_data[0].partition_data.push_back({});
  req.topic_data[0].partition_data[0].index = 1;
  req.topic_data[0].partition_data[0].records = protocol::records::copy(batch_of({"fire", "forget"}, 0));
  client_->send(req, v);
  client_->send(req, v);
  // Were either produce answered, this would read its answer instead.
  auto fetched = fetch(range(api_key::fetch).second, 1, 0);
  EXPECT_EQ(values_in(fetched.responses[0].partitions[0].records),
            (std::vector<std::pair<int64_t, std::string>>{{0, "fire"}, {1, "forget"}, {2, "fire"}, {3, "forget"}}));
}

// acks=0 that fails (here: an unknown partition) cannot be answered, so the
// broker closes the connection, as Kafka does: silence would leave the
// producer believing its records were stored.
TEST_F(DataWire, AcksZeroFailureClosesTheConnection) {
  int16_t v = range(api_key::produce).second;
  wire_client doomed(broker_.port());
  protocol::produce_request_data req;
  req.acks = 0;
  req.timeout_ms = 10000;
  req.topic_data.push_back({});
  req.topic_data[0].name = topic_;
  req.topic_data[0].topic_id = topic_id_;  // v13+ name it by id
  req.topic_data[0].partition_data.push_back({});
  req.topic_data[0].partition_data[0].index = 7;
  req.topic_data[0].partition_data[0].records = protocol::records::copy(batch_of({"lost"}, 0));
  doomed.send(req, v);
  protocol::api_versions_request_data next;
  EXPECT_ANY_THROW(doomed.call<protocol::api_versions_response_data>(next, 0));
  // The broker itself is fine.
  EXPECT_EQ(client_->call<protocol::api_versions_response_data>(next, 0).error_code, 0);
}

TEST_F(DataWire, ProduceErrorsPerPartition) {
  auto v = range(api_key::produce).second;
  // Unknown partition of a known topic.
  EXPECT_EQ(produce(v, 7, batch_of({"x"}, 0)).error_code, to_int(error_code::unknown_topic_or_partition));
  // A batch whose CRC does not match.
  auto bad = batch_of({"y"}, 0);
  bad.back() ^= 0x5a;
  EXPECT_EQ(produce(v, 0, bad).error_code, to_int(error_code::corrupt_message));
  // Invalid acks.
  EXPECT_EQ(produce(v, 0, batch_of({"z"}, 0), 2).error_code, to_int(error_code::invalid_required_acks));
  // Nothing of the above was stored.
  EXPECT_EQ(fetch(range(api_key::fetch).second, 0, 0).responses[0].partitions[0].high_watermark, 0);
}

TEST_F(DataWire, ListOffsetsAtEveryVersion) {
  ASSERT_EQ(produce(range(api_key::produce).second, 1, batch_of({"t0", "t1", "t2", "t3"}, 0)).error_code, 0);
  auto [min_v, max_v] = range(api_key::list_offsets);
  auto ask = [&](int16_t version, int64_t timestamp) {
    protocol::list_offsets_request_data req;
    req.replica_id = -1;
    req.topics.push_back({});
    req.topics[0].name = topic_;
    req.topics[0].partitions.push_back({});
    req.topics[0].partitions[0].partition_index = 1;
    req.topics[0].partitions[0].timestamp = timestamp;
    req.topics[0].partitions[0].max_num_offsets = 1;
    auto resp = client_->call<protocol::list_offsets_response_data>(req, version);
    if (resp.topics.size() != 1 || resp.topics[0].partitions.size() != 1) throw std::runtime_error("shape");
    return resp.topics[0].partitions[0];
  };
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("list_offsets v" + std::to_string(v));
    auto earliest = ask(v, -2), latest = ask(v, -1);
    EXPECT_EQ(earliest.error_code, 0);
    EXPECT_EQ(latest.error_code, 0);
    if (v == 0) {
      EXPECT_EQ(earliest.old_style_offsets, std::vector<int64_t>{0});
      EXPECT_EQ(latest.old_style_offsets, std::vector<int64_t>{4});
      continue;
    }
    EXPECT_EQ(earliest.offset, 0);
    EXPECT_EQ(latest.offset, 4);
    auto by_time = ask(v, base_timestamp + 2);
    EXPECT_EQ(by_time.error_code, 0);
    EXPECT_EQ(by_time.offset, 2);
    EXPECT_EQ(by_time.timestamp, base_timestamp + 2);
    auto after_all = ask(v, base_timestamp + 100);
    EXPECT_EQ(after_all.offset, -1);  // no record that late
    if (v >= 7) {
      auto max_ts = ask(v, -3);  // the record with the largest timestamp
      EXPECT_EQ(max_ts.error_code, 0);
      EXPECT_EQ(max_ts.offset, 3);
      EXPECT_EQ(max_ts.timestamp, base_timestamp + 3);
    }
  }
}

TEST_F(DataWire, MetadataAtEveryVersion) {
  auto [min_v, max_v] = range(api_key::metadata);
  for (int16_t v = min_v; v <= max_v; ++v) {
    SCOPED_TRACE("metadata v" + std::to_string(v));
    protocol::metadata_request_data req;
    req.topics.emplace();
    req.topics->push_back({});
    req.topics->back().name = topic_;
    req.topics->push_back({});
    req.topics->back().name = "missing-" + std::to_string(v);
    req.allow_auto_topic_creation = false;
    auto resp = client_->call<protocol::metadata_response_data>(req, v);
    ASSERT_EQ(resp.brokers.size(), 1u);
    EXPECT_EQ(resp.brokers[0].node_id, 1);
    EXPECT_EQ(resp.brokers[0].host, "127.0.0.1");
    EXPECT_EQ(resp.brokers[0].port, broker_.port());
    if (v >= 1) {
      EXPECT_EQ(resp.controller_id, 1);
    }
    if (v >= 2) {
      EXPECT_FALSE(resp.cluster_id.value_or("").empty());
    }
    ASSERT_EQ(resp.topics.size(), 2u);
    const auto& known = resp.topics[0];
    EXPECT_EQ(known.error_code, 0);
    EXPECT_EQ(known.name.value_or(""), topic_);
    ASSERT_EQ(known.partitions.size(), 2u);
    for (const auto& p : known.partitions) {
      EXPECT_EQ(p.error_code, 0);
      EXPECT_EQ(p.leader_id, 1);
      EXPECT_EQ(p.replica_nodes, std::vector<int32_t>{1});
      EXPECT_EQ(p.isr_nodes, std::vector<int32_t>{1});
    }
    if (v >= 10) {
      EXPECT_EQ(known.topic_id, topic_id_);
      EXPECT_NE(known.topic_id, protocol::uuid{});
    }
    if (v >= 4) {
      // From v4 the request says whether to create a missing topic.
      EXPECT_EQ(resp.topics[1].error_code, to_int(error_code::unknown_topic_or_partition));
    } else {
      // v0-3: auto.create.topics.enable (default true) decides; Kafka answers a
      // topic it just created with LEADER_NOT_AVAILABLE or at once.
      EXPECT_TRUE(resp.topics[1].error_code == 0 ||
                  resp.topics[1].error_code == to_int(error_code::leader_not_available))
          << resp.topics[1].error_code;
    }
  }
}

// A long poll that nothing answers returns empty (not null) records once
// max_wait_ms has passed, and one that data answers returns that data.
TEST_F(DataWire, FetchLongPollReturnsWhenDataArrives) {
  auto v = range(api_key::fetch).second;
  auto empty = fetch(v, 0, 0, 200);
  EXPECT_EQ(empty.responses[0].partitions[0].error_code, 0);
  EXPECT_TRUE(values_in(empty.responses[0].partitions[0].records).empty());

  wire_client producer(broker_.port(), "producer");
  // The fetch would wait 25 s; a working wake-up answers it at the append. A
  // broken one would still return the record, but only at the deadline, so
  // the test looks at when the answer came (with 15 s of slack).
  auto parked_at = std::chrono::steady_clock::now();
  auto waiting = std::async(std::launch::async, [&] { return fetch(v, 0, 0, 25000); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_EQ(produce_batch(producer, range(api_key::produce).second, topic_, 0, batch_of({"wake"}, 0)).error_code, 0);
  auto woken = waiting.get();
  auto waited = std::chrono::steady_clock::now() - parked_at;
  EXPECT_EQ(values_in(woken.responses[0].partitions[0].records),
            (std::vector<std::pair<int64_t, std::string>>{{0, "wake"}}));
  EXPECT_LT(waited, std::chrono::seconds(10)) << "the parked fetch was not woken by the append";
}

// Finding 10: a parked fetch holds a timer and its connection; the longest
// wait a client may ask for is cut to 30 s, after which it is answered
// (empty) and simply fetches again.
TEST_F(DataWire, FetchWaitIsCutToThirtySeconds) {
  auto v = range(api_key::fetch).second;
  client_->set_receive_timeout(90);
  auto parked_at = std::chrono::steady_clock::now();
  auto answer = fetch(v, 0, 0, std::numeric_limits<int32_t>::max());
  auto waited = std::chrono::steady_clock::now() - parked_at;
  EXPECT_EQ(answer.error_code, 0);
  EXPECT_EQ(answer.responses.at(0).partitions.at(0).error_code, 0);
  EXPECT_TRUE(values_in(answer.responses[0].partitions[0].records).empty());
  // The bounds are wide (a busy machine may answer late); what matters is
  // that a wait of 24 days ends at all.
  EXPECT_GE(waited, std::chrono::seconds(29));
  EXPECT_LT(waited, std::chrono::seconds(85));
}

}  // namespace
}  // namespace samsa::wire_test
