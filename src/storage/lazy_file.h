// A file that holds no descriptor between calls: each operation opens it,
// works, and closes it again. Segment indexes live in memory and touch their
// files only at load, roll, close and sync, so keeping two descriptors per
// segment open would cost 20,000 descriptors at 10,000 partitions for nothing.
// A segment's .log is one too once the segment is no longer the active one:
// readers acquire() a descriptor for as long as they read (a fetch answer
// until it is sent), so a partition of many segments holds descriptors only
// for the ones being read.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/file_system.h"

namespace samsa::storage {

class lazy_file final : public file {
 public:
  // Opens `path` with `mode` (creating or truncating it as asked) and keeps
  // that descriptor until release(), so a segment's load reads through it.
  // `fs` must outlive the file (the partition log owns both).
  static result<std::shared_ptr<lazy_file>> open(file_system& fs, const std::string& path, open_mode mode);
  // Reads the file at `path` whole into `contents` (creating it empty if it
  // is missing) and returns it holding no descriptor: a segment's index is
  // loaded into memory at start and touched again only at append and sync.
  static result<std::shared_ptr<lazy_file>> read_whole(file_system& fs, const std::string& path,
                                                       std::vector<uint8_t>& contents);

  // Drops the descriptor held since open(); later calls open the file anew.
  void release();
  // A descriptor for as long as the caller keeps it: the held one, the one
  // another reader acquired and still keeps, or a new one. Calls made while
  // it is kept use it rather than opening the file again.
  [[nodiscard]] result<std::shared_ptr<file>> acquire() const;
  // The file was renamed to `path`.
  void relocate(std::string path);

  [[nodiscard]] status append(std::span<const uint8_t> data) override;
  [[nodiscard]] result<size_t> read_at(int64_t pos, std::span<uint8_t> out) const override;
  [[nodiscard]] status sync() override;
  [[nodiscard]] status truncate(int64_t size) override;
  int64_t size() const override;
  int fd() const override { return -1; }  // no lasting descriptor to hand out
  // Not safe against a concurrent relocate(); callers serialize both.
  const std::string& path() const override { return path_; }

 private:
  lazy_file(file_system& fs, std::string path, std::shared_ptr<file> held);
  lazy_file(file_system& fs, std::string path, int64_t size);
  // The held descriptor, or a fresh one for this call (under mu_).
  result<std::shared_ptr<file>> handle() const;
  // handle() taken under mu_, for use outside it.
  result<std::shared_ptr<file>> current() const;

  file_system& fs_;
  std::string path_;
  mutable std::mutex mu_;
  std::shared_ptr<file> held_;
  mutable std::weak_ptr<file> lent_;  // the descriptor readers acquired, while one keeps it
  int64_t size_ = 0;
};

}  // namespace samsa::storage
