// Sparse time index of one segment (Kafka's .timeindex layout): 12-byte entries
// of (max timestamp so far : i64, offset - base_offset : u32), big-endian, with
// timestamps strictly increasing.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "storage/file_system.h"

namespace samsa::storage {

struct time_entry {
  int64_t timestamp;
  int64_t offset;  // base offset of a batch whose max timestamp is `timestamp`
};

// Not thread-safe; the owning partition_log serializes access.
class time_index {
 public:
  static constexpr size_t entry_size = 12;

  time_index(std::shared_ptr<file> f, int64_t base_offset, int64_t max_bytes);

  // Reads and checks the file (whole entries, ascending timestamps and
  // offsets, offsets below `next_offset`); errc::corrupt means "rebuild".
  [[nodiscard]] status load(int64_t next_offset);
  // The same checks on the file's contents, already read.
  [[nodiscard]] status load(std::span<const uint8_t> contents, int64_t next_offset);
  // Adds an entry when `timestamp` is above the last one; otherwise a no-op.
  [[nodiscard]] status maybe_append(int64_t timestamp, int64_t offset);
  // The last entry with timestamp < ts: a safe place to start scanning for the
  // first batch with max timestamp >= ts. nullopt = scan from the start.
  std::optional<time_entry> lookup_before(int64_t ts) const;
  [[nodiscard]] status truncate_to(int64_t offset);
  [[nodiscard]] status reset();
  // Entries are kept in memory and written to the file lazily (here, and by
  // sync()), so an append costs no extra system call. Recovery rebuilds any
  // index whose tail was not written.
  [[nodiscard]] status persist();
  // Skips the fdatasync when nothing was written since the last one (a
  // clean shutdown of many idle partitions would otherwise sync every file).
  [[nodiscard]] status sync() {
    if (auto s = persist(); !s) return s;
    if (!unsynced_) return {};
    if (auto s = file_->sync(); !s) return s;
    unsynced_ = false;
    return {};
  }
  bool full() const { return static_cast<int64_t>((entries_.size() + 1) * entry_size) > max_bytes_; }
  std::optional<time_entry> last() const;
  size_t entries() const { return entries_.size(); }

 private:
  std::shared_ptr<file> file_;
  std::vector<uint8_t> pending_;  // encoded entries not yet written to file_
  bool unsynced_ = false;         // file_ changed since its last sync
  int64_t base_offset_;
  int64_t max_bytes_;
  std::vector<time_entry> entries_;
};

}  // namespace samsa::storage
