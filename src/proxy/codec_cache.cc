#include "proxy/codec_cache.h"

#include <algorithm>

namespace samsa::proxy {

codec_cache::slot::slot(const std::string& url, const std::string& authorization, size_t text_bytes)
    : codec(url, std::chrono::seconds(10), authorization), made(std::chrono::steady_clock::now()) {
  codec.limit_cache(text_bytes);
}

codec_cache::codec_cache(std::string registry_url, size_t max_codecs, std::chrono::steady_clock::duration lifetime,
                         size_t text_bytes)
    : url_(std::move(registry_url)), max_codecs_(max_codecs), lifetime_(lifetime), text_bytes_(text_bytes) {}

std::shared_ptr<codec_cache::slot> codec_cache::get(const std::string& authorization) {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  auto it = slots_.find(authorization);
  if (it != slots_.end() && now - it->second->made < lifetime_) return it->second;
  if (it == slots_.end() && slots_.size() >= max_codecs_) {
    // Full: the expired ones go, else the oldest.
    std::erase_if(slots_, [&](const auto& entry) { return now - entry.second->made >= lifetime_; });
    if (slots_.size() >= max_codecs_) {
      auto oldest = std::min_element(slots_.begin(), slots_.end(),
                                     [](const auto& a, const auto& b) { return a.second->made < b.second->made; });
      slots_.erase(oldest);
    }
  }
  auto made = std::make_shared<slot>(url_, authorization, text_bytes_);
  slots_[authorization] = made;
  return made;
}

size_t codec_cache::size() const {
  std::lock_guard lock(mu_);
  return slots_.size();
}

}  // namespace samsa::proxy
