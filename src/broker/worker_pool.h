// A small pool of threads for work that must not run on a network or
// handler thread: file-system calls that may block (mkdir, rename, fsync,
// remove_all) and CPU-heavy checks (decompressing produced batches). A
// coroutine hands a function to the pool and resumes on its own executor
// with the result, so handlers keep their single-threaded view of broker
// state while the work runs elsewhere.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstddef>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

namespace samsa::broker {

class worker_pool {
 public:
  explicit worker_pool(size_t threads) : pool_(threads == 0 ? 1 : threads), threads_(threads == 0 ? 1 : threads) {}
  ~worker_pool() { stop(); }
  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;

  size_t threads() const { return threads_; }

  // Runs `fn` on a pool thread; the awaiting coroutine resumes on the
  // executor it was running on. `fn` must not touch handler-thread state.
  template <typename Fn>
  auto run(Fn fn) -> boost::asio::awaitable<std::invoke_result_t<Fn&>> {
    using value_t = std::invoke_result_t<Fn&>;
    if constexpr (std::is_void_v<value_t>) {
      co_await boost::asio::co_spawn(
          pool_.get_executor(), [fn = std::move(fn)]() mutable -> boost::asio::awaitable<void> {
            fn();
            co_return;
          },
          boost::asio::use_awaitable);
    } else {
      // co_spawn needs a default-constructible result: carry it in an optional.
      auto out = co_await boost::asio::co_spawn(
          pool_.get_executor(),
          [fn = std::move(fn)]() mutable -> boost::asio::awaitable<std::optional<value_t>> {
            co_return std::optional<value_t>(fn());
          },
          boost::asio::use_awaitable);
      co_return std::move(*out);
    }
  }

  // Waits for queued work and joins the threads (shutdown).
  void stop() {
    if (stopped_) return;
    stopped_ = true;
    pool_.join();
  }

 private:
  boost::asio::thread_pool pool_;
  size_t threads_;
  bool stopped_ = false;
};

}  // namespace samsa::broker
