// Where the coordinator makes offsets and group metadata durable. The broker
// implements it over the compacted __consumer_offsets topic; tests use
// memory_offset_log.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "base/result.h"
#include "group/bytes_codec.h"

namespace samsa::group {

struct log_record {
  bytes key;
  std::optional<bytes> value;  // nullopt = tombstone
};

// The producer a transactional batch of offsets belongs to (TxnOffsetCommit).
struct txn_producer {
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  bool operator==(const txn_producer&) const = default;
};

class offset_log {
 public:
  virtual ~offset_log() = default;

  // Appends `records` atomically (one batch) to partition `partition` of
  // __consumer_offsets (see offsets_partition_for) and calls `done` once they
  // are durable or have failed. A batch larger than the topic takes fails
  // with std::errc::message_size (the coordinator answers a commit's
  // INVALID_COMMIT_OFFSET_SIZE with it, as Kafka does). `done` must run on the coordinator's thread;
  // it may run before append() returns.
  virtual void append(int32_t partition, std::vector<log_record> records,
                      std::function<void(status)> done) = 0;

  // As append(), as one transactional batch of `producer` (producer id and
  // epoch in the header, transactional attribute set): the log then counts
  // it in the producer's open transaction until its COMMIT/ABORT marker.
  virtual void append_transactional(int32_t partition, txn_producer producer, std::vector<log_record> records,
                                    std::function<void(status)> done) = 0;
};

}  // namespace samsa::group
