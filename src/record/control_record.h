// Control records: the single record of a control batch. Transaction markers
// (ABORT/COMMIT) are what read_committed consumers and the LSO depend on.
#pragma once

#include <cstdint>
#include <span>

#include "base/result.h"
#include "record/compression.h"

namespace samsa::record {

enum class control_type : int16_t {
  abort = 0,
  commit = 1,
  leader_change = 2,
  snapshot_header = 3,
  snapshot_footer = 4,
  kraft_version = 5,
  kraft_voters = 6,
};

// Key of every control record: version int16 (0) + type int16.
struct control_key {
  int16_t version = 0;
  int16_t type = 0;  // raw, so unknown future types survive decoding
  bool is_transaction_marker() const { return type == 0 || type == 1; }
};

// Value of an ABORT/COMMIT record: version int16 (0) + coordinatorEpoch int32.
struct end_txn_marker {
  int16_t version = 0;
  int32_t coordinator_epoch = 0;
};

bytes encode_control_key(control_type type);
[[nodiscard]] result<control_key> decode_control_key(std::span<const uint8_t> key);

bytes encode_end_txn_marker(int32_t coordinator_epoch);
[[nodiscard]] result<end_txn_marker> decode_end_txn_marker(std::span<const uint8_t> value);

struct end_txn_options {
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  bool commit = true;
  int32_t coordinator_epoch = 0;
  int64_t base_offset = 0;
  int64_t timestamp = 0;
  int32_t partition_leader_epoch = -1;
};

// A transactional control batch holding one COMMIT or ABORT marker.
[[nodiscard]] result<bytes> build_end_txn_batch(const end_txn_options& options);

}  // namespace samsa::record
