#include "broker/append_turns.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
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

}  // namespace
}  // namespace samsa::broker
