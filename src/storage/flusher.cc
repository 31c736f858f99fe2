#include "storage/flusher.h"

#include <algorithm>
#include <chrono>
#include <map>

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

}  // namespace

flusher::flusher(size_t parallel_syncs) {
  for (size_t i = 1; i < std::max<size_t>(parallel_syncs, 1); ++i) helpers_.emplace_back([this] { helper_run(); });
  thread_ = std::thread([this] { run(); });
}

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
  {
    std::lock_guard lock(helpers_mu_);
    helpers_stop_ = true;
    helpers_cv_.notify_all();
  }
  for (auto& h : helpers_) {
    if (h.joinable()) h.join();
  }
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

void flusher::take_share(round& r) {
  for (size_t i = r.next.fetch_add(1); i < r.logs.size(); i = r.next.fetch_add(1)) {
    status s = timed_sync(*r.logs[i]);
    std::lock_guard lock(helpers_mu_);
    r.results[i] = std::move(s);
    if (++r.finished == r.logs.size()) round_cv_.notify_all();
  }
}

void flusher::helper_run() {
  uint64_t seen = 0;
  while (true) {
    round* r = nullptr;
    {
      std::unique_lock lock(helpers_mu_);
      helpers_cv_.wait(lock, [&] { return helpers_stop_ || (current_ != nullptr && round_seq_ != seen); });
      if (helpers_stop_) return;
      seen = round_seq_;
      r = current_;
      ++helpers_busy_;
    }
    take_share(*r);
    std::lock_guard lock(helpers_mu_);
    --helpers_busy_;
    round_cv_.notify_all();
  }
}

void flusher::sync_round(round& r) {
  r.results.resize(r.logs.size());
  if (r.logs.size() == 1 || helpers_.empty()) {
    for (size_t i = 0; i < r.logs.size(); ++i) r.results[i] = timed_sync(*r.logs[i]);
    return;
  }
  {
    std::lock_guard lock(helpers_mu_);
    current_ = &r;
    ++round_seq_;
    helpers_cv_.notify_all();
  }
  take_share(r);
  // The round lives on this thread's stack: wait until no helper still holds it.
  std::unique_lock lock(helpers_mu_);
  round_cv_.wait(lock, [&] { return r.finished == r.logs.size() && helpers_busy_ == 0; });
  current_ = nullptr;
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
    round r;
    for (auto& [log, up_to] : wanted) {
      if (log->flushed_offset() >= up_to && !log->has_unsynced_files()) {
        results.emplace(log, status{});
      } else {
        r.logs.push_back(log);
      }
    }
    if (!r.logs.empty()) {
      sync_round(r);
      for (size_t i = 0; i < r.logs.size(); ++i) results.emplace(r.logs[i], std::move(r.results[i]));
    }
    for (auto& p : batch) {
      if (p.done) p.done(results[p.log.get()]);
    }
    metrics::registry::instance().record_group_commit(batch.size());
    std::lock_guard lock(mu_);
    ++rounds_;
    served_ += static_cast<int64_t>(batch.size());
  }
}

}  // namespace samsa::storage
