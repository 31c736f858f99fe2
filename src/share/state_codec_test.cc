#include "share/state_codec.h"

#include <gtest/gtest.h>

#include "record/crc32c.h"

namespace samsa::share {
namespace {

partition_record sample_partition() {
  partition_record p;
  p.key.group = "orders";
  p.key.topic[0] = 0xab;
  p.key.topic[15] = 0x01;
  p.key.partition = 3;
  p.state = partition_snapshot{10, 20, {{10, 12, record_state::available, 2}, {13, 13, record_state::acknowledged, 1}}};
  return p;
}

group_record sample_group() {
  group_record g;
  g.group = "orders";
  g.group_epoch = 7;
  member m;
  m.id = "m1";
  m.epoch = 7;
  m.rack = "r1";
  m.client_id = "c";
  m.client_host = "/127.0.0.1";
  m.subscribed = {"a", "b"};
  m.assigned = {{"a", {0, 2}}, {"b", {1}}};
  g.members.push_back(m);
  g.configs["share.auto.offset.reset"] = "earliest";
  return g;
}

TEST(share_state_codec, round_trips_both_record_kinds) {
  auto bytes = encode_record(sample_partition());
  auto more = encode_record(sample_group());
  bytes.insert(bytes.end(), more.begin(), more.end());
  partition_record gone;
  gone.key = sample_partition().key;
  more = encode_record(gone);
  bytes.insert(bytes.end(), more.begin(), more.end());

  auto d = decode_journal(bytes);
  EXPECT_EQ(d.valid_bytes, bytes.size());
  ASSERT_EQ(d.records.size(), 3u);
  const auto& p = std::get<partition_record>(d.records[0]);
  EXPECT_EQ(p.key, sample_partition().key);
  EXPECT_EQ(p.state, sample_partition().state);
  const auto& g = std::get<group_record>(d.records[1]);
  EXPECT_EQ(g.group_epoch, 7);
  ASSERT_EQ(g.members.size(), 1u);
  EXPECT_EQ(g.members[0].rack, "r1");
  EXPECT_EQ(g.members[0].subscribed, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(g.members[0].assigned, (assignment{{"a", {0, 2}}, {"b", {1}}}));
  EXPECT_EQ(g.configs.at("share.auto.offset.reset"), "earliest");
  EXPECT_FALSE(std::get<partition_record>(d.records[2]).state.has_value());
}

TEST(share_state_codec, a_torn_or_corrupt_tail_ends_the_valid_prefix) {
  auto first = encode_record(sample_partition());
  auto second = encode_record(sample_group());
  std::vector<uint8_t> bytes = first;
  bytes.insert(bytes.end(), second.begin(), second.end() - 3);  // torn
  auto d = decode_journal(bytes);
  EXPECT_EQ(d.records.size(), 1u);
  EXPECT_EQ(d.valid_bytes, first.size());

  bytes = first;
  bytes.insert(bytes.end(), second.begin(), second.end());
  bytes[first.size() + 12] ^= 0x40;  // a flipped bit in the second payload
  d = decode_journal(bytes);
  EXPECT_EQ(d.records.size(), 1u);

  std::vector<uint8_t> huge = {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0};
  EXPECT_EQ(decode_journal(huge).records.size(), 0u);
}

// Group records written before assignments were journaled (version 0) are
// still read: the same bytes without the per-member assignment.
TEST(share_state_codec, reads_version_0_group_records) {
  group_record g = sample_group();
  for (auto& m : g.members) m.assigned.clear();
  auto frame = encode_record(g);
  std::vector<uint8_t> payload(frame.begin() + 8, frame.end());
  ASSERT_EQ(payload[1], 1);  // written as version 1
  payload[1] = 0;
  // Version 1 wrote an empty assignment (u32 0) after the subscriptions; drop it.
  const size_t subs_end = payload.size() - 4 /*config count*/ - (4 + 23) - (4 + 8) - 4;
  payload.erase(payload.begin() + static_cast<std::ptrdiff_t>(subs_end),
                payload.begin() + static_cast<std::ptrdiff_t>(subs_end) + 4);
  std::vector<uint8_t> v0;
  auto put32 = [&](uint32_t v) {
    for (int i = 3; i >= 0; --i) v0.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  put32(static_cast<uint32_t>(payload.size()));
  put32(record::crc32c(payload));
  v0.insert(v0.end(), payload.begin(), payload.end());
  auto d = decode_journal(v0);
  ASSERT_EQ(d.records.size(), 1u);
  const auto& back = std::get<group_record>(d.records[0]);
  EXPECT_EQ(back.members.at(0).subscribed, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(back.members.at(0).assigned.empty());
  EXPECT_EQ(back.configs.at("share.auto.offset.reset"), "earliest");
}

}  // namespace
}  // namespace samsa::share

