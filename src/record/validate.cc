#include "record/validate.h"

#include <string>

#include "record/record.h"

namespace samsa::record {
namespace {

constexpr size_t min_record_size = 7;

status check_header(const batch_header& h, std::span<const uint8_t> batch,
                    const validate_options& options) {
  std::string where = "record batch at offset " + std::to_string(h.base_offset) + ": ";
  if (batch.size() < h.size_bytes()) {
    return make_record_error(errc::corrupt_message,
                             where + "truncated: batchLength says " + std::to_string(h.size_bytes()) +
                                 " bytes, only " + std::to_string(batch.size()) + " present");
  }
  if (batch.size() > h.size_bytes()) {
    return make_record_error(errc::corrupt_message,
                             where + std::to_string(batch.size() - h.size_bytes()) +
                                 " bytes follow the batch");
  }
  uint32_t crc = compute_crc(batch);
  if (crc != h.crc) {
    return make_record_error(errc::corrupt_message,
                             where + "CRC mismatch (stored " + std::to_string(h.crc) + ", computed " +
                                 std::to_string(crc) + ")");
  }
  if (static_cast<int>(h.compression()) > static_cast<int>(compression_type::zstd)) {
    return make_record_error(errc::unsupported_compression_type,
                             where + "unknown compression codec " +
                                 std::to_string(static_cast<int>(h.compression())));
  }
  if (h.record_count < 0) {
    return make_record_error(errc::invalid_record,
                             where + "negative record count " + std::to_string(h.record_count));
  }
  if (h.last_offset_delta < 0) {
    return make_record_error(errc::invalid_record, where + "negative lastOffsetDelta " +
                                                       std::to_string(h.last_offset_delta));
  }
  if (int64_t{h.record_count} > int64_t{h.last_offset_delta} + 1) {
    return make_record_error(errc::invalid_record,
                             where + std::to_string(h.record_count) + " records cannot fit " +
                                 std::to_string(int64_t{h.last_offset_delta} + 1) + " offsets");
  }
  size_t body = batch.size() - batch_header_size;
  if (h.compression() == compression_type::none &&
      static_cast<size_t>(h.record_count) > body / min_record_size) {
    return make_record_error(errc::invalid_record,
                             where + std::to_string(h.record_count) + " records cannot fit in " +
                                 std::to_string(body) + " bytes");
  }
  if (h.record_count == 0 && h.compression() == compression_type::none && body != 0) {
    return make_record_error(errc::invalid_record,
                             where + "empty batch carries " + std::to_string(body) + " bytes");
  }
  if (options.producer_rules) {
    if (h.record_count == 0 || int64_t{h.record_count} != int64_t{h.last_offset_delta} + 1) {
      return make_record_error(errc::invalid_record,
                               where + "recordsCount " + std::to_string(h.record_count) +
                                   " does not match lastOffsetDelta " +
                                   std::to_string(h.last_offset_delta));
    }
    if (h.is_transactional() && !h.has_producer_id()) {
      return make_record_error(errc::invalid_record, where + "transactional batch without a producer id");
    }
    if (h.has_producer_id() && h.base_sequence < 0) {
      return make_record_error(errc::invalid_record,
                               where + "producer id " + std::to_string(h.producer_id) +
                                   " with base sequence " + std::to_string(h.base_sequence));
    }
  }
  return {};
}

}  // namespace

result<batch_header> validate_batch(std::span<const uint8_t> batch, const validate_options& options) {
  auto header = decode_header(batch);
  if (!header) return header.err();
  auto checked = check_header(*header, batch, options);
  if (!checked) return checked.err();
  if (options.level == validation_level::framing) return header;

  auto reader = record_reader::open(batch, options.max_decompressed_bytes);
  if (!reader) return reader.err();
  record_view view;
  for (;;) {
    auto more = reader->next(view);
    if (!more) return more.err();
    if (!*more) break;
  }
  return header;
}

}  // namespace samsa::record
