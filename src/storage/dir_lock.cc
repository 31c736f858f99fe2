#include "storage/dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "storage/errc.h"
#include "storage/file_system.h"

namespace samsa::storage {
namespace {

// The pid the holder wrote, or "unknown" (it may be between open and write).
std::string holder_pid(int fd) {
  char buf[32] = {};
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  std::string_view text(buf, n > 0 ? static_cast<size_t>(n) : 0);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) return "unknown";
  return std::string(text);
}

}  // namespace

result<std::unique_ptr<dir_lock>> dir_lock::acquire(const std::string& dir) {
  std::string path = join_path(dir, ".lock");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return errno_error(errno, "open lock file " + path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::string pid = err == EWOULDBLOCK ? holder_pid(fd) : std::string();
    ::close(fd);
    if (err == EWOULDBLOCK)
      return error(std::make_error_code(std::errc::operation_would_block),
                   "data directory " + dir + " is in use by another broker (pid " + pid + ", holder of " + path +
                       "); stop that broker or give this one another log.dirs");
    return errno_error(err, "lock " + path);
  }
  std::string text = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    int err = errno;
    ::close(fd);
    return errno_error(err, "write pid into " + path);
  }
  return std::unique_ptr<dir_lock>(new dir_lock(fd, std::move(path)));
}

dir_lock::~dir_lock() {
  // Closing the descriptor releases the lock; the file stays (as Kafka's does).
  ::close(fd_);
}

}  // namespace samsa::storage
