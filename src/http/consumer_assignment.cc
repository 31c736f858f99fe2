#include "http/consumer_assignment.h"

#include "protocol/reader.h"

namespace samsa::http {

std::optional<std::vector<assigned_topic>> decode_consumer_assignment(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return std::vector<assigned_topic>{};  // a member with nothing assigned
  protocol::reader in(bytes);
  int16_t version = in.read_int16();
  if (!in.ok() || version < 0) return std::nullopt;
  int32_t topics = in.read_int32();
  if (!in.ok() || topics < 0 || static_cast<size_t>(topics) > bytes.size()) return std::nullopt;
  std::vector<assigned_topic> out;
  for (int32_t t = 0; t < topics; ++t) {
    assigned_topic a;
    a.topic = in.read_string();
    int32_t n = in.read_int32();
    // Each partition takes 4 bytes: a count beyond what is left is corrupt.
    if (!in.ok() || n < 0 || static_cast<size_t>(n) > in.remaining() / 4) return std::nullopt;
    a.partitions.reserve(static_cast<size_t>(n));
    for (int32_t i = 0; i < n; ++i) a.partitions.push_back(in.read_int32());
    if (!in.ok()) return std::nullopt;
    out.push_back(std::move(a));
  }
  // User data (nullable bytes) and, from v1, owned partitions follow; not shown.
  return out;
}

}  // namespace samsa::http
