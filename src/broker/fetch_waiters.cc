#include "broker/fetch_waiters.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/metrics.h"
#include "storage/partition_log.h"

namespace samsa::broker {

namespace asio = boost::asio;

std::vector<int64_t> fetch_waiters::ends_of(const std::vector<const storage::partition_log*>& partitions) {
  std::vector<int64_t> ends;
  ends.reserve(partitions.size());
  for (const auto* p : partitions) ends.push_back(p->log_end_offset());
  return ends;
}

void fetch_waiters::wake(const timer_ptr& timer) {
  asio::post(timer->get_executor(), [timer] { timer->cancel(); });
}

asio::awaitable<void> fetch_waiters::wait(const std::vector<const storage::partition_log*>& partitions,
                                          const std::vector<int64_t>& ends_seen,
                                          std::chrono::steady_clock::time_point deadline) {
  auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor, deadline);
  {
    std::lock_guard lock(mu_);
    for (const auto* p : partitions) parked_[p].push_back(timer);
  }
  // Registered first, compared after: an append that moved an end before
  // this comparison is seen here, one after it finds the timer parked. A
  // cancel posted meanwhile runs only once the wait below has begun (this
  // coroutine holds its thread until then).
  bool grown = false;
  for (size_t i = 0; i < partitions.size() && i < ends_seen.size(); ++i)
    grown = grown || partitions[i]->log_end_offset() != ends_seen[i];
  if (!grown) {
    metrics::registry::instance().fetch_parked();
    co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    metrics::registry::instance().fetch_unparked();
  }
  std::lock_guard lock(mu_);
  for (const auto* p : partitions) {
    auto it = parked_.find(p);
    if (it == parked_.end()) continue;
    std::erase(it->second, timer);
    if (it->second.empty()) parked_.erase(it);
  }
}

void fetch_waiters::notify(const storage::partition_log* partition) {
  std::lock_guard lock(mu_);
  auto it = parked_.find(partition);
  if (it == parked_.end()) return;
  for (auto& timer : it->second) wake(timer);
}

void fetch_waiters::notify_all() {
  std::lock_guard lock(mu_);
  for (auto& [partition, timers] : parked_) {
    for (auto& timer : timers) wake(timer);
  }
}

}  // namespace samsa::broker
