// Raw-socket clients for the hostile-client tests: they send whatever bytes
// a test makes (half frames, floods, garbage) and can tell whether the
// broker closed the connection, and how much memory the broker holds.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace samsa::wire_test {

class raw_socket {
 public:
  // Connects to 127.0.0.1:port; `receive_buffer` > 0 shrinks SO_RCVBUF first.
  explicit raw_socket(uint16_t port, int receive_buffer = 0);
  ~raw_socket();
  raw_socket(const raw_socket&) = delete;
  raw_socket& operator=(const raw_socket&) = delete;

  // Sends every byte; false when the peer is gone.
  bool send(const std::vector<uint8_t>& bytes);
  // Sends as much as the socket takes without blocking; returns bytes sent.
  size_t send_some(const std::vector<uint8_t>& bytes, size_t from);
  // Reads (and discards) until the broker closes the connection or `wait`
  // passes without it; true when it closed.
  bool closed_by_peer_within(std::chrono::milliseconds wait);
  // Reads exactly one answer frame (without its size prefix); throws on EOF.
  std::vector<uint8_t> read_frame(std::chrono::milliseconds wait = std::chrono::seconds(10));
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

// A request frame (size prefix included) for `api_key`/`version` with header
// v1 or v2 and the given body bytes.
std::vector<uint8_t> raw_frame(int16_t api_key, int16_t version, int32_t correlation_id,
                               const std::vector<uint8_t>& body, bool flexible_header);

// An encoded ApiVersions v3 request, size prefix included; `client_id_bytes`
// pads the header's client id to make the request that large.
std::vector<uint8_t> api_versions_frame(int32_t correlation_id, size_t client_id_bytes = 0);

// The broker's resident memory in KiB (from /proc).
int64_t resident_kib(pid_t pid);
// The process's peak resident set (VmHWM), in KiB.
int64_t peak_resident_kib(pid_t pid);
// The broker's open descriptors.
int open_descriptors(pid_t pid);

// A bystander on a new connection to `port` gets ApiVersions and Metadata
// answered (Google Test failures otherwise).
void expect_bystander_answered(uint16_t port);

// What every hostile case ends with: a bystander on a new connection to
// `port` gets ApiVersions and Metadata answered, and the broker's resident
// memory is under `max_rss_kib` (what the case made it hold was let go, or
// stayed within its bound). Google Test failures, with the figures.
void expect_broker_healthy(uint16_t port, pid_t pid, int64_t max_rss_kib);

}  // namespace samsa::wire_test
