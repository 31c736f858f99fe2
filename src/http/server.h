// A small, bounded HTTP/1.1 server (Boost.Beast) for the console: its own
// io_context and thread, so nothing it does runs on, or waits for, the
// broker's network or handler threads. Routes are exact paths or prefixes;
// handlers are coroutines on the server's thread and reach broker state only
// by posting work to the handler thread (console.cc).
//
// Bounds: header and body sizes, open connections, idle time per connection,
// and one Server-Sent Events write in flight per stream (a page that does not
// read is closed, never queued for). Body routes (body_route) read their
// request body piece by piece and answer with a chunked body as they go; the
// server holds one read piece and one write at a time for them, so how much
// they buffer is theirs to bound.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/result.h"
#include "security/principal.h"

namespace samsa::security::tls {
class tls_context;
}

namespace samsa::http {

class transport;

struct server_limits {
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 1024 * 1024;
  int max_connections = 64;
  std::chrono::milliseconds idle_timeout{30'000};
  // A Server-Sent Events write that takes longer closes the stream.
  std::chrono::milliseconds stream_write_timeout{5'000};
  // How the server's own refusals (413, 431, 421, 404, 405, 500) are written
  // for this listener's clients (the REST proxy answers Confluent's
  // {"error_code", "message"}); empty: the console's JSON error.
  std::function<std::string(int status, std::string_view message)> error_body;
  // The server thread's name in top, perf and /proc (at most 15 bytes kept).
  std::string thread_name = "samsa-console";
};

struct request {
  std::string method;  // "GET"
  std::string path;    // decoded path, no query
  std::map<std::string, std::string> query;
  std::string content_type;
  std::string body;
  std::string authorization;  // the Authorization header, as sent
  std::string accept;         // the Accept header, as sent
  std::string peer;           // "127.0.0.1:53422"
  std::string peer_host;      // "127.0.0.1"
  // https with a client certificate: its subject through ssl.principal.mapping.rules.
  std::optional<security::principal> certificate_principal;
  // Who the request speaks for once the guard authenticated it (ANONYMOUS
  // when the broker runs no authorizer).
  security::principal principal = security::principal::anonymous();
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

// What a body route reads its request body from and writes its answer to,
// piece by piece. One read() and one write() may be in flight at once (from
// two coroutines on the server's thread), never two of the same.
class body_exchange {
 public:
  struct piece {
    std::string_view bytes;  // valid until the next read()
    bool end = false;        // the body is over (no bytes with it)
    std::string error;       // the body broke: client gone, too slow, bad chunk framing
  };
  virtual ~body_exchange() = default;
  // The next bytes of the body (content-length or chunked); waits for them
  // under the idle timeout.
  virtual boost::asio::awaitable<piece> read() = 0;
  // Sends `data` as one chunk of a 200 answer (the head goes with the first);
  // false when the client is gone or did not take it within the idle timeout.
  virtual boost::asio::awaitable<bool> write(std::string_view data) = 0;
  // Whether the answer's head has been sent (a refusal can no longer change its status).
  virtual bool started() const = 0;
};

using handler = std::function<boost::asio::awaitable<response>(const request&)>;
// Answers by writing to the exchange and returning nullopt, or (before
// anything was written) by returning a whole response.
using body_handler = std::function<boost::asio::awaitable<std::optional<response>>(const request&, body_exchange&)>;
using stream_handler = std::function<boost::asio::awaitable<void>(const request&, event_stream&)>;

// What runs around every request (http_auth.h installs them when an
// authorizer is on; none are set otherwise).
struct request_hooks {
  // Before any route or stream: a response refuses the request (401, 403),
  // nullopt lets it through; may set the request's principal.
  std::function<boost::asio::awaitable<std::optional<response>>(request&, bool stream)> before;
  // After a route answered: may rewrite the answer (listings filtered).
  std::function<boost::asio::awaitable<void>(const request&, response&)> after;
  // Each Server-Sent Event's data before it is sent.
  std::function<boost::asio::awaitable<std::string>(const request&, std::string data)> event;
};

class server {
 public:
  explicit server(server_limits limits);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // `prefix` routes match any path starting with it (longest wins).
  void route(std::string method, std::string path, handler h, bool prefix = false);
  void stream(std::string path, stream_handler h);
  // A route whose handler gets the request body incrementally (its
  // request.body stays empty) and may answer incrementally; `matches` picks
  // the paths. Checked before the other routes; `hooks.before` guards it
  // like them, `hooks.after` does not see its answer.
  void body_route(std::string method, std::function<bool(const std::string& path)> matches, body_handler h);
  void set_hooks(request_hooks hooks) { hooks_ = std::move(hooks); }
  // Serves HTTPS with this context (the Kafka listeners' TLS settings);
  // a handshake not finished within `handshake_timeout` closes the connection.
  void use_tls(std::shared_ptr<const security::tls::tls_context> context, std::chrono::milliseconds handshake_timeout);
  bool uses_tls() const { return tls_ != nullptr; }

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
  struct body_entry {
    std::string method;
    std::function<bool(const std::string&)> matches;
    body_handler h;
  };
  const entry* find(const std::string& method, const std::string& path, bool& path_known) const;
  const body_entry* find_body_route(const std::string& method, const std::string& path) const;
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve_connection(std::shared_ptr<void> socket_holder);
  boost::asio::awaitable<void> serve_tls_connection(std::shared_ptr<void> socket_holder);
  // The HTTP exchange over a plain or TLS stream (transport.h).
  boost::asio::awaitable<void> serve_http(transport& stream, const request& identity);
  // One exchange with a body route; true when the connection may carry another request.
  // Templates only so this header needs no Beast; each has one instantiation.
  template <typename Buffer, typename Parser>
  boost::asio::awaitable<bool> serve_body_route(transport& stream, Buffer& buffer, Parser& head, request& req,
                                                const body_entry& route);
  bool host_allowed(const std::string& host_header) const;

  server_limits limits_;
  boost::asio::io_context io_{1};
  std::unique_ptr<impl> impl_;
  std::vector<entry> routes_;
  std::map<std::string, stream_handler> streams_;
  std::vector<body_entry> body_routes_;
  request_hooks hooks_;
  std::shared_ptr<const security::tls::tls_context> tls_;
  std::shared_ptr<void> tls_asio_context_;  // boost::asio::ssl::context sharing tls_'s SSL_CTX
  std::chrono::milliseconds handshake_timeout_{10'000};
  std::string host_;
  uint16_t port_ = 0;
  int open_connections_ = 0;  // server thread only
  std::thread thread_;
};

// Parses "http://host:port" or "https://host:port"; "none" is handled by the caller.
struct http_address {
  std::string host;
  uint16_t port = 0;
  bool tls = false;  // https://
};
result<http_address> parse_http_listener(const std::string& text);

// Percent-decoding of a path segment or query value ('+' is a space in queries).
std::string url_decode(std::string_view text, bool plus_is_space);

}  // namespace samsa::http
