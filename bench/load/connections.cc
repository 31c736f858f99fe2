// Every connection sends ApiVersions v0 and Metadata v1 (no topics) and reads
// both answers. After the hold, each connection must answer ApiVersions again:
// a connection the broker dropped meanwhile counts as lost.
#include "connections.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <thread>

#include "frame_bytes.h"

namespace samsa::bench {

namespace {

// Request header v1 (api key, version, correlation id, client id) and body, size-prefixed.
std::string request(int16_t api_key, int16_t version, int32_t correlation, const std::string& body) {
  static const std::string client = "samsa-load";
  std::string frame;
  put16(frame, api_key);
  put16(frame, version);
  put32(frame, correlation);
  put16(frame, static_cast<int16_t>(client.size()));
  frame += client;
  frame += body;
  std::string out;
  put32(out, static_cast<int32_t>(frame.size()));
  return out + frame;
}

bool read_full(int fd, char* p, size_t n) {
  while (n > 0) {
    ssize_t r = ::read(fd, p, n);
    if (r <= 0) {
      if (r < 0 && errno == EINTR) continue;
      return false;
    }
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

// Sends one request and reads its answer; checks the correlation id.
bool round_trip(int fd, int16_t api_key, int16_t version, int32_t correlation, const std::string& body,
                std::string& error) {
  std::string req = request(api_key, version, correlation, body);
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
    error = std::string("send: ") + std::strerror(errno);
    return false;
  }
  char head[8];
  if (!read_full(fd, head, sizeof head)) {
    error = std::string("read: ") + (errno ? std::strerror(errno) : "closed");
    return false;
  }
  uint32_t size, corr;
  std::memcpy(&size, head, 4);
  std::memcpy(&corr, head + 4, 4);
  size = ntohl(size);
  if (static_cast<int32_t>(ntohl(corr)) != correlation || size < 4 || size > (64u << 20)) {
    error = "bad response frame";
    return false;
  }
  std::string rest(size - 4, '\0');
  if (!read_full(fd, rest.data(), rest.size())) {
    error = "short response";
    return false;
  }
  return true;
}

void raise_fd_limit(int wanted) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  auto need = static_cast<rlim_t>(wanted + 64);
  if (lim.rlim_cur < need) {
    lim.rlim_cur = std::min(need, lim.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
}

}  // namespace

int run_connections(const common_options& common, const connections_options& opt) {
  auto colon = common.bootstrap.rfind(':');
  if (colon == std::string::npos) fatal("bootstrap must be host:port");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(common.bootstrap.substr(colon + 1))));
  if (::inet_pton(AF_INET, common.bootstrap.substr(0, colon).c_str(), &addr.sin_addr) != 1) {
    fatal("connections needs a numeric IPv4 bootstrap address, got " + common.bootstrap);
  }
  raise_fd_limit(opt.count);
  std::string metadata_body;
  put32(metadata_body, 0);  // Metadata v1: an empty topic array asks for no topics

  std::vector<int> fds;
  std::vector<double> rtt_ms;
  int failed = 0;
  std::string first_error;
  auto start = clock_type::now();
  for (int i = 0; i < opt.count; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      ++failed;
      if (first_error.empty()) first_error = std::string("socket: ") + std::strerror(errno);
      continue;
    }
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::string error;
    auto t = clock_type::now();
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
      error = std::string("connect: ") + std::strerror(errno);
    } else if (round_trip(fd, 18, 0, 1, "", error) && round_trip(fd, 3, 1, 2, metadata_body, error)) {
      rtt_ms.push_back(seconds_between(t, clock_type::now()) * 1e3);
      fds.push_back(fd);
      continue;
    }
    ++failed;
    if (first_error.empty()) first_error = error;
    ::close(fd);
  }
  double setup_s = seconds_between(start, clock_type::now());

  std::cerr << "READY " << fds.size() << std::endl;
  if (opt.wait_stdin) {
    std::string line;
    while (std::getline(std::cin, line)) {
    }
  } else if (opt.hold_s > 0) {
    std::this_thread::sleep_for(std::chrono::duration<double>(opt.hold_s));
  }

  int alive = 0;
  for (int fd : fds) {
    std::string error;
    if (round_trip(fd, 18, 0, 3, "", error)) {
      ++alive;
    } else if (first_error.empty()) {
      first_error = "after hold: " + error;
    }
    ::close(fd);
  }
  std::sort(rtt_ms.begin(), rtt_ms.end());
  bool ok = failed == 0 && alive == opt.count;
  emit({{"mode", "connections"},
        {"ok", ok},
        {"requested", opt.count},
        {"established", fds.size()},
        {"failed", failed},
        {"alive_after_hold", alive},
        {"first_error", first_error},
        {"setup_seconds", setup_s},
        {"handshake_ms_p50", quantile(rtt_ms, 0.5)},
        {"handshake_ms_p99", quantile(rtt_ms, 0.99)}});
  return ok ? 0 : 1;
}

}  // namespace samsa::bench
