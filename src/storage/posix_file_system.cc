// POSIX implementation of file_system: pwrite/pread/fdatasync on plain files.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "storage/errc.h"
#include "storage/file_system.h"

namespace samsa::storage {
namespace {

class posix_file final : public file {
 public:
  posix_file(int fd, std::string path, int64_t size) : fd_(fd), path_(std::move(path)), size_(size) {}
  ~posix_file() override { ::close(fd_); }

  status append(std::span<const uint8_t> data) override {
    int64_t pos = size_.load(std::memory_order_relaxed);
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done, pos + static_cast<int64_t>(done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno_error(errno, "write " + path_);
      }
      if (n == 0) return errno_error(ENOSPC, "write " + path_);
      done += static_cast<size_t>(n);
    }
    size_.store(pos + static_cast<int64_t>(done), std::memory_order_release);
    return {};
  }

  result<size_t> read_at(int64_t pos, std::span<uint8_t> out) const override {
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, pos + static_cast<int64_t>(done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno_error(errno, "read " + path_);
      }
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    return done;
  }

  status sync() override {
    if (::fdatasync(fd_) != 0) return errno_error(errno, "fdatasync " + path_);
    return {};
  }

  status truncate(int64_t size) override {
    if (::ftruncate(fd_, size) != 0) return errno_error(errno, "truncate " + path_);
    size_.store(size, std::memory_order_release);
    return {};
  }

  int64_t size() const override { return size_.load(std::memory_order_acquire); }
  int fd() const override { return fd_; }
  const std::string& path() const override { return path_; }

 private:
  int fd_;
  std::string path_;
  std::atomic<int64_t> size_;
};

class posix_fs final : public file_system {
 public:
  result<std::shared_ptr<file>> open(const std::string& path, open_mode mode) override {
    int flags = O_RDWR | O_CLOEXEC;
    if (mode != open_mode::read_write) flags |= O_CREAT;
    if (mode == open_mode::create_truncate) flags |= O_TRUNC;
    int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) return errno_error(errno, "open " + path);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      int e = errno;
      ::close(fd);
      return errno_error(e, "stat " + path);
    }
    return std::shared_ptr<file>(std::make_shared<posix_file>(fd, path, st.st_size));
  }

  // open, one read and close for a file smaller than the stack buffer: no
  // fstat, and no second read to find the end, since a regular file's read
  // returns fewer bytes than asked only at its end. Larger files (indexes of
  // big segments) take an fstat and one read for the rest.
  // O_NONBLOCK: a FIFO left where a file should be reads as empty instead of
  // holding the start until some writer opens it (no effect on files).
  result<std::vector<uint8_t>> read_whole(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return errno_error(errno, "open " + path);
    auto fail = [&](const char* what) {
      int e = errno;
      ::close(fd);
      return errno_error(e, what + path);
    };
    std::array<uint8_t, 16384> first;
    ssize_t n;
    do n = ::read(fd, first.data(), first.size());
    while (n < 0 && errno == EINTR);
    if (n < 0) return fail("read ");
    std::vector<uint8_t> data(first.begin(), first.begin() + n);
    if (static_cast<size_t>(n) == first.size()) {
      struct stat st {};
      if (::fstat(fd, &st) != 0) return fail("stat ");
      data.resize(std::max<size_t>(data.size(), static_cast<size_t>(st.st_size)));
      size_t done = first.size();
      while (done < data.size()) {
        ssize_t m = ::pread(fd, data.data() + done, data.size() - done, static_cast<off_t>(done));
        if (m < 0 && errno == EINTR) continue;
        if (m < 0) return fail("read ");
        if (m == 0) break;
        done += static_cast<size_t>(m);
      }
      data.resize(done);
    }
    ::close(fd);
    return data;
  }

  status create_dirs(const std::string& path) override {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return errno_error(ec.value(), "mkdir " + path);
    return {};
  }

  result<std::vector<std::string>> list_dir(const std::string& path) override {
    // getdents64 straight into a stack buffer: opendir adds an fstat and a
    // 32 KiB heap buffer per call, and a start lists every partition's folder.
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno_error(errno, "opendir " + path);
    std::vector<std::string> names;
    alignas(8) char buf[16384];
    for (;;) {
      long n = ::syscall(SYS_getdents64, fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        int err = errno;
        ::close(fd);
        return errno_error(err, "readdir " + path);
      }
      if (n == 0) break;
      for (long at = 0; at < n;) {
        // struct linux_dirent64: ino (8), off (8), reclen (2), type (1), name.
        unsigned short reclen;
        std::memcpy(&reclen, buf + at + 16, sizeof reclen);
        const char* name = buf + at + 19;
        if (std::strcmp(name, ".") != 0 && std::strcmp(name, "..") != 0) names.emplace_back(name);
        at += reclen;
      }
    }
    ::close(fd);
    return names;
  }

  bool exists(const std::string& path) override {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
  }

  bool is_dir(const std::string& path) override {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }

  status remove_file(const std::string& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errno_error(errno, "unlink " + path);
    return {};
  }

  status remove_all(const std::string& path) override {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec) return errno_error(ec.value(), "remove " + path);
    return {};
  }

  status rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return errno_error(errno, "rename " + from + " -> " + to);
    return {};
  }

  status sync_dir(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno_error(errno, "open dir " + path);
    int rc = ::fsync(fd);
    int e = errno;
    ::close(fd);
    if (rc != 0) return errno_error(e, "fsync dir " + path);
    return {};
  }
};

}  // namespace

std::shared_ptr<file_system> posix_file_system() {
  static auto instance = std::make_shared<posix_fs>();
  return instance;
}

}  // namespace samsa::storage
