// An in-memory file_system for unit tests, with LevelDB-style fault injection:
// it remembers what was synced and can forget everything else (power loss),
// limit total space (ENOSPC) and fail syncs.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <set>

#include "storage/file_system.h"

namespace samsa::storage {

class memory_file_system final : public file_system, public std::enable_shared_from_this<memory_file_system> {
 public:
  // Shared state of one file, kept alive by both the name table and open handles.
  struct node {
    std::vector<uint8_t> data;
    std::vector<uint8_t> synced;  // contents as of the last sync()
    bool durable = false;         // name survives a crash (synced, or its dir synced)
  };

  result<std::shared_ptr<file>> open(const std::string& path, open_mode mode) override;
  status create_dirs(const std::string& path) override;
  result<std::vector<std::string>> list_dir(const std::string& path) override;
  bool exists(const std::string& path) override;
  bool is_dir(const std::string& path) override;
  status remove_file(const std::string& path) override;
  status remove_all(const std::string& path) override;
  status rename(const std::string& from, const std::string& to) override;
  status sync_dir(const std::string& path) override;

  // Simulates power loss: every file reverts to its synced contents and files
  // whose names were never made durable disappear. Open handles keep working
  // on the reverted data, so callers should drop them first.
  void drop_unsynced();
  // Appends fail with ENOSPC once the total size of all files would exceed this.
  void set_space_limit(int64_t bytes);
  void set_fail_sync(bool fail);
  // Called with the path before every file or directory sync does its work,
  // on the syncing thread and without the file system's lock, so a test can
  // hold a sync open (a slow disk) while other threads carry on.
  void set_sync_hook(std::function<void(const std::string& path)> hook);
  // Once on, every read_at is counted by file and position, so a test can
  // check that a path reads a header once, not again and again.
  void count_reads(bool on);
  int64_t reads_at(const std::string& path, int64_t position);
  int64_t total_bytes();
  // Direct access for corruption tests.
  std::shared_ptr<node> lookup(const std::string& path);

  // Used by the file handles.
  status charge(int64_t old_size, int64_t new_size);
  bool fail_sync();
  void before_sync(const std::string& path);
  void note_read(const std::string& path, int64_t position);  // with mutex() held
  std::mutex& mutex() { return mu_; }

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<node>> files_;
  std::set<std::string> dirs_;
  int64_t space_limit_ = -1;
  bool fail_sync_ = false;
  std::function<void(const std::string&)> sync_hook_;
  bool count_reads_ = false;
  std::map<std::pair<std::string, int64_t>, int64_t> reads_;
};

}  // namespace samsa::storage
