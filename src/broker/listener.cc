#include "broker/listener.h"

#include "base/metrics.h"
#include "base/refusal_log.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace samsa::broker {

namespace asio = boost::asio;

listener::listener(asio::io_context& io, context_threads& network, connection_services services,
                   connection_limits limits, std::shared_ptr<connection_admission> admission,
                   listener_security security)
    : io_(io),
      network_(network),
      acceptor_(io),
      services_(std::move(services)),
      limits_(limits),
      admission_(std::move(admission)),
      security_(std::move(security)) {
  if (!services_.frames) services_.frames = std::make_shared<frame_pool>();
}

status listener::bind(const listener_address& address) {
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(address.host.empty() ? "0.0.0.0" : address.host, ec);
  if (ec) {
    asio::ip::tcp::resolver resolver(io_);
    auto results = resolver.resolve(address.host, std::to_string(address.port), ec);
    if (ec || results.empty()) {
      return make_error(std::errc::invalid_argument, "listener host '" + address.host + "' cannot be resolved");
    }
    ip = results.begin()->endpoint().address();
  }
  asio::ip::tcp::endpoint endpoint(ip, address.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return error(ec, "cannot listen on " + address.host + ":" + std::to_string(address.port) +
                         " (is another broker running there?)");
  }
  return {};
}

uint16_t listener::bound_port() const {
  boost::system::error_code ec;
  auto endpoint = acceptor_.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void listener::start() { asio::co_spawn(io_, accept_loop(), asio::detached); }

asio::awaitable<void> listener::accept_loop() {
  while (acceptor_.is_open()) {
    // The socket belongs to a network thread from the start.
    auto [ec, socket] = co_await acceptor_.async_accept(network_.next(), asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
      // Out of file descriptors and the like: log, back off briefly, keep serving.
      spdlog::warn("accept failed on {}: {}", security_.name, ec.message());
      asio::steady_timer pause(io_, std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    boost::system::error_code peer_ec;
    auto peer = socket.remote_endpoint(peer_ec);
    std::string ip = peer_ec ? "unknown" : peer.address().to_string();
    std::string refused_because;
    auto place = admission_ ? admission_->admit(ip, refused_because) : nullptr;
    if (admission_ && !place) {
      log_refusal(refusal::connection, "connection from " + ip + " on " + security_.name + " refused: " + refused_because);
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    if (place) place->count_on(metrics::registry::instance().listener(security_.name));
    auto conn = std::make_shared<connection>(std::move(socket), services_, limits_, security_, std::move(place));
    std::erase_if(connections_, [](const auto& weak) { return weak.expired(); });
    connections_.push_back(conn);
    conn->start();
  }
}

void listener::stop_accepting() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (auto& weak : connections_) {
    if (auto conn = weak.lock()) conn->stop_reading_async();
  }
}

size_t listener::in_flight() const {
  size_t total = 0;
  for (const auto& weak : connections_) {
    if (auto conn = weak.lock()) total += conn->in_flight();
  }
  return total;
}

void listener::close_all(const std::string& reason) {
  for (auto& weak : connections_) {
    if (auto conn = weak.lock()) conn->close_async(reason);
  }
}

}  // namespace samsa::broker
