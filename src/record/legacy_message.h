// Message format v0 and v1 (magic 0/1): the MessageSet that Kafka clients
// before 0.11 send and read. A set is a sequence of
//   offset int64, message_size int32, crc uint32 (CRC-32 IEEE over the rest),
//   magic int8, attributes int8, [timestamp int64 (v1 only)],
//   key bytes (int32 length, -1 = null), value bytes (int32 length, -1 = null).
// A compressed "wrapper" message carries codec bits 0..2 in its attributes
// and a whole inner message set, compressed, as its value. Magic 1 inner
// messages carry offsets relative to the first (the wrapper's offset is the
// last inner offset, absolute); magic 0 inner messages carry absolute ones.
// Magic 0 LZ4 wrappers use the frame header checksum Kafka wrote before
// KIP-57 (computed over the frame magic too); magic 1 uses the correct one.
//
// Parsing checks framing, sizes and the CRC and never trusts a length; the
// decompression of a wrapper is bounded by a caller-given limit and a
// request's shared budget.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/result.h"
#include "record/batch_header.h"
#include "record/compression.h"
#include "record/decompression_budget.h"

namespace samsa::record::legacy {

// offset + message_size: the bytes message_size does not count.
inline constexpr size_t log_overhead = 12;
// crc, magic, attributes, key length, value length.
inline constexpr size_t header_size_v0 = 14;
// ... plus the timestamp.
inline constexpr size_t header_size_v1 = 22;
// Offset of the magic byte within one message entry (as in a v2 batch).
inline constexpr size_t magic_offset = 16;
// Magic 1 attribute bit for LogAppendTime (the wrapper's decides for all).
inline constexpr int8_t timestamp_type_bit = 0x08;
inline constexpr int8_t codec_mask = 0x07;
inline constexpr int64_t no_timestamp = -1;

inline size_t header_size(int8_t magic) { return magic == 0 ? header_size_v0 : header_size_v1; }

// One message, viewing the bytes it was parsed from (or a wrapper's
// decompressed buffer).
struct message {
  int64_t offset = 0;
  int8_t magic = 0;
  int8_t attributes = 0;
  int64_t timestamp = no_timestamp;  // magic 0 has none
  std::optional<std::span<const uint8_t>> key;
  std::optional<std::span<const uint8_t>> value;
  std::span<const uint8_t> entry;  // the whole entry: offset, size, message

  compression_type codec() const { return static_cast<compression_type>(attributes & codec_mask); }
  bool log_append_time() const { return magic > 0 && (attributes & timestamp_type_bit) != 0; }
};

// What to do with bytes at the end of a set too short for a whole message.
enum class trailing_bytes {
  refuse,  // errc::corrupt_message (inner sets of a wrapper)
  allow,   // stop there: a reader's partial last message, a producer's
           // set Kafka trims (trimInvalidBytes)
};

struct parsed_set {
  std::vector<message> messages;
  size_t valid_bytes = 0;  // bytes of whole messages; the rest was a partial one
};

// Parses the top level ("shallow") messages of a set: framing, sizes, magic
// 0/1, CRC, key/value lengths. Wrappers are not opened. Errors are
// errc::corrupt_message with what and where.
[[nodiscard]] result<parsed_set> parse_message_set(std::span<const uint8_t> data, trailing_bytes trailing);

// The inner messages of a compressed wrapper, decompressed into `storage`
// (which the returned views point into) and parsed strictly: same magic as
// the wrapper, none compressed again. At most `max_output` bytes are
// decompressed and they are charged to `budget` when one is given (a spent
// budget is errc::invalid_record, as for v2 batches). Offsets are returned
// as the wire carries them (relative for magic 1); see absolute_offsets().
[[nodiscard]] result<std::vector<message>> open_wrapper(const message& wrapper, bytes& storage, size_t max_output,
                                                        decompression_budget* budget = nullptr);

// Absolute offsets of a wrapper's inner messages (magic 1: relative to
// wrapper.offset - last relative offset; magic 0: as they are).
void absolute_offsets(const message& wrapper, std::span<message> inner);

// ---- writing ----

// Appends one message entry (offset, size, crc, ...) to `out`.
void append_message(bytes& out, int8_t magic, int64_t offset, int8_t attributes, int64_t timestamp,
                    std::optional<std::span<const uint8_t>> key, std::optional<std::span<const uint8_t>> value);

// Appends one compressed wrapper holding `inner_set` (a message set already
// encoded with the inner offsets the magic asks for). Magic 0 LZ4 gets the
// pre-KIP-57 frame checksum. zstd does not exist at magic 0/1
// (errc::unsupported_compression_type).
[[nodiscard]] status append_wrapper(bytes& out, int8_t magic, compression_type codec, int64_t offset,
                                    int64_t timestamp, bool log_append_time, std::span<const uint8_t> inner_set);

// CRC-32 (IEEE) as old messages carry it.
uint32_t crc32_ieee(std::span<const uint8_t> data);

// LZ4 frame header checksum byte as Kafka wrote it for magic 0 (the frame
// magic included in the hash) or as the LZ4 frame format defines it
// (descriptor only). `frame` starts at the frame magic.
[[nodiscard]] result<uint8_t> lz4_header_checksum(std::span<const uint8_t> frame, bool pre_kip57);

}  // namespace samsa::record::legacy
