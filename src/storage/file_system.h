// The narrow file-system interface all storage I/O goes through, so unit tests
// can run on memory_file_system and crash tests can drop unsynced data.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"

namespace samsa::storage {

// An open file. Writes only ever go to the end (logs are append-only), except
// truncate() which recovery and failed appends use to cut a tail.
// Thread-safety: append/truncate must be serialized by the caller; read_at and
// sync may run concurrently with an append (pread/fdatasync semantics).
class file {
 public:
  virtual ~file() = default;

  // Writes all of `data` at the current end. On failure the file may hold part
  // of it; the caller truncates back to the size it saw before.
  [[nodiscard]] virtual status append(std::span<const uint8_t> data) = 0;
  // Reads up to out.size() bytes at `pos`; returns fewer only at end of file.
  [[nodiscard]] virtual result<size_t> read_at(int64_t pos, std::span<uint8_t> out) const = 0;
  // Makes every byte appended so far durable (fdatasync).
  [[nodiscard]] virtual status sync() = 0;
  [[nodiscard]] virtual status truncate(int64_t size) = 0;
  virtual int64_t size() const = 0;
  // The OS descriptor for sendfile(), or -1 when the file is not backed by one.
  virtual int fd() const = 0;
  virtual const std::string& path() const = 0;
};

enum class open_mode {
  read_write,         // must exist
  create,             // open or create, keep contents
  create_truncate,    // open or create, start empty
};

class file_system {
 public:
  virtual ~file_system() = default;

  [[nodiscard]] virtual result<std::shared_ptr<file>> open(const std::string& path, open_mode mode) = 0;
  [[nodiscard]] virtual status create_dirs(const std::string& path) = 0;
  // File and directory names (not paths) directly inside `path`, unsorted.
  [[nodiscard]] virtual result<std::vector<std::string>> list_dir(const std::string& path) = 0;
  virtual bool exists(const std::string& path) = 0;
  virtual bool is_dir(const std::string& path) = 0;
  [[nodiscard]] virtual status remove_file(const std::string& path) = 0;
  // Removes a directory and everything below it; missing is not an error.
  [[nodiscard]] virtual status remove_all(const std::string& path) = 0;
  // Atomically replaces `to` if it exists.
  [[nodiscard]] virtual status rename(const std::string& from, const std::string& to) = 0;
  // Makes creations, renames and removals inside `path` durable.
  [[nodiscard]] virtual status sync_dir(const std::string& path) = 0;
  // The whole contents of the file at `path` (errc::not_found when missing).
  // This default opens it and reads its size() bytes; an implementation may
  // do it in fewer system calls (a start reads four small files per
  // partition).
  [[nodiscard]] virtual result<std::vector<uint8_t>> read_whole(const std::string& path);
};

// The real POSIX implementation (one shared instance is enough).
std::shared_ptr<file_system> posix_file_system();

// Helpers built on the interface.
[[nodiscard]] inline result<std::vector<uint8_t>> read_whole_file(file_system& fs, const std::string& path) {
  return fs.read_whole(path);
}
// The size() bytes of an open file (errc::corrupt on a short read).
[[nodiscard]] result<std::vector<uint8_t>> read_all(const file& f);
// Writes `data` to path via a temporary file, fsync and rename, then syncs the directory.
[[nodiscard]] status write_file_atomic(file_system& fs, const std::string& path, std::span<const uint8_t> data);
std::string join_path(const std::string& dir, const std::string& name);
std::string parent_dir(const std::string& path);

}  // namespace samsa::storage
