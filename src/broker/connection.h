// One client connection: reads size-prefixed request frames, hands each to
// the request router as soon as it arrives (so a producer's pipelined requests
// share fsyncs), and writes the responses back strictly in request order.
// Lives on the broker's single network thread; owned by its own coroutines.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "protocol/writer.h"

namespace samsa::broker {

class request_router;

struct connection_limits {
  int32_t max_request_bytes = 100 * 1024 * 1024;  // socket.request.max.bytes
  int64_t max_idle_ms = 600000;                   // connections.max.idle.ms (-1 = never)
  size_t max_in_flight = 64;                      // requests read ahead of their responses
};

class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(boost::asio::ip::tcp::socket socket, request_router& router, connection_limits limits,
             std::string listener_name);

  // Starts the read and write coroutines; the connection keeps itself alive
  // until both end.
  void start();
  // Closes the socket; in-flight handlers finish but their answers are dropped.
  void close(const std::string& reason);

  // Shutdown: read no further requests but answer those already read.
  void stop_reading();
  size_t in_flight() const { return pending_.size(); }

  const std::string& peer() const { return peer_; }

 private:
  // A response slot, in request order. `ready` with no `frame` = no answer (acks=0).
  struct slot {
    bool ready = false;
    std::optional<protocol::writer> frame;
  };

  boost::asio::awaitable<void> read_loop();
  boost::asio::awaitable<void> write_loop();
  boost::asio::awaitable<void> serve_request(std::shared_ptr<std::vector<uint8_t>> frame,
                                             std::shared_ptr<slot> answer);
  boost::asio::awaitable<bool> send_frame(const protocol::writer& frame);
  boost::asio::awaitable<void> idle_watchdog();
  void wake_writer();

  boost::asio::ip::tcp::socket socket_;
  request_router& router_;
  connection_limits limits_;
  std::string listener_name_;
  std::string peer_;
  std::deque<std::shared_ptr<slot>> pending_;
  boost::asio::steady_timer writer_wakeup_;
  boost::asio::steady_timer reader_wakeup_;
  boost::asio::steady_timer idle_timer_;
  bool closed_ = false;
  bool reading_ = true;
};

}  // namespace samsa::broker
