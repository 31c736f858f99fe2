#include "base/metrics.h"

#include <algorithm>
#include <memory>

namespace samsa::metrics {

registry& registry::instance() {
  // Never destroyed: network and storage threads may record until the very end.
  static registry* r = new registry();
  return *r;
}

api_key_stats* registry::key_stats(int16_t key) {
  if (key < 0 || key >= max_api_keys) return nullptr;
  auto& slot = keys_[static_cast<size_t>(key)];
  api_key_stats* current = slot.load(std::memory_order_acquire);
  if (current != nullptr) return current;
  // Two threads may make one at once: the first to publish wins, the other
  // frees its own.
  auto made = std::make_unique<api_key_stats>();
  if (slot.compare_exchange_strong(current, made.get(), std::memory_order_acq_rel, std::memory_order_acquire))
    return made.release();
  return current;
}

void registry::record_request(int16_t key, int16_t version, uint64_t request_bytes, uint64_t response_bytes,
                              uint64_t micros, bool failed) {
  api_key_stats* k = version >= 0 && version < max_api_versions ? key_stats(key) : nullptr;
  if (!k) {
    unknown_requests_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  api_version_stats* s = &k->versions[static_cast<size_t>(version)];
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
  if (code < min_error_code || code > max_error_code || code == 0) return;
  if (api_key_stats* k = key_stats(key))
    k->errors[static_cast<size_t>(code - min_error_code)].fetch_add(1, std::memory_order_relaxed);
}

uint64_t registry::errors(int16_t key, int16_t code) const {
  if (code < min_error_code || code > max_error_code) return 0;
  const api_key_stats* k = find_key(key);
  return k ? k->errors[static_cast<size_t>(code - min_error_code)].load(std::memory_order_relaxed) : 0;
}

}  // namespace samsa::metrics
