#include "http/record_search.h"

#include <algorithm>
#include <charconv>

#include "base/json_depth.h"
#include "storage/partition_log.h"

namespace samsa::http {

namespace {

result<int64_t> positive_int(const std::map<std::string, std::string>& q, const std::string& name, int64_t fallback,
                             int64_t max) {
  auto it = q.find(name);
  if (it == q.end()) return fallback;
  int64_t v = 0;
  const auto& s = it->second;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v <= 0) {
    return make_error(std::errc::invalid_argument, name + " must be a positive integer, got '" + s + "'");
  }
  return std::min(v, max);
}

std::optional<std::string> given(const std::map<std::string, std::string>& q, const std::string& name) {
  auto it = q.find(name);
  if (it == q.end()) return std::nullopt;
  return it->second;
}

bool contains(const std::optional<std::string>& haystack, const std::string& needle) {
  return haystack && haystack->find(needle) != std::string::npos;
}

}  // namespace

result<std::pair<search_criteria, search_budget>> parse_search_query(const std::map<std::string, std::string>& q,
                                                                     search_mode mode) {
  const bool stream = mode == search_mode::stream;
  search_criteria c;
  search_budget b;
  c.key_contains = given(q, "key");
  c.value_contains = given(q, "value");
  c.header = given(q, "header");
  c.header_value = given(q, "header_value");
  if (c.header_value && !c.header) return make_error(std::errc::invalid_argument, "header_value needs header=NAME");
  auto pointer = given(q, "pointer");
  auto equals = given(q, "equals");
  if (pointer.has_value() != equals.has_value()) {
    return make_error(std::errc::invalid_argument, "pointer= and equals= go together (equals is JSON: 42, \"text\", true)");
  }
  if (pointer) {
    auto p = parse_json_pointer(*pointer);
    if (!p) return p.err();
    c.pointer = std::move(*p);
    c.pointer_text = *pointer;
    c.equals = parse_json_bounded<nlohmann::json>(*equals);
    if (c.equals.is_discarded()) {
      return make_error(std::errc::invalid_argument,
                        "equals must be JSON (a string is quoted: \"text\"), got '" + *equals + "'");
    }
  }
  if (!stream && !c.key_contains && !c.value_contains && !c.pointer && !c.header) {
    return make_error(std::errc::invalid_argument, "give at least one of key=, value=, pointer= with equals=, header=");
  }
  auto records = positive_int(q, "max_records", b.records, stream ? stream_max_records : search_max_records);
  if (!records) return records.err();
  auto bytes = positive_int(q, "max_bytes", b.bytes, stream ? stream_max_bytes : search_max_bytes);
  if (!bytes) return bytes.err();
  auto limit = positive_int(q, "limit", b.matches, stream ? stream_max_matches : search_max_matches);
  if (!limit) return limit.err();
  b.records = *records;
  b.bytes = *bytes;
  b.matches = static_cast<int>(*limit);
  return std::make_pair(std::move(c), b);
}

bool record_matches(const search_criteria& c, const read_record& r) {
  if (c.key_contains && !contains(r.key, *c.key_contains)) return false;
  if (c.value_contains && !contains(r.value, *c.value_contains)) return false;
  if (c.header) {
    bool found = std::any_of(r.headers.begin(), r.headers.end(), [&](const read_header& h) {
      return h.key == *c.header && (!c.header_value || contains(h.value, *c.header_value));
    });
    if (!found) return false;
  }
  if (c.pointer) {
    if (!r.value) return false;
    auto doc = parse_json_bounded<nlohmann::json>(*r.value);
    if (doc.is_discarded()) return false;
    const auto* at = resolve(*c.pointer, doc);
    if (!at || *at != c.equals) return false;
  }
  return true;
}

result<search_cursor> parse_search_cursor(std::string_view text) {
  search_cursor out;
  if (text.empty()) return out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    size_t colon = item.find(':');
    int32_t p = -1;
    int64_t o = -1;
    bool ok = colon != std::string_view::npos;
    if (ok) {
      auto [pe, pec] = std::from_chars(item.data(), item.data() + colon, p);
      auto [oe, oec] = std::from_chars(item.data() + colon + 1, item.data() + item.size(), o);
      ok = pec == std::errc() && pe == item.data() + colon && oec == std::errc() && oe == item.data() + item.size() &&
           p >= 0 && o >= 0 && !out.count(p);
    }
    if (!ok || out.size() >= 100'000) {
      return make_error(std::errc::invalid_argument,
                        "cursor is PARTITION:OFFSET[,...] as a search returned it; bad item '" + std::string(item) + "'");
    }
    out[p] = o;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string format_search_cursor(const search_cursor& c) {
  std::string out;
  for (const auto& [p, o] : c) {
    if (!out.empty()) out += ',';
    out += std::to_string(p) + ":" + std::to_string(o);
  }
  return out;
}

result<partition_scan> search_partition(const storage::partition_log& log, int64_t from, const search_criteria& c,
                                        const search_budget& budget, search_spent& spent,
                                        std::vector<read_record>& matches) {
  partition_records walk(log, std::max(from, log.log_start_offset()));
  return search_partition(walk, c, budget, spent, matches);
}

result<partition_scan> search_partition(partition_records& walk, const search_criteria& c,
                                        const search_budget& budget, search_spent& spent,
                                        std::vector<read_record>& matches) {
  partition_scan scan;
  for (;;) {
    scan.next_offset = walk.position();
    scan.high_watermark = walk.high_watermark();
    if (spent.records >= budget.records || spent.matches >= budget.matches) return scan;
    const int64_t before = walk.bytes_read();
    auto r = walk.next(budget.bytes - spent.bytes);
    if (!r) return r.err();
    spent.bytes += walk.bytes_read() - before;
    if (!*r) {
      scan.next_offset = walk.position();
      scan.high_watermark = walk.high_watermark();
      scan.done = walk.at_end();
      return scan;
    }
    ++spent.records;
    if (record_matches(c, **r)) {
      ++spent.matches;
      matches.push_back(std::move(**r));
    }
  }
}

}  // namespace samsa::http
