// Runs a function on the broker's handler thread (the only thread that may
// touch topics and groups) and resumes the console's coroutine on its own
// thread with the result. The console never blocks waiting: it suspends.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>

namespace samsa::http {

namespace on_broker_detail {
// A coroutine taking the function as a parameter (copied into its frame), not
// a capturing lambda coroutine, whose captures would die with the lambda.
template <typename Fn>
boost::asio::awaitable<std::invoke_result_t<Fn>> call(Fn fn) {
  co_return fn();
}
}  // namespace on_broker_detail

template <typename Fn>
auto on_broker(boost::asio::io_context& broker_io, Fn fn) -> boost::asio::awaitable<std::invoke_result_t<Fn>> {
  // Named, not `co_return co_await ...`: GCC 12 destroys such a temporary
  // twice for some types (std::optional<json> crashed here).
  std::invoke_result_t<Fn> value =
      co_await boost::asio::co_spawn(broker_io, on_broker_detail::call(std::move(fn)), boost::asio::use_awaitable);
  co_return value;
}

}  // namespace samsa::http
