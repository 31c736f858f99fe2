#include "cli/broker_probe.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include <cerrno>
#include <cstring>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "client/kafka_error.h"

namespace samsa::cli {
namespace {

using clock = std::chrono::steady_clock;

struct address {
  std::string host;
  std::string port;
};

// "PLAINTEXT://h:1" -> {h, 1}; "[::1]:9092" -> {::1, 9092}. Malformed entries
// are left to the client config's own validation (it has better messages).
std::vector<address> split_servers(const std::string& servers) {
  std::vector<address> out;
  size_t start = 0;
  while (start <= servers.size()) {
    size_t comma = servers.find(',', start);
    std::string item = servers.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? servers.size() + 1 : comma + 1;
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (auto scheme = item.find("://"); scheme != std::string::npos) item.erase(0, scheme + 3);
    auto colon = item.rfind(':');
    if (item.empty() || colon == std::string::npos) continue;
    std::string host = item.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    out.push_back({host, item.substr(colon + 1)});
  }
  return out;
}

struct addrinfo_deleter {
  void operator()(addrinfo* a) const { freeaddrinfo(a); }
};
using addrinfo_ptr = std::unique_ptr<addrinfo, addrinfo_deleter>;

// getaddrinfo has no timeout of its own: run it on a detached thread so a
// hanging resolver costs at most the deadline.
addrinfo_ptr resolve(const address& a, clock::time_point deadline, std::string& error) {
  auto promise = std::make_shared<std::promise<std::pair<int, addrinfo*>>>();
  auto future = promise->get_future();
  std::thread([promise, a] {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    int rc = getaddrinfo(a.host.c_str(), a.port.c_str(), &hints, &res);
    promise->set_value({rc, res});
  }).detach();
  if (future.wait_until(deadline) != std::future_status::ready) {
    error = fmt::format("resolving {} took too long", a.host);
    return nullptr;
  }
  auto [rc, res] = future.get();
  if (rc != 0) {
    error = fmt::format("cannot resolve {}: {}", a.host, gai_strerror(rc));
    return nullptr;
  }
  return addrinfo_ptr(res);
}

struct attempt {
  int fd = -1;
  std::string where;
};

}  // namespace

status probe_bootstrap(const std::string& servers, std::chrono::milliseconds timeout) {
  auto deadline = clock::now() + timeout;
  auto addresses = split_servers(servers);
  if (addresses.empty()) return {};
  std::vector<attempt> pending;
  std::vector<std::string> failures;
  bool any_resolved = false;
  for (const auto& a : addresses) {
    std::string error;
    auto list = resolve(a, deadline, error);
    if (!list) {
      failures.push_back(error);
      continue;
    }
    any_resolved = true;
    for (addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
      int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
      if (fd < 0) continue;
      std::string where = fmt::format("{}:{}", a.host, a.port);
      if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        ::close(fd);
        for (auto& p : pending) ::close(p.fd);
        return {};
      }
      if (errno == EINPROGRESS) {
        pending.push_back({fd, where});
      } else {
        failures.push_back(fmt::format("{}: {}", where, std::strerror(errno)));
        ::close(fd);
      }
    }
  }
  // Wait for the first connection to complete; refusals arrive as POLLERR/POLLHUP.
  while (!pending.empty()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (left <= 0) break;
    std::vector<pollfd> fds;
    for (const auto& p : pending) fds.push_back({p.fd, POLLOUT, 0});
    int n = ::poll(fds.data(), fds.size(), static_cast<int>(left));
    if (n < 0 && errno != EINTR) break;
    std::vector<attempt> still;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents == 0) {
        still.push_back(pending[i]);
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(pending[i].fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err == 0) {
        for (auto& p : pending) ::close(p.fd);
        return {};
      }
      failures.push_back(fmt::format("{}: {}", pending[i].where, std::strerror(err)));
      ::close(pending[i].fd);
    }
    pending = std::move(still);
  }
  for (const auto& p : pending) {
    failures.push_back(fmt::format("{}: no answer within {} ms", p.where, timeout.count()));
    ::close(p.fd);
  }
  std::string detail;
  for (const auto& f : failures) detail += (detail.empty() ? "" : "; ") + f;
  int code = any_resolved ? RD_KAFKA_RESP_ERR__TRANSPORT : RD_KAFKA_RESP_ERR__RESOLVE;
  return client::make_kafka_error("connect to the broker", code, detail, servers);
}

}  // namespace samsa::cli
