// Checks one RecordBatch v2 before the broker trusts it: framing, magic, CRC,
// header sanity, and (full mode) every record's layout after decompression.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.h"
#include "record/batch_header.h"
#include "record/compression.h"
#include "record/decompression_budget.h"

namespace samsa::record {

enum class validation_level {
  framing,  // length, magic, CRC, header fields; never decompresses (produce hot path)
  full,     // framing plus every record, decompressing compressed bodies
};

struct validate_options {
  validation_level level = validation_level::full;
  size_t max_decompressed_bytes = default_max_decompressed_bytes;
  // Shared by every batch of one request (full level): decompressed bytes
  // past it fail with errc::invalid_record. Null: only the per-batch limit.
  decompression_budget* budget = nullptr;
  // Kafka's extra rules for batches a producer sends: no control batch, at least one record,
  // recordsCount == lastOffsetDelta + 1 (so offset deltas are exactly 0..n-1),
  // a transactional batch has a producer id, and a producer id comes with a
  // base sequence >= 0.
  bool producer_rules = false;
  // Per-record rules of the topic a produce request writes to (full level
  // only, as Kafka applies them while it walks the records):
  bool require_keys = false;  // compacted topics: every record needs a non-null key
  // CreateTime limits on every record's timestamp (message.timestamp.before/
  // after.max.ms against the broker clock); -1 timestamps are not checked.
  int64_t min_record_timestamp = INT64_MIN;
  int64_t max_record_timestamp = INT64_MAX;
};

// What a full validation learned about the records, for the caller's use.
struct record_scan {
  int64_t max_timestamp = -1;  // largest record timestamp (CreateTime batches)
  int32_t bad_record = -1;     // index of the record that broke a rule, if one did
  size_t decompressed_bytes = 0;  // what the walk decompressed (0 when uncompressed)
};

// `batch` must be exactly one batch. On success returns its decoded header.
// Full validation streams the records out of the decompressor and stops at
// the first bad one: a bomb of garbage costs one read chunk, not its size.
// Errors (samsa::error with an errc code and a message naming the batch):
//   corrupt_message                 short/overlong buffer, bad length, CRC mismatch, damaged compressed data
//   unsupported_for_message_format  magic 0 or 1
//   unsupported_compression_type    codec 5..7
//   invalid_record                  count/offset-delta inconsistencies, bad record layout,
//                                   decompressed bytes past the options' budget
//   message_too_large               decompressed body over max_decompressed_bytes
//   invalid_timestamp               a record outside the options' timestamp limits
// `scan`, if given, receives the records' max timestamp and the bad record's index.
[[nodiscard]] result<batch_header> validate_batch(std::span<const uint8_t> batch,
                                                  const validate_options& options = {},
                                                  record_scan* scan = nullptr);

// The records part of a full validation, for a caller that already ran the
// framing level on `batch` (whose decoded header is `header`) and checked
// its own rules on the header before paying for decompression.
[[nodiscard]] status validate_records(std::span<const uint8_t> batch, const batch_header& header,
                                      const validate_options& options, record_scan* scan = nullptr);

}  // namespace samsa::record
