#include "record/batch_builder.h"

#include <algorithm>
#include <climits>
#include <string>

#include "record/varint.h"

namespace samsa::record {
namespace {

using detail::append_varint;
using detail::append_varlong;

std::optional<std::span<const uint8_t>> as_span(const std::optional<bytes>& b) {
  if (!b) return std::nullopt;
  return std::span<const uint8_t>(*b);
}

bool fits_int32(size_t n) { return n <= static_cast<size_t>(INT32_MAX); }

void append_nullable(bytes& out, const std::optional<std::span<const uint8_t>>& field) {
  if (!field) {
    append_varint(out, -1);
    return;
  }
  append_varint(out, static_cast<int32_t>(field->size()));
  out.insert(out.end(), field->begin(), field->end());
}

}  // namespace

batch_builder::batch_builder(batch_options options) : options_(std::move(options)) {
  if (options_.delete_horizon_ms) {
    base_timestamp_ = options_.delete_horizon_ms;
  } else if (options_.base_timestamp) {
    base_timestamp_ = options_.base_timestamp;
  }
}

status batch_builder::add_encoded(int8_t attributes, int64_t offset, int64_t timestamp,
                                  std::optional<std::span<const uint8_t>> key,
                                  std::optional<std::span<const uint8_t>> value,
                                  const std::vector<header_ref>& headers) {
  if (offset <= last_offset_ || offset < options_.base_offset ||
      offset - options_.base_offset > INT32_MAX) {
    return make_record_error(errc::invalid_record,
                             "batch builder: offset " + std::to_string(offset) +
                                 " must increase and stay within int32 of base offset " +
                                 std::to_string(options_.base_offset));
  }
  if (count_ == INT32_MAX) return make_record_error(errc::invalid_record, "batch builder: too many records");
  if ((key && !fits_int32(key->size())) || (value && !fits_int32(value->size())) ||
      !fits_int32(headers.size())) {
    return make_record_error(errc::invalid_record, "batch builder: field larger than int32");
  }
  if (!base_timestamp_) base_timestamp_ = timestamp;
  auto delta_offset = static_cast<int32_t>(offset - options_.base_offset);
  auto delta_ts = static_cast<int64_t>(static_cast<uint64_t>(timestamp) -
                                       static_cast<uint64_t>(*base_timestamp_));

  bytes rec;
  rec.push_back(static_cast<uint8_t>(attributes));
  append_varlong(rec, delta_ts);
  append_varint(rec, delta_offset);
  append_nullable(rec, key);
  append_nullable(rec, value);
  append_varint(rec, static_cast<int32_t>(headers.size()));
  for (const auto& h : headers) {
    if (!fits_int32(h.key.size())) {
      return make_record_error(errc::invalid_record, "batch builder: header key larger than int32");
    }
    append_nullable(rec, h.key);
    append_nullable(rec, h.value);
  }
  if (!fits_int32(rec.size()) || !fits_int32(body_.size() + rec.size() + 5)) {
    return make_record_error(errc::invalid_record, "batch builder: batch larger than int32");
  }
  append_varint(body_, static_cast<int32_t>(rec.size()));
  body_.insert(body_.end(), rec.begin(), rec.end());

  max_timestamp_ = max_timestamp_ ? std::max(*max_timestamp_, timestamp) : timestamp;
  last_offset_ = offset;
  ++count_;
  return {};
}

status batch_builder::add(const record& r) {
  std::vector<header_ref> headers;
  headers.reserve(r.headers.size());
  for (const auto& h : r.headers) {
    headers.push_back({std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(h.key.data()), h.key.size()),
                       as_span(h.value)});
  }
  return add_encoded(r.attributes, r.offset, r.timestamp, as_span(r.key), as_span(r.value), headers);
}

status batch_builder::add(const record_view& r) {
  std::vector<header_ref> headers;
  headers.reserve(r.headers.size());
  for (const auto& h : r.headers) {
    headers.push_back({std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(h.key.data()), h.key.size()),
                       h.value});
  }
  return add_encoded(r.attributes, r.offset, r.timestamp, r.key, r.value, headers);
}

status batch_builder::append(int64_t timestamp, std::optional<std::span<const uint8_t>> key,
                             std::optional<std::span<const uint8_t>> value,
                             std::span<const record_header> headers) {
  std::vector<header_ref> refs;
  refs.reserve(headers.size());
  for (const auto& h : headers) {
    refs.push_back({std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(h.key.data()), h.key.size()),
                    as_span(h.value)});
  }
  return add_encoded(0, options_.base_offset + count_, timestamp, key, value, refs);
}

result<bytes> batch_builder::build() const {
  batch_header h;
  h.base_offset = options_.base_offset;
  h.partition_leader_epoch = options_.partition_leader_epoch;
  h.magic = current_magic;
  int attributes = static_cast<int>(options_.compression) & attr::compression_mask;
  if (options_.ts_type == timestamp_type::log_append_time) attributes |= attr::log_append_time;
  if (options_.transactional) attributes |= attr::transactional;
  if (options_.control) attributes |= attr::control;
  if (options_.delete_horizon_ms) attributes |= attr::delete_horizon;
  h.attributes = static_cast<int16_t>(attributes);
  int32_t last_delta = count_ == 0 ? 0 : static_cast<int32_t>(last_offset_ - options_.base_offset);
  h.last_offset_delta = options_.last_offset_delta.value_or(last_delta);
  if (h.last_offset_delta < last_delta) {
    return make_record_error(errc::invalid_record,
                             "batch builder: lastOffsetDelta " + std::to_string(h.last_offset_delta) +
                                 " is below the last record's delta " + std::to_string(last_delta));
  }
  h.base_timestamp = base_timestamp_.value_or(-1);
  h.max_timestamp = options_.max_timestamp.value_or(max_timestamp_.value_or(-1));
  h.producer_id = options_.producer_id;
  h.producer_epoch = options_.producer_epoch;
  h.base_sequence = options_.base_sequence;
  h.record_count = count_;

  bytes compressed;
  std::span<const uint8_t> body(body_);
  if (options_.compression != compression_type::none && count_ > 0) {
    auto c = compress(options_.compression, body_, options_.compression_level);
    if (!c) return c.err();
    compressed = std::move(*c);
    body = compressed;
  }
  if (body.size() > static_cast<size_t>(INT32_MAX) - min_batch_length) {
    return make_record_error(errc::invalid_record, "batch builder: batch larger than int32");
  }
  h.batch_length = static_cast<int32_t>(min_batch_length + body.size());

  bytes out(batch_header_size + body.size());
  std::copy(body.begin(), body.end(), out.begin() + batch_header_size);
  encode_header(h, std::span<uint8_t, batch_header_size>(out.data(), batch_header_size));
  recompute_crc(out);
  return out;
}

result<bytes> build_batch(const batch_options& options, std::span<const record> records) {
  batch_builder builder(options);
  for (const auto& r : records) {
    auto st = builder.add(r);
    if (!st) return st.err();
  }
  return builder.build();
}

}  // namespace samsa::record

namespace samsa::record {

batch_options options_from_header(const batch_header& h) {
  batch_options o;
  o.compression = h.compression();
  o.ts_type = h.ts_type();
  o.base_offset = h.base_offset;
  o.partition_leader_epoch = h.partition_leader_epoch;
  o.producer_id = h.producer_id;
  o.producer_epoch = h.producer_epoch;
  o.base_sequence = h.base_sequence;
  o.transactional = h.is_transactional();
  o.control = h.is_control();
  if (h.has_delete_horizon()) {
    o.delete_horizon_ms = h.base_timestamp;
  } else {
    o.base_timestamp = h.base_timestamp;
  }
  o.max_timestamp = h.max_timestamp;
  o.last_offset_delta = h.last_offset_delta;
  return o;
}

result<bytes> recompress_batch(std::span<const uint8_t> batch, compression_type target,
                               std::optional<int> level, size_t max_decompressed_bytes) {
  auto reader = record_reader::open(batch, max_decompressed_bytes);
  if (!reader) return reader.err();
  const batch_header& h = reader->header();
  batch_options o = options_from_header(h);
  o.compression = target;
  o.compression_level = level;
  batch_builder builder(o);
  record_view view;
  for (;;) {
    auto more = reader->next(view);
    if (!more) return more.err();
    if (!*more) break;
    // The record's own timestamp, not the LogAppendTime override, so the
    // encoded delta stays what the producer wrote.
    view.timestamp = static_cast<int64_t>(static_cast<uint64_t>(h.base_timestamp) +
                                          static_cast<uint64_t>(view.timestamp_delta));
    auto st = builder.add(view);
    if (!st) return st.err();
  }
  return builder.build();
}

}  // namespace samsa::record
