#include "base/metrics.h"

#include <algorithm>

namespace samsa::metrics {

registry& registry::instance() {
  // Never destroyed: network and storage threads may record until the very end.
  static registry* r = new registry();
  return *r;
}

void registry::record_request(int16_t key, int16_t version, uint64_t request_bytes, uint64_t response_bytes,
                              uint64_t micros, bool failed) {
  api_version_stats* s = api(key, version);
  if (!s) {
    unknown_requests_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  s->requests.fetch_add(1, std::memory_order_relaxed);
  s->request_bytes.fetch_add(request_bytes, std::memory_order_relaxed);
  s->response_bytes.fetch_add(response_bytes, std::memory_order_relaxed);
  s->latency_micros.fetch_add(micros, std::memory_order_relaxed);
  double seconds = static_cast<double>(micros) / 1e6;
  size_t bucket = 0;
  while (bucket < latency_bounds_seconds.size() && seconds > latency_bounds_seconds[bucket]) ++bucket;
  s->latency_buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  if (failed) s->failed.fetch_add(1, std::memory_order_relaxed);
}

void registry::record_queue_time(int16_t key, uint64_t micros) {
  if (key < 0 || key >= max_api_keys) return;
  queue_times_[static_cast<size_t>(key)].observe(latency_bounds_seconds, static_cast<double>(micros) / 1e6, micros);
}

listener_stats* registry::listener(std::string_view name) {
  std::lock_guard lock(listeners_mu_);
  size_t n = listener_count_.load(std::memory_order_relaxed);
  for (size_t i = 0; i < n; ++i) {
    if (std::string_view(listeners_[i].name.data()) == name) return &listeners_[i];
  }
  if (n >= max_listeners) return nullptr;
  auto& slot = listeners_[n];
  name = name.substr(0, slot.name.size() - 1);
  std::copy(name.begin(), name.end(), slot.name.begin());
  listener_count_.store(n + 1, std::memory_order_release);  // the name is written before it is seen
  return &slot;
}

void registry::record_error(int16_t key, int16_t code) {
  if (key < 0 || key >= max_api_keys || code < min_error_code || code > max_error_code || code == 0) return;
  errors_[static_cast<size_t>(key)][static_cast<size_t>(code - min_error_code)].fetch_add(1,
                                                                                       std::memory_order_relaxed);
}

uint64_t registry::errors(int16_t key, int16_t code) const {
  if (key < 0 || key >= max_api_keys || code < min_error_code || code > max_error_code) return 0;
  return errors_[static_cast<size_t>(key)][static_cast<size_t>(code - min_error_code)].load(
      std::memory_order_relaxed);
}

}  // namespace samsa::metrics
