// Keeps the appends of one connection's overlapping Produce requests in the
// order the requests arrived. A produce takes a ticket when it starts (the
// handler thread starts requests in arrival order), may then wait for work
// elsewhere (validation on the worker pool), and appends only when every
// earlier ticket has been released. The topic registry uses the same
// mechanism to run admin changes one at a time. Thread-safe: a produce with
// transactional batches waits and appends on the control thread while the
// connection's other produces run on its request handler thread. A waiter's
// executor must be run by one thread (each handler context is): it is woken
// by a cancel posted there.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>

namespace samsa::broker {

class append_turns {
 public:
  class ticket {
   public:
    ticket() = default;
    ticket(std::shared_ptr<append_turns> owner, uint64_t number) : owner_(std::move(owner)), number_(number) {}
    ticket(ticket&& other) noexcept = default;
    ticket& operator=(ticket&& other) noexcept;
    ticket(const ticket&) = delete;
    ticket& operator=(const ticket&) = delete;
    ~ticket() { release(); }

    // Resumes once every earlier ticket was released.
    boost::asio::awaitable<void> wait_turn();
    // Whether every earlier ticket was released (wait_turn would not wait).
    // Safe from any thread.
    bool ready() const { return !owner_ || owner_->is_turn(number_); }
    // Lets the next ticket go (also done by the destructor).
    void release();

   private:
    std::shared_ptr<append_turns> owner_;
    uint64_t number_ = 0;
  };

  // `self` must be the shared_ptr owning this object.
  static ticket take(const std::shared_ptr<append_turns>& self);

  bool is_turn(uint64_t number) const;

 private:
  void finish(uint64_t number);

  mutable std::mutex mu_;  // every member below
  uint64_t next_ticket_ = 0;
  uint64_t next_to_run_ = 0;
  std::set<uint64_t> finished_early_;
  std::map<uint64_t, std::shared_ptr<boost::asio::steady_timer>> waiting_;
};

}  // namespace samsa::broker
