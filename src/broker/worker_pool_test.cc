#include "broker/worker_pool.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <set>
#include <string>
#include <stdexcept>
#include <thread>

namespace samsa::broker {
namespace {

namespace asio = boost::asio;

// Work runs off the calling thread, the caller resumes on its own thread,
// and what the work captured is released exactly once (GCC 12 broke this
// for lambda temporaries in co_await expressions; see worker_pool.h).
TEST(WorkerPool, RunsElsewhereResumesHomeAndKeepsCountsRight) {
  asio::io_context io;
  worker_pool pool(2);
  auto shared = std::make_shared<int>(41);
  const auto home = std::this_thread::get_id();
  int results = 0;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 200; ++i) {
          auto job = [shared, home] {
            EXPECT_NE(std::this_thread::get_id(), home);
            return std::make_shared<int>(*shared + 1);
          };
          auto out = co_await pool.run(job);
          EXPECT_EQ(*out, 42);
          EXPECT_EQ(std::this_thread::get_id(), home);
          ++results;
        }
        auto thrower = []() -> int { throw std::runtime_error("boom"); };
        EXPECT_THROW(co_await pool.run(thrower), std::runtime_error);
        int calls = 0;
        auto nothing = [&calls] { ++calls; };
        co_await pool.run(nothing);
        EXPECT_EQ(calls, 1);
      },
      asio::detached);
  io.run();
  pool.stop();
  EXPECT_EQ(results, 200);
  EXPECT_EQ(shared.use_count(), 1);
}

// Every pool thread carries a name (profiles and the bench's per-thread CPU
// table read them): many jobs, spread over the pool, all see one.
TEST(WorkerPool, ThreadsAreNamed) {
  asio::io_context io;
  worker_pool pool(3);
  std::set<std::string> names;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 50; ++i) {
          auto job = [] {
            char name[16] = {};
            pthread_getname_np(pthread_self(), name, sizeof name);
            return std::string(name);
          };
          names.insert(co_await pool.run(job));
        }
      },
      asio::detached);
  io.run();
  pool.stop();
  ASSERT_FALSE(names.empty());
  for (const auto& n : names) EXPECT_TRUE(n == "samsa-work-0" || n == "samsa-work-1" || n == "samsa-work-2") << n;
}

}  // namespace
}  // namespace samsa::broker
