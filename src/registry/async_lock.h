// One change at a time on a single-threaded io_context: a coroutine that
// finds the lock taken waits (suspended, not blocking the thread) in
// arrival order. The registry holds it from planning a change until its
// records are stored and applied, so two registrations never pick the same
// version or id.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <memory>

namespace samsa::registry {

class async_lock {
 public:
  boost::asio::awaitable<void> acquire() {
    if (!held_) {
      held_ = true;
      co_return;
    }
    auto executor = co_await boost::asio::this_coro::executor;
    auto turn = std::make_shared<boost::asio::steady_timer>(executor, boost::asio::steady_timer::time_point::max());
    waiting_.push_back(turn);
    boost::system::error_code ec;
    // Woken by cancel() in release(): the lock is handed over, still held.
    co_await turn->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }

  void release() {
    if (waiting_.empty()) {
      held_ = false;
      return;
    }
    auto next = waiting_.front();
    waiting_.pop_front();
    next->cancel();
  }

  size_t waiting() const { return waiting_.size(); }

 private:
  bool held_ = false;
  std::deque<std::shared_ptr<boost::asio::steady_timer>> waiting_;
};

// Releases on scope exit (also when the coroutine ends by an exception).
class lock_hold {
 public:
  explicit lock_hold(async_lock& l) : lock_(l) {}
  ~lock_hold() { lock_.release(); }
  lock_hold(const lock_hold&) = delete;
  lock_hold& operator=(const lock_hold&) = delete;

 private:
  async_lock& lock_;
};

}  // namespace samsa::registry
