#include "http/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>

#include "base/json_depth.h"
#include "base/refusal_log.h"
#include "http/cross_origin.h"
#include "http/transport.h"
#include "security/tls/tls_context.h"

namespace samsa::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct server::impl {
  explicit impl(asio::io_context& io) : acceptor(io) {}
  tcp::acceptor acceptor;
};

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::map<std::string, std::string> parse_query(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    size_t eq = pair.find('=');
    std::string key = url_decode(pair.substr(0, eq), true);
    std::string value = eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1), true);
    if (!key.empty()) out[key] = value;
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

std::string error_json(int code, std::string_view message) {
  // Kafka's UNKNOWN_SERVER_ERROR style: the console's errors carry a code and a message.
  std::string escaped;
  for (char c : message) {
    if (c == '"' || c == '\\') escaped += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    escaped += c;
  }
  return "{\"error\":{\"code\":" + std::to_string(code) + ",\"name\":\"INVALID_REQUEST\",\"message\":\"" + escaped +
         "\"}}";
}

constexpr const char* content_security_policy =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'";

// Security headers every answer carries: no framing by other sites, no MIME
// sniffing, and a content policy that allows nothing from other origins
// (the page works offline and must not load anything remote).
void add_common_headers(bhttp::response<bhttp::string_body>& res) {
  res.set(bhttp::field::server, "samsa");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Content-Security-Policy", content_security_policy);
  res.set(bhttp::field::cache_control, "no-store");
}

class sse_stream final : public event_stream {
 public:
  sse_stream(transport& s, std::chrono::milliseconds timeout, const request& req, const request_hooks& hooks)
      : stream_(s), timeout_(timeout), request_(req), hooks_(hooks) {}
  asio::awaitable<bool> send(const std::string& event, const std::string& given) override {
    // Filtered (what the principal may see) before it is framed.
    // Not a co_await inside a conditional expression: GCC 12 mis-destroys
    // such temporaries.
    std::string data = given;
    if (hooks_.event) {
      std::string filtered = co_await hooks_.event(request_, data);
      data = std::move(filtered);
    }
    std::string frame = "event: " + event + "\n";
    size_t start = 0;
    // A data field per line: SSE ends an event at an empty line.
    for (;;) {
      size_t nl = data.find('\n', start);
      frame += "data: " + data.substr(start, nl == std::string::npos ? std::string::npos : nl - start) + "\n";
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    frame += "\n";
    // One write in flight: events are sampled, never queued, so a slow
    // reader only delays its own stream, and one that stalls is dropped.
    stream_.expires_after(timeout_);
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(frame), use_tuple);
    co_return !ec;
  }

 private:
  transport& stream_;
  std::chrono::milliseconds timeout_;
  const request& request_;
  const request_hooks& hooks_;
};

// A body route's side of the exchange: the body through a buffer_body
// parser (content-length or chunked, one piece of at most 64 KiB at a time),
// the answer as a chunked 200.
class body_pipe final : public body_exchange {
 public:
  body_pipe(transport& s, beast::flat_buffer& buffer, bhttp::request_parser<bhttp::buffer_body>& parser,
            std::chrono::milliseconds timeout, bool keep_alive)
      : stream_(s), buffer_(buffer), parser_(parser), timeout_(timeout), keep_alive_(keep_alive) {}

  asio::awaitable<piece> read() override {
    for (;;) {
      if (parser_.is_done()) co_return piece{{}, true, {}};
      auto& body = parser_.get().body();
      body.data = chunk_.data();
      body.size = chunk_.size();
      stream_.expires_after(timeout_);
      // read_some, not read: a client that sends one record and waits for
      // its answer must get it without filling the whole piece first.
      auto [ec, n] = co_await bhttp::async_read_some(stream_, buffer_, parser_, use_tuple);
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec) {
        read_broken_ = true;
        read_error_ = ec == beast::error::timeout ? "the client sent nothing for " +
                                                        std::to_string(timeout_.count()) + " ms"
                      : ec == asio::error::eof || ec == bhttp::error::partial_message
                          ? std::string("the client closed the connection before the body ended")
                          : "the body cannot be read: " + ec.message();
        co_return piece{{}, false, read_error_};
      }
      const size_t got = chunk_.size() - body.size;
      if (got > 0) co_return piece{std::string_view(chunk_.data(), got), false, {}};
    }
  }

  asio::awaitable<bool> write(std::string_view data) override {
    if (broken_) co_return false;
    std::string frame;
    if (!started_) {
      started_ = true;
      // The same headers as every other answer (add_common_headers).
      frame =
          "HTTP/1.1 200 OK\r\nServer: samsa\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
          "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\nCache-Control: no-store\r\n";
      frame += std::string("Content-Security-Policy: ") + content_security_policy + "\r\n";
      frame += keep_alive_ ? "\r\n" : "Connection: close\r\n\r\n";
    }
    // An empty chunk would end the answer: empty data sends only the head (if not sent yet).
    const bool has_data = !data.empty();
    if (has_data) {
      char size[32];
      std::snprintf(size, sizeof size, "%zx\r\n", data.size());
      frame += size;
    }
    if (frame.empty()) co_return true;
    std::array<asio::const_buffer, 3> parts{asio::buffer(frame), asio::buffer(data.data(), data.size()),
                                            asio::buffer("\r\n", has_data ? 2 : 0)};
    stream_.expires_after(timeout_);
    auto [ec, n] = co_await asio::async_write(stream_, parts, use_tuple);
    if (ec) broken_ = true;
    co_return !ec;
  }

  bool started() const override { return started_; }
  bool read_broken() const { return read_broken_; }
  const std::string& read_error() const { return read_error_; }

  // The last chunk.
  asio::awaitable<bool> finish() {
    if (broken_) co_return false;
    stream_.expires_after(timeout_);
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer("0\r\n\r\n", 5), use_tuple);
    co_return !ec;
  }

 private:
  transport& stream_;
  beast::flat_buffer& buffer_;
  bhttp::request_parser<bhttp::buffer_body>& parser_;
  std::chrono::milliseconds timeout_;
  bool keep_alive_ = true;
  std::array<char, 64 * 1024> chunk_{};
  bool started_ = false;
  bool broken_ = false;
  bool read_broken_ = false;
  std::string read_error_;
};

std::string peer_of(const tcp::socket& socket, std::string& host) {
  boost::system::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  host = endpoint.address().to_string();
  return host + ":" + std::to_string(endpoint.port());
}

}  // namespace

std::string url_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && c == '+') ? ' ' : c;
  }
  return out;
}

result<http_address> parse_http_listener(const std::string& text) {
  bool tls = text.rfind("https://", 0) == 0;
  if (!tls && text.rfind("http://", 0) != 0) {
    return make_error(std::errc::invalid_argument,
                      "http.listeners: '" + text + "' is not http://HOST:PORT or https://HOST:PORT (or none)");
  }
  std::string rest = text.substr(tls ? 8 : 7);
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon + 1 >= rest.size()) {
    return make_error(std::errc::invalid_argument, "http.listeners: '" + text + "' has no port");
  }
  http_address a;
  a.tls = tls;
  a.host = rest.substr(0, colon);
  if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']') a.host = a.host.substr(1, a.host.size() - 2);
  if (a.host.empty()) a.host = "0.0.0.0";
  try {
    size_t used = 0;
    int port = std::stoi(rest.substr(colon + 1), &used);
    if (used != rest.size() - colon - 1 || port < 0 || port > 65535) throw std::out_of_range("port");
    a.port = static_cast<uint16_t>(port);
  } catch (const std::exception&) {
    return make_error(std::errc::invalid_argument, "http.listeners: '" + text + "' has no valid port");
  }
  return a;
}

server::server(server_limits limits) : limits_(limits), impl_(std::make_unique<impl>(io_)) {}

server::~server() { stop(); }

void server::route(std::string method, std::string path, handler h, bool prefix) {
  routes_.push_back(entry{std::move(method), std::move(path), prefix, std::move(h)});
}

void server::stream(std::string path, stream_handler h) { streams_[std::move(path)] = std::move(h); }

void server::body_route(std::string method, std::function<bool(const std::string& path)> matches, body_handler h) {
  body_routes_.push_back(body_entry{std::move(method), std::move(matches), std::move(h)});
}

const server::body_entry* server::find_body_route(const std::string& method, const std::string& path) const {
  for (const auto& b : body_routes_)
    if (b.method == method && b.matches(path)) return &b;
  return nullptr;
}

void server::use_tls(std::shared_ptr<const security::tls::tls_context> context,
                     std::chrono::milliseconds handshake_timeout) {
  // Asio's context takes ownership of an SSL_CTX: give it a reference of
  // its own to the one the Kafka listeners' settings built.
  SSL_CTX_up_ref(context->native());
  tls_asio_context_ = std::make_shared<asio::ssl::context>(context->native());
  tls_ = std::move(context);
  handshake_timeout_ = handshake_timeout;
}

const server::entry* server::find(const std::string& method, const std::string& path, bool& path_known) const {
  const entry* best = nullptr;
  path_known = false;
  for (const auto& e : routes_) {
    bool match = e.prefix ? path.rfind(e.path, 0) == 0 : path == e.path;
    if (!match) continue;
    path_known = true;
    if (e.method != method) continue;
    if (!best || e.path.size() > best->path.size()) best = &e;
  }
  return best;
}

status server::bind(const std::string& host, uint16_t port) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return make_error(std::errc::invalid_argument, "http listener: '" + host + "' is not an IP address");
  tcp::endpoint endpoint(address, port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    acceptor.close();
    return make_error(std::errc::address_in_use,
                      "http listener cannot bind " + host + ":" + std::to_string(port) + ": " + ec.message());
  }
  host_ = host;
  port_ = acceptor.local_endpoint().port();
  return {};
}

void server::start() {
  asio::co_spawn(io_, accept_loop(), asio::detached);
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), limits_.thread_name.substr(0, 15).c_str());
    io_.run();
  });
}

void server::stop() {
  if (!thread_.joinable()) return;
  asio::post(io_, [this] {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  io_.stop();
  thread_.join();
}

namespace {

// A parse error of the request itself (not the client leaving or going
// quiet): worth a 400 before the connection closes.
bool is_malformed_http(const boost::system::error_code& ec) {
  return ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

// The 421 of a request whose Host names neither this listener nor localhost.
constexpr const char* wrong_host_message =
    "the Host header must name this listener's address or localhost (a guard against DNS rebinding)";

}  // namespace

// DNS rebinding: a hostile page whose name resolves to 127.0.0.1 would send
// its own name as Host. Only the names of this machine's loopback (or the
// bound address) are served; a listener on every interface accepts any.
bool server::host_allowed(const std::string& host_header) const {
  if (host_ == "0.0.0.0" || host_ == "::") return true;
  std::string name = host_header;
  if (!name.empty() && name.front() == '[') {
    size_t close = name.find(']');
    name = name.substr(1, close == std::string::npos ? std::string::npos : close - 1);
  } else if (size_t colon = name.rfind(':'); colon != std::string::npos) {
    name = name.substr(0, colon);
  }
  return name == "localhost" || name == "127.0.0.1" || name == "::1" || name == host_;
}

asio::awaitable<void> server::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await impl_->acceptor.async_accept(use_tuple);
    if (ec) {
      if (!impl_->acceptor.is_open()) co_return;
      continue;
    }
    if (open_connections_ >= limits_.max_connections) {
      // Refused at once: a console is never worth a descriptor the broker needs.
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    ++open_connections_;
    // A named argument: GCC 12 may destroy a temporary passed to a coroutine twice.
    std::shared_ptr<void> holder = std::make_shared<tcp::socket>(std::move(socket));
    if (tls_)
      asio::co_spawn(io_, serve_tls_connection(std::move(holder)), asio::detached);
    else
      asio::co_spawn(io_, serve_connection(std::move(holder)), asio::detached);
  }
}

asio::awaitable<void> server::serve_connection(std::shared_ptr<void> socket_holder) {
  struct count_guard {
    int& n;
    ~count_guard() { --n; }
  } guard{open_connections_};
  beast::tcp_stream stream(std::move(*std::static_pointer_cast<tcp::socket>(socket_holder)));
  request identity;
  identity.peer = peer_of(stream.socket(), identity.peer_host);
  transport_over<beast::tcp_stream> erased(stream);
  co_await serve_http(erased, identity);
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

// HTTPS: the handshake under ssl.handshake.timeout.ms, the client
// certificate's principal (ssl.client.auth, ssl.principal.mapping.rules, as
// the Kafka listeners), then the same HTTP exchange.
asio::awaitable<void> server::serve_tls_connection(std::shared_ptr<void> socket_holder) {
  struct count_guard {
    int& n;
    ~count_guard() { --n; }
  } guard{open_connections_};
  auto& context = *std::static_pointer_cast<asio::ssl::context>(tls_asio_context_);
  beast::ssl_stream<beast::tcp_stream> stream(
      beast::tcp_stream(std::move(*std::static_pointer_cast<tcp::socket>(socket_holder))), context);
  request identity;
  identity.peer = peer_of(beast::get_lowest_layer(stream).socket(), identity.peer_host);
  beast::get_lowest_layer(stream).expires_after(handshake_timeout_);
  auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
  bool usable = !hec;
  if (hec) {
    log_refusal(refusal::tls, "console: TLS handshake with " + identity.peer + " failed: " +
                                                  (hec == beast::error::timeout ? std::string("not finished in time")
                                                                                : hec.message()));
  } else if (X509* cert = SSL_get0_peer_certificate(stream.native_handle());
             cert && tls_->auth() != security::tls::client_auth::none) {
    auto name = tls_->mapper().map(security::tls::rfc2253_subject(cert));
    if (!name) {
      // As the Kafka listeners: no mapping rule for the subject refuses the connection.
      log_refusal(refusal::tls, "console: " + identity.peer + ": " + name.err().describe());
      usable = false;
    } else {
      identity.certificate_principal = security::principal::user(std::move(*name));
    }
  }
  if (usable) {
    transport_over<beast::ssl_stream<beast::tcp_stream>> erased(stream);
    co_await serve_http(erased, identity);
  }
  boost::system::error_code ignored;
  auto& socket = beast::get_lowest_layer(stream).socket();
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

// Answers a refusal that ends the connection, then closes it lingering:
// closing with unread bytes makes the kernel send a reset, which can destroy
// the answer before the client reads it. Stop sending, then read and drop a
// bounded amount (256 KiB, 2 s) first.
namespace {

asio::awaitable<void> linger_close(transport& stream) {
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  std::array<char, 16384> sink;
  size_t drained = 0;
  stream.expires_after(std::chrono::seconds(2));
  while (drained < 256 * 1024) {
    auto [rec, got] = co_await stream.async_read_some(asio::buffer(sink), use_tuple);
    if (rec) break;
    drained += got;
  }
}

asio::awaitable<void> answer_and_close(transport& stream, bhttp::response<bhttp::string_body>& res,
                                       std::chrono::milliseconds timeout) {
  res.keep_alive(false);
  res.prepare_payload();
  stream.expires_after(timeout);
  co_await bhttp::async_write(stream, res, use_tuple);
  co_await linger_close(stream);
}

}  // namespace

asio::awaitable<void> server::serve_http(transport& stream, const request& identity) {
  beast::flat_buffer buffer;
  auto error_text = [this](int code, std::string_view message, int status) {
    return limits_.error_body ? limits_.error_body(status, message) : error_json(code, message);
  };
  auto refusal = [&](bhttp::status status, std::string message) {
    bhttp::response<bhttp::string_body> res{status, 11};
    add_common_headers(res);
    res.set(bhttp::field::content_type, "application/json");
    res.body() = error_text(42, message, static_cast<int>(status));
    return res;
  };
  for (;;) {
    // The head first: a body route reads its body piece by piece, the others whole.
    bhttp::request_parser<bhttp::empty_body> head;
    head.header_limit(static_cast<uint32_t>(limits_.max_header_bytes));
    head.body_limit(boost::none);  // judged below, once the route is known
    stream.expires_after(limits_.idle_timeout);
    auto [hec, hn] = co_await bhttp::async_read_header(stream, buffer, head, use_tuple);
    if (hec == bhttp::error::header_limit) {
      auto res = refusal(bhttp::status::request_header_fields_too_large,
                         "request headers exceed " + std::to_string(limits_.max_header_bytes) + " bytes");
      co_await answer_and_close(stream, res, limits_.idle_timeout);
      break;
    }
    if (is_malformed_http(hec)) {
      // A head that is not valid HTTP (a bad Content-Length, a broken header
      // line): say so before closing, rather than hanging up silently.
      auto res = refusal(bhttp::status::bad_request, "malformed request: " + hec.message());
      co_await answer_and_close(stream, res, limits_.idle_timeout);
      break;
    }
    if (hec) break;  // closed, or idle too long
    request req = identity;
    {
      auto& raw = head.get();
      req.method = std::string(raw.method_string());
      std::string_view target(raw.target().data(), raw.target().size());
      size_t qmark = target.find('?');
      req.path = url_decode(target.substr(0, qmark), false);
      if (qmark != std::string_view::npos) req.query = parse_query(target.substr(qmark + 1));
      req.content_type = std::string(raw[bhttp::field::content_type]);
      req.authorization = std::string(raw[bhttp::field::authorization]);
      req.accept = std::string(raw[bhttp::field::accept]);
      auto text = [](beast::string_view v) { return std::string_view(v.data(), v.size()); };
      const request_provenance from{text(raw.method_string()), text(raw[bhttp::field::host]),
                                    text(raw[bhttp::field::origin]), text(raw["Sec-Fetch-Site"]),
                                    text(raw["Sec-Fetch-Mode"])};
      if (from_other_origin(from)) {
        // Refused before the body is read: see cross_origin.h. The header's
        // value is not echoed: it is the client's bytes, not necessarily
        // UTF-8, and the page cannot read the answer anyway.
        const std::string why = req.method + " from a page of another origin is refused (" +
                                (from.origin.empty() ? "Sec-Fetch-Site" : "Origin") +
                                " header): this listener grants no cross-origin requests";
        // Logged for the operator whose reverse proxy rewrote Host (the
        // console's own writes are refused then); the path was decoded and
        // may hold any bytes, so only the method and the peer are named.
        log_refusal(::samsa::refusal::cross_origin, limits_.thread_name + ": " + identity.peer + ": " + why);
        auto res = refusal(bhttp::status::forbidden, why);
        co_await answer_and_close(stream, res, limits_.idle_timeout);
        break;
      }
    }
    if (const body_entry* b = find_body_route(req.method, req.path)) {
      bool again = co_await serve_body_route(stream, buffer, head, req, *b);
      if (!again) break;
      continue;
    }
    const auto content_length = head.content_length();
    if (content_length && *content_length > limits_.max_body_bytes) {
      auto res = refusal(bhttp::status::payload_too_large,
                         "request body exceeds " + std::to_string(limits_.max_body_bytes) + " bytes");
      co_await answer_and_close(stream, res, limits_.idle_timeout);
      break;
    }
    if (beast::iequals(head.get()[bhttp::field::expect], "100-continue")) {
      bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, 11};
      co_await bhttp::async_write(stream, cont, use_tuple);
    }
    bhttp::request_parser<bhttp::string_body> parser(std::move(head));
    parser.body_limit(limits_.max_body_bytes);
    stream.expires_after(limits_.idle_timeout);
    auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
    if (ec == bhttp::error::body_limit) {
      auto res = refusal(bhttp::status::payload_too_large,
                         "request body exceeds " + std::to_string(limits_.max_body_bytes) + " bytes");
      co_await answer_and_close(stream, res, limits_.idle_timeout);
      break;
    }
    if (is_malformed_http(ec)) {
      auto res = refusal(bhttp::status::bad_request, "malformed request body: " + ec.message());
      co_await answer_and_close(stream, res, limits_.idle_timeout);
      break;
    }
    if (ec) break;  // closed, or idle too long
    auto& raw = parser.get();
    req.body = std::move(raw.body());
    bool keep_alive = raw.keep_alive();

    response out;
    auto s = streams_.find(req.path);
    const bool is_stream = s != streams_.end() && req.method == "GET";
    std::optional<response> refused;
    if (!host_allowed(std::string(raw[bhttp::field::host]))) {
      refused = response{421, "application/json", error_text(42, wrong_host_message, 421), {}};
    } else if (hooks_.before) {
      refused = co_await hooks_.before(req, is_stream);
    }
    if (refused) {
      out = std::move(*refused);
    } else if (is_stream) {
      std::string sse_head =
          "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
          "X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n";
      stream.expires_after(limits_.stream_write_timeout);
      auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(sse_head), use_tuple);
      if (wec) break;
      sse_stream events(stream, limits_.stream_write_timeout, req, hooks_);
      co_await s->second(req, events);
      break;
    } else {
      bool path_known = false;
      const entry* e = find(req.method, req.path, path_known);
      if (!e) {
        out = path_known ? response{405, "application/json", error_text(42, req.method + " is not allowed here", 405), {}}
                         : response{404, "application/json", error_text(42, "no such page: " + req.path, 404), {}};
      } else {
        try {
          if (json_nests_deeper_than(req.body, max_json_depth)) {
            // Every body here is JSON; refused before a route parses or prints it.
            out = response{400, "application/json",
                           error_text(-1, "the body nests deeper than " + std::to_string(max_json_depth) + " levels", 400),
                           {}};
          } else {
            out = co_await e->h(req);
            if (hooks_.after) co_await hooks_.after(req, out);
          }
        } catch (const nlohmann::json::type_error& ex) {
          // A route read a field of the request's JSON as the type it should
          // have ({"partitions": "3"}): the client's mistake, not the server's.
          out = response{400, "application/json",
                         error_text(-1, std::string("a field has the wrong type: ") + ex.what(), 400), {}};
        } catch (const std::exception& ex) {
          spdlog::warn("console: {} {} failed: {}", req.method, req.path, ex.what());
          out = response{500, "application/json", error_text(-1, ex.what(), 500), {}};
        }
      }
    }
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(out.status), 11};
    add_common_headers(res);
    res.set(bhttp::field::content_type, out.content_type);
    for (auto& [k, v] : out.headers) res.set(k, v);
    res.body() = std::move(out.body);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    stream.expires_after(limits_.idle_timeout);
    auto [wec, wn] = co_await bhttp::async_write(stream, res, use_tuple);
    if (wec || !keep_alive) break;
  }
}

template <typename Buffer, typename Parser>
asio::awaitable<bool> server::serve_body_route(transport& stream, Buffer& buffer, Parser& head, request& req,
                                               const body_entry& route) {
  auto error_text = [this](int code, std::string_view message, int status) {
    return limits_.error_body ? limits_.error_body(status, message) : error_json(code, message);
  };
  const bool keep_alive = head.get().keep_alive();
  std::optional<response> out;
  if (!host_allowed(std::string(head.get()[bhttp::field::host]))) {
    out = response{421, "application/json", error_text(42, wrong_host_message, 421), {}};
  } else if (hooks_.before) {
    out = co_await hooks_.before(req, false);
  }
  bhttp::request_parser<bhttp::buffer_body> parser(std::move(head));
  // The route bounds what it holds; the body itself may be as long as the client keeps sending.
  parser.body_limit(boost::none);
  body_pipe pipe(stream, buffer, parser, limits_.idle_timeout, keep_alive);
  if (!out) {
    if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
      bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, 11};
      stream.expires_after(limits_.idle_timeout);
      auto [cec, cn] = co_await bhttp::async_write(stream, cont, use_tuple);
      if (cec) co_return false;
    }
    try {
      out = co_await route.h(req, pipe);
    } catch (const std::exception& ex) {
      spdlog::warn("console: {} {} failed: {}", req.method, req.path, ex.what());
      if (!pipe.started()) out = response{500, "application/json", error_text(-1, ex.what(), 500), {}};
      else co_return false;  // a chunked answer cut short: the client sees no final chunk
    }
  }
  if (pipe.started()) {
    // A body that broke (client gone, bad chunk framing) ends without the last
    // chunk, so the client can tell the answer is cut short.
    if (pipe.read_broken()) co_return false;
    const bool finished = co_await pipe.finish();
    if (!finished) co_return false;
    // Another request may follow only once this body has been read to its end.
    if (parser.is_done()) co_return keep_alive;
    co_await linger_close(stream);
    co_return false;
  }
  // A body that could not be read (bad chunk framing, an impossible
  // Content-Length) before anything was answered is the client's error.
  if (!out && pipe.read_broken()) out = response{400, "application/json", error_text(-1, pipe.read_error(), 400), {}};
  if (!out) out = response{500, "application/json", error_text(-1, "the route gave no answer", 500), {}};
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(out->status), 11};
  add_common_headers(res);
  res.set(bhttp::field::content_type, out->content_type);
  for (auto& [k, v] : out->headers) res.set(k, v);
  res.body() = std::move(out->body);
  if (!parser.is_done()) {
    // Refused with the body (partly) unread: answer and close.
    co_await answer_and_close(stream, res, limits_.idle_timeout);
    co_return false;
  }
  res.keep_alive(keep_alive);
  res.prepare_payload();
  stream.expires_after(limits_.idle_timeout);
  auto [wec, wn] = co_await bhttp::async_write(stream, res, use_tuple);
  co_return !wec && keep_alive;
}

}  // namespace samsa::http
