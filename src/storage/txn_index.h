// The aborted-transaction index of one segment, `<base>.txnindex`
// (docs/formats/txn-index.md): one fixed-size, CRC-checked entry per
// transaction whose ABORT marker lies in that segment. read_committed
// fetches take from it the aborted transactions that overlap what they
// return, so consumers can drop the aborted records.
//
// The entries live in memory (few: only aborts are listed, and only
// segments with an abort get a file); the file is touched only to append,
// cut and sync, through a lazy_file, so it holds no descriptor.
// Thread-safety: none; partition_log serializes every call under its mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <string>
#include <vector>

#include "base/result.h"
#include "storage/batch_ops.h"
#include "storage/file_system.h"
#include "storage/lazy_file.h"

namespace samsa::storage {

struct aborted_txn {
  int64_t producer_id;
  int64_t first_offset;
  int64_t last_offset;  // the ABORT marker's offset
  bool operator==(const aborted_txn&) const = default;
};

// The entries of `entries` (ordered by last offset) a fetch of [from, to)
// must report: those ending at or after `from` and starting before `to`.
std::vector<aborted_txn> aborted_in_range(const std::vector<aborted_txn>& entries, int64_t from, int64_t to);

// Aborted transactions by producer, to tell whether a batch's records
// belong to one (compaction).
class aborted_set {
 public:
  void add(const aborted_txn& e) { by_producer_[e.producer_id].push_back(e); }
  // A transactional data batch of an aborted transaction.
  bool contains(const batch_info& b) const;
  // The aborted transaction whose ABORT marker is at `marker_offset`.
  std::optional<aborted_txn> ending_at(int64_t producer_id, int64_t marker_offset) const;

 private:
  std::unordered_map<int64_t, std::vector<aborted_txn>> by_producer_;
};

class txn_index {
 public:
  static constexpr int64_t entry_bytes = 28;

  // Opens (or creates) the index file, loading its entries; a torn or
  // damaged tail (short entry, bad CRC, offsets out of order) is cut off.
  static result<std::unique_ptr<txn_index>> open(file_system& fs, const std::string& path);

  // Appends one entry (written at once, made durable by sync()).
  [[nodiscard]] status append(const aborted_txn& entry);
  // Drops the entries whose marker is at or past `offset` (recovery replays
  // them again from the log).
  [[nodiscard]] status truncate_from(int64_t offset);
  // Removes these entries (compaction removed their markers), rewriting the
  // file through a temporary one so a crash leaves the old or the new list.
  [[nodiscard]] status erase(const std::vector<aborted_txn>& gone);
  [[nodiscard]] status sync();
  // For a sync outside the partition lock: the file if it has unsynced
  // writes (clearing the mark; the caller syncs it or marks the log failed).
  std::shared_ptr<lazy_file> take_unsynced();
  [[nodiscard]] status remove(file_system& fs);

  const std::vector<aborted_txn>& entries() const { return entries_; }
  bool dirty() const { return dirty_; }
  const std::string& path() const { return file_->path(); }

 private:
  txn_index(file_system& fs, std::shared_ptr<lazy_file> f) : fs_(fs), file_(std::move(f)) {}

  file_system& fs_;
  std::shared_ptr<lazy_file> file_;
  std::vector<aborted_txn> entries_;
  bool dirty_ = false;
};

}  // namespace samsa::storage
