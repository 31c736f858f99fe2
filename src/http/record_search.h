// Search over a topic's records for the console: key/value substring, a JSON
// Pointer (RFC 6901) equality on the value parsed as JSON, a header match.
// Every search is bounded by a scan budget (records visited and bytes read);
// what it did not reach is handed back as per-partition positions, so the
// caller continues where it stopped (the reply streams in pages). The scan
// reads through partition_log::read_copy and runs on the worker pool.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "http/json_pointer.h"
#include "http/log_reader.h"

namespace samsa::storage {
class partition_log;
}

namespace samsa::http {

struct search_criteria {
  std::optional<std::string> key_contains;
  std::optional<std::string> value_contains;
  std::optional<json_pointer> pointer;     // with `equals`
  std::optional<std::string> pointer_text;  // as given, for the reply
  nlohmann::json equals;
  std::optional<std::string> header;       // a header with this name...
  std::optional<std::string> header_value;  // ...whose value contains this
};

struct search_budget {
  int64_t records = 10'000;    // records visited
  int64_t bytes = 16LL << 20;  // batch bytes read (checked before each read)
  int matches = 50;            // records returned
};

inline constexpr int64_t search_max_records = 1'000'000;
inline constexpr int64_t search_max_bytes = 256LL << 20;
inline constexpr int search_max_matches = 500;
// A stream sends each match as it is found, so it holds none: it may
// deliver more than a page, over a longer scan.
inline constexpr int stream_max_matches = 10'000;
inline constexpr int64_t stream_max_records = 10'000'000;
inline constexpr int64_t stream_max_bytes = 4LL << 30;

enum class search_mode {
  page,    // one reply: at least one criterion, search_max_* bounds
  stream,  // Server-Sent Events: no criterion = every record (a tail), stream_max_* bounds
};

// key=, value=, pointer= with equals= (JSON text), header= with optional
// header_value=, and the budget: max_records=, max_bytes=, limit= (clamped to
// the maxima of the mode). Errors name the parameter.
result<std::pair<search_criteria, search_budget>> parse_search_query(const std::map<std::string, std::string>& q,
                                                                     search_mode mode = search_mode::page);

// Whether one record satisfies every given criterion.
bool record_matches(const search_criteria& c, const read_record& r);

// Where to resume: partition -> next offset; partitions absent are done.
// Text form "P:O,P:O" (the reply's `cursor`).
using search_cursor = std::map<int32_t, int64_t>;
result<search_cursor> parse_search_cursor(std::string_view text);
std::string format_search_cursor(const search_cursor& c);

struct search_spent {
  int64_t records = 0;
  int64_t bytes = 0;
  int matches = 0;
  bool exhausted(const search_budget& b) const {
    return records >= b.records || bytes >= b.bytes || matches >= b.matches;
  }
};

struct partition_scan {
  int64_t next_offset = 0;  // the first record not looked at
  int64_t high_watermark = 0;
  bool done = false;  // reached the high watermark
};

// Scans one partition from `from` (raised to the log start) until its high
// watermark or until `spent` exhausts `budget`, appending matches.
result<partition_scan> search_partition(const storage::partition_log& log, int64_t from, const search_criteria& c,
                                        const search_budget& budget, search_spent& spent,
                                        std::vector<read_record>& matches);
// The same from where `walk` stands (a stream keeps its walks between scans).
result<partition_scan> search_partition(partition_records& walk, const search_criteria& c,
                                        const search_budget& budget, search_spent& spent,
                                        std::vector<read_record>& matches);

}  // namespace samsa::http
