#include "broker/connection_limits.h"

#include "base/metrics.h"

namespace samsa::broker {

bool request_memory::try_acquire(int64_t bytes) {
  int64_t current = in_use_.load(std::memory_order_acquire);
  for (;;) {
    if (current != 0 && current + bytes > limit_) return false;
    if (in_use_.compare_exchange_weak(current, current + bytes, std::memory_order_acq_rel)) return true;
  }
}

connection_admission::place::~place() {
  if (listener_) listener_->open.fetch_sub(1, std::memory_order_relaxed);
  if (owner_) owner_->leave(ip_);
}

void connection_admission::place::count_on(metrics::listener_stats* listener) {
  if (listener_ || !listener) return;
  listener_ = listener;
  listener_->open.fetch_add(1, std::memory_order_relaxed);
  listener_->accepted.fetch_add(1, std::memory_order_relaxed);
}

std::unique_ptr<connection_admission::place> connection_admission::admit(const std::string& ip,
                                                                          std::string& refused_because) {
  std::lock_guard lock(mu_);
  if (total_ >= max_total_) {
    refused_because = "max.connections=" + std::to_string(max_total_) + " reached";
    return nullptr;
  }
  int32_t& from_ip = per_ip_[ip];
  if (from_ip >= max_per_ip_) {
    refused_because = "max.connections.per.ip=" + std::to_string(max_per_ip_) + " reached for " + ip;
    if (from_ip == 0) per_ip_.erase(ip);
    return nullptr;
  }
  ++from_ip;
  ++total_;
  metrics::registry::instance().connection_opened();
  return std::make_unique<place>(shared_from_this(), ip);
}

int32_t connection_admission::open() const {
  std::lock_guard lock(mu_);
  return total_;
}

void connection_admission::leave(const std::string& ip) {
  std::lock_guard lock(mu_);
  --total_;
  metrics::registry::instance().connection_closed();
  auto it = per_ip_.find(ip);
  if (it != per_ip_.end() && --it->second <= 0) per_ip_.erase(it);
}

}  // namespace samsa::broker
