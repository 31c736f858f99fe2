// One log segment: a .log file of record batches plus its sparse .index and
// .timeindex, named by the 20-digit base offset (docs/formats/segment.md).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "storage/batch_ops.h"
#include "storage/file_system.h"
#include "storage/lazy_file.h"
#include "storage/offset_index.h"
#include "storage/time_index.h"

namespace samsa::storage {

std::string segment_file_name(int64_t base_offset, const std::string& suffix);
// Parses "00000000000000000042.log" -> 42; nullopt for other names.
std::optional<int64_t> parse_segment_file_name(const std::string& name, const std::string& suffix);

struct segment_options {
  int64_t index_interval_bytes = 4096;
  int64_t max_index_bytes = 10 << 20;
};

// What a recovery scan found and cut.
struct recovery_report {
  int64_t valid_bytes = 0;
  int64_t truncated_bytes = 0;
  int64_t batches = 0;
  std::string reason;  // why the tail was cut, empty if nothing was
};

// Thread-safety: not synchronized. partition_log serializes appends, index
// access and truncation under its mutex. The .log file itself may be read
// (pread) and synced concurrently with appends, and after the segment is
// sealed its bytes never change, so readers keep the file alive through
// reader() and read without the lock. Only the active segment holds its
// .log's descriptor (retire() drops it); the others open it while read.
class segment {
 public:
  // Creates a new empty segment (truncating leftovers with the same name).
  static result<std::shared_ptr<segment>> create(file_system& fs, const std::string& dir, int64_t base_offset,
                                                 const segment_options& opts, int64_t now_ms);
  // Opens an existing segment. With `recover`, every batch is checked (CRC,
  // offsets) and the tail is cut at the first bad one; otherwise the indexes
  // are loaded (rebuilt if invalid) and only the tail after the last index
  // entry is scanned to find the end. `min_offset` is the offset the first
  // batch may not go below (the previous segment's end).
  static result<std::shared_ptr<segment>> open(file_system& fs, const std::string& dir, int64_t base_offset,
                                               const segment_options& opts, bool recover, int64_t min_offset,
                                               int64_t now_ms, recovery_report* report);

  // Appends whole batches already carrying their final offsets. On failure the
  // .log and indexes are cut back to where they were.
  [[nodiscard]] status append(std::span<const uint8_t> batches, std::span<const batch_info> infos);

  // Position and header of the batch holding `offset`, if this segment has it.
  [[nodiscard]] result<std::optional<std::pair<int64_t, batch_info>>> locate(int64_t offset) const;
  // Length of whole batches starting at `position` (the first one always
  // counts when it starts below `max_offset`), within `max_bytes` after the
  // first, stopping at batches whose base offset reaches `max_offset`.
  // `first`, when given, is the header of the batch at `position` as
  // locate() just read it, so it is not read again.
  [[nodiscard]] result<std::pair<int32_t, int64_t>> extent(int64_t position, int32_t max_bytes, int64_t max_offset,
                                                           const batch_info* first = nullptr) const;
  // First record at or above min_offset with timestamp >= ts: {offset, timestamp}.
  [[nodiscard]] result<std::optional<std::pair<int64_t, int64_t>>> find_timestamp(int64_t ts,
                                                                                 int64_t min_offset) const;

  [[nodiscard]] status sync();
  [[nodiscard]] status sync_indexes();
  // Writes buffered index entries to their files (no sync).
  [[nodiscard]] status persist_indexes();
  // Deletes the segment's files; open readers keep their descriptors.
  [[nodiscard]] status remove_files(file_system& fs);

  int64_t base_offset() const { return base_offset_; }
  int64_t next_offset() const { return next_offset_; }
  int64_t size() const { return log_->size(); }
  int64_t max_timestamp() const { return max_timestamp_; }
  int64_t max_timestamp_offset() const { return max_timestamp_offset_; }
  int64_t created_ms() const { return created_ms_; }
  bool empty() const { return log_->size() == 0; }
  bool index_full() const { return index_.full() || times_.full(); }
  bool can_hold(int64_t offset) const { return index_.can_hold(offset); }
  // The .log file with a descriptor, kept open while the caller keeps it.
  [[nodiscard]] result<std::shared_ptr<file>> reader() const { return log_->acquire(); }
  // No longer the active segment: its .log descriptor is dropped, and later
  // reads open the file while they need it.
  void retire() { log_->release(); }
  const std::string& dir() const { return dir_; }
  // After the cleaner moved this segment's files into the partition directory.
  void relocated(const std::string& dir);

 private:
  segment(std::string dir, int64_t base_offset, const segment_options& opts, std::shared_ptr<lazy_file> log,
          std::shared_ptr<lazy_file> index, std::shared_ptr<lazy_file> times, int64_t now_ms);

  [[nodiscard]] status recover_all(int64_t min_offset, recovery_report* report);
  // Trusts the indexes (their files' contents, read at open) and reads only
  // the batch headers past the last index entry.
  [[nodiscard]] status load_fast(int64_t min_offset, recovery_report* report, std::span<const uint8_t> index_bytes,
                                 std::span<const uint8_t> time_index_bytes);
  void note_batch(const batch_info& b, int64_t position, bool* index_error);
  [[nodiscard]] result<std::optional<batch_info>> header_at(int64_t position) const;
  // Where to start scanning for an index entry's batch (0 if the entry is wrong).
  int64_t start_position(const index_position& entry) const;
  // The same, with the header it checked there (none when it starts at 0).
  std::pair<int64_t, std::optional<batch_info>> checked_start(const index_position& entry) const;

  std::string dir_;
  int64_t base_offset_;
  segment_options opts_;
  std::shared_ptr<lazy_file> log_;
  std::shared_ptr<lazy_file> index_file_;  // opened only while the indexes are read or written
  std::shared_ptr<lazy_file> times_file_;
  offset_index index_;
  time_index times_;
  int64_t next_offset_;
  int64_t max_timestamp_ = -1;
  int64_t max_timestamp_offset_ = -1;
  int64_t bytes_since_index_ = 0;
  int64_t created_ms_;
};

}  // namespace samsa::storage
