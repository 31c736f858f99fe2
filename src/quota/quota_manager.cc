#include "quota/quota_manager.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

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
  std::string client;
  if (quota.matched.client_id.present()) {
    if (client_id.size() <= max_rate_key_client_bytes) {
      client = client_id;
    } else {
      // Cut to a prefix with the whole id's digest: two long ids that share
      // the prefix still get rates of their own (a digest collision only
      // makes two of one client's ids share a rate).
      client = fmt::format("{}#{:016x}#{}", client_id.substr(0, max_rate_key_client_bytes - 40),
                           std::hash<std::string>{}(client_id), client_id.size());
    }
  }
  return rate_id{key, quota.matched.user.present() ? user : std::string(), std::move(client)};
}

size_t quota_manager::key_bytes() const {
  size_t total = 0;
  for (const auto& [id, rate] : rates_) total += std::get<1>(id).size() + std::get<2>(id).size();
  return total;
}

sampled_rate* quota_manager::rate_for(const rate_id& id, quota_key key, bool create, int64_t now_ms) {
  if (auto it = rates_.find(id); it != rates_.end()) return &it->second;
  if (rates_.size() < max_tracked_rates_) {
    return create ? &rates_.try_emplace(id, config_).first->second : nullptr;
  }
  if (!create) {
    auto shared = overflow_.find(key);
    return shared == overflow_.end() ? nullptr : &shared->second;
  }
  if (last_overflow_log_ms_ < 0 || now_ms - last_overflow_log_ms_ >= 60'000) {
    last_overflow_log_ms_ = now_ms;
    spdlog::warn("client quotas: {} client rates tracked, the most kept; clients without a rate share one per "
                 "quota until idle rates expire",
                 rates_.size());
  }
  return &overflow_.try_emplace(key, config_).first->second;
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
  if (sampled_rate* rate = rate_for(rate_of(key, user, client_id, *quota), key, false, now_ms)) {
    rate->record(-value, now_ms);
  }
}

void quota_manager::expire_idle(int64_t now_ms) {
  const int64_t idle = static_cast<int64_t>(config_.samples) * config_.window_ms;
  if (now_ms - last_expiry_ms_ < config_.window_ms) return;  // at most once per window
  last_expiry_ms_ = now_ms;
  std::erase_if(rates_, [&](const auto& kv) { return now_ms - kv.second.last_record_ms() >= idle; });
  std::erase_if(overflow_, [&](const auto& kv) { return now_ms - kv.second.last_record_ms() >= idle; });
}

int64_t quota_manager::record(quota_key key, const std::string& user, const std::string& client_id, double value,
                              int64_t now_ms) {
  expire_idle(now_ms);
  auto quota = resolve(table_, key, user, client_id);
  if (!quota) return 0;
  sampled_rate& measured = *rate_for(rate_of(key, user, client_id, *quota), key, true, now_ms);
  measured.record(value, now_ms);
  const double rate = measured.rate(now_ms);
  if (rate <= quota->limit) return 0;
  const int64_t span = measured.span_ms(now_ms);
  const double throttle = (rate - quota->limit) / quota->limit * static_cast<double>(span);
  // As Kafka: a byte-rate throttle is the whole time the excess needs to
  // drain (capping it would let a large burst through unpaid); a
  // request-time throttle is capped at one window.
  int64_t ms = static_cast<int64_t>(std::llround(std::min(throttle, 1e15)));  // llround of a huge value is undefined
  if (key == quota_key::request_percentage) ms = std::min(ms, config_.window_ms);
  return ms;
}

}  // namespace samsa::quota
