// The delivery state of one share partition (group, topic, partition), as
// KIP-932 defines it: the share-partition start offset (SPSO), the records
// in flight after it, each AVAILABLE, ACQUIRED (by one member, under a lock
// with a deadline), ACKNOWLEDGED or ARCHIVED, and their delivery counts.
//
// Pure: no clock, no I/O. Every call that depends on time takes `now_ms`.
// In-flight records are kept per offset; their number is bounded by
// max_record_locks (the window from the SPSO to the next new offset), so the
// map never grows past that bound.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "share/types.h"

namespace samsa::share {

// A run of in-flight offsets with one state and delivery count, as stored
// (ACQUIRED is stored as AVAILABLE: a lock does not outlive the broker).
struct state_range {
  int64_t first_offset = 0;
  int64_t last_offset = 0;
  record_state state = record_state::available;
  int16_t delivery_count = 0;
  bool operator==(const state_range&) const = default;
};

// What survives a restart: enough to rebuild the partition.
struct partition_snapshot {
  int64_t start_offset = 0;  // SPSO
  int64_t next_offset = 0;   // first offset never acquired
  std::vector<state_range> ranges;
  bool operator==(const partition_snapshot&) const = default;
};

class share_partition {
 public:
  struct in_flight {
    record_state state = record_state::available;
    int16_t delivery_count = 0;
    std::string owner;          // the member holding the lock (ACQUIRED only)
    int64_t lock_deadline_ms = 0;
  };

  explicit share_partition(int64_t start_offset) : start_offset_(start_offset), next_offset_(start_offset) {}
  static share_partition restore(const partition_snapshot& snapshot);

  // The share-partition start offset: every record before it is done.
  int64_t start_offset() const { return start_offset_; }
  // The first offset never handed out; SPEO + 1.
  int64_t next_offset() const { return next_offset_; }
  const std::map<int64_t, in_flight>& records() const { return records_; }

  // The first offset an acquisition would hand out, if the log holds data
  // up to `log_end` (exclusive): the oldest AVAILABLE record, else the next
  // new offset when the lock bound allows one; nullopt when nothing can be.
  std::optional<int64_t> first_acquirable(int64_t log_end, const partition_settings& settings) const;

  // Locks up to `max_records` records for `member`: AVAILABLE ones first
  // (oldest first), then new ones from next_offset(), all below `limit`
  // (the end of the log bytes the caller will send). Each acquisition adds
  // one to the record's delivery count. Returns contiguous runs.
  std::vector<acquired_range> acquire(const std::string& member, int64_t limit, int32_t max_records,
                                      const partition_settings& settings, int64_t now_ms);

  // Applies one acknowledgement batch for `member`. All or nothing: every
  // offset must be ACQUIRED by `member`, else INVALID_RECORD_STATE and
  // nothing changes. A malformed batch (bad range, type count or type) is
  // INVALID_REQUEST. RENEW extends the lock; the others end it.
  error_code acknowledge(const std::string& member, const ack_batch& batch, const partition_settings& settings,
                         int64_t now_ms);

  // Ends every lock past its deadline (the record becomes AVAILABLE, or
  // ARCHIVED once its delivery count reached the limit). True if any did.
  bool expire_locks(int64_t now_ms, const partition_settings& settings);
  // Gives back every record `member` holds (its share session closed, it
  // left the group or its session timed out): AVAILABLE again with the
  // delivery count of before the acquisition, as Kafka's leader releases
  // them (the records never reached the application). True if any.
  bool release_member(const std::string& member, const partition_settings& settings);
  // Archives the offsets in `spans` ([first, last], sorted) that `member`
  // holds: records it must never be given (those of aborted transactions
  // under read_committed). True if any.
  bool archive_acquired(const std::string& member, const std::vector<std::pair<int64_t, int64_t>>& spans);
  // The earliest lock deadline, for the caller's timer.
  std::optional<int64_t> next_lock_deadline() const;

  // Moves the SPSO up to `offset` (records before it left the log, or an
  // administrator moved it); in-flight records before it are dropped.
  void advance_start(int64_t offset);
  // Forgets everything and starts again at `offset` (AlterShareGroupOffsets).
  void reset(int64_t offset);

  // Counts, for describe and tests.
  int64_t count(record_state state) const;
  partition_snapshot snapshot() const;

 private:
  void end_lock(in_flight& record, const partition_settings& settings);
  void advance_past_done();

  int64_t start_offset_;
  int64_t next_offset_;
  std::map<int64_t, in_flight> records_;  // offsets in [start_offset_, next_offset_)
};

// Checks an acknowledgement batch's shape (not the records' states).
error_code validate_ack_batch(const ack_batch& batch, bool renew_allowed);

}  // namespace samsa::share
