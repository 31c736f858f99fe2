// Decodes the consumer protocol's assignment bytes (what SyncGroup hands each
// member: version, then topics with partition lists, then user data) so the
// console can show who owns which partition. The bytes come from clients:
// every length is checked (fuzz target: fuzz/consumer_assignment_fuzz.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace samsa::http {

struct assigned_topic {
  std::string topic;
  std::vector<int32_t> partitions;
};

// nullopt for bytes that are not a consumer-protocol assignment.
std::optional<std::vector<assigned_topic>> decode_consumer_assignment(std::span<const uint8_t> bytes);

}  // namespace samsa::http
