// Error codes returned by the record module. The numeric values equal Kafka's
// wire error codes so the broker can put them into a response unchanged.
#pragma once

#include <cstdint>
#include <string>
#include <system_error>

#include "base/result.h"

namespace samsa::record {

enum class errc : int16_t {
  compression_failed = -1,               // our compressor failed (UNKNOWN_SERVER_ERROR)
  corrupt_message = 2,                   // framing, CRC or compressed-stream damage
  message_too_large = 10,                // decompressed data exceeds the caller's bound
  invalid_timestamp = 32,                // a record's timestamp is outside the topic's limits
  unsupported_for_message_format = 43,   // magic 0/1 message sets
  unsupported_compression_type = 76,     // codec bits 5..7
  invalid_record = 87,                   // header fields or record layout inconsistent
};

const std::error_category& record_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), record_category()};
}

// The Kafka ErrorCode for an error produced by this module (UNKNOWN_SERVER_ERROR
// for codes from other categories).
int16_t kafka_error_code(const std::error_code& code) noexcept;

inline samsa::error make_record_error(errc e, std::string message) {
  return samsa::error(make_error_code(e), std::move(message));
}

}  // namespace samsa::record

template <>
struct std::is_error_code_enum<samsa::record::errc> : std::true_type {};
