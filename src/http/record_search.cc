#include "http/record_search.h"

#include <algorithm>
#include <charconv>

#include "record/record.h"
#include "record/split.h"
#include "storage/partition_log.h"

namespace samsa::http {

namespace {

constexpr int32_t chunk_bytes = 1 << 20;

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

result<std::pair<search_criteria, search_budget>> parse_search_query(const std::map<std::string, std::string>& q) {
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
    c.equals = nlohmann::json::parse(*equals, nullptr, false);
    if (c.equals.is_discarded()) {
      return make_error(std::errc::invalid_argument,
                        "equals must be JSON (a string is quoted: \"text\"), got '" + *equals + "'");
    }
  }
  if (!c.key_contains && !c.value_contains && !c.pointer && !c.header) {
    return make_error(std::errc::invalid_argument, "give at least one of key=, value=, pointer= with equals=, header=");
  }
  auto records = positive_int(q, "max_records", b.records, search_max_records);
  if (!records) return records.err();
  auto bytes = positive_int(q, "max_bytes", b.bytes, search_max_bytes);
  if (!bytes) return bytes.err();
  auto limit = positive_int(q, "limit", b.matches, search_max_matches);
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
    auto doc = nlohmann::json::parse(*r.value, nullptr, false);
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
  partition_scan scan;
  scan.next_offset = std::max(from, log.log_start_offset());
  auto text = [](std::span<const uint8_t> b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); };
  for (;;) {
    int64_t hw = log.high_watermark();
    scan.high_watermark = hw;
    if (scan.next_offset >= hw) {
      scan.done = true;
      return scan;
    }
    if (spent.exhausted(budget)) return scan;
    // The byte budget is checked before each read; a read returns at least
    // one whole batch, so a search may read one batch past it.
    int32_t want = static_cast<int32_t>(std::clamp<int64_t>(budget.bytes - spent.bytes, 1, chunk_bytes));
    const int64_t at = scan.next_offset;
    auto chunk = log.read_copy(at, want, hw);
    if (!chunk) return chunk.err();
    if (chunk->bytes.empty()) {
      scan.done = true;  // nothing below the high watermark from here (an empty tail)
      return scan;
    }
    spent.bytes += static_cast<int64_t>(chunk->bytes.size());
    auto batches = record::split_batches(chunk->bytes, record::split_mode::lenient);
    if (!batches) return batches.err();
    for (const auto& batch : *batches) {
      if (batch.header.is_control()) {
        scan.next_offset = std::max(scan.next_offset, batch.header.next_offset());
        continue;
      }
      auto reader = record::record_reader::open(batch.bytes);
      if (!reader) return reader.err();
      record::record_view view;
      for (;;) {
        auto more = reader->next(view);
        if (!more) return more.err();
        if (!*more) break;
        if (view.offset < scan.next_offset) continue;
        if (spent.records >= budget.records || spent.matches >= budget.matches) return scan;
        ++spent.records;
        read_record r;
        r.offset = view.offset;
        r.timestamp = view.timestamp;
        r.log_append_time = batch.header.ts_type() == record::timestamp_type::log_append_time;
        if (view.key) r.key = text(*view.key);
        if (view.value) r.value = text(*view.value);
        for (const auto& h : view.headers)
          r.headers.push_back({std::string(h.key), h.value ? std::optional(text(*h.value)) : std::nullopt});
        scan.next_offset = view.offset + 1;
        if (record_matches(c, r)) {
          ++spent.matches;
          matches.push_back(std::move(r));
        }
      }
      scan.next_offset = std::max(scan.next_offset, batch.header.next_offset());
    }
    if (chunk->next_offset <= at) {
      return make_error(std::errc::io_error, "partition " + std::to_string(log.partition()) +
                                                 ": no progress reading at offset " + std::to_string(at));
    }
    scan.next_offset = std::max(scan.next_offset, chunk->next_offset);
  }
}

}  // namespace samsa::http
