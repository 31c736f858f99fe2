// Long-polling fetches park here until data arrives on one of their
// partitions or their max_wait_ms runs out. Produce wakes the waiters of each
// partition it appends to. Network thread only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <unordered_map>
#include <vector>

namespace samsa::broker {

class fetch_waiters {
 public:
  // Waits until notify() for any of `partitions` or until `deadline`.
  // `partitions` are opaque keys (the partition log objects).
  boost::asio::awaitable<void> wait(const std::vector<const void*>& partitions,
                                    std::chrono::steady_clock::time_point deadline);
  // Wakes every fetch parked on `partition`.
  void notify(const void* partition);
  // Wakes everything (shutdown, topic deletion).
  void notify_all();

 private:
  using timer_ptr = std::shared_ptr<boost::asio::steady_timer>;
  std::unordered_map<const void*, std::vector<timer_ptr>> parked_;
};

}  // namespace samsa::broker
