#include "base/kafka_error_codes.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace samsa::kafka {
namespace {

TEST(kafka_error_codes, every_code_round_trips_between_number_and_name) {
  std::set<std::string_view> names;
  int16_t expected = min_known_error_code;
  for (const error_info& e : all_error_infos()) {
    EXPECT_EQ(to_int(e.code), expected) << e.name;  // ascending, no gaps
    ++expected;
    EXPECT_TRUE(names.insert(e.name).second) << "duplicate name " << e.name;
    ASSERT_NE(find_error_info(to_int(e.code)), nullptr) << e.name;
    EXPECT_EQ(find_error_info(to_int(e.code))->name, e.name);
    EXPECT_EQ(error_name(e.code), e.name);
    std::optional<error_code> back = error_code_from_name(e.name);
    ASSERT_TRUE(back.has_value()) << e.name;
    EXPECT_EQ(*back, e.code);
    if (e.code != error_code::none) {
      EXPECT_FALSE(default_message(e.code).empty()) << e.name;
    }
  }
  EXPECT_EQ(expected - 1, max_known_error_code);
}

TEST(kafka_error_codes, covers_kafka_4_codes) {
  EXPECT_EQ(min_known_error_code, -1);
  EXPECT_GE(max_known_error_code, 133);
  EXPECT_EQ(all_error_infos().size(), static_cast<size_t>(max_known_error_code - min_known_error_code + 1));
  EXPECT_EQ(to_int(error_code::unknown_server_error), -1);
  EXPECT_EQ(to_int(error_code::unsupported_version), 35);
  EXPECT_EQ(to_int(error_code::invalid_record), 87);
  EXPECT_EQ(to_int(error_code::unknown_topic_id), 100);
  EXPECT_EQ(to_int(error_code::rebootstrap_required), 129);
  EXPECT_EQ(to_int(error_code::share_session_limit_reached), 133);
  EXPECT_EQ(error_name(error_code::not_leader_or_follower), "NOT_LEADER_OR_FOLLOWER");
  EXPECT_EQ(error_name(error_code::invalid_topic_exception), "INVALID_TOPIC_EXCEPTION");
}

TEST(kafka_error_codes, retriable_flags_follow_kafka) {
  // Transient in Kafka's clients (their exceptions derive from RetriableException).
  for (error_code c : {error_code::corrupt_message, error_code::unknown_topic_or_partition,
                       error_code::leader_not_available, error_code::not_leader_or_follower,
                       error_code::request_timed_out, error_code::network_exception,
                       error_code::coordinator_load_in_progress, error_code::coordinator_not_available,
                       error_code::not_coordinator, error_code::not_enough_replicas,
                       error_code::kafka_storage_error, error_code::concurrent_transactions,
                       error_code::unstable_offset_commit, error_code::unknown_topic_id,
                       error_code::share_session_not_found, error_code::share_session_limit_reached}) {
    EXPECT_TRUE(is_retriable(c)) << error_name(c);
  }
  for (error_code c : {error_code::none, error_code::unknown_server_error, error_code::offset_out_of_range,
                       error_code::message_too_large, error_code::rebalance_in_progress,
                       error_code::unknown_member_id, error_code::topic_already_exists,
                       error_code::unsupported_version, error_code::invalid_record,
                       error_code::producer_fenced, error_code::policy_violation,
                       error_code::rebootstrap_required}) {
    EXPECT_FALSE(is_retriable(c)) << error_name(c);
  }
}

TEST(kafka_error_codes, unknown_numbers_are_handled) {
  for (int16_t n : {int16_t{-2}, int16_t{-32768}, int16_t{max_known_error_code + 1}, int16_t{30000},
                    int16_t{32767}}) {
    const auto code = static_cast<error_code>(n);
    EXPECT_EQ(find_error_info(n), nullptr) << n;
    EXPECT_EQ(error_name(code), "UNKNOWN_ERROR_CODE") << n;
    EXPECT_FALSE(is_retriable(code)) << n;
    EXPECT_TRUE(default_message(code).empty()) << n;
  }
  EXPECT_FALSE(error_code_from_name("UNKNOWN_ERROR_CODE").has_value());
  EXPECT_FALSE(error_code_from_name("").has_value());
  EXPECT_FALSE(error_code_from_name("invalid_record").has_value());  // names are upper case
  EXPECT_TRUE(default_message(error_code::none).empty());
}

}  // namespace
}  // namespace samsa::kafka
