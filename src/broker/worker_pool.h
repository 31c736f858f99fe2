// A small pool of threads for work that must not run on a network or
// handler thread: file-system calls that may block (mkdir, rename, fsync,
// remove_all) and CPU-heavy checks (decompressing produced batches). A
// coroutine hands a function to the pool and resumes on its own executor
// with the result, so handlers keep their single-threaded view of broker
// state while the work runs elsewhere.
//
// run() takes the function by lvalue reference, so the caller names it in
// its own frame: GCC 12 destroys a lambda temporary written inside a
// co_await expression twice (a captured shared_ptr's count goes wrong), and
// also mishandles a by-value function parameter of a coroutine here. Taking
// a reference makes the broken form a compile error.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <pthread.h>

#include <cstddef>
#include <exception>
#include <latch>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace samsa::broker {

class worker_pool {
 public:
  explicit worker_pool(size_t threads) : pool_(threads == 0 ? 1 : threads), threads_(threads == 0 ? 1 : threads) {
    name_threads();
  }
  ~worker_pool() { stop(); }
  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;

  size_t threads() const { return threads_; }

  // Runs `fn` on a pool thread; the awaiting coroutine resumes on the
  // executor it was running on, with fn's result (or its exception). `fn`
  // must outlive the call (a local of the awaiting coroutine does) and must
  // not touch handler-thread state.
  template <typename Fn>
  boost::asio::awaitable<std::invoke_result_t<Fn&>> run(Fn& fn) {
    using value_t = std::invoke_result_t<Fn&>;
    if constexpr (std::is_void_v<value_t>) {
      auto as_value = [&fn] {
        fn();
        return true;
      };
      co_await run_and_wrap<bool>(&as_value);
    } else {
      auto out = co_await run_and_wrap<value_t>(&fn);
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
  // Names the pool's threads `samsa-work-<i>` so per-thread CPU figures and
  // profiles can tell them apart. Each naming job waits until all have
  // started, so no thread can take two of them: every thread gets one name.
  void name_threads() {
    auto all_started = std::make_shared<std::latch>(static_cast<std::ptrdiff_t>(threads_));
    for (size_t i = 0; i < threads_; ++i) {
      boost::asio::post(pool_, [all_started, i] {
        const std::string name = "samsa-work-" + std::to_string(i);
        pthread_setname_np(pthread_self(), name.c_str());
        all_started->arrive_and_wait();
      });
    }
    all_started->wait();
  }

  template <typename Value, typename Fn>
  auto run_and_wrap(Fn* job) {
    using signature = void(std::exception_ptr, std::optional<Value>);
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, signature>(
        [this, job](auto handler) {
          auto work = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler));
          boost::asio::post(pool_, [handler = std::move(handler), job, work = std::move(work)]() mutable {
            std::optional<Value> out;
            std::exception_ptr failure;
            try {
              out.emplace((*job)());
            } catch (...) {
              failure = std::current_exception();
            }
            auto home = work.get_executor();
            work.reset();
            boost::asio::dispatch(home, [handler = std::move(handler), failure, out = std::move(out)]() mutable {
              std::move(handler)(failure, std::move(out));
            });
          });
        },
        boost::asio::use_awaitable);
  }

  boost::asio::thread_pool pool_;
  size_t threads_;
  bool stopped_ = false;
};

}  // namespace samsa::broker
