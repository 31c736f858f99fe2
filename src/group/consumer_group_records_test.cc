#include "group/consumer_group_records.h"

#include <gtest/gtest.h>

#include "group/consumer_group_test_support.h"

namespace samsa::group {
namespace {

using cgtest::parts;
using cgtest::tid;

TEST(ConsumerGroupRecords, KeysRoundTripAndAreRecognised) {
  for (auto kind : {cg_record_kind::group, cg_record_kind::member, cg_record_kind::target_epoch,
                    cg_record_kind::target_member, cg_record_kind::current_member}) {
    bool has_member = kind != cg_record_kind::group && kind != cg_record_kind::target_epoch;
    cg_record_key key{kind, "g1", has_member ? "m1" : ""};
    auto bytes = encode_cg_key(key);
    EXPECT_TRUE(is_consumer_group_record(bytes));
    auto back = decode_cg_key(bytes);
    ASSERT_TRUE(back) << back.err().describe();
    EXPECT_EQ(back->kind, kind);
    EXPECT_EQ(back->group_id, "g1");
    EXPECT_EQ(back->member_id, key.member_id);
  }
  // Kafka's own key versions (offsets 0-1, classic groups 2) are not ours.
  EXPECT_FALSE(is_consumer_group_record({0, 1, 0, 0}));
  EXPECT_FALSE(is_consumer_group_record({0, 2}));
  EXPECT_FALSE(is_consumer_group_record({0}));
}

TEST(ConsumerGroupRecords, ValuesRoundTrip) {
  cg_member_value m{"inst", std::nullopt, "client", "/10.0.0.1", 30000, {"a", "b"}, "t.*", "range"};
  auto m2 = decode_cg_member_value(encode_cg_member_value(m));
  ASSERT_TRUE(m2);
  EXPECT_EQ(*m2, m);

  auto g = decode_cg_group_value(encode_cg_group_value({7, -42}));
  ASSERT_TRUE(g);
  EXPECT_EQ(g->group_epoch, 7);
  EXPECT_EQ(g->metadata_hash, -42);

  auto e = decode_cg_target_epoch_value(encode_cg_target_epoch_value(9));
  ASSERT_TRUE(e);
  EXPECT_EQ(*e, 9);

  topic_id odd{};
  for (size_t i = 0; i < 16; ++i) odd[i] = static_cast<uint8_t>(0xF0 + i);
  cg_assignment a = parts(odd, {0, 5, 7});
  a[tid(2)] = {1};
  auto a2 = decode_cg_assignment_value(encode_cg_assignment_value(a));
  ASSERT_TRUE(a2);
  EXPECT_EQ(*a2, a);

  cg_member_assignment cur{5, 4, cg_member_state::unrevoked_partitions, parts(tid(1), {1}), parts(tid(1), {0})};
  auto cur2 = decode_cg_current_value(encode_cg_current_value(cur));
  ASSERT_TRUE(cur2);
  EXPECT_EQ(*cur2, cur);
}

TEST(ConsumerGroupRecords, GarbageIsAnErrorNotACrash) {
  EXPECT_FALSE(decode_cg_group_value({0, 1, 0, 0, 0, 1}));  // unknown value version
  EXPECT_FALSE(decode_cg_group_value({0, 0, 0}));           // short
  // A huge topic count with no bytes behind it.
  EXPECT_FALSE(decode_cg_assignment_value({0, 0, 0x7f, 0xff, 0xff, 0xff}));
  // A bad member state.
  bytes cur = encode_cg_current_value({});
  cur[10] = 9;
  EXPECT_FALSE(decode_cg_current_value(cur));
  // Trailing bytes after a key.
  auto key = encode_cg_key({cg_record_kind::group, "g", ""});
  key.push_back(0);
  EXPECT_FALSE(decode_cg_key(key));
}

}  // namespace
}  // namespace samsa::group
