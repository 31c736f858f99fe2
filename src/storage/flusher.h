// Group commit: one background thread turns many flush requests into as few
// fdatasync calls as possible (LevelDB's write group, across partitions).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/result.h"

namespace samsa::storage {

class partition_log;

// Requests queue while a sync round runs; the next round takes all of them,
// syncs each partition they name once, and calls every callback. So N
// producers waiting on acks=all share one fdatasync per partition per round,
// and a round never waits for more requests than are already queued.
// The partitions of one round are synced by up to `parallel_syncs` threads at
// once: concurrent fdatasyncs keep the device's queue full and share journal
// commits, where one after another each waits for the last.
// Callbacks run on the flusher thread and must not block.
class flusher {
 public:
  static constexpr size_t default_parallel_syncs = 4;

  explicit flusher(size_t parallel_syncs = default_parallel_syncs);
  ~flusher();
  flusher(const flusher&) = delete;
  flusher& operator=(const flusher&) = delete;

  // `done` (may be empty) is called once every byte of `log` up to
  // `up_to_offset` (exclusive end) is durable, or with the sync's error.
  void request(std::shared_ptr<partition_log> log, int64_t up_to_offset, std::function<void(status)> done);
  // Finishes queued requests, then stops the threads. Later requests fail with errc::closed.
  void stop();

  int64_t sync_rounds() const;
  int64_t requests_served() const;

 private:
  struct pending {
    std::shared_ptr<partition_log> log;
    int64_t up_to;
    std::function<void(status)> done;
  };
  // The partitions one round must sync, shared out among the sync threads.
  struct round {
    std::vector<partition_log*> logs;
    std::vector<status> results;
    std::atomic<size_t> next{0};
    size_t finished = 0;  // guarded by helpers_mu_
  };
  void run();
  void sync_round(round& r);
  void take_share(round& r);
  void helper_run();

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<pending> queue_;
  bool stopping_ = false;
  bool stopped_ = false;
  int64_t rounds_ = 0;
  int64_t served_ = 0;

  std::mutex helpers_mu_;
  std::condition_variable helpers_cv_;  // a round was posted, or stop
  std::condition_variable round_cv_;    // a share of the round finished
  round* current_ = nullptr;
  uint64_t round_seq_ = 0;
  size_t helpers_busy_ = 0;
  bool helpers_stop_ = false;
  std::vector<std::thread> helpers_;
  std::thread thread_;
};

}  // namespace samsa::storage
