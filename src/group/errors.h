// Kafka error codes used by the group coordinator, as plain int16_t values so
// handlers can copy them straight into response fields. The numbers come from
// the one error table (src/base/kafka_errors.def), never from here.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/kafka_error_codes.h"

namespace samsa::group::errc {

namespace detail {
constexpr int16_t code(kafka::error_code c) { return kafka::to_int(c); }
}  // namespace detail

inline constexpr int16_t unknown_server_error = detail::code(kafka::error_code::unknown_server_error);
inline constexpr int16_t none = detail::code(kafka::error_code::none);
inline constexpr int16_t unknown_topic_or_partition = detail::code(kafka::error_code::unknown_topic_or_partition);
inline constexpr int16_t offset_metadata_too_large = detail::code(kafka::error_code::offset_metadata_too_large);
inline constexpr int16_t coordinator_load_in_progress = detail::code(kafka::error_code::coordinator_load_in_progress);
inline constexpr int16_t coordinator_not_available = detail::code(kafka::error_code::coordinator_not_available);
inline constexpr int16_t not_coordinator = detail::code(kafka::error_code::not_coordinator);
inline constexpr int16_t illegal_generation = detail::code(kafka::error_code::illegal_generation);
inline constexpr int16_t inconsistent_group_protocol = detail::code(kafka::error_code::inconsistent_group_protocol);
inline constexpr int16_t invalid_group_id = detail::code(kafka::error_code::invalid_group_id);
inline constexpr int16_t unknown_member_id = detail::code(kafka::error_code::unknown_member_id);
inline constexpr int16_t invalid_session_timeout = detail::code(kafka::error_code::invalid_session_timeout);
inline constexpr int16_t rebalance_in_progress = detail::code(kafka::error_code::rebalance_in_progress);
inline constexpr int16_t non_empty_group = detail::code(kafka::error_code::non_empty_group);
inline constexpr int16_t group_id_not_found = detail::code(kafka::error_code::group_id_not_found);
inline constexpr int16_t member_id_required = detail::code(kafka::error_code::member_id_required);
inline constexpr int16_t fenced_instance_id = detail::code(kafka::error_code::fenced_instance_id);
inline constexpr int16_t group_max_size_reached = detail::code(kafka::error_code::group_max_size_reached);
inline constexpr int16_t group_subscribed_to_topic = detail::code(kafka::error_code::group_subscribed_to_topic);
inline constexpr int16_t invalid_commit_offset_size = detail::code(kafka::error_code::invalid_commit_offset_size);
inline constexpr int16_t unstable_offset_commit = detail::code(kafka::error_code::unstable_offset_commit);

inline constexpr int16_t invalid_request = detail::code(kafka::error_code::invalid_request);
inline constexpr int16_t unsupported_version = detail::code(kafka::error_code::unsupported_version);
// KIP-848 consumer-protocol groups.
inline constexpr int16_t fenced_member_epoch = detail::code(kafka::error_code::fenced_member_epoch);
inline constexpr int16_t unreleased_instance_id = detail::code(kafka::error_code::unreleased_instance_id);
inline constexpr int16_t unsupported_assignor = detail::code(kafka::error_code::unsupported_assignor);
inline constexpr int16_t stale_member_epoch = detail::code(kafka::error_code::stale_member_epoch);
inline constexpr int16_t invalid_regular_expression = detail::code(kafka::error_code::invalid_regular_expression);

// Kafka's upper-case name ("REBALANCE_IN_PROGRESS"), for logs and tests.
inline std::string_view name(int16_t code) { return kafka::error_name(static_cast<kafka::error_code>(code)); }

}  // namespace samsa::group::errc
