// Group commit, per partition: each partition has its own queue of flush
// waiters, and a small shared pool of sync threads serves the partitions
// that have waiters. See README.md ("Durability and group commit").
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/result.h"

namespace samsa::storage {

class partition_log;

// A request names a partition and an offset; it joins that partition's queue.
// A sync thread takes a partition off the ready list together with every
// waiter queued for it so far, runs one sync_now() (one fdatasync per file
// with new data), and answers exactly those waiters as soon as that sync
// ends. Waiters that arrive while the sync runs are not covered by it (their
// data may have been written after it looked at the log end); they stay
// queued and are folded into the partition's next sync, which starts as soon
// as this one has answered. So N producers waiting on one partition share
// one fdatasync, and a waiter never waits for another partition's sync:
// partitions are synced independently, up to `sync_threads` at once
// (concurrent fdatasyncs keep the device queue full and share journal commits).
//
// Order: one partition is synced by at most one thread at a time and its
// waiters are answered in the order they asked. Callbacks run on a sync
// thread and must not block (they post to the network thread).
class flusher {
 public:
  static constexpr size_t default_sync_threads = 4;

  explicit flusher(size_t sync_threads = default_sync_threads);
  ~flusher();
  flusher(const flusher&) = delete;
  flusher& operator=(const flusher&) = delete;

  // `done` (may be empty) is called once every byte of `log` up to
  // `up_to_offset` (exclusive end) is durable, or with the sync's error.
  void request(std::shared_ptr<partition_log> log, int64_t up_to_offset, std::function<void(status)> done);
  // Finishes queued requests, then stops the threads. Later requests fail with errc::closed.
  void stop();

  // Syncs run (one partition each) and requests answered, for tests and
  // /metrics; both are updated after the callbacks of a sync ran.
  int64_t sync_rounds() const;
  int64_t requests_served() const;

 private:
  struct waiter {
    int64_t up_to;
    std::function<void(status)> done;
  };
  // One partition's waiters. Lives in queues_ while it has waiters or a sync
  // of it is running; holds the log open meanwhile.
  struct partition_queue {
    std::shared_ptr<partition_log> log;
    std::vector<waiter> waiting;  // not yet taken by a sync
    bool ready = false;           // listed in ready_
    bool syncing = false;         // a sync thread holds it
  };
  void run(size_t index);
  // One sync of `log` for `batch`, outside the lock; answers the batch.
  void serve(partition_log& log, std::vector<waiter>& batch);

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // a partition became ready, or stop
  std::unordered_map<partition_log*, partition_queue> queues_;
  std::deque<partition_log*> ready_;  // partitions with waiters and no running sync, oldest first
  bool stopping_ = false;
  int64_t rounds_ = 0;
  int64_t served_ = 0;

  std::mutex stop_mu_;  // stop() may be called from two places at once
  std::vector<std::thread> threads_;
};

}  // namespace samsa::storage
