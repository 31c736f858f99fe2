// Records of the __transaction_state log: one key per transactional id and a
// value holding everything the coordinator needs to resume it after a
// restart. The format is Samsa's own (docs/formats/transaction-state-log.md),
// shaped like Kafka's TransactionLogKey/TransactionLogValue: a version first,
// big-endian fields, int16-length strings. A null value (tombstone) removes
// the id: compaction then forgets it.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "txn/transaction_view.h"

namespace samsa::txn {

using bytes = std::vector<uint8_t>;

struct topic_partition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const topic_partition&) const = default;
};

// The durable part of one transactional id.
struct txn_record {
  int64_t producer_id = -1;
  // The id and epoch before the last bump: a producer that retries the
  // request which caused the bump is recognised (KIP-360, KIP-890).
  int64_t previous_producer_id = -1;
  int16_t producer_epoch = -1;
  int16_t previous_producer_epoch = -1;
  int32_t timeout_ms = 0;
  txn_state state = txn_state::empty;
  // Sorted, without duplicates.
  std::vector<topic_partition> partitions;
  int64_t last_update_ms = -1;
  int64_t start_ms = -1;  // the ongoing transaction's first AddPartitions; -1 without one
  // 1: classic (KIP-98) transaction; 2: KIP-890 (epoch bumped per transaction).
  int8_t client_version = 1;
  bool operator==(const txn_record&) const = default;
};

inline constexpr int16_t txn_key_version = 0;
inline constexpr int16_t txn_value_version = 0;
// Kafka's bound on a transactional id is its int16 string length.
inline constexpr size_t max_transactional_id_bytes = 32767;

bytes encode_txn_key(const std::string& transactional_id);
bytes encode_txn_value(const txn_record& record);

// Fails on a key version other than 0, an empty id, or truncated input.
result<std::string> decode_txn_key(std::span<const uint8_t> key);
// Fails on truncated input, an unknown state, a state that is never written
// (Dead, PrepareEpochFence), negative counts, or counts the bytes cannot
// hold. Bytes after the version-0 fields are ignored: later versions only
// append fields, so an older reader still replays a newer log.
result<txn_record> decode_txn_value(std::span<const uint8_t> value);

}  // namespace samsa::txn
