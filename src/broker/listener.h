// Accepts client connections on one listener address and starts a connection
// for each. Keeps weak references so shutdown can drain and close them.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <vector>

#include "base/result.h"
#include "broker/broker_config.h"
#include "broker/connection.h"

namespace samsa::broker {

class listener {
 public:
  listener(boost::asio::io_context& io, request_router& router, connection_limits limits);

  // Binds and listens; port 0 picks a free port (see bound_port()).
  status bind(const listener_address& address);
  uint16_t bound_port() const;
  void start();
  // Stops accepting and tells every open connection to stop reading new requests.
  void stop_accepting();
  // Requests read but not yet answered, over all connections.
  size_t in_flight() const;
  void close_all(const std::string& reason);

 private:
  boost::asio::awaitable<void> accept_loop();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  request_router& router_;
  connection_limits limits_;
  std::string name_;
  std::vector<std::weak_ptr<connection>> connections_;
  // Request buffers shared by this listener's connections.
  std::shared_ptr<frame_pool> frames_ = std::make_shared<frame_pool>();
};

}  // namespace samsa::broker
