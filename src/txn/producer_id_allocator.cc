#include "txn/producer_id_allocator.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace samsa::txn {

namespace {

error io_error(const std::string& what, const std::string& path) {
  int saved = errno;
  return error(std::error_code(saved, std::generic_category()), what + " " + path + ": " + std::strerror(saved));
}

}  // namespace

result<std::unique_ptr<producer_id_allocator>> producer_id_allocator::open(std::string path, int64_t block_size) {
  int64_t start = 0;
  std::ifstream in(path);
  if (in) {
    std::string text;
    in >> text;
    char* end = nullptr;
    errno = 0;
    long long parsed = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno != 0 || parsed < 0) {
      return make_error(std::errc::illegal_byte_sequence, "producer id file " + path + " is damaged: '" + text + "'");
    }
    start = parsed;
  }
  return std::unique_ptr<producer_id_allocator>(new producer_id_allocator(std::move(path), block_size, start));
}

producer_id_allocator::producer_id_allocator(std::string path, int64_t block_size, int64_t block_start)
    : path_(std::move(path)), block_size_(block_size), next_id_(block_start), block_end_(block_start) {}

result<int64_t> producer_id_allocator::next() {
  std::lock_guard lock(mutex_);
  if (next_id_ >= block_end_) {
    if (auto s = persist_block_end(next_id_ + block_size_); !s.ok()) return s.err();
    block_end_ = next_id_ + block_size_;
  }
  return next_id_++;
}

// Write-to-temp, fsync, rename, fsync the directory: after a crash the file
// holds either the old or the new block end, never a torn value.
status producer_id_allocator::persist_block_end(int64_t end) {
  const std::string tmp = path_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create", tmp);
  const std::string text = std::to_string(end) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  errno = saved;
  if (!ok) return io_error("cannot write", tmp);
  if (::rename(tmp.c_str(), path_.c_str()) != 0) return io_error("cannot rename onto", path_);
  const std::string dir = std::filesystem::path(path_).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace samsa::txn
