// Runs a function on the broker's handler thread (the only thread that may
// touch topics and groups) and resumes the console's coroutine on its own
// thread with the result. The console never blocks waiting: it suspends.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>

namespace samsa::http {

template <typename Fn>
auto on_broker(boost::asio::io_context& broker_io, Fn fn) -> boost::asio::awaitable<std::invoke_result_t<Fn>> {
  using T = std::invoke_result_t<Fn>;
  co_return co_await boost::asio::co_spawn(
      broker_io, [fn = std::move(fn)]() mutable -> boost::asio::awaitable<T> { co_return fn(); },
      boost::asio::use_awaitable);
}

}  // namespace samsa::http
