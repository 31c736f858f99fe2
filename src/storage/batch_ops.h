// The few record-batch operations storage needs, as one narrow seam over
// samsa::record so the rest of the module does not depend on its details.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"

namespace samsa::storage {

// Fields of a v2 batch header that storage uses.
struct batch_info {
  int64_t base_offset = 0;
  int32_t size = 0;  // whole batch in bytes, header included
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int16_t attributes = 0;
  int32_t record_count = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int64_t last_offset() const { return base_offset + last_offset_delta; }
};

// Bytes of the fixed batch header, and of the offset + length prefix.
inline constexpr int32_t batch_header_size = 61;
inline constexpr int32_t batch_prefix_size = 12;

// Decodes the header at the front of `bytes` (needs batch_header_size bytes).
// Checks only what the header alone can tell: magic 2, sane length.
[[nodiscard]] result<batch_info> peek_batch(std::span<const uint8_t> bytes);
// Full check of one whole batch: header and CRC-32C.
[[nodiscard]] status check_batch(std::span<const uint8_t> batch);
// Rewrites the base offset (not covered by the CRC).
void set_base_offset(std::span<uint8_t> batch, int64_t base_offset);
// Rewrites partitionLeaderEpoch (not covered by the CRC either).
void set_partition_leader_epoch(std::span<uint8_t> batch, int32_t epoch);
// LogAppendTime: sets the timestamp-type attribute and max timestamp, recomputes the CRC.
void set_log_append_time(std::span<uint8_t> batch, int64_t now_ms);
// The first record of `batch` at or above `min_offset` with timestamp >= ts:
// {offset, timestamp}.
[[nodiscard]] result<std::optional<std::pair<int64_t, int64_t>>> find_record_at_or_after(
    std::span<const uint8_t> batch, int64_t ts, int64_t min_offset);
// CRC-32C of our own framed records (metadata log, checkpoints).
uint32_t crc32c(std::span<const uint8_t> bytes);

}  // namespace samsa::storage

namespace samsa::storage {

// One record of a batch, decoded (keys copied out) for compaction.
struct record_summary {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<std::string> key;
  bool tombstone = false;  // null value
};

bool is_control_batch(const batch_info& b);
bool is_transactional_batch(const batch_info& b);
bool uses_log_append_time(const batch_info& b);
// What a control batch's (first) record is: a COMMIT or ABORT marker (true =
// commit), or nullopt for other control types (leader change, ...).
[[nodiscard]] result<std::optional<bool>> transaction_marker_of(std::span<const uint8_t> batch);
// Decodes (and if needed decompresses) every record of a whole batch.
[[nodiscard]] result<std::vector<record_summary>> decode_records(std::span<const uint8_t> batch);
// Rebuilds `batch` with only the records where keep[i] is true, keeping the
// base offset, offsets, timestamps, producer fields and codec. nullopt when
// nothing is kept.
[[nodiscard]] result<std::optional<std::vector<uint8_t>>> filter_batch(std::span<const uint8_t> batch,
                                                                       const std::vector<bool>& keep);

}  // namespace samsa::storage
