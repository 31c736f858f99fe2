#include "broker/append_turns.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace samsa::broker {

namespace asio = boost::asio;

append_turns::ticket& append_turns::ticket::operator=(ticket&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::move(other.owner_);
    number_ = other.number_;
  }
  return *this;
}

append_turns::ticket append_turns::take(const std::shared_ptr<append_turns>& self) {
  std::lock_guard lock(self->mu_);
  return ticket(self, self->next_ticket_++);
}

bool append_turns::is_turn(uint64_t number) const {
  std::lock_guard lock(mu_);
  return number == next_to_run_;
}

asio::awaitable<void> append_turns::ticket::wait_turn() {
  if (!owner_ || owner_->is_turn(number_)) co_return;
  auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor);
  timer->expires_at(asio::steady_timer::time_point::max());
  {
    // Registered and checked under one hold: a finish() after this sees the
    // timer, and its cancel, posted to this coroutine's own thread, runs
    // only once the wait below has begun.
    std::lock_guard lock(owner_->mu_);
    if (number_ == owner_->next_to_run_) co_return;
    owner_->waiting_[number_] = timer;
  }
  while (owner_ && !owner_->is_turn(number_)) {
    co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (owner_) {
    std::lock_guard lock(owner_->mu_);
    owner_->waiting_.erase(number_);
  }
}

void append_turns::ticket::release() {
  if (!owner_) return;
  auto owner = std::move(owner_);
  owner_.reset();
  owner->finish(number_);
}

void append_turns::finish(uint64_t number) {
  std::shared_ptr<asio::steady_timer> next;
  {
    std::lock_guard lock(mu_);
    if (number != next_to_run_) {
      // Released before its turn (a request that failed early): it must not
      // hold back those after it once its predecessors are done.
      finished_early_.insert(number);
      return;
    }
    ++next_to_run_;
    while (finished_early_.erase(next_to_run_) > 0) ++next_to_run_;
    auto it = waiting_.find(next_to_run_);
    if (it == waiting_.end()) return;
    next = it->second;
  }
  // The timer belongs to its waiter's thread: cancelled there.
  asio::post(next->get_executor(), [next] { next->cancel(); });
}

}  // namespace samsa::broker
