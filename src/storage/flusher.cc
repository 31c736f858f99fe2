#include "storage/flusher.h"

#include <algorithm>
#include <map>

#include "storage/errc.h"
#include "storage/partition_log.h"

namespace samsa::storage {

flusher::flusher() : thread_([this] { run(); }) {}

flusher::~flusher() { stop(); }

void flusher::request(std::shared_ptr<partition_log> log, int64_t up_to_offset, std::function<void(status)> done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back({std::move(log), up_to_offset, std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  if (done) done(make_storage_error(errc::closed, "flusher stopped"));
}

void flusher::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopping_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  stopped_ = true;
}

int64_t flusher::sync_rounds() const {
  std::lock_guard lock(mu_);
  return rounds_;
}

int64_t flusher::requests_served() const {
  std::lock_guard lock(mu_);
  return served_;
}

void flusher::run() {
  while (true) {
    std::vector<pending> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      batch.swap(queue_);
    }
    // One sync per partition covers every request queued for it so far.
    std::map<partition_log*, int64_t> wanted;
    for (auto& p : batch) wanted[p.log.get()] = std::max(wanted[p.log.get()], p.up_to);
    std::map<partition_log*, status> results;
    for (auto& p : batch) {
      partition_log* log = p.log.get();
      if (results.contains(log)) continue;
      if (log->flushed_offset() >= wanted[log] && !log->has_unsynced_files()) {
        results.emplace(log, status{});
      } else {
        results.emplace(log, log->sync_now());
      }
    }
    for (auto& p : batch) {
      if (p.done) p.done(results[p.log.get()]);
    }
    std::lock_guard lock(mu_);
    ++rounds_;
    served_ += static_cast<int64_t>(batch.size());
  }
}

}  // namespace samsa::storage
