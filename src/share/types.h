// Plain types of the share-group state machines (KIP-932). Nothing here
// knows the wire or the disk; handlers and the broker's share_service
// translate. Time is always passed in (milliseconds on a steady clock).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/kafka_error_codes.h"

namespace samsa::share {

// A record's delivery state inside a share partition. The numbers are
// Kafka's (they are also what the state file stores).
enum class record_state : int8_t { available = 0, acquired = 1, acknowledged = 2, archived = 4 };

// Acknowledgement types as they travel in ShareFetch/ShareAcknowledge.
enum class ack_type : int8_t { gap = 0, accept = 1, release = 2, reject = 3, renew = 4 };

// Where a share partition starts when the group first reads it.
enum class offset_reset : int8_t { latest = 0, earliest = 1 };

// Per-partition limits, taken from the broker configs
// (group.share.*) and the group's own configs (share.*).
struct partition_settings {
  int64_t lock_duration_ms = 30000;    // group.share.record.lock.duration.ms
  int32_t delivery_count_limit = 5;    // group.share.delivery.count.limit
  int32_t max_record_locks = 2000;     // group.share.partition.max.record.locks
};

// A run of offsets handed to one member by one acquisition, all with the
// same delivery count (the count includes this delivery).
struct acquired_range {
  int64_t first_offset = 0;
  int64_t last_offset = 0;
  int16_t delivery_count = 0;
  bool operator==(const acquired_range&) const = default;
};

// One acknowledgement batch: either one type for the whole range, or one
// type per offset (types.size() == last - first + 1).
struct ack_batch {
  int64_t first_offset = 0;
  int64_t last_offset = 0;
  std::vector<int8_t> types;
};

using error_code = kafka::error_code;

}  // namespace samsa::share
