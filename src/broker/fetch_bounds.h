// How far a fetch may read in one partition, by isolation level: a
// read_uncommitted fetch reads up to the high watermark, a read_committed
// one only up to the last stable offset (the first offset of the oldest open
// transaction), and then also needs the aborted transactions that overlap
// what it returns, so the consumer can drop their records.
#pragma once

#include <cstdint>
#include <vector>

#include "storage/partition_log.h"

namespace samsa::broker {

inline constexpr int8_t read_uncommitted = 0;
inline constexpr int8_t read_committed = 1;

struct fetch_bounds {
  int64_t max_offset_exclusive = 0;  // return no batch starting at or past this
  int64_t high_watermark = 0;        // reported as is
  int64_t last_stable_offset = 0;    // reported as is (Kafka reports it at both levels)
  bool wants_aborted = false;        // the answer lists aborted transactions
};

// Pure: `isolation_level` as the request carries it (anything but 1 reads
// uncommitted, as Kafka treats it); `fetch_version` < 4 has no isolation level.
fetch_bounds read_committed_limit(int8_t isolation_level, int16_t fetch_version, const storage::stable_offsets& o);

// The aborted transactions to report for a read of [from, next_offset):
// those the log lists for the range, nothing when nothing was read.
std::vector<storage::aborted_txn> aborted_for_read(const storage::partition_log& log, int64_t from,
                                                   int64_t next_offset);

}  // namespace samsa::broker
