#include "broker/durability.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <optional>

namespace samsa::broker {

namespace asio = boost::asio;

namespace {

// Already durable (an earlier round covered it): no trip to the flusher.
// Mirrors the flusher's own test.
bool already_durable(const storage::partition_log& log, int64_t up_to_offset) {
  return log.flushed_offset() >= up_to_offset && !log.has_unsynced_files();
}

}  // namespace

asio::awaitable<status> wait_durable(storage::partition_log& log, int64_t up_to_offset) {
  if (already_durable(log, up_to_offset)) co_return status{};
  auto home = co_await asio::this_coro::executor;
  auto token = asio::as_tuple(asio::use_awaitable);
  auto [code, message] = co_await asio::async_initiate<decltype(token), void(std::error_code, std::string)>(
      [&home, &log, up_to_offset](auto handler) {
        // The completion handler is move-only; std::function needs a copyable callable.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        auto work = asio::make_work_guard(home);
        log.flush_async(up_to_offset, [shared, work](status s) {
          std::error_code ec = s ? std::error_code{} : s.err().code;
          std::string text = s ? std::string{} : s.err().message;
          asio::post(work.get_executor(), [shared, ec, text]() mutable { (*shared)(ec, text); });
        });
      },
      token);
  if (code) co_return error(code, message);
  co_return status{};
}

asio::awaitable<std::vector<status>> wait_durable(const std::vector<durable_target>& targets) {
  std::vector<status> results(targets.size());
  std::vector<size_t> waiting;
  for (size_t i = 0; i < targets.size(); ++i) {
    if (!already_durable(*targets[i].log, targets[i].up_to_offset)) waiting.push_back(i);
  }
  if (waiting.empty()) co_return results;
  if (waiting.size() == 1) {
    size_t i = waiting.front();
    results[i] = co_await wait_durable(*targets[i].log, targets[i].up_to_offset);
    co_return results;
  }
  auto home = co_await asio::this_coro::executor;
  auto token = asio::use_awaitable;
  co_await asio::async_initiate<decltype(token), void()>(
      [&home, &targets, &waiting, &results](auto handler) {
        // Counted on the awaiting coroutine's thread: each completion is posted there.
        struct join {
          std::optional<decltype(handler)> resume;
          size_t left = 0;
        };
        auto state = std::make_shared<join>();
        state->resume.emplace(std::move(handler));
        state->left = waiting.size();
        auto work = asio::make_work_guard(home);
        for (size_t i : waiting) {
          targets[i].log->flush_async(targets[i].up_to_offset, [&results, state, work, i](status s) {
            asio::post(work.get_executor(), [&results, state, i, s = std::move(s)]() mutable {
              results[i] = std::move(s);
              if (--state->left == 0) {
                auto resume = std::move(*state->resume);
                state->resume.reset();
                std::move(resume)();
              }
            });
          });
        }
      },
      token);
  co_return results;
}

}  // namespace samsa::broker
