#include "http/consumer_assignment.h"

#include <gtest/gtest.h>

#include "protocol/writer.h"

namespace samsa::http {
namespace {

std::vector<uint8_t> assignment(const std::vector<std::pair<std::string, std::vector<int32_t>>>& topics) {
  protocol::writer w;
  w.write_int16(1);
  w.write_int32(static_cast<int32_t>(topics.size()));
  for (const auto& [t, ps] : topics) {
    w.write_string(t);
    w.write_int32(static_cast<int32_t>(ps.size()));
    for (int32_t p : ps) w.write_int32(p);
  }
  w.write_int32(-1);  // null user data
  w.write_int32(0);   // v1: owned partitions
  return w.buffer();
}

TEST(consumer_assignment, decodes_topics_and_partitions) {
  auto bytes = assignment({{"orders", {0, 2}}, {"audit", {1}}});
  auto a = decode_consumer_assignment(bytes);
  ASSERT_TRUE(a);
  ASSERT_EQ(a->size(), 2u);
  EXPECT_EQ((*a)[0].topic, "orders");
  EXPECT_EQ((*a)[0].partitions, (std::vector<int32_t>{0, 2}));
  EXPECT_EQ((*a)[1].topic, "audit");
  EXPECT_EQ((*a)[1].partitions, (std::vector<int32_t>{1}));
}

TEST(consumer_assignment, empty_bytes_are_an_empty_assignment) {
  auto a = decode_consumer_assignment({});
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->empty());
}

TEST(consumer_assignment, rejects_truncated_and_oversized_counts) {
  auto bytes = assignment({{"orders", {0, 1, 2}}});
  for (size_t cut = 1; cut < 2 + 4 + 2 + 6 + 4 + 12; ++cut) {
    EXPECT_FALSE(decode_consumer_assignment(std::span<const uint8_t>(bytes.data(), cut))) << "cut at " << cut;
  }
  // A partition count far beyond the bytes left must not allocate it.
  protocol::writer w;
  w.write_int16(0);
  w.write_int32(1);
  w.write_string("t");
  w.write_int32(1 << 30);
  EXPECT_FALSE(decode_consumer_assignment(w.buffer()));
}

}  // namespace
}  // namespace samsa::http
