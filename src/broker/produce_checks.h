// The check phase of a produce, one partition at a time: what the broker
// verifies in a partition's records before they reach the log (framing, CRC,
// magic, one batch per partition, no control batch, sizes,
// every record's layout, timestamp (message.timestamp.*) and key (compacted
// topics)), plus recompression when the topic's compression.type is not
// "producer".
//
// It is a pure function of the records, the topic's log_config, the clock
// reading and the request's decompression budget: no broker state, so it
// may run on any thread. The append phase (producer registry, partition log)
// takes the facts it returns instead of parsing the batch again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocol/error_code.h"
#include "record/batch_header.h"
#include "record/decompression_budget.h"
#include "storage/log_config.h"

namespace samsa::broker {

struct record_error {
  int32_t batch_index = 0;  // index of the bad record within its batch (Kafka's "batch index")
  std::string message;
};

// The one batch of a partition, validated: the facts the append phase needs.
struct checked_batch {
  // The batch as it arrived (header fields of the stored batch: producer
  // id/epoch/base sequence, lastOffsetDelta, record count, timestamps, codec).
  record::batch_header header;
  std::span<uint8_t> request_bytes;  // the request's own batch (maxTimestamp already corrected)
  // Set when compression.type made the broker re-encode the batch; `header`
  // then describes this copy.
  std::optional<std::vector<uint8_t>> rewritten;
  size_t decompressed_bytes = 0;  // what validation decompressed (budget spent)

  // The bytes to append (the offsets and epoch are stamped into them).
  std::span<uint8_t> bytes() { return rewritten ? std::span<uint8_t>(*rewritten) : request_bytes; }
};

struct produce_check {
  protocol::error_code code = protocol::error_code::none;
  std::string message;
  std::vector<record_error> record_errors;
  checked_batch batch;  // valid when ok()
  bool ok() const { return code == protocol::error_code::none; }
};

// Decompressed bytes one Produce request may cost: at least
// `decompression_budget_floor` (the per-batch decompression cap, so a batch
// that passes alone always passes alone), else `decompression_budget_ratio`
// times the request's record bytes. Real data compresses 2-10x (zstd on
// repetitive logs ~20x), so legitimate requests stay well inside; a bomb
// listed many times gets at most the floor, or 32x what it sent.
inline constexpr size_t decompression_budget_floor = size_t{64} << 20;
inline constexpr size_t decompression_budget_ratio = 32;
size_t produce_decompression_budget(size_t request_record_bytes);

// Checks one partition's records. May rewrite `records` in place (a batch's
// maxTimestamp, with its CRC, when it is not the largest record timestamp, as
// Kafka stores it); the result's batch views them.
produce_check check_partition_records(std::span<uint8_t> records, const storage::log_config& config, int64_t now_ms,
                                      record::decompression_budget& budget);

// One partition listing of a Produce request, as the check phase sees it.
struct partition_check {
  std::span<uint8_t> records;             // the request's own bytes
  const storage::log_config* config;      // a copy the caller owns, not the topic's live one
  produce_check result;                   // set by check_produce_request
  // Produce v0-2: `records` is a message set (format v0/v1), converted to a
  // record batch here before the checks; the batch result views it.
  bool message_set = false;
  std::vector<uint8_t> converted;
};

// Produce v0-2: converts a message set to one record batch (into `converted`)
// and checks that like any produced batch. The wrappers' decompression is
// charged to `budget`; the batch is compressed with the producer's codec
// (or the topic's compression.type) before the size and record checks, so
// max.message.bytes applies to what is stored.
produce_check check_message_set(std::span<const uint8_t> records, std::vector<uint8_t>& converted,
                                const storage::log_config& config, int64_t now_ms,
                                record::decompression_budget& budget);

// The check phase of a whole request: every listed partition in arrival
// order, sharing one budget of `budget_bytes`. Pure, as above: the caller
// may run it on any thread, as one unit (the budget is not thread-safe).
void check_produce_request(std::span<partition_check> partitions, int64_t now_ms, size_t budget_bytes);

}  // namespace samsa::broker
