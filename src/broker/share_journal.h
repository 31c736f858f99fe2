// The share-state journal: `<log.dirs>/__share_group_state/journal.log`, an
// append-only file of share::journal_record frames (docs/formats/share-state.md).
// Every change of a share partition or share group appends the record's
// latest state; open() replays it, drops a torn tail and rewrites the file
// compacted (one record per key, written to a temporary file, synced and
// renamed over the old one), and compact() does the same while running
// once the file has grown well past what its live records need.
//
// append() only writes into the page cache (handler thread); sync() is the
// fdatasync that makes every earlier append durable and is meant for the
// worker pool. A request that changed acknowledged state is answered only
// after a sync() that started after its append finished.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "share/state_codec.h"

namespace samsa::broker {

class share_journal {
 public:
  explicit share_journal(std::string dir) : dir_(std::move(dir)) {}
  ~share_journal();
  share_journal(const share_journal&) = delete;
  share_journal& operator=(const share_journal&) = delete;

  // Creates the directory if needed, reads and compacts the journal, and
  // returns the live records (the last one of each key; deletions dropped).
  result<std::vector<share::journal_record>> open();
  status append(const share::journal_record& record);
  // fdatasync of the journal file; safe from any thread while the handler
  // thread appends (each append is one write()).
  status sync() const;
  // Rewrites the file to hold just `live` (the caller's current state).
  status compact(const std::vector<share::journal_record>& live);

  uint64_t size_bytes() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  status write_fresh(const std::vector<share::journal_record>& live);

  std::string dir_;
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

// The last record of each key, deletions dropped, in a stable order.
std::vector<share::journal_record> live_records(const std::vector<share::journal_record>& all);

}  // namespace samsa::broker
