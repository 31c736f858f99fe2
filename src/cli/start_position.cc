#include "cli/start_position.h"

#include <ctime>

#include <fmt/format.h>

#include "client/kafka_error.h"

namespace samsa::cli {
namespace {

const char* const kHint =
    "use beginning, end, an offset (42), +N after the start, -N before the end, @TIME (@1700000000000, "
    "@2026-12-03T10:00, @-1h) or per partition 0=5,1=end";

samsa::error bad(const std::string& flag, const std::string& text) {
  return client::make_usage_error(flag, "\"" + text + "\" is not a position", kHint);
}

std::optional<int64_t> number(const std::string& s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// "2026-12-03T10:00", "2026-12-03T10:00:05Z", "2026-12-03" (UTC).
std::optional<int64_t> iso(const std::string& s) {
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  char tail[4] = {0};
  int n = std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%3s", &year, &month, &day, &hour, &minute, &second, tail);
  if (n < 3) return std::nullopt;
  if (n == 3 && s.size() != 10) return std::nullopt;
  if (n >= 7 && std::string(tail) != "Z") return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

result<int64_t> time_value(const std::string& flag, const std::string& text, const std::string& t, int64_t now_ms) {
  if (auto v = number(t)) return *v;
  if (t.size() >= 3 && t[0] == '-') {
    auto amount = number(t.substr(1, t.size() - 2));
    int64_t unit = 0;
    switch (t.back()) {
      case 's': unit = 1000; break;
      case 'm': unit = 60'000; break;
      case 'h': unit = 3'600'000; break;
      case 'd': unit = 86'400'000; break;
      default: break;
    }
    if (amount && unit > 0) return now_ms - *amount * unit;
  }
  if (auto v = iso(t)) return *v;
  return bad(flag, text);
}

result<start_position> parse_one(const std::string& text, int64_t now_ms) {
  using k = start_position::kind;
  if (text == "beginning" || text == "earliest" || text == "start") return start_position{k::beginning, 0};
  if (text == "end" || text == "latest") return start_position{k::end, 0};
  std::string t = text;
  if (t.rfind("s@", 0) == 0) t.erase(0, 1);  // kcat's spelling
  if (!t.empty() && t[0] == '@') {
    auto ts = time_value("--from", text, t.substr(1), now_ms);
    if (!ts) return ts.err();
    return start_position{k::timestamp, *ts};
  }
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
    auto n = number(t.substr(1));
    if (!n) return bad("--from", text);
    return start_position{t[0] == '+' ? k::after_start : k::before_end, *n};
  }
  if (auto n = number(t)) return start_position{k::offset, *n};
  return bad("--from", text);
}

}  // namespace

result<start_spec> parse_start(const std::string& text, int64_t now_ms) {
  start_spec spec;
  if (text.find('=') == std::string::npos) {
    auto one = parse_one(text, now_ms);
    if (!one) return one.err();
    spec.all = *one;
    return spec;
  }
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    auto eq = item.find('=');
    auto partition = number(item.substr(0, eq));
    if (eq == std::string::npos || !partition || *partition > INT32_MAX) return bad("--from", item);
    auto one = parse_one(item.substr(eq + 1), now_ms);
    if (!one) return one.err();
    spec.per_partition[static_cast<int32_t>(*partition)] = *one;
  }
  return spec;
}

result<int64_t> parse_time(const std::string& text, int64_t now_ms) {
  std::string t = text;
  if (t.rfind("e@", 0) == 0) t.erase(0, 1);  // kcat's spelling
  if (!t.empty() && t[0] == '@') t.erase(0, 1);
  return time_value("--until", text, t, now_ms);
}

resolved_start resolve_start(const start_position& p, const client::partition_offsets& o) {
  using k = start_position::kind;
  switch (p.what) {
    case k::beginning: return {o.earliest, {}};
    case k::end: return {o.latest, {}};
    case k::after_start: return {std::min(o.earliest + p.value, o.latest), {}};
    case k::before_end: return {std::max(o.latest - p.value, o.earliest), {}};
    case k::timestamp:
      if (o.at_timestamp && *o.at_timestamp >= 0) return {*o.at_timestamp, {}};
      return {o.latest, fmt::format("partition {} has no record at or after that time: starting at the end ({})",
                                    o.partition, o.latest)};
    case k::offset:
      if (p.value > o.latest)
        return {o.latest, fmt::format("partition {} ends at offset {}; offset {} is past the end: starting at the end "
                                      "(only new records)",
                                      o.partition, o.latest, p.value)};
      if (p.value < o.earliest)
        return {o.earliest, fmt::format("partition {} starts at offset {} (older records were deleted); starting there",
                                        o.partition, o.earliest)};
      return {p.value, {}};
  }
  return {o.earliest, {}};
}

}  // namespace samsa::cli
