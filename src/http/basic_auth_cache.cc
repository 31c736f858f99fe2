#include "http/basic_auth_cache.h"

#include "security/sasl/crypto.h"

namespace samsa::http {

basic_auth_cache::basic_auth_cache(size_t capacity, std::chrono::seconds ttl)
    : capacity_(capacity), ttl_(ttl), secret_(sasl::random_bytes(32)) {}

std::string basic_auth_cache::key_of(const std::string& user, const std::string& password) const {
  std::string text = user;
  text.push_back('\0');
  text += password;
  auto mac = sasl::hmac(sasl::hash_kind::sha256, secret_, text);
  return std::string(mac.begin(), mac.end());
}

std::optional<security::principal> basic_auth_cache::find(const std::string& user, const std::string& password,
                                                          const std::string& fingerprint, clock::time_point now) {
  std::string key = key_of(user, password);
  std::lock_guard lock(mu_);
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return std::nullopt;
  const entry& e = *it->second;
  // Expired, or the stored credentials changed since: forget it.
  if (now >= e.expires || !sasl::equal_constant_time(e.fingerprint, fingerprint)) {
    order_.erase(it->second);
    by_key_.erase(it);
    return std::nullopt;
  }
  return e.who;
}

void basic_auth_cache::put(const std::string& user, const std::string& password, const std::string& fingerprint,
                           const security::principal& who, clock::time_point now) {
  if (capacity_ == 0) return;
  std::string key = key_of(user, password);
  std::lock_guard lock(mu_);
  if (auto it = by_key_.find(key); it != by_key_.end()) {
    order_.erase(it->second);
    by_key_.erase(it);
  }
  while (order_.size() >= capacity_) {
    by_key_.erase(order_.front().key);
    order_.pop_front();
  }
  order_.push_back(entry{key, fingerprint, who, now + ttl_});
  by_key_[key] = std::prev(order_.end());
}

size_t basic_auth_cache::size() const {
  std::lock_guard lock(mu_);
  return order_.size();
}

}  // namespace samsa::http
