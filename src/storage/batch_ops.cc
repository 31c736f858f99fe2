// batch_ops over samsa::record: header decoding, CRC checks, in-place
// rewrites, and record-level decode/filter for time lookups and compaction.
#include "storage/batch_ops.h"

#include "record/batch_builder.h"
#include "record/batch_header.h"
#include "record/control_record.h"
#include "record/crc32c.h"
#include "record/record.h"
#include "record/validate.h"
#include "storage/errc.h"

namespace samsa::storage {

result<batch_info> peek_batch(std::span<const uint8_t> bytes) {
  auto h = record::decode_header(bytes);
  if (!h) return make_storage_error(errc::corrupt, h.err().message);
  if (h->last_offset_delta < 0 || h->record_count < 0)
    return make_storage_error(errc::corrupt, "batch header has a negative lastOffsetDelta or record count");
  batch_info b;
  b.base_offset = h->base_offset;
  b.size = static_cast<int32_t>(h->size_bytes());
  b.last_offset_delta = h->last_offset_delta;
  b.base_timestamp = h->base_timestamp;
  b.max_timestamp = h->max_timestamp;
  b.attributes = h->attributes;
  b.record_count = h->record_count;
  b.producer_id = h->producer_id;
  b.producer_epoch = h->producer_epoch;
  b.base_sequence = h->base_sequence;
  return b;
}

status check_batch(std::span<const uint8_t> batch) {
  record::validate_options opts;
  opts.level = record::validation_level::framing;
  auto h = record::validate_batch(batch, opts);
  if (!h) return make_storage_error(errc::corrupt, h.err().message);
  return {};
}

void set_base_offset(std::span<uint8_t> batch, int64_t base_offset) { record::set_base_offset(batch, base_offset); }

void set_partition_leader_epoch(std::span<uint8_t> batch, int32_t epoch) {
  record::set_partition_leader_epoch(batch, epoch);
}

void set_log_append_time(std::span<uint8_t> batch, int64_t now_ms) {
  auto h = record::decode_header(batch);
  if (!h) return;
  // The CRC helpers treat the span end as the batch end.
  record::set_log_append_time(batch.subspan(0, h->size_bytes()), now_ms);
}

uint32_t crc32c(std::span<const uint8_t> bytes) { return record::crc32c(bytes); }

result<std::optional<std::pair<int64_t, int64_t>>> find_record_at_or_after(std::span<const uint8_t> batch,
                                                                          int64_t ts, int64_t min_offset) {
  using out = std::optional<std::pair<int64_t, int64_t>>;
  auto reader = record::record_reader::open(batch);
  if (!reader) return make_storage_error(errc::corrupt, reader.err().message);
  record::record_view rv;
  while (true) {
    auto more = reader->next(rv);
    if (!more) return make_storage_error(errc::corrupt, more.err().message);
    if (!*more) return out{};
    if (rv.timestamp >= ts && rv.offset >= min_offset) return out(std::make_pair(rv.offset, rv.timestamp));
  }
}

result<std::vector<record_summary>> decode_records(std::span<const uint8_t> batch) {
  auto reader = record::record_reader::open(batch);
  if (!reader) return make_storage_error(errc::corrupt, reader.err().message);
  std::vector<record_summary> out;
  record::record_view rv;
  while (true) {
    auto more = reader->next(rv);
    if (!more) return make_storage_error(errc::corrupt, more.err().message);
    if (!*more) return out;
    record_summary s;
    s.offset = rv.offset;
    s.timestamp = rv.timestamp;
    if (rv.key) s.key.emplace(reinterpret_cast<const char*>(rv.key->data()), rv.key->size());
    s.tombstone = !rv.value.has_value();
    out.push_back(std::move(s));
  }
}

result<std::optional<std::vector<uint8_t>>> filter_batch(std::span<const uint8_t> batch,
                                                         const std::vector<bool>& keep) {
  using out = std::optional<std::vector<uint8_t>>;
  auto reader = record::record_reader::open(batch);
  if (!reader) return make_storage_error(errc::corrupt, reader.err().message);
  const record::batch_header& h = reader->header();
  record::batch_options o;
  o.compression = h.compression();
  o.ts_type = h.ts_type();
  o.base_offset = h.base_offset;
  o.partition_leader_epoch = h.partition_leader_epoch;
  o.producer_id = h.producer_id;
  o.producer_epoch = h.producer_epoch;
  o.base_sequence = h.base_sequence;
  o.transactional = h.is_transactional();
  o.control = h.is_control();
  // Same offset range and base timestamp as the original; with LogAppendTime
  // the header's max timestamp is the append time and must stay.
  o.base_timestamp = h.base_timestamp;
  o.last_offset_delta = h.last_offset_delta;
  if (h.ts_type() == record::timestamp_type::log_append_time) o.max_timestamp = h.max_timestamp;
  record::batch_builder builder(o);
  record::record_view rv;
  size_t i = 0;
  while (true) {
    auto more = reader->next(rv);
    if (!more) return make_storage_error(errc::corrupt, more.err().message);
    if (!*more) break;
    if (i < keep.size() && keep[i]) {
      if (auto s = builder.add(rv); !s) return make_storage_error(errc::corrupt, s.err().message);
    }
    ++i;
  }
  if (builder.record_count() == 0) return out{};
  auto built = builder.build();
  if (!built) return make_storage_error(errc::io_error, "rebuilding batch: " + built.err().message);
  return out(std::move(*built));
}

bool is_control_batch(const batch_info& b) { return (b.attributes & record::attr::control) != 0; }

bool uses_log_append_time(const batch_info& b) { return (b.attributes & record::attr::log_append_time) != 0; }

bool is_transactional_batch(const batch_info& b) { return (b.attributes & record::attr::transactional) != 0; }

result<std::optional<bool>> transaction_marker_of(std::span<const uint8_t> batch) {
  auto reader = record::record_reader::open(batch);
  if (!reader) return make_storage_error(errc::corrupt, reader.err().message);
  record::record_view rv;
  auto more = reader->next(rv);
  if (!more) return make_storage_error(errc::corrupt, more.err().message);
  if (!*more || !rv.key) return make_storage_error(errc::corrupt, "control batch without a control record key");
  auto key = record::decode_control_key(*rv.key);
  if (!key) return make_storage_error(errc::corrupt, "control record: " + key.err().message);
  if (!key->is_transaction_marker()) return std::optional<bool>{};
  return std::optional<bool>(key->type == static_cast<int16_t>(record::control_type::commit));
}

}  // namespace samsa::storage
