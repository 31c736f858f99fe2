#include "proxy/proxy_settings.h"

#include <charconv>

namespace samsa::proxy {

namespace {

status read_number(const std::map<std::string, std::string>& raw, const std::string& key, int64_t lo, int64_t hi,
                   int64_t& out) {
  auto it = raw.find(key);
  if (it == raw.end()) return {};
  int64_t v = 0;
  const std::string& text = it->second;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi)
    return make_error(std::errc::invalid_argument,
                      key + ": a number from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got '" + text + "'");
  out = v;
  return {};
}

}  // namespace

result<proxy_settings> proxy_settings_from(const std::map<std::string, std::string>& raw) {
  proxy_settings s;
  if (auto it = raw.find("http.proxy.listeners"); it != raw.end()) {
    s.listener_explicit = true;
    if (it->second == "none" || it->second.empty()) s.listener.reset();
    else s.listener = it->second;
  }
  int64_t v = static_cast<int64_t>(s.max_request_bytes);
  if (auto st = read_number(raw, "http.proxy.max.request.bytes", 1024, 1LL << 30, v); !st) return st.err();
  s.max_request_bytes = static_cast<size_t>(v);
  v = static_cast<int64_t>(s.limits.max_records);
  if (auto st = read_number(raw, "http.proxy.max.records.per.request", 1, 1'000'000, v); !st) return st.err();
  s.limits.max_records = static_cast<size_t>(v);
  v = static_cast<int64_t>(s.stream_buffer_bytes);
  if (auto st = read_number(raw, "http.proxy.stream.buffer.bytes", 64 * 1024, 1LL << 30, v); !st) return st.err();
  s.stream_buffer_bytes = static_cast<size_t>(v);
  v = static_cast<int64_t>(s.max_instances);
  if (auto st = read_number(raw, "http.proxy.consumer.max.instances", 1, 100'000, v); !st) return st.err();
  s.max_instances = static_cast<size_t>(v);
  if (auto st = read_number(raw, "http.proxy.consumer.instance.timeout.ms", 100, 86'400'000, s.instance_timeout_ms); !st)
    return st.err();
  v = static_cast<int64_t>(s.max_records_per_fetch);
  if (auto st = read_number(raw, "http.proxy.consumer.max.records", 1, 1'000'000, v); !st) return st.err();
  s.max_records_per_fetch = static_cast<size_t>(v);
  if (auto st = read_number(raw, "http.proxy.consumer.max.bytes", 1024, 1LL << 30, s.max_fetch_bytes); !st)
    return st.err();
  if (auto it = raw.find("schema.registry.url"); it != raw.end()) s.registry_url = it->second;
  if (auto it = raw.find("schema.registry.basic.auth.user.info"); it != raw.end()) {
    if (it->second.find(':') == std::string::npos)
      return make_error(std::errc::invalid_argument,
                        "schema.registry.basic.auth.user.info must be USER:PASSWORD (no ':' in the value given)");
    s.registry_auth.user_info = it->second;
  }
  return s;
}

}  // namespace samsa::proxy
