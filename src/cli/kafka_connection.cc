#include "cli/kafka_connection.h"

#include <librdkafka/rdkafka.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "client/kafka_error.h"

namespace samsa::cli {

namespace {

// Largest answer we accept: a ListTransactions of a huge cluster fits many
// times over; anything bigger is a broken or hostile peer.
constexpr uint32_t max_response_bytes = 64u << 20;

samsa::error transport_error(const std::string& address, const std::string& what) {
  return client::make_kafka_error("connect", RD_KAFKA_RESP_ERR__TRANSPORT, address + ": " + what, address);
}

// "host:port" -> (host, port); IPv6 literals in brackets.
bool split_address(const std::string& address, std::string& host, std::string& port) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size()) return false;
  host = address.substr(0, colon);
  port = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return !host.empty();
}

// Waits for `events` on `fd` until `deadline`; false on timeout.
bool wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

}  // namespace

result<std::unique_ptr<kafka_connection>> kafka_connection::open(const std::string& address, std::string client_id,
                                                                 std::chrono::milliseconds timeout) {
  std::string host, port;
  if (!split_address(address, host, port)) {
    return client::make_usage_error("connect", "'" + address + "' is not HOST:PORT");
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return client::make_kafka_error("connect", RD_KAFKA_RESP_ERR__RESOLVE, address + ": " + ::gai_strerror(rc),
                                    address);
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last_error = "no address";
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    int s = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (s < 0) continue;
    int rc = ::connect(s, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS && wait_for(s, POLLOUT, deadline)) {
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
      rc = err == 0 ? 0 : -1;
      errno = err == 0 ? 0 : err;
    }
    if (rc == 0) {
      fd = s;
    } else {
      last_error = errno != 0 && errno != EINPROGRESS ? std::strerror(errno) : "timed out";
      ::close(s);
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0) return transport_error(address, last_error);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  std::unique_ptr<kafka_connection> c(new kafka_connection(fd, address, std::move(client_id)));
  c->deadline_ = deadline;
  // ApiVersions v0: every broker since Kafka 0.10 answers it, and its answer
  // has no flexible fields we would need to understand first.
  auto versions = c->call<protocol::api_versions_response_data>(protocol::api_versions_request_data{}, 0);
  if (!versions) return versions.err();
  if (versions->error_code != 0) {
    return client::make_kafka_error("ApiVersions", versions->error_code, "from " + address, address);
  }
  for (const auto& k : versions->api_keys) c->broker_versions_[k.api_key] = {k.min_version, k.max_version};
  c->deadline_ = {};
  return c;
}

kafka_connection::kafka_connection(int fd, std::string address, std::string client_id)
    : fd_(fd), address_(std::move(address)), client_id_(std::move(client_id)) {}

kafka_connection::~kafka_connection() {
  if (fd_ >= 0) ::close(fd_);
}

void kafka_connection::set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

status kafka_connection::send_all(const std::vector<uint8_t>& bytes) {
  auto deadline = effective_deadline();
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_for(fd_, POLLOUT, deadline)) return transport_error(address_, "send timed out");
      continue;
    }
    if (n <= 0) return transport_error(address_, std::string("send: ") + std::strerror(errno));
    sent += static_cast<size_t>(n);
  }
  return {};
}

result<std::vector<uint8_t>> kafka_connection::receive_frame() {
  auto deadline = effective_deadline();
  auto read_exact = [&](uint8_t* out, size_t n) -> status {
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::recv(fd_, out + got, n - got, 0);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!wait_for(fd_, POLLIN, deadline)) return transport_error(address_, "no answer in time");
        continue;
      }
      if (r == 0) return transport_error(address_, "the broker closed the connection");
      if (r < 0) return transport_error(address_, std::string("recv: ") + std::strerror(errno));
      got += static_cast<size_t>(r);
    }
    return {};
  };
  uint8_t size_bytes[4];
  if (auto s = read_exact(size_bytes, 4); !s) return s.err();
  uint32_t size = (uint32_t{size_bytes[0]} << 24) | (uint32_t{size_bytes[1]} << 16) |
                  (uint32_t{size_bytes[2]} << 8) | uint32_t{size_bytes[3]};
  if (size > max_response_bytes) {
    return make_error(std::errc::message_size, address_ + " sent a " + std::to_string(size) + "-byte answer");
  }
  std::vector<uint8_t> frame(size);
  if (auto s = read_exact(frame.data(), size); !s) return s.err();
  return frame;
}

std::chrono::steady_clock::time_point kafka_connection::effective_deadline() const {
  if (deadline_ != std::chrono::steady_clock::time_point{}) return deadline_;
  return std::chrono::steady_clock::now() + timeout_;
}

result<std::unique_ptr<kafka_connection>> kafka_connection::open_bootstrap(const std::string& bootstrap,
                                                                           const std::string& client_id,
                                                                           std::chrono::milliseconds timeout) {
  std::optional<samsa::error> last;
  size_t start = 0;
  while (start <= bootstrap.size()) {
    size_t comma = bootstrap.find(',', start);
    if (comma == std::string::npos) comma = bootstrap.size();
    if (comma > start) {
      auto c = open(bootstrap.substr(start, comma - start), client_id, timeout);
      if (c) {
        (*c)->set_timeout(timeout);
        return c;
      }
      last = c.err();
    }
    start = comma + 1;
  }
  if (last) return *last;
  return client::make_usage_error("connect", "no bootstrap address given");
}

}  // namespace samsa::cli
