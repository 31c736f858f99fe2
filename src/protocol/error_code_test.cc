#include "protocol/error_code.h"

#include <gtest/gtest.h>

namespace samsa::protocol {
namespace {

TEST(error_code, names) {
  EXPECT_EQ(error_name(error_code::unknown_topic_or_partition), "UNKNOWN_TOPIC_OR_PARTITION");
  EXPECT_EQ(error_name(error_code::none), "NONE");
  EXPECT_EQ(error_name(error_code::unknown_server_error), "UNKNOWN_SERVER_ERROR");
  EXPECT_EQ(error_name(static_cast<error_code>(30000)), "UNKNOWN_ERROR_CODE");
  EXPECT_EQ(to_int(error_code::unsupported_version), 35);
  EXPECT_EQ(to_int(error_code::unknown_topic_id), 100);
}

TEST(error_code, every_code_up_to_max_has_a_name) {
  for (int16_t c = -1; c <= max_known_error_code; ++c) {
    EXPECT_NE(error_name(static_cast<error_code>(c)), "UNKNOWN_ERROR_CODE") << c;
  }
}

TEST(error_code, retriable) {
  EXPECT_TRUE(is_retriable(error_code::not_leader_or_follower));
  EXPECT_TRUE(is_retriable(error_code::coordinator_load_in_progress));
  EXPECT_TRUE(is_retriable(error_code::unknown_topic_or_partition));
  EXPECT_FALSE(is_retriable(error_code::none));
  EXPECT_FALSE(is_retriable(error_code::topic_already_exists));
  EXPECT_FALSE(is_retriable(error_code::unsupported_version));
}

}  // namespace
}  // namespace samsa::protocol
