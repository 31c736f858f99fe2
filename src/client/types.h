// Plain value types shared by the producer, consumer and admin APIs. They own
// their data, so nothing here points into librdkafka memory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace samsa::client {

// Special offsets understood by seek/assign/reset (the values librdkafka uses).
inline constexpr int64_t offset_beginning = -2;
inline constexpr int64_t offset_end = -1;
inline constexpr int64_t offset_stored = -1000;
inline constexpr int64_t offset_invalid = -1001;

struct header {
  std::string key;
  std::optional<std::string> value;
};

struct topic_partition {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = offset_invalid;

  bool operator==(const topic_partition&) const = default;
  auto operator<=>(const topic_partition&) const = default;
};

// A record as a consumer sees it. Absent key/value are "null" in Kafka terms.
struct consumed_message {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<header> headers;
  int64_t timestamp_ms = -1;  // -1 when the record has none
};

}  // namespace samsa::client
