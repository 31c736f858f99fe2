// Conversions between message format v0/v1 (legacy_message.h) and record
// batches (magic 2), the only format Samsa stores.
//
// Up: what an old producer sends (Produce v0-2) becomes one uncompressed
// batch; the produce checks then validate it like any batch and compress it
// with the codec the producer used (or the topic's compression.type).
// Down: what an old consumer fetches (Fetch v0-3) is converted batch by
// batch to the magic its version reads, compressed batches re-wrapped with
// their own codec, never past the room the fetch's byte limits leave.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.h"
#include "record/compression.h"
#include "record/decompression_budget.h"
#include "record/legacy_message.h"

namespace samsa::record::legacy {

struct upconverted {
  bytes batch;  // one uncompressed v2 batch, base offset 0, offsets 0..n-1
  int8_t magic = 0;
  // The codec of the first compressed wrapper (none if there was none): what
  // compression.type=producer keeps, as Kafka takes the producer's codec.
  compression_type source_codec = compression_type::none;
  size_t decompressed_bytes = 0;  // charged to the budget
  size_t trimmed_bytes = 0;       // a partial last message, dropped (Kafka trims it too)
};

// Converts a producer's message set. Every message must be whole (except a
// partial last one, which is dropped), carry a good CRC and one magic (0 or
// 1) throughout; wrappers are opened within `max_per_wrapper` decompressed
// bytes each and charged to `budget`. Magic 0 records get no timestamp (-1).
// Errors: errc::corrupt_message (framing, CRC, no whole message),
// errc::invalid_record (budget spent), errc::unsupported_compression_type,
// errc::message_too_large (one wrapper past max_per_wrapper),
// errc::invalid_timestamp (a producer setting the LogAppendTime bit).
[[nodiscard]] result<upconverted> upconvert_message_set(std::span<const uint8_t> set, decompression_budget& budget,
                                                        size_t max_per_wrapper = default_max_decompressed_bytes);

struct downconverted {
  size_t appended_bytes = 0;
  int64_t next_offset = 0;  // where the next read continues
  bool complete = false;    // every record of the batch at or past min_offset went out
};

// Appends the records of one whole, stored v2 batch (not a control batch)
// with offsets >= min_offset to `out` as magic `magic` messages: one message
// per record when the batch is uncompressed (as many whole ones as fit), one
// wrapper with the batch's codec when it is compressed (all or nothing).
// At most `room` bytes are appended, except that with `first_may_overflow`
// the first message or wrapper goes out whatever its size (as Kafka sends a
// first batch larger than the fetch's limits, so no consumer stalls).
// Headers have no place in v0/v1 and are dropped; magic 0 drops timestamps.
// A zstd batch is errc::unsupported_compression_type: no v0/v1 reader knows it.
[[nodiscard]] result<downconverted> downconvert_batch(std::span<const uint8_t> batch, int8_t magic,
                                                      int64_t min_offset, size_t room, bool first_may_overflow,
                                                      bytes& out);

}  // namespace samsa::record::legacy
