#include "http/start_position.h"

#include <charconv>

namespace samsa::http {

result<start_position> parse_start_position(const std::map<std::string, std::string>& q, start_position fallback) {
  auto from = q.find("from");
  auto offset = q.find("from_offset");
  auto timestamp = q.find("from_timestamp");
  int given = (from != q.end()) + (offset != q.end()) + (timestamp != q.end());
  if (given > 1) return make_error(std::errc::invalid_argument, "give one of from=, from_offset=, from_timestamp=");
  if (from != q.end()) {
    if (from->second == "earliest") return start_position{start_position::kind::earliest, 0};
    if (from->second == "latest") return start_position{start_position::kind::latest, 0};
    return make_error(std::errc::invalid_argument, "from is earliest or latest, got '" + from->second + "'");
  }
  auto number = [](const std::pair<const std::string, std::string>& item) -> result<int64_t> {
    int64_t v = -1;
    const auto& s = item.second;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v < 0)
      return make_error(std::errc::invalid_argument, item.first + " must be a non-negative integer, got '" + s + "'");
    return v;
  };
  if (offset != q.end()) {
    auto v = number(*offset);
    if (!v) return v.err();
    return start_position{start_position::kind::offset, *v};
  }
  if (timestamp != q.end()) {
    auto v = number(*timestamp);
    if (!v) return v.err();
    return start_position{start_position::kind::timestamp, *v};
  }
  return fallback;
}

}  // namespace samsa::http
