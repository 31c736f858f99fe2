#include "broker/durability.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

namespace samsa::broker {

namespace asio = boost::asio;

asio::awaitable<status> wait_durable(asio::io_context& io, storage::partition_log& log, int64_t up_to_offset) {
  auto token = asio::as_tuple(asio::use_awaitable);
  auto [code, message] = co_await asio::async_initiate<decltype(token), void(std::error_code, std::string)>(
      [&io, &log, up_to_offset](auto handler) {
        // The completion handler is move-only; std::function needs a copyable callable.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        auto work = asio::make_work_guard(io);
        log.flush_async(up_to_offset, [&io, shared, work](status s) {
          std::error_code ec = s ? std::error_code{} : s.err().code;
          std::string text = s ? std::string{} : s.err().message;
          asio::post(io, [shared, ec, text]() mutable { (*shared)(ec, text); });
        });
      },
      token);
  if (code) co_return error(code, message);
  co_return status{};
}

}  // namespace samsa::broker
