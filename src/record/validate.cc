#include "record/validate.h"

#include <string>

#include "record/record_stream.h"

namespace samsa::record {
namespace {

// Built only when a check fails: the happy path allocates nothing.
std::string where(const batch_header& h) { return "record batch at offset " + std::to_string(h.base_offset) + ": "; }

status check_header(const batch_header& h, std::span<const uint8_t> batch,
                    const validate_options& options) {
  if (batch.size() < h.size_bytes()) {
    return make_record_error(errc::corrupt_message,
                             where(h) + "truncated: batchLength says " + std::to_string(h.size_bytes()) +
                                 " bytes, only " + std::to_string(batch.size()) + " present");
  }
  if (batch.size() > h.size_bytes()) {
    return make_record_error(errc::corrupt_message,
                             where(h) + std::to_string(batch.size() - h.size_bytes()) + " bytes follow the batch");
  }
  uint32_t crc = compute_crc(batch);
  if (crc != h.crc) {
    return make_record_error(errc::corrupt_message, where(h) + "CRC mismatch (stored " + std::to_string(h.crc) +
                                                        ", computed " + std::to_string(crc) + ")");
  }
  if (static_cast<int>(h.compression()) > static_cast<int>(compression_type::zstd)) {
    return make_record_error(errc::unsupported_compression_type,
                             where(h) + "unknown compression codec " +
                                 std::to_string(static_cast<int>(h.compression())));
  }
  if (h.record_count < 0) {
    return make_record_error(errc::invalid_record, where(h) + "negative record count " + std::to_string(h.record_count));
  }
  if (h.last_offset_delta < 0) {
    return make_record_error(errc::invalid_record,
                             where(h) + "negative lastOffsetDelta " + std::to_string(h.last_offset_delta));
  }
  if (int64_t{h.record_count} > int64_t{h.last_offset_delta} + 1) {
    return make_record_error(errc::invalid_record, where(h) + std::to_string(h.record_count) +
                                                       " records cannot fit " +
                                                       std::to_string(int64_t{h.last_offset_delta} + 1) + " offsets");
  }
  size_t body = batch.size() - batch_header_size;
  if (h.compression() == compression_type::none && static_cast<size_t>(h.record_count) > body / min_record_size) {
    return make_record_error(errc::invalid_record, where(h) + std::to_string(h.record_count) +
                                                       " records cannot fit in " + std::to_string(body) + " bytes");
  }
  if (h.record_count == 0 && h.compression() == compression_type::none && body != 0) {
    return make_record_error(errc::invalid_record, where(h) + "empty batch carries " + std::to_string(body) + " bytes");
  }
  if (options.producer_rules) {
    if (h.record_count == 0 || int64_t{h.record_count} != int64_t{h.last_offset_delta} + 1) {
      return make_record_error(errc::invalid_record, where(h) + "recordsCount " + std::to_string(h.record_count) +
                                                         " does not match lastOffsetDelta " +
                                                         std::to_string(h.last_offset_delta));
    }
    // Control batches (transaction markers) are the broker's to write.
    if (h.is_control()) {
      return make_record_error(errc::invalid_record, where(h) + "clients may not write control batches");
    }
    if (h.is_transactional() && !h.has_producer_id()) {
      return make_record_error(errc::invalid_record, where(h) + "transactional batch without a producer id");
    }
    if (h.has_producer_id() && h.base_sequence < 0) {
      return make_record_error(errc::invalid_record, where(h) + "producer id " + std::to_string(h.producer_id) +
                                                         " with base sequence " + std::to_string(h.base_sequence));
    }
  }
  return {};
}

// The topic's per-record rules for one record; `index` is its position in the batch.
status check_record(const batch_header& h, const record_view& r, int32_t index, const validate_options& options) {
  if (options.require_keys && !r.key) {
    return make_record_error(errc::invalid_record, where(h) + "record " + std::to_string(index) +
                                                       " has no key, which a compacted topic requires");
  }
  if (h.ts_type() == timestamp_type::create_time && r.timestamp != -1 &&
      (r.timestamp < options.min_record_timestamp || r.timestamp > options.max_record_timestamp)) {
    return make_record_error(errc::invalid_timestamp,
                             where(h) + "record " + std::to_string(index) + " has timestamp " +
                                 std::to_string(r.timestamp) + ", outside the topic's accepted range [" +
                                 std::to_string(options.min_record_timestamp) + ", " +
                                 std::to_string(options.max_record_timestamp) + "]");
  }
  return {};
}

}  // namespace

result<batch_header> validate_batch(std::span<const uint8_t> batch, const validate_options& options,
                                    record_scan* scan) {
  auto header = decode_header(batch);
  if (!header) return header.err();
  auto checked = check_header(*header, batch, options);
  if (!checked) return checked.err();
  if (options.level == validation_level::framing) return header;
  if (auto walked = validate_records(batch, *header, options, scan); !walked) return walked.err();
  return header;
}

status validate_records(std::span<const uint8_t> batch, const batch_header& header, const validate_options& options,
                        record_scan* scan) {
  auto reader = record_stream::open(batch, options.max_decompressed_bytes, options.budget);
  if (!reader) return reader.err();
  record_view view;
  int64_t max_timestamp = -1;
  for (int32_t index = 0;; ++index) {
    auto more = reader->next(view);
    if (scan) scan->decompressed_bytes = reader->decompressed_bytes();
    if (!more) {
      if (scan) scan->bad_record = index;
      return more.err();
    }
    if (!*more) break;
    if (auto s = check_record(header, view, index, options); !s) {
      if (scan) scan->bad_record = index;
      return s.err();
    }
    if (view.timestamp > max_timestamp) max_timestamp = view.timestamp;
  }
  if (scan) scan->max_timestamp = max_timestamp;
  return {};
}

}  // namespace samsa::record
