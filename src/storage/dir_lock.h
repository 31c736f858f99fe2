// An exclusive lock on a data directory (<log.dirs>/.lock, flock), so two
// brokers never write one directory. The holder's pid is written into the
// file so the one refused can name it. The kernel drops the lock when the
// process ends, however it ends, so a crash never leaves a stale lock.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"

namespace samsa::storage {

class dir_lock {
 public:
  // Takes the lock or fails at once (never waits) with EWOULDBLOCK and a
  // message naming the lock file and the pid found in it.
  static result<std::unique_ptr<dir_lock>> acquire(const std::string& dir);
  ~dir_lock();
  dir_lock(const dir_lock&) = delete;
  dir_lock& operator=(const dir_lock&) = delete;

  const std::string& path() const { return path_; }

 private:
  dir_lock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

}  // namespace samsa::storage
