// Every generated message at every version: sample -> encode -> decode ->
// equal, and decode -> encode -> the same bytes (unknown tags included).
#include <gtest/gtest.h>

#include "protocol/messages_cases.h"
#include "protocol/messages_sample.h"

namespace samsa::protocol::testing {
namespace {

TEST(generated_roundtrip, every_message_every_version) {
  auto cases = all_message_cases();
  ASSERT_GE(cases.size(), 100u);
  int checked = 0;
  int empty = 0;
  for (const auto& c : cases) {
    for (int16_t v = c.min_version; v <= c.max_version; ++v) {
      std::string problem = c.round_trip(v);
      if (problem == kEmptySample) {
        ++empty;
        continue;
      }
      EXPECT_EQ(problem, "") << c.name << " v" << v;
      ++checked;
    }
  }
  EXPECT_GT(checked, 500);
  // Only a handful of (message, version) pairs have no fields at all.
  EXPECT_LE(empty, 10);
}

TEST(generated_roundtrip, truncated_encodings_fail_cleanly) {
  // Every proper prefix of a sample encoding must decode to a failure (or, for
  // prefixes that happen to be complete messages, success), never crash.
  for (const auto& c : all_message_cases()) {
    (void)c.decode(c.max_version, std::span<const uint8_t>());
  }
  produce_request_data sample;
  fill_sample(sample, 7);
  writer w;
  sample.encode(w, 7);
  for (size_t n = 0; n < w.buffer().size(); ++n) {
    reader r(std::span<const uint8_t>(w.buffer().data(), n));
    produce_request_data out;
    out.decode(r, 7);
    EXPECT_FALSE(r.ok()) << "prefix " << n;
  }
}

TEST(generated_roundtrip, unknown_tags_survive_re_encoding) {
  api_versions_request_data req;
  req.client_software_name = "samsa";
  req.unknown_tagged_fields.push_back(unknown_tag{42, {1, 2, 3}});
  writer w;
  req.encode(w, 3);
  reader r(w.buffer());
  api_versions_request_data back;
  back.decode(r, 3);
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(back.unknown_tagged_fields.size(), 1u);
  EXPECT_EQ(back.unknown_tagged_fields[0].tag, 42u);
  EXPECT_EQ(back, req);
}

TEST(generated_roundtrip, known_tagged_field_written_only_when_not_default) {
  fetch_request_data req;
  writer plain;
  req.encode(plain, 12);
  req.cluster_id = "c1";  // tagged 12+, tag 0, default null
  writer tagged;
  req.encode(tagged, 12);
  EXPECT_GT(tagged.buffer().size(), plain.buffer().size());
  reader r(tagged.buffer());
  fetch_request_data back;
  back.decode(r, 12);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(back.cluster_id, std::optional<std::string>("c1"));
  EXPECT_TRUE(back.unknown_tagged_fields.empty());
}

TEST(generated_roundtrip, defaults_come_from_the_definitions) {
  fetch_request_data fetch;
  EXPECT_EQ(fetch.replica_id, -1);
  EXPECT_EQ(fetch.max_bytes, 0x7fffffff);
  EXPECT_EQ(fetch.session_epoch, -1);
  produce_response_data::topic_produce_response::partition_produce_response part;
  EXPECT_EQ(part.log_append_time_ms, -1);
  EXPECT_FALSE(produce_request_data{}.transactional_id.has_value());
}

TEST(generated_roundtrip, decode_does_not_copy_request_records) {
  produce_request_data req;
  req.acks = -1;
  auto& part = req.topic_data.emplace_back().partition_data.emplace_back();
  part.records = records::copy(std::vector<uint8_t>{9, 9, 9, 9});
  writer w;
  req.encode(w, 9);
  auto frame = std::make_shared<std::vector<uint8_t>>(w.buffer());
  reader r(std::span<const uint8_t>(*frame), frame);
  produce_request_data back;
  back.decode(r, 9);
  ASSERT_TRUE(r.ok());
  const auto& rec = back.topic_data[0].partition_data[0].records;
  ASSERT_TRUE(rec.has_value());
  EXPECT_GE(rec->bytes().data(), frame->data());
  EXPECT_LT(rec->bytes().data(), frame->data() + frame->size());
  EXPECT_EQ(rec->owner().get(), frame.get());
}

TEST(generated_roundtrip, non_nullable_version_rejects_null_on_encode) {
  // Metadata v0: Topics is not nullable (null = all topics only from v1).
  metadata_request_data md;
  md.topics.reset();
  writer w;
  md.encode(w, 0);
  EXPECT_FALSE(w.ok());
  writer ok;
  md.encode(ok, 1);
  EXPECT_TRUE(ok.ok());
}

}  // namespace
}  // namespace samsa::protocol::testing
