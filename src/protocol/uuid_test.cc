#include "protocol/uuid.h"

#include <gtest/gtest.h>

namespace samsa::protocol {
namespace {

TEST(uuid, zero_prints_as_all_a) {
  uuid z;
  EXPECT_TRUE(z.is_zero());
  EXPECT_EQ(z.to_string(), "AAAAAAAAAAAAAAAAAAAAAA");
}

TEST(uuid, known_value) {
  uuid u;
  for (size_t i = 0; i < 16; ++i) u.bytes[i] = 0xff;
  EXPECT_EQ(u.to_string(), "_____________________w");
  auto back = uuid::from_string("_____________________w");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, u);
}

TEST(uuid, string_round_trip_of_random) {
  for (int i = 0; i < 50; ++i) {
    auto u = uuid::random();
    EXPECT_FALSE(u.is_zero());
    EXPECT_EQ(u.bytes[6] >> 4, 4);
    auto back = uuid::from_string(u.to_string());
    ASSERT_TRUE(back.ok()) << back.err().message;
    EXPECT_EQ(*back, u);
  }
  EXPECT_NE(uuid::random(), uuid::random());
}

TEST(uuid, rejects_bad_text) {
  EXPECT_FALSE(uuid::from_string("short").ok());
  EXPECT_FALSE(uuid::from_string("AAAAAAAAAAAAAAAAAAAAA=").ok());
  EXPECT_FALSE(uuid::from_string("AAAAAAAAAAAAAAAAAAAAAB").ok());  // non-zero trailing bits
}

}  // namespace
}  // namespace samsa::protocol
