// The records of the share-state journal (docs/formats/share-state.md):
// one CRC-framed record per change of a share partition or a share group.
// Decoding takes untrusted bytes (a file a crash may have torn) and never
// reads past them; the first bad frame ends the valid prefix.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "share/share_group.h"
#include "share/share_partition.h"

namespace samsa::share {

using topic_id = std::array<uint8_t, 16>;

struct partition_key {
  std::string group;
  topic_id topic{};
  int32_t partition = 0;
  auto operator<=>(const partition_key&) const = default;
};

// A share partition's state, or (snapshot empty) its removal.
struct partition_record {
  partition_key key;
  std::optional<partition_snapshot> state;  // nullopt: deleted
};

// A share group's membership and configs, or its removal.
struct group_record {
  std::string group;
  bool deleted = false;
  int32_t group_epoch = 0;
  std::vector<member> members;  // id, epoch, rack, client id/host, subscriptions
  std::map<std::string, std::string> configs;
};

using journal_record = std::variant<partition_record, group_record>;

// One framed record: u32 length, u32 CRC-32C of the payload, payload.
std::vector<uint8_t> encode_record(const journal_record& record);

struct decoded_journal {
  std::vector<journal_record> records;
  size_t valid_bytes = 0;  // the prefix that decoded; a torn tail follows it
};
decoded_journal decode_journal(std::span<const uint8_t> bytes);

// Largest payload a frame may declare (a corrupt length must not allocate).
inline constexpr uint32_t max_record_bytes = 16u << 20;

}  // namespace samsa::share
