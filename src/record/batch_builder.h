// Builds one RecordBatch v2 from records: encodes them, compresses the body,
// fills the header and computes the CRC. Used for recompression, compaction
// and tests.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/result.h"
#include "record/batch_header.h"
#include "record/compression.h"
#include "record/record.h"

namespace samsa::record {

struct batch_options {
  compression_type compression = compression_type::none;
  std::optional<int> compression_level;  // codec default when unset
  timestamp_type ts_type = timestamp_type::create_time;
  int64_t base_offset = 0;
  int32_t partition_leader_epoch = -1;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  bool transactional = false;
  bool control = false;
  // Defaults to the first record's timestamp (-1 for an empty batch).
  std::optional<int64_t> base_timestamp;
  // Defaults to the largest record timestamp; for LogAppendTime pass the append time.
  std::optional<int64_t> max_timestamp;
  // Defaults to the last record's offset delta (0 when empty); compaction keeps
  // the original so the batch still covers its whole offset range.
  std::optional<int32_t> last_offset_delta;
  // Sets the delete-horizon bit; baseTimestamp then holds this value.
  std::optional<int64_t> delete_horizon_ms;
};

class batch_builder {
 public:
  explicit batch_builder(batch_options options);

  // Adds a record at its absolute offset, which must exceed the previous one
  // and lie within [base_offset, base_offset + INT32_MAX].
  [[nodiscard]] status add(const record& r);
  [[nodiscard]] status add(const record_view& r);
  // Adds a record at the next offset (base_offset + number of records so far).
  [[nodiscard]] status append(int64_t timestamp, std::optional<std::span<const uint8_t>> key,
                              std::optional<std::span<const uint8_t>> value,
                              std::span<const record_header> headers = {});

  int32_t record_count() const { return count_; }
  // Encoded record bytes so far (before compression).
  size_t body_size() const { return body_.size(); }

  // Produces the batch. The builder keeps its records, so build() may be called again.
  [[nodiscard]] result<bytes> build() const;

 private:
  struct header_ref {
    std::span<const uint8_t> key;
    std::optional<std::span<const uint8_t>> value;
  };
  status add_encoded(int8_t attributes, int64_t offset, int64_t timestamp,
                     std::optional<std::span<const uint8_t>> key,
                     std::optional<std::span<const uint8_t>> value,
                     const std::vector<header_ref>& headers);

  batch_options options_;
  bytes body_;
  int32_t count_ = 0;
  int64_t last_offset_ = -1;
  std::optional<int64_t> base_timestamp_;
  std::optional<int64_t> max_timestamp_;
};

// One-shot helper: a batch holding `records` (their offsets are absolute).
[[nodiscard]] result<bytes> build_batch(const batch_options& options, std::span<const record> records);

// Options that rebuild a batch with the same identity as `h`: offsets and
// offset range, leader epoch, producer fields, flags, timestamps (or delete
// horizon) and codec. Compaction and recompression start from this.
batch_options options_from_header(const batch_header& h);

// Re-encodes one whole batch with codec `target` (the broker's
// compression.type), keeping every header field except codec, length and CRC,
// and every record byte-for-byte in meaning, including LogAppendTime batches'
// original timestamp deltas.
[[nodiscard]] result<bytes> recompress_batch(std::span<const uint8_t> batch, compression_type target,
                                             std::optional<int> level = std::nullopt,
                                             size_t max_decompressed_bytes = default_max_decompressed_bytes);

}  // namespace samsa::record
