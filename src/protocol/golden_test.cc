// Decodes request frames captured from real clients (tests/golden/) and checks
// what each client put in them, then re-encodes and expects identical bytes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/bodies.h"
#include "protocol/frame.h"

namespace samsa::protocol {
namespace {

namespace fs = std::filesystem;

struct decoded_frame {
  std::shared_ptr<std::vector<uint8_t>> bytes;
  request_header_data header;
  request_body body;
};

std::shared_ptr<std::vector<uint8_t>> load(const std::string& name) {
  std::ifstream in(fs::path(SAMSA_GOLDEN_DIR) / name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  return std::make_shared<std::vector<uint8_t>>(std::istreambuf_iterator<char>(in),
                                                std::istreambuf_iterator<char>());
}

// Decodes a frame fully, checking the size prefix, that nothing is left over
// and that header + body re-encode to exactly the captured bytes.
decoded_frame decode_frame(const std::string& name) {
  decoded_frame out{load(name), {}, {}};
  reader r(std::span<const uint8_t>(*out.bytes), out.bytes);
  const int32_t size = r.read_int32();
  EXPECT_EQ(static_cast<size_t>(size), out.bytes->size() - 4) << name;
  auto header = decode_request_header(r);
  EXPECT_TRUE(header.ok()) << name << ": " << (header.ok() ? "" : header.err().message);
  if (!header.ok()) return out;
  out.header = *header;
  auto body = decode_request_body(header->request_api_key, header->request_api_version, r);
  EXPECT_TRUE(body.ok()) << name << ": " << (body.ok() ? "" : body.err().message);
  if (!body.ok()) return out;
  out.body = std::move(*body);
  EXPECT_EQ(r.remaining(), 0u) << name;

  writer w;
  size_t at = begin_frame(w);
  encode_request_header(w, out.header);
  encode_body(out.body, w, out.header.request_api_version);
  end_frame(w, at);
  EXPECT_EQ(w.buffer(), *out.bytes) << name << ": re-encoding differs";
  return out;
}

template <typename T>
const T& body_as(const decoded_frame& f) {
  const T* p = std::get_if<T>(&f.body);
  if (p == nullptr) {
    ADD_FAILURE() << "body has api key " << api_key_of(f.body);
    static const T empty{};
    return empty;
  }
  return *p;
}

bool contains(std::span<const uint8_t> haystack, std::string_view needle) {
  std::string_view text(reinterpret_cast<const char*>(haystack.data()), haystack.size());
  return text.find(needle) != std::string_view::npos;
}

TEST(golden, every_captured_frame_decodes_and_re_encodes) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(SAMSA_GOLDEN_DIR)) {
    if (entry.path().extension() != ".bin") continue;
    SCOPED_TRACE(entry.path().filename().string());
    decode_frame(entry.path().filename().string());
    ++count;
  }
  EXPECT_GE(count, 15);
}

TEST(golden, librdkafka_api_versions_v3) {
  auto f = decode_frame("kcat_api_versions_v3.bin");
  EXPECT_EQ(f.header.request_api_key, 18);
  EXPECT_EQ(f.header.request_api_version, 3);
  EXPECT_EQ(f.header.client_id, "rdkafka");
  const auto& body = body_as<api_versions_request_data>(f);
  EXPECT_EQ(body.client_software_name, "librdkafka");
  EXPECT_EQ(body.client_software_version, "2.0.2");

  auto py = decode_frame("librdkafka_api_versions_v3.bin");
  EXPECT_EQ(py.header.client_id, "golden-consumer");
  EXPECT_EQ(body_as<api_versions_request_data>(py).client_software_name, "confluent-kafka-python");
}

TEST(golden, kafkajs_and_kafka_python_api_versions) {
  auto js = decode_frame("kafkajs_api_versions_v2.bin");
  EXPECT_EQ(js.header.request_api_version, 2);
  EXPECT_EQ(js.header.client_id, "golden-kafkajs");
  auto kp = decode_frame("kafka_python_api_versions_v0.bin");
  EXPECT_EQ(kp.header.request_api_version, 0);
  EXPECT_EQ(kp.header.client_id, "golden-kafka-python");
}

TEST(golden, metadata_requests) {
  auto kcat = decode_frame("kcat_metadata_v4.bin");
  const auto& md = body_as<metadata_request_data>(kcat);
  ASSERT_TRUE(md.topics.has_value());
  ASSERT_EQ(md.topics->size(), 1u);
  EXPECT_EQ((*md.topics)[0].name, "golden-topic");
  EXPECT_TRUE(md.allow_auto_topic_creation);

  // The group consumer first asks for brokers only: an empty, non-null list.
  auto consumer = decode_frame("librdkafka_metadata_v4.bin");
  const auto& brokers_only = body_as<metadata_request_data>(consumer);
  ASSERT_TRUE(brokers_only.topics.has_value());
  EXPECT_TRUE(brokers_only.topics->empty());

  auto js = decode_frame("kafkajs_metadata_v6.bin");
  const auto& jsmd = body_as<metadata_request_data>(js);
  ASSERT_TRUE(jsmd.topics.has_value());
  EXPECT_EQ((*jsmd.topics)[0].name, "golden-topic");
  EXPECT_TRUE(jsmd.allow_auto_topic_creation);

  auto v0 = decode_frame("kafka_python_metadata_v0.bin");
  EXPECT_EQ(v0.header.request_api_version, 0);
}

TEST(golden, produce_requests) {
  auto kcat = decode_frame("kcat_produce_v7.bin");
  const auto& p = body_as<produce_request_data>(kcat);
  EXPECT_EQ(p.acks, -1);  // librdkafka default acks=all
  EXPECT_FALSE(p.transactional_id.has_value());
  ASSERT_EQ(p.topic_data.size(), 1u);
  EXPECT_EQ(p.topic_data[0].name, "golden-topic");
  ASSERT_EQ(p.topic_data[0].partition_data.size(), 1u);
  EXPECT_EQ(p.topic_data[0].partition_data[0].index, 0);
  const auto& rec = p.topic_data[0].partition_data[0].records;
  ASSERT_TRUE(rec.has_value());
  ASSERT_GT(rec->size(), 61u);
  EXPECT_EQ(rec->bytes()[16], 2);  // record batch magic v2
  EXPECT_TRUE(contains(rec->bytes(), "hello golden"));
  EXPECT_EQ(rec->owner().get(), kcat.bytes.get());  // decoded without a copy

  auto js = decode_frame("kafkajs_produce_v7.bin");
  const auto& jp = body_as<produce_request_data>(js);
  EXPECT_EQ(jp.acks, -1);
  EXPECT_EQ(jp.timeout_ms, 30000);
  const auto& jrec = jp.topic_data.at(0).partition_data.at(0).records;
  ASSERT_TRUE(jrec.has_value());
  EXPECT_TRUE(contains(jrec->bytes(), "hello from kafkajs"));
  EXPECT_TRUE(contains(jrec->bytes(), "k1"));

  auto kp = decode_frame("kafka_python_produce_v7.bin");
  const auto& pp = body_as<produce_request_data>(kp);
  EXPECT_EQ(pp.acks, 1);
  EXPECT_TRUE(contains(pp.topic_data.at(0).partition_data.at(0).records->bytes(),
                       "hi from kafka-python"));
}

TEST(golden, librdkafka_fetch_v11) {
  auto f = decode_frame("kcat_fetch_v11.bin");
  const auto& fetch = body_as<fetch_request_data>(f);
  EXPECT_EQ(fetch.replica_id, -1);
  EXPECT_EQ(fetch.isolation_level, 1);  // read_committed by default
  ASSERT_EQ(fetch.topics.size(), 1u);
  EXPECT_EQ(fetch.topics[0].topic, "golden-topic");
  ASSERT_EQ(fetch.topics[0].partitions.size(), 1u);
  EXPECT_EQ(fetch.topics[0].partitions[0].partition, 0);
  EXPECT_EQ(fetch.topics[0].partitions[0].fetch_offset, 0);  // -o 0
}

TEST(golden, find_coordinator_v2) {
  auto rd = decode_frame("librdkafka_find_coordinator_v2.bin");
  const auto& fc = body_as<find_coordinator_request_data>(rd);
  EXPECT_EQ(fc.key, "golden-group");
  EXPECT_EQ(fc.key_type, 0);
  auto js = decode_frame("kafkajs_find_coordinator_v2.bin");
  EXPECT_EQ(body_as<find_coordinator_request_data>(js).key, "golden-group-js");
}

TEST(golden, join_group_v5_and_subscription_metadata) {
  auto rd = decode_frame("librdkafka_join_group_v5.bin");
  const auto& jg = body_as<join_group_request_data>(rd);
  EXPECT_EQ(jg.group_id, "golden-group");
  EXPECT_EQ(jg.session_timeout_ms, 10000);
  EXPECT_EQ(jg.member_id, "");
  EXPECT_EQ(jg.protocol_type, "consumer");
  ASSERT_EQ(jg.protocols.size(), 2u);
  EXPECT_EQ(jg.protocols[0].name, "range");
  EXPECT_EQ(jg.protocols[1].name, "roundrobin");

  // The member metadata is a ConsumerProtocolSubscription with a version prefix.
  reader r(jg.protocols[0].metadata);
  const int16_t version = r.read_int16();
  consumer_protocol_subscription_data sub;
  sub.decode(r, version);
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(sub.topics.size(), 1u);
  EXPECT_EQ(sub.topics[0], "golden-topic");

  auto js = decode_frame("kafkajs_join_group_v5.bin");
  const auto& jj = body_as<join_group_request_data>(js);
  EXPECT_EQ(jj.group_id, "golden-group-js");
  EXPECT_EQ(jj.protocol_type, "consumer");
  ASSERT_EQ(jj.protocols.size(), 1u);
  EXPECT_EQ(jj.protocols[0].name, "RoundRobinAssigner");
  reader jr(jj.protocols[0].metadata);
  const int16_t jversion = jr.read_int16();
  consumer_protocol_subscription_data jsub;
  jsub.decode(jr, jversion);
  ASSERT_TRUE(jr.ok()) << jr.error();
  EXPECT_EQ(jsub.topics, std::vector<std::string>{"golden-topic"});
}

}  // namespace
}  // namespace samsa::protocol
