#include "storage/flusher.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "base/metrics.h"
#include "storage/errc.h"
#include "storage/partition_log.h"

namespace samsa::storage {

namespace {

// One partition's fdatasync, timed for /metrics.
status timed_sync(partition_log& log) {
  auto started = std::chrono::steady_clock::now();
  status s = log.sync_now();
  auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  metrics::registry::instance().record_fsync(static_cast<uint64_t>(took.count()));
  return s;
}

// An earlier sync (another request's, retention's, a roll's) already covers
// every waiter: no fdatasync needed. The test broker/durability.cc makes too.
bool covered(const partition_log& log, int64_t wanted) {
  return log.flushed_offset() >= wanted && !log.has_unsynced_files();
}

}  // namespace

flusher::flusher(size_t sync_threads) {
  const size_t n = std::max<size_t>(sync_threads, 1);
  threads_.reserve(n);
  for (size_t i = 0; i < n; ++i) threads_.emplace_back([this, i] { run(i); });
}

flusher::~flusher() { stop(); }

void flusher::request(std::shared_ptr<partition_log> log, int64_t up_to_offset, std::function<void(status)> done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      partition_log* key = log.get();
      auto& q = queues_[key];
      if (!q.log) q.log = std::move(log);
      q.waiting.push_back({up_to_offset, std::move(done)});
      // A running sync re-lists the partition when it ends (the new waiter
      // may have appended after that sync read the log end).
      if (!q.ready && !q.syncing) {
        q.ready = true;
        ready_.push_back(key);
        work_cv_.notify_one();
      }
      return;
    }
  }
  if (done) done(make_storage_error(errc::closed, "flusher stopped"));
}

void flusher::stop() {
  std::lock_guard stop_lock(stop_mu_);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    work_cv_.notify_all();
  }
  // Each thread leaves once nothing is ready; a thread still syncing re-lists
  // its partition's late waiters and serves them itself before it leaves.
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

int64_t flusher::sync_rounds() const {
  std::lock_guard lock(mu_);
  return rounds_;
}

int64_t flusher::requests_served() const {
  std::lock_guard lock(mu_);
  return served_;
}

void flusher::serve(partition_log& log, std::vector<waiter>& batch) {
  // Every waiter in `batch` asked before this sync reads the log end, so the
  // sync covers all of them: each is answered with its result.
  int64_t wanted = 0;
  for (const auto& w : batch) wanted = std::max(wanted, w.up_to);
  status s = covered(log, wanted) ? status{} : timed_sync(log);
  for (auto& w : batch) {
    if (w.done) w.done(s);
  }
  metrics::registry::instance().record_group_commit(batch.size());
}

void flusher::run(size_t index) {
  // Named so that profiles and `top -H` show where fdatasync time goes.
  const std::string name = "samsa-sync-" + std::to_string(index);
  pthread_setname_np(pthread_self(), name.c_str());
  std::unique_lock lock(mu_);
  while (true) {
    work_cv_.wait(lock, [&] { return stopping_ || !ready_.empty(); });
    if (ready_.empty()) return;  // stopping and nothing left to sync
    partition_log* key = ready_.front();
    ready_.pop_front();
    // unordered_map keeps element addresses stable across inserts; this
    // entry is not erased while `syncing` is set.
    partition_queue& q = queues_.at(key);
    q.ready = false;
    q.syncing = true;
    std::vector<waiter> batch;
    batch.swap(q.waiting);
    std::shared_ptr<partition_log> log = q.log;
    lock.unlock();
    serve(*log, batch);
    lock.lock();
    ++rounds_;
    served_ += static_cast<int64_t>(batch.size());
    // Cleared only after the answers went out, so a partition's answers
    // never overtake each other across sync threads.
    q.syncing = false;
    if (q.waiting.empty()) {
      queues_.erase(key);
    } else {
      q.ready = true;
      ready_.push_back(key);
      work_cv_.notify_one();
    }
  }
}

}  // namespace samsa::storage
