// Process-wide counters the broker keeps for /metrics: plain atomics in
// fixed arrays, so recording is a relaxed add (no lock, no allocation) on
// every request, and a scrape only reads. Per-partition counters live in
// storage::partition_log (they share its lifetime); this file holds what is
// keyed by API, error code and connection.
#pragma once

#include <array>
#include <atomic>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <span>
#include <vector>
#include <mutex>
#include <string_view>

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

// Group-commit round sizes (requests one fsync round served), powers of two.
inline constexpr std::array<double, 11> batch_size_bounds = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

// A histogram of fixed bounds: non-cumulative counts per bucket (the last is
// +Inf; the scrape sums them) and the sum of what was observed, in the
// caller's integer unit (microseconds for times, items for sizes).
template <size_t Bounds>
struct histogram {
  std::array<std::atomic<uint64_t>, Bounds + 1> buckets{};
  std::atomic<uint64_t> sum{0};
  void observe(const std::array<double, Bounds>& bounds, double value, uint64_t units) {
    size_t b = 0;
    while (b < Bounds && value > bounds[b]) ++b;
    buckets[b].fetch_add(1, std::memory_order_relaxed);
    sum.fetch_add(units, std::memory_order_relaxed);
  }
};
using time_histogram = histogram<latency_bounds_seconds.size()>;
using size_histogram = histogram<batch_size_bounds.size()>;

// Connections of one listener (by its name): registered when the listener is
// made, counted by each connection's admission place.
struct listener_stats {
  std::array<char, 64> name{};
  std::atomic<int64_t> open{0};
  std::atomic<uint64_t> accepted{0};
};
inline constexpr size_t max_listeners = 16;

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

// One API key's counters, made at the key's first request.
struct api_key_stats {
  std::array<api_version_stats, max_api_versions> versions{};
  std::array<std::atomic<uint64_t>, max_error_code - min_error_code + 1> errors{};
};

class registry {
 public:
  static registry& instance();

  // One API version's counters: nullptr out of range, or while the key has
  // had no request nor error yet (all its counters are zero then).
  const api_version_stats* api(int16_t key, int16_t version) const {
    if (version < 0 || version >= max_api_versions) return nullptr;
    const api_key_stats* k = find_key(key);
    return k ? &k->versions[static_cast<size_t>(version)] : nullptr;
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

  // Request queue time: from the network thread handing a request over to
  // the handler thread starting it, by API key.
  void record_queue_time(int16_t key, uint64_t micros);
  const time_histogram* queue_time(int16_t key) const {
    return key >= 0 && key < max_api_keys ? &queue_times_[static_cast<size_t>(key)] : nullptr;
  }
  // One fdatasync of a partition's files (storage's flusher).
  void record_fsync(uint64_t micros) {
    fsyncs_.observe(latency_bounds_seconds, static_cast<double>(micros) / 1e6, micros);
  }
  const time_histogram& fsyncs() const { return fsyncs_; }
  // One group-commit round: how many flush requests its fsyncs served.
  void record_group_commit(uint64_t requests) {
    group_commits_.observe(batch_size_bounds, static_cast<double>(requests), requests);
  }
  const size_histogram& group_commits() const { return group_commits_; }
  // Long-poll fetches parked waiting for data.
  void fetch_parked() { parked_fetches_.fetch_add(1, std::memory_order_relaxed); }
  void fetch_unparked() { parked_fetches_.fetch_sub(1, std::memory_order_relaxed); }
  int64_t parked_fetches() const { return parked_fetches_.load(std::memory_order_relaxed); }
  // The incremental fetch session cache (KIP-227), as the handler thread last left it.
  void fetch_sessions(int64_t sessions, int64_t partitions, uint64_t evictions) {
    fetch_sessions_.store(sessions, std::memory_order_relaxed);
    fetch_session_partitions_.store(partitions, std::memory_order_relaxed);
    fetch_session_evictions_.store(evictions, std::memory_order_relaxed);
  }
  int64_t fetch_sessions() const { return fetch_sessions_.load(std::memory_order_relaxed); }
  int64_t fetch_session_partitions() const { return fetch_session_partitions_.load(std::memory_order_relaxed); }
  uint64_t fetch_session_evictions() const { return fetch_session_evictions_.load(std::memory_order_relaxed); }
  // The stats of listener `name`, registered on first use (listeners are made
  // at start-up); nullptr past max_listeners.
  listener_stats* listener(std::string_view name);
  // Registered listeners, in registration order.
  size_t listener_count() const { return listener_count_.load(std::memory_order_acquire); }
  const listener_stats& listener_at(size_t i) const { return listeners_[i]; }

 private:
  registry() = default;
  // The key's counters, made on first use (nullptr out of range).
  api_key_stats* key_stats(int16_t key);
  const api_key_stats* find_key(int16_t key) const {
    if (key < 0 || key >= max_api_keys) return nullptr;
    return keys_[static_cast<size_t>(key)].load(std::memory_order_acquire);
  }
  // Made per key at its first use, never freed (the registry never is):
  // zeroing the counters of every key and version at once, about 950 KB,
  // cost the first connection of every start ~3.5 ms of page faults here.
  std::array<std::atomic<api_key_stats*>, max_api_keys> keys_{};
  std::atomic<int64_t> connections_open_{0};
  std::atomic<uint64_t> connections_accepted_{0};
  std::atomic<uint64_t> unknown_requests_{0};
  std::array<time_histogram, max_api_keys> queue_times_{};
  time_histogram fsyncs_{};
  size_histogram group_commits_{};
  std::atomic<int64_t> parked_fetches_{0};
  std::atomic<int64_t> fetch_sessions_{0};
  std::atomic<int64_t> fetch_session_partitions_{0};
  std::atomic<uint64_t> fetch_session_evictions_{0};
  std::mutex listeners_mu_;  // registration only; counting and reading take no lock
  std::array<listener_stats, max_listeners> listeners_{};
  std::atomic<size_t> listener_count_{0};
};

// The queue time of one request frame (its first two bytes are the API key),
// handed to the handler thread at `queued`.
inline void record_queue_time(std::span<const uint8_t> frame, std::chrono::steady_clock::time_point queued) {
  if (frame.size() < 2) return;
  auto key = static_cast<int16_t>((frame[0] << 8) | frame[1]);
  auto waited = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - queued);
  registry::instance().record_queue_time(key, static_cast<uint64_t>(std::max<int64_t>(0, waited.count())));
}

}  // namespace samsa::metrics
