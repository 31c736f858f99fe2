#include "http/log_reader.h"

#include "record/record.h"
#include "record/split.h"
#include "storage/partition_log.h"

namespace samsa::http {

namespace {

std::string as_text(std::span<const uint8_t> b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

constexpr int32_t chunk_bytes = 1 << 20;

}  // namespace

result<read_outcome> read_records(const storage::partition_log& log, int64_t from, const read_limits& limits) {
  read_outcome out;
  out.next_offset = from;
  int64_t returned_bytes = 0;
  int64_t scanned = 0;
  int64_t offset = from;
  for (;;) {
    int64_t hw = log.high_watermark();
    out.high_watermark = hw;
    if (offset >= hw || static_cast<int>(out.records.size()) >= limits.limit || scanned >= limits.max_scan_bytes) break;
    auto chunk = log.read_copy(offset, chunk_bytes, hw);
    if (!chunk) return chunk.err();
    out.log_start_offset = chunk->log_start_offset;
    if (chunk->bytes.empty()) break;
    scanned += static_cast<int64_t>(chunk->bytes.size());
    auto batches = record::split_batches(chunk->bytes, record::split_mode::lenient);
    if (!batches) return batches.err();
    for (const auto& batch : *batches) {
      if (batch.header.is_control()) {
        out.next_offset = std::max(out.next_offset, batch.header.next_offset());
        continue;
      }
      auto reader = record::record_reader::open(batch.bytes);
      if (!reader) return reader.err();
      record::record_view view;
      for (;;) {
        auto more = reader->next(view);
        if (!more) return more.err();
        if (!*more) break;
        if (view.offset < from) continue;
        if (static_cast<int>(out.records.size()) >= limits.limit || returned_bytes >= limits.max_bytes) {
          out.next_offset = view.offset;
          return out;
        }
        read_record r;
        r.offset = view.offset;
        r.timestamp = view.timestamp;
        r.log_append_time = batch.header.ts_type() == record::timestamp_type::log_append_time;
        if (view.key) r.key = as_text(*view.key);
        if (view.value) r.value = as_text(*view.value);
        for (const auto& h : view.headers) {
          r.headers.push_back({std::string(h.key), h.value ? std::optional(as_text(*h.value)) : std::nullopt});
        }
        returned_bytes += static_cast<int64_t>((r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0));
        out.records.push_back(std::move(r));
        out.next_offset = view.offset + 1;
      }
      out.next_offset = std::max(out.next_offset, batch.header.next_offset());
    }
    if (chunk->next_offset <= offset) break;  // no progress: stop rather than spin
    offset = chunk->next_offset;
  }
  return out;
}

std::optional<int64_t> first_timestamp_at(const storage::partition_log& log, int64_t offset) {
  read_limits one;
  one.limit = 1;
  one.max_scan_bytes = 8 << 20;
  auto r = read_records(log, std::max(offset, log.log_start_offset()), one);
  if (!r || r->records.empty()) return std::nullopt;
  return r->records.front().timestamp;
}

}  // namespace samsa::http
