#include "protocol/frame.h"

#include <gtest/gtest.h>

#include "protocol/bodies.h"
#include "protocol/messages.h"

namespace samsa::protocol {
namespace {

TEST(frame, header_versions_follow_kafka) {
  EXPECT_EQ(request_header_version(18, 3), 2);  // ApiVersions v3 is flexible
  EXPECT_EQ(request_header_version(18, 2), 1);
  EXPECT_EQ(request_header_version(0, 9), 2);
  EXPECT_EQ(request_header_version(0, 8), 1);
  EXPECT_EQ(request_header_version(7, 0), 0);   // ControlledShutdown v0
  EXPECT_EQ(request_header_version(17, 1), 1);  // SaslHandshake is never flexible
  EXPECT_EQ(response_header_version(18, 3), 0);  // ApiVersions response: always v0
  EXPECT_EQ(response_header_version(3, 9), 1);
  EXPECT_EQ(response_header_version(3, 8), 0);
  EXPECT_EQ(request_header_version(999, 0), 1);
}

TEST(frame, api_table) {
  const api_info* produce = find_api(api_key::produce);
  ASSERT_NE(produce, nullptr);
  EXPECT_EQ(produce->name, "Produce");
  EXPECT_EQ(produce->min_version, 0);
  EXPECT_EQ(produce->max_version, 13);
  EXPECT_EQ(produce->first_flexible, 9);
  EXPECT_EQ(find_api(4), nullptr);  // LeaderAndIsr is not served
  const api_info* handshake = find_api(api_key::sasl_handshake);
  ASSERT_NE(handshake, nullptr);
  EXPECT_EQ(handshake->first_flexible, -1);
  EXPECT_GE(all_apis().size(), 50u);
}

TEST(frame, request_round_trip_through_header_and_body) {
  request_header_data header;
  header.request_api_key = 3;
  header.request_api_version = 9;
  header.correlation_id = 77;
  header.client_id = "rdkafka";
  metadata_request_data body;
  body.topics.emplace();
  body.topics->emplace_back().name = "orders";
  writer w;
  encode_request(w, header, body);

  reader sized(w.buffer());
  const int32_t size = sized.read_int32();
  EXPECT_EQ(static_cast<size_t>(size), w.buffer().size() - 4);
  auto decoded = decode_request_header(sized);
  ASSERT_TRUE(decoded.ok()) << decoded.err().message;
  EXPECT_EQ(decoded->correlation_id, 77);
  EXPECT_EQ(decoded->client_id, "rdkafka");
  auto any = decode_request_body(decoded->request_api_key, decoded->request_api_version, sized);
  ASSERT_TRUE(any.ok()) << any.err().message;
  auto* md = std::get_if<metadata_request_data>(&*any);
  ASSERT_NE(md, nullptr);
  ASSERT_TRUE(md->topics.has_value());
  EXPECT_EQ((*md->topics)[0].name, "orders");
  EXPECT_EQ(api_key_of(*any), 3);
  EXPECT_EQ(sized.remaining(), 0u);
}

TEST(frame, truncated_header_fails_with_context) {
  // Client id length 5 but only one byte of it present.
  std::vector<uint8_t> bytes = {0x00, 0x03, 0x00, 0x09, 0x00, 0x00, 0x00, 0x01, 0x00, 0x05, 'a'};
  reader r(bytes);
  auto decoded = decode_request_header(r);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.err().message.find("api key 3 version 9"), std::string::npos)
      << decoded.err().message;
  std::vector<uint8_t> tiny = {0x00, 0x03, 0x00};
  reader t(tiny);
  auto short_frame = decode_request_header(t);
  ASSERT_FALSE(short_frame.ok());
  EXPECT_NE(short_frame.err().message.find("at least 8 bytes"), std::string::npos);
}

TEST(frame, unknown_api_key_and_version_are_reported) {
  reader r(std::span<const uint8_t>{});
  auto unknown = decode_request_body(999, 0, r);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.err().message.find("unknown api key 999"), std::string::npos);
  auto too_new = decode_request_body(0, 99, r);
  ASSERT_FALSE(too_new.ok());
  EXPECT_NE(too_new.err().message.find("no version 99"), std::string::npos);
}

TEST(frame, api_versions_response_uses_header_v0_even_when_flexible) {
  api_versions_response_data body;
  body.error_code = 35;
  writer w;
  encode_response(w, 5, 18, 3, body);
  reader r(w.buffer());
  EXPECT_EQ(r.read_int32(), static_cast<int32_t>(w.buffer().size() - 4));
  EXPECT_EQ(r.read_int32(), 5);       // correlation id, no tag section follows
  EXPECT_EQ(r.read_int16(), 35);      // body starts right away
}

TEST(frame, response_with_file_records_counts_spliced_bytes) {
  fetch_response_data body;
  auto& topic = body.responses.emplace_back();
  topic.topic = "t";
  auto& part = topic.partitions.emplace_back();
  part.records = records::file(file_slice{nullptr, 9, 0, 1000});
  writer w;
  encode_response(w, 1, 1, 11, body);
  ASSERT_EQ(w.splices().size(), 1u);
  reader r(w.buffer());
  EXPECT_EQ(static_cast<size_t>(r.read_int32()), w.total_size() - 4);
}

}  // namespace
}  // namespace samsa::protocol
