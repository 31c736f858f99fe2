#include "broker/fetch_waiters.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <memory>
#include <thread>

#include "storage/memory_file_system.h"
#include "storage/partition_log.h"
#include "storage/test_batches.h"

namespace samsa::broker {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class FetchWaiters : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::partition_log::options o;
    o.fs = std::make_shared<storage::memory_file_system>();
    o.dir = "data/w-0";
    o.topic = "w";
    o.config = storage::log_config{};
    o.recovery_point = INT64_MAX;
    auto opened = storage::partition_log::open(o);
    ASSERT_TRUE(opened) << opened.err().describe();
    log_ = *opened;
  }
  void append() { ASSERT_TRUE(log_->append(storage::testing::make_filler_batch(1, 64, 1000, 7), 1000)); }

  // Parks a fetch on `io` that saw `ends`, with a deadline far off; `done`
  // turns true when it returns.
  void park(asio::io_context& io, std::vector<int64_t> ends, std::atomic<bool>& done) {
    asio::co_spawn(
        io,
        [this, ends, &done]() -> asio::awaitable<void> {
          std::vector<const storage::partition_log*> keys{log_.get()};
          co_await waiters_.wait(keys, ends, std::chrono::steady_clock::now() + 60s);
          done = true;
        },
        asio::detached);
  }

  fetch_waiters waiters_;
  std::shared_ptr<storage::partition_log> log_;
};

// A fetch read the log, then an append landed (on another thread, with no
// waiter yet to wake) before the fetch parked: it must not sleep until its
// deadline with data waiting.
TEST_F(FetchWaiters, AnAppendBetweenTheReadAndTheParkIsNotMissed) {
  const auto ends = fetch_waiters::ends_of({log_.get()});
  append();
  waiters_.notify(log_.get());  // nobody parked yet: wakes nothing
  asio::io_context io;
  std::atomic<bool> done{false};
  park(io, ends, done);
  io.run_for(5s);  // returns as soon as the wait is over; the deadline is 60 s away
  EXPECT_TRUE(done) << "the fetch stayed parked although its partition had grown";
}

// Parked on one thread, woken by an append and notify on another (a
// produce on a different request handler thread).
TEST_F(FetchWaiters, AnAppendOnAnotherThreadWakesAParkedFetch) {
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  std::atomic<bool> done{false};
  park(io, fetch_waiters::ends_of({log_.get()}), done);
  std::thread handler([&io] { io.run_for(10s); });
  std::this_thread::sleep_for(100ms);  // it parks
  EXPECT_FALSE(done) << "returned before anything was appended";
  append();
  waiters_.notify(log_.get());
  for (int i = 0; i < 500 && !done; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(done) << "the parked fetch was not woken";
  guard.reset();
  io.stop();
  handler.join();
}

}  // namespace
}  // namespace samsa::broker
