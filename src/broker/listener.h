// Accepts client connections on one listener address, admits each against
// max.connections / max.connections.per.ip, and hands it to a network
// thread. Keeps weak references so shutdown can drain and close them.
// Its own methods run on the handler thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <vector>

#include "base/result.h"
#include "broker/broker_config.h"
#include "broker/connection.h"
#include "broker/context_threads.h"

namespace samsa::broker {

class listener {
 public:
  listener(boost::asio::io_context& io, context_threads& network, connection_services services,
           connection_limits limits, std::shared_ptr<connection_admission> admission,
           listener_security security = {});

  const std::string& name() const { return security_.name; }
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
  context_threads& network_;
  boost::asio::ip::tcp::acceptor acceptor_;
  connection_services services_;
  connection_limits limits_;
  std::shared_ptr<connection_admission> admission_;
  listener_security security_;
  std::vector<std::weak_ptr<connection>> connections_;
};

}  // namespace samsa::broker
