#include "storage/memory_file_system.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "storage/errc.h"

namespace samsa::storage {
namespace {

class memory_file final : public file {
 public:
  memory_file(std::shared_ptr<memory_file_system> fs, std::shared_ptr<memory_file_system::node> n, std::string path)
      : fs_(std::move(fs)), node_(std::move(n)), path_(std::move(path)) {}

  status append(std::span<const uint8_t> data) override {
    std::lock_guard lock(fs_->mutex());
    int64_t old = static_cast<int64_t>(node_->data.size());
    if (auto s = fs_->charge(old, old + static_cast<int64_t>(data.size())); !s) {
      // Mimic a real disk: the part that fits is written, then ENOSPC.
      return s;
    }
    node_->data.insert(node_->data.end(), data.begin(), data.end());
    return {};
  }

  result<size_t> read_at(int64_t pos, std::span<uint8_t> out) const override {
    std::lock_guard lock(fs_->mutex());
    if (pos < 0) return errno_error(EINVAL, "read " + path_);
    fs_->note_read(path_, pos);
    auto size = static_cast<int64_t>(node_->data.size());
    if (pos >= size) return size_t{0};
    size_t n = std::min<size_t>(out.size(), static_cast<size_t>(size - pos));
    std::memcpy(out.data(), node_->data.data() + pos, n);
    return n;
  }

  status sync() override {
    fs_->before_sync(path_);
    std::lock_guard lock(fs_->mutex());
    if (fs_->fail_sync()) return errno_error(EIO, "fdatasync " + path_);
    node_->synced = node_->data;
    node_->durable = true;
    return {};
  }

  status truncate(int64_t size) override {
    std::lock_guard lock(fs_->mutex());
    node_->data.resize(static_cast<size_t>(size));
    return {};
  }

  int64_t size() const override {
    std::lock_guard lock(fs_->mutex());
    return static_cast<int64_t>(node_->data.size());
  }
  int fd() const override { return -1; }
  const std::string& path() const override { return path_; }

 private:
  std::shared_ptr<memory_file_system> fs_;
  std::shared_ptr<memory_file_system::node> node_;
  std::string path_;
};

bool is_under(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

}  // namespace

result<std::shared_ptr<file>> memory_file_system::open(const std::string& path, open_mode mode) {
  std::shared_ptr<node> n;
  {
    std::lock_guard lock(mu_);
    auto it = files_.find(path);
    if (it == files_.end()) {
      if (mode == open_mode::read_write) return errno_error(ENOENT, "open " + path);
      if (!dirs_.contains(parent_dir(path))) return errno_error(ENOENT, "open " + path);
      n = std::make_shared<node>();
      files_[path] = n;
    } else {
      n = it->second;
      if (mode == open_mode::create_truncate) n->data.clear();
    }
  }
  return std::shared_ptr<file>(std::make_shared<memory_file>(shared_from_this(), n, path));
}

status memory_file_system::create_dirs(const std::string& path) {
  std::lock_guard lock(mu_);
  std::string p = path;
  while (!p.empty() && p != "/" && p != ".") {
    dirs_.insert(p);
    p = parent_dir(p);
  }
  return {};
}

result<std::vector<std::string>> memory_file_system::list_dir(const std::string& path) {
  std::lock_guard lock(mu_);
  if (!dirs_.contains(path)) return errno_error(ENOENT, "opendir " + path);
  std::vector<std::string> names;
  auto add = [&](const std::string& p) {
    if (parent_dir(p) == path) names.push_back(p.substr(path.size() + 1));
  };
  for (auto& [p, n] : files_) add(p);
  for (auto& d : dirs_) add(d);
  return names;
}

bool memory_file_system::exists(const std::string& path) {
  std::lock_guard lock(mu_);
  return files_.contains(path) || dirs_.contains(path);
}

bool memory_file_system::is_dir(const std::string& path) {
  std::lock_guard lock(mu_);
  return dirs_.contains(path);
}

status memory_file_system::remove_file(const std::string& path) {
  std::lock_guard lock(mu_);
  files_.erase(path);
  return {};
}

status memory_file_system::remove_all(const std::string& path) {
  std::lock_guard lock(mu_);
  std::erase_if(files_, [&](auto& kv) { return kv.first == path || is_under(kv.first, path); });
  std::erase_if(dirs_, [&](auto& d) { return d == path || is_under(d, path); });
  return {};
}

status memory_file_system::rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  if (dirs_.contains(from)) {
    // Directory: move every path below it.
    std::map<std::string, std::shared_ptr<node>> moved;
    for (auto it = files_.begin(); it != files_.end();) {
      if (is_under(it->first, from)) {
        moved[to + it->first.substr(from.size())] = it->second;
        it = files_.erase(it);
      } else {
        ++it;
      }
    }
    std::set<std::string> moved_dirs;
    for (auto it = dirs_.begin(); it != dirs_.end();) {
      if (*it == from || is_under(*it, from)) {
        moved_dirs.insert(to + it->substr(from.size()));
        it = dirs_.erase(it);
      } else {
        ++it;
      }
    }
    files_.insert(moved.begin(), moved.end());
    dirs_.insert(moved_dirs.begin(), moved_dirs.end());
    return {};
  }
  auto it = files_.find(from);
  if (it == files_.end()) return errno_error(ENOENT, "rename " + from);
  auto n = it->second;
  files_.erase(it);
  // Simplification: a rename is durable at once (ext4 with auto_da_alloc behaves close to this).
  n->durable = true;
  files_[to] = n;
  return {};
}

status memory_file_system::sync_dir(const std::string& path) {
  before_sync(path);
  std::lock_guard lock(mu_);
  if (fail_sync_) return errno_error(EIO, "fsync dir " + path);
  for (auto& [p, n] : files_)
    if (parent_dir(p) == path) n->durable = true;
  return {};
}

void memory_file_system::drop_unsynced() {
  std::lock_guard lock(mu_);
  std::erase_if(files_, [](auto& kv) { return !kv.second->durable; });
  for (auto& [p, n] : files_) n->data = n->synced;
}

void memory_file_system::set_space_limit(int64_t bytes) {
  std::lock_guard lock(mu_);
  space_limit_ = bytes;
}

void memory_file_system::set_fail_sync(bool fail) {
  std::lock_guard lock(mu_);
  fail_sync_ = fail;
}

int64_t memory_file_system::total_bytes() {
  std::lock_guard lock(mu_);
  int64_t total = 0;
  for (auto& [p, n] : files_) total += static_cast<int64_t>(n->data.size());
  return total;
}

std::shared_ptr<memory_file_system::node> memory_file_system::lookup(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : it->second;
}

status memory_file_system::charge(int64_t old_size, int64_t new_size) {
  // Called with mu_ held.
  if (space_limit_ < 0) return {};
  int64_t total = 0;
  for (auto& [p, n] : files_) total += static_cast<int64_t>(n->data.size());
  if (total - old_size + new_size > space_limit_) return errno_error(ENOSPC, "write");
  return {};
}

bool memory_file_system::fail_sync() { return fail_sync_; }

void memory_file_system::count_reads(bool on) {
  std::lock_guard lock(mu_);
  count_reads_ = on;
  reads_.clear();
}

int64_t memory_file_system::reads_at(const std::string& path, int64_t position) {
  std::lock_guard lock(mu_);
  auto it = reads_.find({path, position});
  return it == reads_.end() ? 0 : it->second;
}

void memory_file_system::note_read(const std::string& path, int64_t position) {
  if (count_reads_) ++reads_[{path, position}];
}

void memory_file_system::set_sync_hook(std::function<void(const std::string& path)> hook) {
  std::lock_guard lock(mu_);
  sync_hook_ = std::move(hook);
}

void memory_file_system::before_sync(const std::string& path) {
  std::function<void(const std::string&)> hook;
  {
    std::lock_guard lock(mu_);
    hook = sync_hook_;
  }
  if (hook) hook(path);
}

}  // namespace samsa::storage
