// Client quotas end to end: AlterClientQuotas / DescribeClientQuotas against
// a real broker (kept across a restart), and a producer over its byte-rate
// quota answered with the throttle time the quota windows give and muted for
// it, while an unlimited client is not.
#include <gtest/gtest.h>

#include <chrono>

#include "broker_process.h"
#include "protocol/error_code.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using alter_req = protocol::alter_client_quotas_request_data;
using alter_resp = protocol::alter_client_quotas_response_data;
using describe_req = protocol::describe_client_quotas_request_data;
using describe_resp = protocol::describe_client_quotas_response_data;

constexpr int16_t invalid_request = 42;

alter_req::entry_data entry(std::vector<std::pair<std::string, std::optional<std::string>>> entity,
                            std::vector<std::tuple<std::string, double, bool>> ops) {
  alter_req::entry_data e;
  for (auto& [type, name] : entity) {
    e.entity.push_back({});
    e.entity.back().entity_type = type;
    e.entity.back().entity_name = name;
  }
  for (auto& [key, value, remove] : ops) {
    e.ops.push_back({});
    e.ops.back().key = key;
    e.ops.back().value = value;
    e.ops.back().remove = remove;
  }
  return e;
}

int16_t alter_one(wire_client& c, alter_req::entry_data e, int16_t version, bool validate_only = false) {
  alter_req req;
  req.entries.push_back(std::move(e));
  req.validate_only = validate_only;
  auto resp = c.call<alter_resp>(req, version);
  EXPECT_EQ(resp.entries.size(), 1u);
  if (resp.entries.empty()) return -1;
  if (resp.entries[0].error_code == 0) {
    EXPECT_FALSE(resp.entries[0].error_message.has_value());
  }
  return resp.entries[0].error_code;
}

describe_resp describe(wire_client& c, std::vector<std::tuple<std::string, int8_t, std::optional<std::string>>> comps,
                       bool strict, int16_t version) {
  describe_req req;
  for (auto& [type, match_type, match] : comps) {
    req.components.push_back({});
    req.components.back().entity_type = type;
    req.components.back().match_type = match_type;
    req.components.back().match = match;
  }
  req.strict = strict;
  return c.call<describe_resp>(req, version);
}

TEST(QuotaWire, AlterAndDescribeEveryVersion) {
  broker_process broker;
  broker.start();
  for (int16_t v = 0; v <= 1; ++v) {
    wire_client c(broker.port(), "admin");
    std::string user = "alice" + std::to_string(v);
    EXPECT_EQ(alter_one(c, entry({{"user", user}, {"client-id", "app"}}, {{"producer_byte_rate", 1048576, false}}), v),
              0);
    EXPECT_EQ(alter_one(c, entry({{"user", user}}, {{"request_percentage", 12.5, false}}), v), 0);
    EXPECT_EQ(alter_one(c, entry({{"client-id", std::nullopt}}, {{"consumer_byte_rate", 2048, false}}), v), 0);
    // Refused as Kafka refuses them.
    EXPECT_EQ(alter_one(c, entry({{"user", user}}, {{"bogus_rate", 1, false}}), v), invalid_request);
    EXPECT_EQ(alter_one(c, entry({{"user", user}}, {{"producer_byte_rate", 10.5, false}}), v), invalid_request);
    EXPECT_EQ(alter_one(c, entry({{"user", user}}, {{"producer_byte_rate", -1, false}}), v), invalid_request);
    EXPECT_EQ(alter_one(c, entry({}, {{"producer_byte_rate", 1, false}}), v), invalid_request);
    EXPECT_EQ(alter_one(c, entry({{"user", "x"}, {"user", "y"}}, {{"producer_byte_rate", 1, false}}), v),
              invalid_request);
    EXPECT_EQ(alter_one(c, entry({{"group", "x"}}, {{"producer_byte_rate", 1, false}}), v), invalid_request);
    // validate_only stores nothing.
    EXPECT_EQ(alter_one(c, entry({{"client-id", "dry"}}, {{"producer_byte_rate", 5, false}}), v, true), 0);

    auto exact = describe(c, {{"user", 0, user}}, false, v);
    ASSERT_EQ(exact.error_code, 0);
    ASSERT_TRUE(exact.entries);
    EXPECT_EQ(exact.entries->size(), 2u);  // /users/u and /users/u/clients/app
    auto strict = describe(c, {{"user", 0, user}}, true, v);
    ASSERT_TRUE(strict.entries);
    ASSERT_EQ(strict.entries->size(), 1u);
    ASSERT_EQ((*strict.entries)[0].values.size(), 1u);
    EXPECT_EQ((*strict.entries)[0].values[0].key, "request_percentage");
    EXPECT_EQ((*strict.entries)[0].values[0].value, 12.5);
    auto defaults = describe(c, {{"client-id", 1, std::nullopt}}, true, v);
    ASSERT_TRUE(defaults.entries);
    ASSERT_EQ(defaults.entries->size(), 1u);
    EXPECT_FALSE((*defaults.entries)[0].entity[0].entity_name.has_value());
    auto dry = describe(c, {{"client-id", 0, "dry"}}, false, v);
    ASSERT_TRUE(dry.entries);
    EXPECT_TRUE(dry.entries->empty());
    auto bad = describe(c, {{"user", 0, std::nullopt}}, false, v);
    EXPECT_EQ(bad.error_code, invalid_request);
    EXPECT_TRUE(bad.error_message.has_value());

    // Removing the last key removes the entity.
    EXPECT_EQ(alter_one(c, entry({{"user", user}}, {{"request_percentage", 0, true}}), v), 0);
    auto after = describe(c, {{"user", 0, user}}, true, v);
    ASSERT_TRUE(after.entries);
    EXPECT_TRUE(after.entries->empty());
  }
  broker.stop_gracefully();
  broker.start();
  wire_client c(broker.port(), "admin");
  auto all = describe(c, {{"user", 2, std::nullopt}}, false, 1);
  ASSERT_TRUE(all.entries);
  EXPECT_EQ(all.entries->size(), 2u);  // alice0/app and alice1/app survive the restart
}

// One Produce v7 request of `batches` batches of ~1 MB, to partitions 0..batches-1.
protocol::produce_request_data big_produce(const std::string& topic, int batches) {
  protocol::produce_request_data req;
  req.acks = 1;
  req.timeout_ms = 10000;
  req.topic_data.push_back({});
  req.topic_data[0].name = topic;
  std::string value(1'000'000, 'q');
  for (int p = 0; p < batches; ++p) {
    req.topic_data[0].partition_data.push_back({});
    req.topic_data[0].partition_data.back().index = p;
    req.topic_data[0].partition_data.back().records = protocol::records::copy(batch_of({value}, p));
  }
  return req;
}

// The request's size as the broker counts it: header and body, no size prefix.
size_t request_bytes(const protocol::produce_request_data& req, int16_t version, const std::string& client_id) {
  protocol::request_header_data header;
  header.request_api_key = protocol::produce_request_data::api_key;
  header.request_api_version = version;
  header.correlation_id = 1;
  header.client_id = client_id;
  protocol::writer w;
  protocol::encode_request(w, header, req);
  return w.buffer().size() - 4;
}

TEST(QuotaWire, ProducerOverItsQuotaIsThrottledAndMuted) {
  broker_process broker;
  broker.start();
  constexpr double quota = 1048576;  // 1 MiB/s
  constexpr int16_t version = 7;
  {
    wire_client admin(broker.port(), "admin");
    ASSERT_EQ(create_topic(admin, "metered", 11), 0);
    ASSERT_EQ(alter_one(admin, entry({{"client-id", "slow"}}, {{"producer_byte_rate", quota, false}}), 1), 0);
  }
  auto req = big_produce("metered", 11);  // ~11 MB: above 10 windows' worth of 1 MiB/s

  wire_client slow(broker.port(), "slow");
  const size_t bytes = request_bytes(req, version, "slow");
  // Kafka's windows: 11 samples of 1 s; the first burst is judged over the 10
  // whole windows before the current one, so throttle = (bytes/10 s - quota)
  // / quota * 10 s.
  const double expected = (static_cast<double>(bytes) / 10.0 - quota) / quota * 10'000.0;
  ASSERT_GT(expected, 0);
  auto sent_at = std::chrono::steady_clock::now();
  auto resp = slow.call<protocol::produce_response_data>(req, version);
  for (auto& t : resp.responses)
    for (auto& p : t.partition_responses) EXPECT_EQ(p.error_code, 0);
  EXPECT_NEAR(resp.throttle_time_ms, expected, 1.0);
  // Muted: the next request on this connection is not even started until
  // the throttle time has passed since the produce was handled (after it was sent).
  protocol::api_versions_request_data probe;
  probe.client_software_name = "samsa-wire-test";
  probe.client_software_version = "1";
  auto probe_resp = slow.call<protocol::api_versions_response_data>(probe, 3);
  EXPECT_EQ(probe_resp.error_code, 0);
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - sent_at);
  EXPECT_GE(waited.count(), resp.throttle_time_ms);

  // A client without a quota sends the same bytes and is not throttled.
  wire_client fast(broker.port(), "fast");
  auto fast_resp = fast.call<protocol::produce_response_data>(big_produce("metered", 11), version);
  EXPECT_EQ(fast_resp.throttle_time_ms, 0);
}

// A producer that pipelines does not get past its quota: a Produce sent
// behind the one that earned the throttle (already on the wire, so already
// read by the broker) is not appended until the mute has passed, as Kafka's
// muted channel leaves it unread in the socket.
TEST(QuotaWire, PipelinedProduceWaitsOutTheMute) {
  broker_process broker;
  broker.start();
  constexpr double quota = 1048576;  // 1 MiB/s
  constexpr int16_t version = 7;
  {
    wire_client admin(broker.port(), "admin");
    ASSERT_EQ(create_topic(admin, "piped", 11), 0);
    ASSERT_EQ(alter_one(admin, entry({{"client-id", "piper"}}, {{"producer_byte_rate", quota, false}}), 1), 0);
  }
  wire_client piper(broker.port(), "piper");
  protocol::produce_request_data small;
  small.acks = 1;
  small.timeout_ms = 10000;
  small.topic_data.push_back({});
  small.topic_data[0].name = "piped";
  small.topic_data[0].partition_data.push_back({});
  small.topic_data[0].partition_data[0].index = 0;
  small.topic_data[0].partition_data[0].records = protocol::records::copy(batch_of({"behind"}, 0));

  auto sent_at = std::chrono::steady_clock::now();
  int32_t first = piper.send(big_produce("piped", 11), version);
  int32_t second = piper.send(small, version);
  auto big = piper.receive<protocol::produce_response_data>(protocol::produce_request_data::api_key, version, first);
  ASSERT_GT(big.throttle_time_ms, 0);
  auto behind =
      piper.receive<protocol::produce_response_data>(protocol::produce_request_data::api_key, version, second);
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - sent_at);
  ASSERT_EQ(behind.responses.size(), 1u);
  EXPECT_EQ(behind.responses[0].partition_responses[0].error_code, 0);
  EXPECT_GE(waited.count(), big.throttle_time_ms) << "the pipelined produce was served inside the mute";
}

// One Fetch v11 of partition 0 from `offset`, up to `max_bytes`.
protocol::fetch_request_data fetch_from(const std::string& topic, int64_t offset, int32_t max_bytes) {
  protocol::fetch_request_data req;
  req.replica_id = -1;
  req.max_wait_ms = 0;
  req.min_bytes = 1;
  req.max_bytes = max_bytes;
  req.session_id = 0;
  req.session_epoch = -1;
  req.topics.push_back({});
  req.topics[0].topic = topic;
  req.topics[0].partitions.push_back({});
  req.topics[0].partitions[0].partition = 0;
  req.topics[0].partitions[0].fetch_offset = offset;
  req.topics[0].partitions[0].partition_max_bytes = max_bytes;
  return req;
}

size_t record_bytes(const protocol::fetch_response_data& resp) {
  size_t n = 0;
  for (const auto& t : resp.responses)
    for (const auto& p : t.partitions) n += p.records ? p.records->size() : 0;
  return n;
}

// Kafka's fetch quota: a fetch asks for at most what the quota lets through
// on an empty window (consumer_byte_rate * 10 windows), and a fetch whose
// answer would put the client over its quota is answered with no data at all
// (no partitions, error NONE) and the throttle time, the channel muted, its
// bytes not counted.
TEST(QuotaWire, FetchOverItsQuotaIsAnsweredEmptyAndMuted) {
  broker_process broker;
  broker.start();
  constexpr double quota = 1048576;  // 1 MiB/s: 10 windows let 10 MiB through
  constexpr int16_t version = 11;
  {
    wire_client admin(broker.port(), "admin");
    ASSERT_EQ(create_topic(admin, "drained", 1), 0);
    // ~12 MB in partition 0: 12 batches of ~1 MB, one record each.
    for (int i = 0; i < 12; ++i) {
      auto p = produce_batch(admin, 7, "drained", 0, batch_of({std::string(1'000'000, 'd')}, i));
      ASSERT_EQ(p.error_code, 0);
    }
    ASSERT_EQ(alter_one(admin, entry({{"client-id", "slowreader"}}, {{"consumer_byte_rate", quota, false}}), 1), 0);
  }
  constexpr int32_t everything = 64 << 20;
  // A client without a quota gets everything at once, unthrottled.
  wire_client fast(broker.port(), "fastreader");
  auto full = fast.call<protocol::fetch_response_data>(fetch_from("drained", 0, everything), version);
  EXPECT_EQ(full.throttle_time_ms, 0);
  ASSERT_GT(record_bytes(full), 11'000'000u);
  auto rest = fast.call<protocol::fetch_response_data>(fetch_from("drained", 10, everything), version);
  const size_t rest_bytes = record_bytes(rest);
  ASSERT_GT(rest_bytes, 1'900'000u);

  wire_client slow(broker.port(), "slowreader");
  // Capped at ten windows' worth: ten of the twelve batches, no throttle.
  auto first_sent = std::chrono::steady_clock::now();
  auto first = slow.call<protocol::fetch_response_data>(fetch_from("drained", 0, everything), version);
  EXPECT_EQ(first.throttle_time_ms, 0);
  const size_t first_bytes = record_bytes(first);
  EXPECT_GT(first_bytes, 9'900'000u);
  EXPECT_LT(first_bytes, 10'500'000u) << "a fetch asks for at most what the quota lets through";

  // The rest would put it over: answered empty, with the time the windows need.
  auto sent_at = std::chrono::steady_clock::now();
  auto throttled = slow.call<protocol::fetch_response_data>(fetch_from("drained", 10, everything), version);
  EXPECT_EQ(throttled.error_code, 0);
  EXPECT_TRUE(throttled.responses.empty()) << "a throttled fetch carries no partitions";
  EXPECT_EQ(record_bytes(throttled), 0u);
  // Both answers (records plus a few hundred bytes of framing) over the
  // first ten windows plus the time d between the two fetches: the throttle
  // is bytes / quota - (10 s + d), d at most the time from sending the first
  // to receiving the second.
  const auto d_max = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - first_sent);
  const double expected = (static_cast<double>(first_bytes + rest_bytes) / 10.0 - quota) / quota * 10'000.0;
  ASSERT_GT(expected, 0);
  EXPECT_LE(throttled.throttle_time_ms, expected + 2.0);  // framing: a few hundred bytes = well under 1 ms
  EXPECT_GE(throttled.throttle_time_ms, expected - static_cast<double>(d_max.count()) - 1.0);
  // Muted for that long: the next request is started only after it.
  auto again = slow.call<protocol::fetch_response_data>(fetch_from("drained", 10, everything), version);
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - sent_at);
  EXPECT_GE(waited.count(), throttled.throttle_time_ms);
  // The empty answer's bytes were not counted: the same fetch, later (a
  // longer span), is throttled for less. Counted, it would be throttled for more.
  EXPECT_TRUE(again.responses.empty());
  EXPECT_GT(again.throttle_time_ms, 0);
  EXPECT_LT(again.throttle_time_ms, throttled.throttle_time_ms);
}

}  // namespace
}  // namespace samsa::wire_test
