// read_committed share groups (share.isolation.level): records of aborted
// transactions are never handed to a member. A share fetch reads whole log
// batches up to the last stable offset; the batches of the read that belong
// to an aborted transaction are archived at once and left out of the
// acquired ranges, as Kafka's share-partition leader does. (The member still
// receives their bytes, but a share consumer delivers only acquired offsets.)
// Pure: the caller passes the batch headers it read and the partition's
// aborted-transaction index entries.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "share/types.h"

namespace samsa::share {

// What the filter needs of one log batch header.
struct batch_summary {
  int64_t base_offset = 0;
  int64_t last_offset = 0;
  int64_t producer_id = -1;
  bool transactional = false;
  bool control = false;
};

// One aborted transaction: its producer's records from `first_offset` up to
// the ABORT marker at `marker_offset` are aborted.
struct aborted_transaction {
  int64_t producer_id = 0;
  int64_t first_offset = 0;
  int64_t marker_offset = 0;
};

using offset_span = std::pair<int64_t, int64_t>;  // [first, last]

// The data batches (not markers) among `batches` that an aborted
// transaction wrote, in batch order.
std::vector<offset_span> aborted_batches(const std::vector<batch_summary>& batches,
                                         const std::vector<aborted_transaction>& aborted);

// `acquired` without the offsets of `removed` (both sorted by offset).
std::vector<acquired_range> without(const std::vector<acquired_range>& acquired,
                                    const std::vector<offset_span>& removed);

}  // namespace samsa::share
