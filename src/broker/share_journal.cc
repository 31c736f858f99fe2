#include "broker/share_journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

namespace samsa::broker {

namespace {

error sys_error(const std::string& what) {
  return error(std::error_code(errno, std::generic_category()), what);
}

status write_all(int fd, const std::vector<uint8_t>& bytes, const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("writing " + path);
    }
    done += static_cast<size_t>(n);
  }
  return {};
}

status sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return sys_error("opening directory " + dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return sys_error("syncing directory " + dir);
  return {};
}

}  // namespace

std::vector<share::journal_record> live_records(const std::vector<share::journal_record>& all) {
  std::map<share::partition_key, const share::partition_record*> partitions;
  std::map<std::string, const share::group_record*> groups;
  for (const auto& r : all) {
    if (const auto* p = std::get_if<share::partition_record>(&r)) {
      partitions[p->key] = p;
    } else {
      const auto& g = std::get<share::group_record>(r);
      groups[g.group] = &g;
    }
  }
  std::vector<share::journal_record> out;
  for (const auto& [id, g] : groups) {
    if (!g->deleted) out.emplace_back(*g);
  }
  for (const auto& [key, p] : partitions) {
    if (p->state) out.emplace_back(*p);
  }
  return out;
}

share_journal::~share_journal() {
  if (fd_ >= 0) ::close(fd_);
}

result<std::vector<share::journal_record>> share_journal::open() {
  if (::mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST) return sys_error("creating " + dir_);
  path_ = dir_ + "/journal.log";
  std::vector<uint8_t> bytes;
  int in = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (in >= 0) {
    uint8_t chunk[65536];
    while (true) {
      ssize_t n = ::read(in, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        ::close(in);
        return sys_error("reading " + path_);
      }
      if (n == 0) break;
      bytes.insert(bytes.end(), chunk, chunk + n);
    }
    ::close(in);
  } else if (errno != ENOENT) {
    return sys_error("opening " + path_);
  }
  auto decoded = share::decode_journal(bytes);
  auto live = live_records(decoded.records);
  if (auto s = write_fresh(live); !s) return s.err();
  return live;
}

status share_journal::write_fresh(const std::vector<share::journal_record>& live) {
  const std::string tmp = path_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return sys_error("creating " + tmp);
  std::vector<uint8_t> all;
  for (const auto& r : live) {
    auto b = share::encode_record(r);
    all.insert(all.end(), b.begin(), b.end());
  }
  status s = write_all(fd, all, tmp);
  if (s && ::fdatasync(fd) != 0) s = sys_error("syncing " + tmp);
  ::close(fd);
  if (!s) return s;
  if (::rename(tmp.c_str(), path_.c_str()) != 0) return sys_error("renaming " + tmp);
  if (auto d = sync_dir(dir_); !d) return d;
  int next = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (next < 0) return sys_error("opening " + path_);
  if (fd_ >= 0) ::close(fd_);
  fd_ = next;
  size_ = all.size();
  return {};
}

status share_journal::append(const share::journal_record& record) {
  if (fd_ < 0) return make_error(std::errc::bad_file_descriptor, "share-state journal is not open");
  auto bytes = share::encode_record(record);
  if (auto s = write_all(fd_, bytes, path_); !s) return s;
  size_ += bytes.size();
  return {};
}

status share_journal::sync() const {
  if (fd_ < 0) return make_error(std::errc::bad_file_descriptor, "share-state journal is not open");
  if (::fdatasync(fd_) != 0) return sys_error("syncing " + path_);
  return {};
}

status share_journal::compact(const std::vector<share::journal_record>& live) { return write_fresh(live); }

}  // namespace samsa::broker
