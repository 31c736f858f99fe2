// Process-wide counters the broker keeps for /metrics: plain atomics in
// fixed arrays, so recording is a relaxed add (no lock, no allocation) on
// every request, and a scrape only reads. Per-partition counters live in
// storage::partition_log (they share its lifetime); this file holds what is
// keyed by API, error code and connection.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace samsa::metrics {

// Request latency bucket upper bounds in seconds (Prometheus `le`), chosen to
// separate in-memory answers (sub-millisecond) from fsync-bound produces and
// parked long polls (up to the 30 s fetch cap).
inline constexpr std::array<double, 14> latency_bounds_seconds = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0};

// Kafka's api keys fit below 128 and versions below 32 (Fetch, the highest, is
// at 17); anything outside is counted in `unknown_requests`.
inline constexpr int max_api_keys = 128;
inline constexpr int max_api_versions = 32;
// Kafka error codes run from -1 (UNKNOWN_SERVER_ERROR) to about 130.
inline constexpr int min_error_code = -1;
inline constexpr int max_error_code = 255;

struct api_version_stats {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> request_bytes{0};
  std::atomic<uint64_t> response_bytes{0};
  std::atomic<uint64_t> latency_micros{0};  // sum, for _sum
  // Non-cumulative counts per bucket (the last one is +Inf); the scrape sums them.
  std::array<std::atomic<uint64_t>, latency_bounds_seconds.size() + 1> latency_buckets{};
  // Requests that closed the connection (malformed, unsupported version).
  std::atomic<uint64_t> failed{0};
};

class registry {
 public:
  static registry& instance();

  api_version_stats* api(int16_t key, int16_t version) {
    if (key < 0 || key >= max_api_keys || version < 0 || version >= max_api_versions) return nullptr;
    return &apis_[static_cast<size_t>(key)][static_cast<size_t>(version)];
  }
  const api_version_stats* api(int16_t key, int16_t version) const {
    return const_cast<registry*>(this)->api(key, version);
  }

  // One finished request: its size, its answer's size (0 without one) and how long it took.
  void record_request(int16_t key, int16_t version, uint64_t request_bytes, uint64_t response_bytes,
                      uint64_t micros, bool failed);
  // An error code seen in an answer (top level or per partition), by API.
  void record_error(int16_t key, int16_t code);
  uint64_t errors(int16_t key, int16_t code) const;

  void connection_opened() {
    connections_open_.fetch_add(1, std::memory_order_relaxed);
    connections_accepted_.fetch_add(1, std::memory_order_relaxed);
  }
  void connection_closed() { connections_open_.fetch_sub(1, std::memory_order_relaxed); }
  int64_t connections_open() const { return connections_open_.load(std::memory_order_relaxed); }
  uint64_t connections_accepted() const { return connections_accepted_.load(std::memory_order_relaxed); }
  uint64_t unknown_requests() const { return unknown_requests_.load(std::memory_order_relaxed); }

 private:
  registry() = default;
  std::array<std::array<api_version_stats, max_api_versions>, max_api_keys> apis_{};
  std::array<std::array<std::atomic<uint64_t>, max_error_code - min_error_code + 1>, max_api_keys> errors_{};
  std::atomic<int64_t> connections_open_{0};
  std::atomic<uint64_t> connections_accepted_{0};
  std::atomic<uint64_t> unknown_requests_{0};
};

}  // namespace samsa::metrics
