// Fetch v0-3: what an old consumer reads. Those versions read message format
// v0 (Fetch v0-1) or v1 (Fetch v2-3); Samsa stores record batches, so the
// bytes are converted on the way out (record/legacy_convert.h), batch by
// batch from a bounded read of the log, never past the room the fetch's
// byte limits leave (KIP-283: a conversion's output counts, not the stored
// size), except for a first message larger than all of it, which goes out
// alone as Kafka does so no consumer stalls.
//
// Old consumers know nothing of transactions: they read committed data only
// (up to the last stable offset), control batches and the batches of aborted
// transactions are left out. A read that finds only such batches reads on,
// so an old consumer never gets an empty answer while data lies ahead.
// Modern fetches (v4+) never come here: they are sent from the segment files
// as stored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "protocol/error_code.h"
#include "storage/partition_log.h"

namespace samsa::broker {

inline constexpr int16_t fetch_message_format_1_from = 2;  // Fetch v2 reads magic 1
inline constexpr int16_t fetch_record_batches_from = 4;    // Fetch v4 reads batches as stored

// The magic a Fetch version reads (0 or 1; 2 from v4).
int8_t fetch_magic(int16_t fetch_version);

// A converted answer is built in memory (a modern one is sent from the files),
// and Fetch v0-2 has no max_bytes at all: the whole answer of one old fetch
// is capped at Kafka's default fetch.max.bytes (55 MiB, which Kafka applies
// to every fetch), beyond any partition_max_bytes and max_bytes it asks for.
inline constexpr int64_t legacy_fetch_max_bytes = int64_t{55} << 20;

struct down_converted_read {
  protocol::error_code error = protocol::error_code::none;
  std::string message;
  std::vector<uint8_t> bytes;  // a v0/v1 message set
  int64_t next_offset = -1;    // where the consumer continues after these
};

// Converts [offset, limit) of `log` to `magic`, at most `room` bytes (see above;
// `first_may_overflow` when nothing is in the answer yet). Each log read is at
// most `chunk_bytes`, so memory stays bounded whatever the limits.
down_converted_read read_down_converted(const storage::partition_log& log, int64_t offset, int64_t limit,
                                        int8_t magic, size_t room, bool first_may_overflow,
                                        size_t chunk_bytes = size_t{1} << 20);

}  // namespace samsa::broker
