// The 61-byte RecordBatch v2 header: field offsets, decoding, and the in-place
// rewrites the broker applies on append (base offset, leader epoch, LogAppendTime).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.h"
#include "record/errc.h"

namespace samsa::record {

enum class compression_type : int8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };
enum class timestamp_type : int8_t { create_time = 0, log_append_time = 1 };

const char* to_string(compression_type c);

inline constexpr int8_t current_magic = 2;
inline constexpr size_t batch_header_size = 61;
// baseOffset + batchLength: the bytes not counted by batchLength.
inline constexpr size_t log_overhead = 12;
// Smallest legal batchLength (a header with no records).
inline constexpr int32_t min_batch_length = static_cast<int32_t>(batch_header_size - log_overhead);

// Byte offsets of each header field within a batch.
namespace field {
inline constexpr size_t base_offset = 0;
inline constexpr size_t batch_length = 8;
inline constexpr size_t partition_leader_epoch = 12;
inline constexpr size_t magic = 16;
inline constexpr size_t crc = 17;
inline constexpr size_t attributes = 21;  // the CRC covers [attributes, end of batch)
inline constexpr size_t last_offset_delta = 23;
inline constexpr size_t base_timestamp = 27;
inline constexpr size_t max_timestamp = 35;
inline constexpr size_t producer_id = 43;
inline constexpr size_t producer_epoch = 51;
inline constexpr size_t base_sequence = 53;
inline constexpr size_t record_count = 57;
inline constexpr size_t records = 61;
}  // namespace field

// Bits of the attributes field.
namespace attr {
inline constexpr int16_t compression_mask = 0x07;
inline constexpr int16_t log_append_time = 0x08;
inline constexpr int16_t transactional = 0x10;
inline constexpr int16_t control = 0x20;
inline constexpr int16_t delete_horizon = 0x40;
}  // namespace attr

struct batch_header {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t partition_leader_epoch = -1;
  int8_t magic = current_magic;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t record_count = 0;

  // Raw codec bits; values above 4 are possible in an unvalidated header.
  compression_type compression() const {
    return static_cast<compression_type>(attributes & attr::compression_mask);
  }
  timestamp_type ts_type() const {
    return (attributes & attr::log_append_time) ? timestamp_type::log_append_time
                                                : timestamp_type::create_time;
  }
  bool is_transactional() const { return (attributes & attr::transactional) != 0; }
  bool is_control() const { return (attributes & attr::control) != 0; }
  bool has_delete_horizon() const { return (attributes & attr::delete_horizon) != 0; }
  bool has_producer_id() const { return producer_id >= 0; }

  // Whole batch size in bytes, header included.
  size_t size_bytes() const { return static_cast<size_t>(batch_length) + log_overhead; }
  int64_t last_offset() const { return base_offset + last_offset_delta; }
  int64_t next_offset() const { return last_offset() + 1; }
  // Sequence of the last record; sequences wrap to 0 after INT32_MAX.
  int32_t last_sequence() const;
};

// Magic byte of whatever starts `data` (v0/v1 message sets keep it at offset 16
// too), or an error when fewer than 17 bytes are present.
[[nodiscard]] result<int8_t> peek_magic(std::span<const uint8_t> data);

// Decodes the header at the start of `data`. Checks only what the header alone
// can tell: at least 61 bytes, magic 2 (0/1 -> unsupported_for_message_format,
// others -> corrupt_message) and batchLength >= 49. No CRC, no records.
[[nodiscard]] result<batch_header> decode_header(std::span<const uint8_t> data);

// Writes all 61 header bytes from `h` (including h.crc as given).
void encode_header(const batch_header& h, std::span<uint8_t, batch_header_size> out);

// CRC-32C over [attributes, end) of a whole batch (batch.size() >= 61).
uint32_t compute_crc(std::span<const uint8_t> batch);

// In-place rewrites of a whole, already validated batch (batch.size() >= 61;
// the CRC helpers use batch.size() as the batch end).
// Outside the CRC range: no CRC update needed.
void set_base_offset(std::span<uint8_t> batch, int64_t base_offset);
void set_partition_leader_epoch(std::span<uint8_t> batch, int32_t epoch);
// Covered by the CRC: these recompute it.
void set_max_timestamp(std::span<uint8_t> batch, int64_t max_timestamp);
// Sets the LogAppendTime bit and maxTimestamp = append_time.
void set_log_append_time(std::span<uint8_t> batch, int64_t append_time);
// Recomputes and stores the CRC; returns the new value.
uint32_t recompute_crc(std::span<uint8_t> batch);

}  // namespace samsa::record
