// Errors from the client kit: every failure names the operation that failed,
// the Kafka error (e.g. UNKNOWN_TOPIC_OR_PART) and a hint on what to try next.
#pragma once

#include <string>
#include <string_view>
#include <system_error>

#include "base/result.h"

namespace samsa::client {

// The std::error_category of Kafka/librdkafka error codes. code.value() is the
// librdkafka error number (negative values are client-side errors such as
// _TRANSPORT, positive values are broker error codes from the protocol).
const std::error_category& kafka_category();

// Kafka error name for a code: "TOPIC_ALREADY_EXISTS", "_TIMED_OUT", ...
std::string kafka_error_name(int code);

// A short suggestion for the user, or "" when there is nothing useful to say.
// `bootstrap` is used in connection hints ("cannot reach 127.0.0.1:9092 ...").
std::string kafka_error_hint(int code, std::string_view bootstrap);

// Builds "OPERATION: NAME: detail — hint" as a samsa::error in kafka_category().
samsa::error make_kafka_error(std::string_view operation, int code, std::string_view detail,
                              std::string_view bootstrap = {});

// An error that is not a Kafka error code (bad input, bad configuration).
samsa::error make_usage_error(std::string_view operation, std::string_view detail,
                              std::string_view hint = {});

// True when the error means the broker could not be reached at all.
bool is_connection_error(const samsa::error& e);
// True when the broker said the topic or group does not exist.
bool is_not_found_error(const samsa::error& e);

}  // namespace samsa::client
