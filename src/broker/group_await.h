// Turns the group coordinator's one-shot answer callbacks into values a
// handler coroutine can co_await. The answer is always posted to the io
// context, so a callback that fires during the call itself is safe too.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <utility>

namespace samsa::broker {

// `start(callback)` must arrange for `callback(T)` to be called exactly once.
template <typename T, typename Start>
boost::asio::awaitable<T> await_answer(boost::asio::io_context& io, Start start) {
  namespace asio = boost::asio;
  auto token = asio::use_awaitable;
  co_return co_await asio::async_initiate<decltype(token), void(T)>(
      [&io, start = std::move(start)](auto handler) mutable {
        // The completion handler is move-only; the coordinator's callbacks are std::function.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        start([&io, shared](T value) {
          asio::post(io, [shared, value = std::move(value)]() mutable { (*shared)(std::move(value)); });
        });
      },
      token);
}

}  // namespace samsa::broker
