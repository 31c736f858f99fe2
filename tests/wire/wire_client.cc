#include "wire_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace samsa::wire_test {

int connect_loopback(uint16_t port, int receive_buffer) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  if (receive_buffer > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    ::close(fd);
    throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(err));
  }
  return fd;
}

wire_client::wire_client(uint16_t port, std::string client_id) : client_id_(std::move(client_id)) {
  fd_ = connect_loopback(port);
  // Long-poll requests (JoinGroup waiting for a rebalance) may take a while.
  set_receive_timeout(30);
}

void wire_client::set_receive_timeout(int seconds) {
  timeval timeout{seconds, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
}

bool wire_client::answer_waiting(int wait_ms) const {
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, wait_ms) > 0;
}

bool wire_client::closed_by_peer_within(int wait_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    uint8_t sink[4096];
    ssize_t n = ::recv(fd_, sink, sizeof sink, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
  }
}

wire_client::~wire_client() {
  if (fd_ >= 0) ::close(fd_);
}

void wire_client::send_all(const std::vector<uint8_t>& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(std::string("send: ") + std::strerror(errno));
    sent += static_cast<size_t>(n);
  }
}

std::vector<uint8_t> wire_client::receive_frame() {
  auto read_exact = [this](uint8_t* out, size_t n) {
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::recv(fd_, out + got, n - got, 0);
      if (r < 0 && errno == EINTR) continue;
      if (r == 0) throw std::runtime_error("broker closed the connection");
      if (r < 0) throw std::runtime_error(std::string("recv: ") + std::strerror(errno));
      got += static_cast<size_t>(r);
    }
  };
  uint8_t size_bytes[4];
  read_exact(size_bytes, 4);
  uint32_t size = (uint32_t{size_bytes[0]} << 24) | (uint32_t{size_bytes[1]} << 16) |
                  (uint32_t{size_bytes[2]} << 8) | uint32_t{size_bytes[3]};
  if (size > (64u << 20)) throw std::runtime_error("response frame too large: " + std::to_string(size));
  std::vector<uint8_t> frame(size);
  read_exact(frame.data(), size);
  return frame;
}

}  // namespace samsa::wire_test
