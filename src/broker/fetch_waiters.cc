#include "broker/fetch_waiters.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/metrics.h"

namespace samsa::broker {

namespace asio = boost::asio;

asio::awaitable<void> fetch_waiters::wait(const std::vector<const void*>& partitions,
                                          std::chrono::steady_clock::time_point deadline) {
  auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor, deadline);
  for (const void* p : partitions) parked_[p].push_back(timer);
  metrics::registry::instance().fetch_parked();
  co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
  metrics::registry::instance().fetch_unparked();
  for (const void* p : partitions) {
    auto it = parked_.find(p);
    if (it == parked_.end()) continue;
    std::erase(it->second, timer);
    if (it->second.empty()) parked_.erase(it);
  }
}

void fetch_waiters::notify(const void* partition) {
  auto it = parked_.find(partition);
  if (it == parked_.end()) return;
  for (auto& timer : it->second) timer->cancel();
}

void fetch_waiters::notify_all() {
  for (auto& [partition, timers] : parked_) {
    for (auto& timer : timers) timer->cancel();
  }
}

}  // namespace samsa::broker
