#include "http/log_reader.h"

#include <algorithm>

#include "storage/partition_log.h"

namespace samsa::http {

result<read_outcome> read_records(const storage::partition_log& log, int64_t from, const read_limits& limits) {
  read_outcome out;
  partition_records walk(log, from);
  int64_t returned_bytes = 0;
  while (static_cast<int>(out.records.size()) < limits.limit && returned_bytes < limits.max_bytes) {
    auto r = walk.next(limits.max_scan_bytes - walk.bytes_read());
    if (!r) return r.err();
    if (!*r) break;
    returned_bytes += static_cast<int64_t>(((*r)->key ? (*r)->key->size() : 0) + ((*r)->value ? (*r)->value->size() : 0));
    out.records.push_back(std::move(**r));
  }
  out.next_offset = walk.position();
  out.high_watermark = walk.high_watermark();
  out.log_start_offset = walk.log_start_offset();
  return out;
}

std::optional<int64_t> first_timestamp_at(const storage::partition_log& log, int64_t offset) {
  partition_records walk(log, std::max(offset, log.log_start_offset()));
  // A batch per read (one byte allowed: a read returns at least one whole
  // batch): past a few transaction markers, never over a whole log.
  for (int batches = 0; batches < 64; ++batches) {
    auto r = walk.next(1);
    if (!r) return std::nullopt;
    if (*r) return (*r)->timestamp;
    if (walk.at_end()) return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace samsa::http
