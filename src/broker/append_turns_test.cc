#include "broker/append_turns.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace samsa::broker {
namespace {

namespace asio = boost::asio;

// Each task takes its ticket at once (as a produce does when it starts),
// then waits a different time (its validation on the worker pool) before
// asking for its turn: the appends must still come out in ticket order.
TEST(AppendTurns, AppendsRunInTicketOrderWhateverTheWaits) {
  asio::io_context io;
  auto turns = std::make_shared<append_turns>();
  std::vector<int> appended;
  const int delays_ms[] = {30, 0, 20, 5, 0};
  for (int i = 0; i < 5; ++i) {
    auto t = std::make_shared<append_turns::ticket>(append_turns::take(turns));
    asio::co_spawn(
        io,
        [&, t, i]() -> asio::awaitable<void> {
          asio::steady_timer work(io, std::chrono::milliseconds(delays_ms[i]));
          co_await work.async_wait(asio::use_awaitable);
          co_await t->wait_turn();
          appended.push_back(i);
          t->release();
        },
        asio::detached);
  }
  io.run();
  EXPECT_EQ(appended, (std::vector<int>{0, 1, 2, 3, 4}));
}

// A request that fails before appending releases its ticket early; later
// ones must not wait for it forever, nor overtake its predecessors.
TEST(AppendTurns, EarlyReleaseDoesNotBlockOrReorder) {
  asio::io_context io;
  auto turns = std::make_shared<append_turns>();
  std::vector<int> appended;
  auto first = std::make_shared<append_turns::ticket>(append_turns::take(turns));
  {
    auto failed = append_turns::take(turns);  // released by its destructor here
  }
  auto third = std::make_shared<append_turns::ticket>(append_turns::take(turns));
  asio::co_spawn(
      io,
      [&, third]() -> asio::awaitable<void> {
        co_await third->wait_turn();
        appended.push_back(3);
      },
      asio::detached);
  asio::co_spawn(
      io,
      [&, first]() -> asio::awaitable<void> {
        asio::steady_timer work(io, std::chrono::milliseconds(10));
        co_await work.async_wait(asio::use_awaitable);
        co_await first->wait_turn();
        appended.push_back(1);
        first->release();
      },
      asio::detached);
  io.run();
  EXPECT_EQ(appended, (std::vector<int>{1, 3}));
}

// A produce with transactional batches takes its ticket on its connection's
// request handler thread, then waits and appends on the control thread,
// while the connection's later produces wait on the handler thread: the
// appends still come out in ticket order, and each waiter is woken on its
// own thread.
TEST(AppendTurns, TicketsWaitedOnTwoThreadsKeepTheirOrder) {
  asio::io_context handler;
  asio::io_context control;
  auto handler_work = asio::make_work_guard(handler);
  auto control_work = asio::make_work_guard(control);
  auto turns = std::make_shared<append_turns>();
  std::mutex mu;
  std::vector<int> appended;
  std::atomic<int> finished{0};
  auto record = [&](int i) {
    std::lock_guard lock(mu);
    appended.push_back(i);
  };
  auto moved = std::make_shared<append_turns::ticket>(append_turns::take(turns));
  asio::co_spawn(
      control,
      [&, moved]() -> asio::awaitable<void> {
        asio::steady_timer work(control, std::chrono::milliseconds(50));  // the coordinator's check
        co_await work.async_wait(asio::use_awaitable);
        co_await moved->wait_turn();
        record(0);
        moved->release();
        ++finished;
      },
      asio::detached);
  for (int i = 1; i <= 3; ++i) {
    auto t = std::make_shared<append_turns::ticket>(append_turns::take(turns));
    asio::co_spawn(
        handler,
        [&, t, i]() -> asio::awaitable<void> {
          co_await t->wait_turn();
          EXPECT_TRUE(handler.get_executor().running_in_this_thread());
          record(i);
          t->release();
          ++finished;
        },
        asio::detached);
  }
  std::thread handler_thread([&] { handler.run(); });
  std::thread control_thread([&] { control.run(); });
  for (int i = 0; i < 500 && finished < 4; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  handler_work.reset();
  control_work.reset();
  handler_thread.join();
  control_thread.join();
  EXPECT_EQ(appended, (std::vector<int>{0, 1, 2, 3}));
}

}  // namespace
}  // namespace samsa::broker
