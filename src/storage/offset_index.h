// Sparse offset index of one segment (Kafka's .index layout): 8-byte entries of
// (offset - base_offset : u32, file position : u32), big-endian, ascending.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "storage/file_system.h"

namespace samsa::storage {

struct index_position {
  int64_t offset;    // the entry's absolute offset (a batch base offset)
  int64_t position;  // byte position of that batch in the .log file
};

// Not thread-safe; the owning partition_log serializes access.
class offset_index {
 public:
  static constexpr size_t entry_size = 8;

  offset_index(std::shared_ptr<file> f, int64_t base_offset, int64_t max_bytes);

  // Reads the file and checks it against a segment of `segment_size` bytes:
  // whole entries, strictly ascending offsets and positions, positions inside
  // the segment. Returns errc::corrupt if any check fails (caller rebuilds).
  [[nodiscard]] status load(int64_t segment_size);
  // The same checks on the file's contents, already read.
  [[nodiscard]] status load(std::span<const uint8_t> contents, int64_t segment_size);
  // Appends an entry; offsets and positions must increase.
  [[nodiscard]] status append(int64_t offset, int64_t position);
  // The last entry at or below `offset`, or {base_offset, 0}.
  index_position lookup(int64_t offset) const;
  // The last entry whose batch starts at or before byte `position`, if any.
  std::optional<index_position> last_at_or_before_position(int64_t position) const;
  // Drops entries for batches at or past `offset` (tail truncation).
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
  bool can_hold(int64_t offset) const { return offset - base_offset_ <= int64_t{UINT32_MAX}; }
  size_t entries() const { return entries_.size(); }
  std::optional<index_position> last() const;
  const std::shared_ptr<file>& backing_file() const { return file_; }

 private:
  std::shared_ptr<file> file_;
  std::vector<uint8_t> pending_;  // encoded entries not yet written to file_
  bool unsynced_ = false;         // file_ changed since its last sync
  int64_t base_offset_;
  int64_t max_bytes_;
  std::vector<index_position> entries_;
};

}  // namespace samsa::storage
