// A small, bounded HTTP/1.1 server (Boost.Beast) for the console: its own
// io_context and thread, so nothing it does runs on, or waits for, the
// broker's network or handler threads. Routes are exact paths or prefixes;
// handlers are coroutines on the server's thread and reach broker state only
// by posting work to the handler thread (console.cc).
//
// Bounds: header and body sizes, open connections, idle time per connection,
// and one Server-Sent Events write in flight per stream (a page that does not
// read is closed, never queued for).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"

namespace samsa::http {

struct server_limits {
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 1024 * 1024;
  int max_connections = 64;
  std::chrono::milliseconds idle_timeout{30'000};
  // A Server-Sent Events write that takes longer closes the stream.
  std::chrono::milliseconds stream_write_timeout{5'000};
};

struct request {
  std::string method;  // "GET"
  std::string path;    // decoded path, no query
  std::map<std::string, std::string> query;
  std::string content_type;
  std::string body;
};

struct response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// What a streaming route writes to: one event at a time.
class event_stream {
 public:
  virtual ~event_stream() = default;
  // Sends one SSE event; false when the client is gone or too slow (the
  // stream is over: return).
  virtual boost::asio::awaitable<bool> send(const std::string& event, const std::string& data) = 0;
};

using handler = std::function<boost::asio::awaitable<response>(const request&)>;
using stream_handler = std::function<boost::asio::awaitable<void>(const request&, event_stream&)>;

class server {
 public:
  explicit server(server_limits limits);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // `prefix` routes match any path starting with it (longest wins).
  void route(std::string method, std::string path, handler h, bool prefix = false);
  void stream(std::string path, stream_handler h);

  // Binds host:port (port 0 picks one); loopback unless told otherwise.
  status bind(const std::string& host, uint16_t port);
  uint16_t bound_port() const { return port_; }
  const std::string& bound_host() const { return host_; }

  // Starts the server's thread; stop() closes everything and joins it.
  void start();
  void stop();

  boost::asio::io_context& io() { return io_; }

 private:
  struct impl;
  struct entry {
    std::string method;
    std::string path;
    bool prefix = false;
    handler h;
  };
  const entry* find(const std::string& method, const std::string& path, bool& path_known) const;
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve_connection(std::shared_ptr<void> socket_holder);
  bool host_allowed(const std::string& host_header) const;

  server_limits limits_;
  boost::asio::io_context io_{1};
  std::unique_ptr<impl> impl_;
  std::vector<entry> routes_;
  std::map<std::string, stream_handler> streams_;
  std::string host_;
  uint16_t port_ = 0;
  int open_connections_ = 0;  // server thread only
  std::thread thread_;
};

// Parses "http://host:port" (the one scheme served); "none" is handled by the caller.
struct http_address {
  std::string host;
  uint16_t port = 0;
};
result<http_address> parse_http_listener(const std::string& text);

// Percent-decoding of a path segment or query value ('+' is a space in queries).
std::string url_decode(std::string_view text, bool plus_is_space);

}  // namespace samsa::http
