#include "storage/crash_sim_file_system.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>

namespace samsa::storage {
namespace {

bool under(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

class crash_sim final : public file_system {
 public:
  struct tracked {
    int64_t synced = 0;         // bytes a completed sync covered
    bool name_durable = false;  // existed before, or its directory was synced since it appeared
  };

  explicit crash_sim(std::string trigger) : inner_(posix_file_system()), trigger_(std::move(trigger)) {}

  void watch() {
    std::thread([this] {
      while (!std::filesystem::exists(trigger_)) std::this_thread::sleep_for(std::chrono::milliseconds(2));
      crash();
    }).detach();
  }

  // Every operation holds crash_mu_ shared; crash() takes it exclusively, so
  // it waits for writes and syncs in flight. Once crashing_ is set no new
  // operation starts (a steady stream of readers could starve the writer).
  std::shared_mutex crash_mu_;
  std::atomic<bool> crashing_{false};
  std::shared_lock<std::shared_mutex> guard() {
    while (crashing_.load()) std::this_thread::sleep_for(std::chrono::seconds(1));
    return std::shared_lock(crash_mu_);
  }
  std::mutex mu_;
  std::map<std::string, tracked> files_;
  std::map<std::string, bool> new_dirs_;  // created by this process -> name durable

  void synced(const std::string& path, int64_t size) {
    std::lock_guard lock(mu_);
    auto it = files_.find(path);
    if (it != files_.end()) it->second.synced = std::max(it->second.synced, size);
  }
  void truncated(const std::string& path, int64_t size) {
    std::lock_guard lock(mu_);
    auto it = files_.find(path);
    if (it != files_.end()) it->second.synced = std::min(it->second.synced, size);
  }

  class sim_file final : public file {
   public:
    sim_file(crash_sim& fs, std::shared_ptr<file> inner) : fs_(fs), inner_(std::move(inner)) {}
    status append(std::span<const uint8_t> data) override {
      auto lock = fs_.guard();
      return inner_->append(data);
    }
    result<size_t> read_at(int64_t pos, std::span<uint8_t> out) const override { return inner_->read_at(pos, out); }
    status sync() override {
      auto lock = fs_.guard();
      // fdatasync covers what was written before it started.
      int64_t before = inner_->size();
      auto s = inner_->sync();
      if (s) fs_.synced(inner_->path(), before);
      return s;
    }
    status truncate(int64_t size) override {
      auto lock = fs_.guard();
      auto s = inner_->truncate(size);
      fs_.truncated(inner_->path(), size);
      return s;
    }
    int64_t size() const override { return inner_->size(); }
    int fd() const override { return inner_->fd(); }
    const std::string& path() const override { return inner_->path(); }

   private:
    crash_sim& fs_;
    std::shared_ptr<file> inner_;
  };

  result<std::shared_ptr<file>> open(const std::string& path, open_mode mode) override {
    auto lock = guard();
    bool existed = inner_->exists(path);
    auto f = inner_->open(path, mode);
    if (!f) return f.err();
    {
      std::lock_guard state(mu_);
      auto it = files_.find(path);
      if (it == files_.end()) {
        files_[path] = existed ? tracked{mode == open_mode::create_truncate ? 0 : (*f)->size(), true} : tracked{};
      } else if (mode == open_mode::create_truncate) {
        it->second.synced = 0;
      }
    }
    return std::shared_ptr<file>(std::make_shared<sim_file>(*this, std::move(*f)));
  }

  status create_dirs(const std::string& path) override {
    auto lock = guard();
    std::vector<std::string> fresh;
    for (std::string p = path; !p.empty() && p != "/" && p != "." && !inner_->exists(p); p = parent_dir(p))
      fresh.push_back(p);
    auto s = inner_->create_dirs(path);
    std::lock_guard state(mu_);
    for (auto& d : fresh) new_dirs_.emplace(d, false);
    return s;
  }

  result<std::vector<std::string>> list_dir(const std::string& path) override { return inner_->list_dir(path); }
  bool exists(const std::string& path) override { return inner_->exists(path); }
  bool is_dir(const std::string& path) override { return inner_->is_dir(path); }

  status remove_file(const std::string& path) override {
    auto lock = guard();
    auto s = inner_->remove_file(path);
    std::lock_guard state(mu_);
    files_.erase(path);
    return s;
  }

  status remove_all(const std::string& path) override {
    auto lock = guard();
    auto s = inner_->remove_all(path);
    std::lock_guard state(mu_);
    std::erase_if(files_, [&](auto& kv) { return kv.first == path || under(kv.first, path); });
    std::erase_if(new_dirs_, [&](auto& kv) { return kv.first == path || under(kv.first, path); });
    return s;
  }

  status rename(const std::string& from, const std::string& to) override {
    auto lock = guard();
    auto s = inner_->rename(from, to);
    if (!s) return s;
    std::lock_guard state(mu_);
    // The new name is durable only once its directory is synced.
    auto move = [&](auto& table, auto make_new) {
      std::decay_t<decltype(table)> moved;
      for (auto it = table.begin(); it != table.end();) {
        if (it->first == from || under(it->first, from)) {
          moved[to + it->first.substr(from.size())] = make_new(it->second, it->first == from);
          it = table.erase(it);
        } else {
          ++it;
        }
      }
      for (auto& [p, v] : moved) table[p] = v;
    };
    std::erase_if(files_, [&](auto& kv) { return kv.first == to || under(kv.first, to); });
    move(files_, [](tracked t, bool top) {
      if (top) t.name_durable = false;
      return t;
    });
    // A directory that already existed keeps counting as durable under its
    // new name (the code syncs the parent after every directory rename).
    move(new_dirs_, [](bool durable, bool top) { return top ? false : durable; });
    return s;
  }

  status sync_dir(const std::string& path) override {
    auto lock = guard();
    auto s = inner_->sync_dir(path);
    if (!s) return s;
    std::lock_guard state(mu_);
    for (auto& [p, t] : files_)
      if (parent_dir(p) == path) t.name_durable = true;
    for (auto& [p, durable] : new_dirs_)
      if (parent_dir(p) == path) durable = true;
    return s;
  }

  [[noreturn]] void crash() {
    crashing_ = true;
    crash_mu_.lock();  // never released: the process ends here
    std::lock_guard state(mu_);
    std::error_code ec;
    // A directory whose name was never synced is gone, with all inside it.
    for (auto& [d, durable] : new_dirs_)
      if (!durable) std::filesystem::remove_all(d, ec);
    for (auto& [p, t] : files_) {
      if (!std::filesystem::exists(p, ec)) continue;
      if (!t.name_durable) {
        ::unlink(p.c_str());
      } else {
        ::truncate(p.c_str(), t.synced);
      }
    }
    ::unlink(trigger_.c_str());
    ::_exit(137);
  }

 private:
  std::shared_ptr<file_system> inner_;
  std::string trigger_;
};

}  // namespace

std::shared_ptr<file_system> crash_sim_file_system(const std::string& trigger_path) {
  // Lives as long as the process: the watcher thread uses it until the end.
  static std::shared_ptr<crash_sim> instance;
  instance = std::make_shared<crash_sim>(trigger_path);
  instance->watch();
  return instance;
}

}  // namespace samsa::storage
