// Group commit: one background thread turns many flush requests into as few
// fdatasync calls as possible (LevelDB's write group, across partitions).
#pragma once

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
// Callbacks run on the flusher thread and must not block.
class flusher {
 public:
  flusher();
  ~flusher();
  flusher(const flusher&) = delete;
  flusher& operator=(const flusher&) = delete;

  // `done` (may be empty) is called once every byte of `log` up to
  // `up_to_offset` (exclusive end) is durable, or with the sync's error.
  void request(std::shared_ptr<partition_log> log, int64_t up_to_offset, std::function<void(status)> done);
  // Finishes queued requests, then stops the thread. Later requests fail with errc::closed.
  void stop();

  int64_t sync_rounds() const;
  int64_t requests_served() const;

 private:
  struct pending {
    std::shared_ptr<partition_log> log;
    int64_t up_to;
    std::function<void(status)> done;
  };
  void run();

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<pending> queue_;
  bool stopping_ = false;
  bool stopped_ = false;
  int64_t rounds_ = 0;
  int64_t served_ = 0;
  std::thread thread_;
};

}  // namespace samsa::storage
