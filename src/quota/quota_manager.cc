#include "quota/quota_manager.h"

#include <algorithm>
#include <cmath>

namespace samsa::quota {

std::optional<resolved_quota> resolve(const quota_table& table, quota_key key, const std::string& user,
                                      const std::string& client_id) {
  const std::string name = quota_key_names[static_cast<size_t>(key)];
  for (const auto& e : precedence(user, client_id)) {
    auto it = table.find(e);
    if (it == table.end()) continue;
    if (auto v = it->second.find(name); v != it->second.end()) return resolved_quota{e, v->second};
  }
  return std::nullopt;
}

quota_manager::rate_id quota_manager::rate_of(quota_key key, const std::string& user,
                                                             const std::string& client_id,
                                                             const resolved_quota& quota) const {
  return rate_id{key, quota.matched.user.present() ? user : std::string(),
                 quota.matched.client_id.present() ? client_id : std::string()};
}

std::optional<double> quota_manager::limit(quota_key key, const std::string& user, const std::string& client_id) const {
  auto quota = resolve(table_, key, user, client_id);
  if (!quota) return std::nullopt;
  return quota->limit;
}

void quota_manager::unrecord(quota_key key, const std::string& user, const std::string& client_id, double value,
                             int64_t now_ms) {
  auto quota = resolve(table_, key, user, client_id);
  if (!quota) return;
  auto it = rates_.find(rate_of(key, user, client_id, *quota));
  if (it == rates_.end()) return;
  it->second.record(-value, now_ms);
}

void quota_manager::expire_idle(int64_t now_ms) {
  const int64_t idle = static_cast<int64_t>(config_.samples) * config_.window_ms;
  if (now_ms - last_expiry_ms_ < config_.window_ms) return;  // at most once per window
  last_expiry_ms_ = now_ms;
  std::erase_if(rates_, [&](const auto& kv) { return now_ms - kv.second.last_record_ms() >= idle; });
}

int64_t quota_manager::record(quota_key key, const std::string& user, const std::string& client_id, double value,
                              int64_t now_ms) {
  expire_idle(now_ms);
  auto quota = resolve(table_, key, user, client_id);
  if (!quota) return 0;
  rate_id id = rate_of(key, user, client_id, *quota);
  auto it = rates_.try_emplace(id, config_).first;
  it->second.record(value, now_ms);
  const double rate = it->second.rate(now_ms);
  if (rate <= quota->limit) return 0;
  const int64_t span = it->second.span_ms(now_ms);
  const double throttle = (rate - quota->limit) / quota->limit * static_cast<double>(span);
  // As Kafka: a byte-rate throttle is the whole time the excess needs to
  // drain (capping it would let a large burst through unpaid); a
  // request-time throttle is capped at one window.
  int64_t ms = static_cast<int64_t>(std::llround(std::min(throttle, 1e15)));  // llround of a huge value is undefined
  if (key == quota_key::request_percentage) ms = std::min(ms, config_.window_ms);
  return ms;
}

}  // namespace samsa::quota
