#include "group/offsets_codec.h"

#include <gtest/gtest.h>

#include "group/subscription.h"

namespace samsa::group {
namespace {

TEST(OffsetsCodec, OffsetCommitKeyRoundTripsAsVersion1) {
  bytes key = encode_offset_commit_key({"billing", "orders", 7});
  // version 1, "billing", "orders", partition 7
  ASSERT_GE(key.size(), 2u);
  EXPECT_EQ(key[0], 0);
  EXPECT_EQ(key[1], 1);
  EXPECT_EQ(key.size(), 2u + 2 + 7 + 2 + 6 + 4);
  auto k = decode_record_key(key);
  ASSERT_TRUE(k.ok());
  const auto& ok = std::get<offset_commit_key>(k.value());
  EXPECT_EQ(ok.group, "billing");
  EXPECT_EQ(ok.topic, "orders");
  EXPECT_EQ(ok.partition, 7);
}

TEST(OffsetsCodec, OffsetCommitValueVersion3Layout) {
  bytes v = encode_offset_commit_value({42, 5, "meta", 1000, std::nullopt});
  const bytes expected = {0, 3,                         // version
                          0, 0, 0, 0, 0, 0, 0, 42,      // offset
                          0, 0, 0, 5,                   // leader epoch
                          0, 4, 'm', 'e', 't', 'a',     // metadata
                          0, 0, 0, 0, 0, 0, 0x03, 0xE8};  // commit timestamp
  EXPECT_EQ(v, expected);
  auto d = decode_offset_commit_value(v);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->offset, 42);
  EXPECT_EQ(d->leader_epoch, 5);
  EXPECT_EQ(d->metadata, "meta");
  EXPECT_EQ(d->commit_timestamp, 1000);
  EXPECT_FALSE(d->expire_timestamp.has_value());
}

// An offset with an explicit expiry (OffsetCommit v2-4 retention_time) is
// written as value version 1, the only one that carries it, as Kafka does.
TEST(OffsetsCodec, OffsetWithExpiryIsWrittenAsVersion1) {
  bytes v = encode_offset_commit_value({9, 5, "", 1, std::optional<int64_t>{2}});
  const bytes expected = {0, 1,                     // version
                          0, 0, 0, 0, 0, 0, 0, 9,   // offset
                          0, 0,                     // metadata ""
                          0, 0, 0, 0, 0, 0, 0, 1,   // commit timestamp
                          0, 0, 0, 0, 0, 0, 0, 2};  // expire timestamp
  EXPECT_EQ(v, expected);
  auto d = decode_offset_commit_value(v);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->expire_timestamp, 2);
  EXPECT_EQ(d->commit_timestamp, 1);
}

TEST(OffsetsCodec, DecodesOlderOffsetValueVersions) {
  // v1: offset, metadata, commit ts, expire ts.
  const bytes v1 = {0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2};
  auto d = decode_offset_commit_value(v1);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->offset, 9);
  EXPECT_EQ(d->leader_epoch, -1);
  EXPECT_EQ(d->commit_timestamp, 1);
  EXPECT_EQ(d->expire_timestamp, 2);
  // v0 with a truncated tail fails cleanly.
  const bytes bad = {0, 0, 0, 0, 0};
  EXPECT_FALSE(decode_offset_commit_value(bad).ok());
  EXPECT_FALSE(decode_offset_commit_value(bytes{0, 9}).ok());
}

TEST(OffsetsCodec, GroupMetadataRoundTripsAsVersion3) {
  group_metadata_value v;
  v.protocol_type = "consumer";
  v.generation = 4;
  v.protocol = "range";
  v.leader = "c1-x";
  v.current_state_timestamp = 123;
  v.members.push_back({"c1-x", std::nullopt, "c1", "/10.0.0.1", 30000, 10000, {1, 2}, {3}});
  v.members.push_back({"c2-y", "instance-2", "c2", "/10.0.0.2", 30000, 10000, {}, {}});
  bytes key = encode_group_metadata_key("billing");
  EXPECT_EQ(key, (bytes{0, 2, 0, 7, 'b', 'i', 'l', 'l', 'i', 'n', 'g'}));
  auto k = decode_record_key(key);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(std::get<group_metadata_key>(k.value()).group, "billing");

  bytes value = encode_group_metadata_value(v);
  EXPECT_EQ(value[1], 3);
  auto d = decode_group_metadata_value(value);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->protocol_type, "consumer");
  EXPECT_EQ(d->generation, 4);
  EXPECT_EQ(d->protocol, "range");
  EXPECT_EQ(d->leader, "c1-x");
  EXPECT_EQ(d->current_state_timestamp, 123);
  ASSERT_EQ(d->members.size(), 2u);
  EXPECT_EQ(d->members[0].subscription, (bytes{1, 2}));
  EXPECT_EQ(d->members[0].assignment, (bytes{3}));
  EXPECT_EQ(d->members[1].group_instance_id, "instance-2");
  EXPECT_EQ(d->members[1].client_host, "/10.0.0.2");
  EXPECT_EQ(d->members[1].rebalance_timeout_ms, 30000);
  EXPECT_EQ(d->members[1].session_timeout_ms, 10000);
}

TEST(OffsetsCodec, EmptyGroupHasNullProtocolAndLeader) {
  group_metadata_value v;
  v.protocol_type = "consumer";
  v.generation = 2;
  bytes value = encode_group_metadata_value(v);
  auto d = decode_group_metadata_value(value);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->protocol.has_value());
  EXPECT_FALSE(d->leader.has_value());
  EXPECT_TRUE(d->members.empty());
}

TEST(OffsetsCodec, RejectsUnknownKeysAndGarbage) {
  EXPECT_FALSE(decode_record_key(bytes{}).ok());
  EXPECT_FALSE(decode_record_key(bytes{0, 3, 0, 1, 'g'}).ok());
  EXPECT_FALSE(decode_record_key(bytes{0, 1, 0, 9, 'g'}).ok());
  EXPECT_FALSE(decode_group_metadata_value(bytes{0, 3, 0x7f, 0x7f}).ok());
  // A member count far larger than the data.
  bytes v = encode_group_metadata_value({"consumer", 1, std::nullopt, std::nullopt, -1, {}});
  v[v.size() - 1] = 0x7f;
  EXPECT_FALSE(decode_group_metadata_value(v).ok());
}

TEST(OffsetsCodec, PartitionForMatchesJavaHashCode) {
  // Values computed with java.lang.String.hashCode.
  EXPECT_EQ(java_string_hash(""), 0);
  EXPECT_EQ(java_string_hash("a"), 97);
  EXPECT_EQ(java_string_hash("hello"), 99162322);
  EXPECT_EQ(java_string_hash("my-group"), -1906497762);
  EXPECT_EQ(offsets_partition_for("my-group", 50), 1906497762 % 50);
  // Non-ASCII goes through UTF-16: "é" is U+00E9 = 233; U+1F600 is a surrogate pair.
  EXPECT_EQ(java_string_hash("\xC3\xA9"), 233);
  EXPECT_EQ(java_string_hash("\xF0\x9F\x98\x80"), 0xD83D * 31 + 0xDE00);
  EXPECT_EQ(offsets_partition_for("hello", 50), 99162322 % 50);
  for (const char* g : {"billing", "console-consumer-1234", "x", "\xFF\xFE"}) {
    const int32_t p = offsets_partition_for(g);
    EXPECT_GE(p, 0);
    EXPECT_LT(p, 50);
  }
  EXPECT_EQ(offsets_partition_for("anything", 1), 0);
}

TEST(Subscription, DecodesTopicsAndToleratesNewerFields) {
  bytes md = encode_consumer_subscription({"orders", "payments"});
  auto s = decode_consumer_subscription(md);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->topics, (std::vector<std::string>{"orders", "payments"}));
  EXPECT_FALSE(s->user_data.has_value());
  // Version 3 with owned partitions, generation and rack appended.
  bytes v3 = {0, 3, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 0, /*owned*/ 0, 0, 0, 0, /*gen*/ 0, 0, 0, 1, /*rack*/ 0xff, 0xff};
  auto s3 = decode_consumer_subscription(v3);
  ASSERT_TRUE(s3.ok());
  EXPECT_EQ(s3->version, 3);
  EXPECT_EQ(s3->topics, (std::vector<std::string>{"t"}));
  EXPECT_TRUE(s3->user_data.has_value());
  EXPECT_FALSE(decode_consumer_subscription(bytes{0, 0, 0, 0, 0, 5, 0, 1}).ok());
  EXPECT_FALSE(decode_consumer_subscription(bytes{}).ok());
}

}  // namespace
}  // namespace samsa::group
