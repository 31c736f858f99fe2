#include "hostile_client.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "protocol/frame.h"
#include "protocol/messages.h"
#include "protocol/writer.h"
#include "wire_client.h"

namespace samsa::wire_test {

raw_socket::raw_socket(uint16_t port, int receive_buffer) : fd_(connect_loopback(port, receive_buffer)) {}

raw_socket::~raw_socket() {
  if (fd_ >= 0) ::close(fd_);
}

bool raw_socket::send(const std::vector<uint8_t>& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

size_t raw_socket::send_some(const std::vector<uint8_t>& bytes, size_t from) {
  size_t sent = from;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  return sent - from;
}

bool raw_socket::closed_by_peer_within(std::chrono::milliseconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  std::vector<uint8_t> sink(64 * 1024);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready <= 0) continue;
    ssize_t n = ::recv(fd_, sink.data(), sink.size(), 0);
    if (n == 0) return true;
    if (n < 0 && errno != EINTR && errno != EAGAIN) return true;  // reset counts as closed
  }
}

std::vector<uint8_t> raw_socket::read_frame(std::chrono::milliseconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  auto read_exact = [&](uint8_t* out, size_t n) {
    size_t got = 0;
    while (got < n) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) throw std::runtime_error("no answer in time");
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      ssize_t r = ::recv(fd_, out + got, n - got, 0);
      if (r == 0) throw std::runtime_error("broker closed the connection");
      if (r < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        throw std::runtime_error(std::string("recv: ") + std::strerror(errno));
      }
      got += static_cast<size_t>(r);
    }
  };
  uint8_t size_bytes[4];
  read_exact(size_bytes, 4);
  uint32_t size = (uint32_t(size_bytes[0]) << 24) | (uint32_t(size_bytes[1]) << 16) | (uint32_t(size_bytes[2]) << 8) |
                  uint32_t(size_bytes[3]);
  std::vector<uint8_t> frame(size);
  read_exact(frame.data(), size);
  return frame;
}

std::vector<uint8_t> raw_frame(int16_t api_key, int16_t version, int32_t correlation_id,
                               const std::vector<uint8_t>& body, bool flexible_header) {
  protocol::writer w;
  size_t at = w.reserve_int32();
  w.write_int16(api_key);
  w.write_int16(version);
  w.write_int32(correlation_id);
  w.write_nullable_string(std::string("hostile"));
  if (flexible_header) w.write_uvarint(0);  // no tagged fields
  w.write_raw(body);
  w.patch_size_prefix(at);
  return w.buffer();
}

std::vector<uint8_t> api_versions_frame(int32_t correlation_id, size_t client_id_bytes) {
  protocol::request_header_data header;
  header.request_api_key = protocol::api_versions_request_data::api_key;
  header.request_api_version = 3;
  header.correlation_id = correlation_id;
  header.client_id = client_id_bytes == 0 ? std::string("bystander") : std::string(client_id_bytes, 'c');
  protocol::api_versions_request_data body;
  body.client_software_name = "hostile-test";
  body.client_software_version = "1";
  protocol::writer w;
  protocol::encode_request(w, header, body);
  return w.buffer();
}

namespace {

// A "Key:   <n> kB" line of /proc/<pid>/status, in KiB (-1 when absent).
int64_t status_kib(pid_t pid, const std::string& key) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(key, 0) == 0) return std::stoll(line.substr(key.size()));
  }
  return -1;
}

}  // namespace

int64_t resident_kib(pid_t pid) { return status_kib(pid, "VmRSS:"); }

int64_t peak_resident_kib(pid_t pid) { return status_kib(pid, "VmHWM:"); }

int open_descriptors(pid_t pid) {
  int count = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++count;
  }
  return count;
}

void expect_bystander_answered(uint16_t port) {
  try {
    wire_client bystander(port, "bystander");
    protocol::api_versions_request_data versions;
    versions.client_software_name = "bystander";
    versions.client_software_version = "1";
    EXPECT_EQ(bystander.call<protocol::api_versions_response_data>(versions, 3).error_code, 0);
    protocol::metadata_request_data metadata;
    EXPECT_EQ(bystander.call<protocol::metadata_response_data>(metadata, 1).brokers.size(), 1u);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "a bystander was not answered: " << e.what();
  }
}

void expect_broker_healthy(uint16_t port, pid_t pid, int64_t max_rss_kib) {
  expect_bystander_answered(port);
  const int64_t rss = resident_kib(pid);
  std::cout << "[ after the case ] broker RSS " << rss << " KiB, peak " << peak_resident_kib(pid) << " KiB\n";
  EXPECT_GT(rss, 0);
  EXPECT_LT(rss, max_rss_kib) << "the broker holds " << rss << " KiB after the case (peak " << peak_resident_kib(pid)
                              << " KiB)";
}

}  // namespace samsa::wire_test
