// Long-polling fetches (Fetch, ShareFetch) park here until data arrives on
// one of their partitions or their max_wait_ms runs out. Every append
// (Produce, transaction markers, share-group releases) wakes the waiters of
// its partition. Thread-safe: fetches park on the request handler threads
// and the control thread, and appends notify from both.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace samsa::storage {
class partition_log;
}

namespace samsa::broker {

class fetch_waiters {
 public:
  // The log end offsets of `partitions` now: taken by a fetch before it
  // reads, and handed to wait().
  static std::vector<int64_t> ends_of(const std::vector<const storage::partition_log*>& partitions);

  // Waits until notify() for any of `partitions` or until `deadline`. Returns
  // at once when one of them has grown past `ends_seen` (ends_of, before the
  // caller read): an append on another thread between that read and this
  // wait would otherwise leave the fetch parked until its deadline. The
  // coroutine's executor must be run by one thread (each handler context is).
  boost::asio::awaitable<void> wait(const std::vector<const storage::partition_log*>& partitions,
                                    const std::vector<int64_t>& ends_seen,
                                    std::chrono::steady_clock::time_point deadline);
  // Wakes every fetch parked on `partition`.
  void notify(const storage::partition_log* partition);
  // Wakes everything (shutdown, topic deletion).
  void notify_all();

 private:
  using timer_ptr = std::shared_ptr<boost::asio::steady_timer>;
  // Each timer is cancelled on its waiter's own thread.
  static void wake(const timer_ptr& timer);

  std::mutex mu_;
  std::unordered_map<const storage::partition_log*, std::vector<timer_ptr>> parked_;
};

}  // namespace samsa::broker
