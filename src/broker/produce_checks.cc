#include "broker/produce_checks.h"

#include <algorithm>

#include "base/saturating.h"
#include "record/batch_builder.h"
#include "record/errc.h"
#include "record/legacy_convert.h"
#include "record/split.h"
#include "record/validate.h"

namespace samsa::broker {

namespace {

std::optional<record::compression_type> target_codec(const std::string& compression_type) {
  if (compression_type == "uncompressed") return record::compression_type::none;
  if (compression_type == "gzip") return record::compression_type::gzip;
  if (compression_type == "snappy") return record::compression_type::snappy;
  if (compression_type == "lz4") return record::compression_type::lz4;
  if (compression_type == "zstd") return record::compression_type::zstd;
  return std::nullopt;  // "producer": keep what the producer sent
}

produce_check failure(const error& e, int32_t bad_record = -1) {
  produce_check out;
  out.code = static_cast<protocol::error_code>(record::kafka_error_code(e.code));
  out.message = e.message;
  if (out.code == protocol::error_code::invalid_record || out.code == protocol::error_code::invalid_timestamp) {
    out.record_errors.push_back({std::max(bad_record, 0), e.message});
  }
  return out;
}

produce_check failure(protocol::error_code code, std::string message) {
  produce_check out;
  out.code = code;
  out.message = std::move(message);
  return out;
}

// CreateTime topics bound how far a producer's timestamps may stray from the
// broker clock (message.timestamp.before/after.max.ms and the older
// difference.max.ms). Kafka applies the bounds to every record.
void timestamp_limits(const storage::log_config& config, int64_t now_ms, record::validate_options& options) {
  if (config.message_timestamp_type != storage::timestamp_type::create_time) return;
  int64_t before = std::min(config.message_timestamp_before_max_ms, config.message_timestamp_difference_max_ms);
  int64_t after = std::min(config.message_timestamp_after_max_ms, config.message_timestamp_difference_max_ms);
  if (before != storage::no_limit) options.min_record_timestamp = saturating_add(now_ms, -before);
  if (after != storage::no_limit) options.max_record_timestamp = saturating_add(now_ms, after);
}

}  // namespace

size_t produce_decompression_budget(size_t request_record_bytes) {
  size_t scaled = request_record_bytes > SIZE_MAX / decompression_budget_ratio
                      ? SIZE_MAX
                      : request_record_bytes * decompression_budget_ratio;
  return std::max(decompression_budget_floor, scaled);
}

// Kafka's LogValidator walks every record of every produced batch, whatever
// the codec (compressed ones are decompressed for it): it checks the record
// layout and offset deltas, every record's timestamp against the topic's
// limits, and that a compacted topic's records have keys; and it sets the
// batch's maxTimestamp to the largest record timestamp. The walk is cheap
// for uncompressed batches (no copy, no allocation); the CRC over the whole
// batch is the main per-byte cost and Kafka requires it too. Compressed
// batches are walked as they decompress, against the request's budget.
produce_check check_partition_records(std::span<uint8_t> records, const storage::log_config& config, int64_t now_ms,
                                      record::decompression_budget& budget) {
  auto batches = record::split_batches(records, record::split_mode::strict);
  if (!batches) return failure(batches.err());
  if (batches->empty()) return failure(protocol::error_code::invalid_record, "produce request carries no batches");
  // As Kafka: a v2 produce carries one batch per partition. The producer
  // fields, and the transactional and control bits, are those of that batch,
  // so nothing can ride behind a first, innocent one.
  if (batches->size() != 1) {
    return failure(protocol::error_code::invalid_record,
                   "a partition of a Produce request carries exactly one record batch, got " +
                       std::to_string(batches->size()));
  }
  const record::batch_view& batch = batches->front();
  if (static_cast<int64_t>(batch.bytes.size()) > config.max_message_bytes) {
    return failure(protocol::error_code::message_too_large,
                   "batch of " + std::to_string(batch.bytes.size()) + " bytes exceeds max.message.bytes=" +
                       std::to_string(config.max_message_bytes));
  }

  record::validate_options options;
  options.level = record::validation_level::framing;
  options.producer_rules = true;
  auto header = record::validate_batch(batch.bytes, options);
  if (!header) return failure(header.err());
  // A transactional batch is checked against the coordinator's state in the
  // append phase (broker/handlers/produce.cc): that needs broker state.

  options.level = record::validation_level::full;
  options.require_keys = config.cleanup_compact;
  options.budget = &budget;
  timestamp_limits(config, now_ms, options);
  record::record_scan scan;
  if (auto walked = record::validate_records(batch.bytes, *header, options, &scan); !walked) {
    return failure(walked.err(), scan.bad_record);
  }

  produce_check out;
  checked_batch& checked = out.batch;
  checked.header = *header;
  checked.decompressed_bytes = scan.decompressed_bytes;
  auto offset = static_cast<size_t>(batch.bytes.data() - records.data());
  checked.request_bytes = records.subspan(offset, batch.bytes.size());

  // As Kafka does: the stored maxTimestamp is the records' largest. The
  // bytes are the request's own (the caller lets us rewrite them); the CRC
  // is recomputed only in this rare case.
  if (header->ts_type() == record::timestamp_type::create_time && scan.max_timestamp != header->max_timestamp) {
    record::set_max_timestamp(checked.request_bytes, scan.max_timestamp);
    checked.header.max_timestamp = scan.max_timestamp;
    checked.header.crc = record::compute_crc(checked.request_bytes);
  }
  auto codec = target_codec(config.compression_type);
  if (codec && header->compression() != *codec) {
    // Decoding the records again costs no more than the walk already did.
    size_t plain_size = header->compression() == record::compression_type::none
                            ? batch.bytes.size() - record::batch_header_size
                            : scan.decompressed_bytes;
    auto recompressed = record::recompress_batch(checked.request_bytes, *codec, std::nullopt, plain_size);
    if (!recompressed) return failure(recompressed.err());
    auto rewritten_header = record::decode_header(*recompressed);
    if (!rewritten_header) return failure(rewritten_header.err());
    checked.header = *rewritten_header;
    checked.rewritten = std::move(*recompressed);
  }
  return out;
}

produce_check check_message_set(std::span<const uint8_t> records, std::vector<uint8_t>& converted,
                                const storage::log_config& config, int64_t now_ms,
                                record::decompression_budget& budget) {
  auto magic = record::peek_magic(records);
  if (magic && *magic >= record::current_magic) {
    return failure(protocol::error_code::unsupported_for_message_format,
                   "Produce v0-2 carries message format v0/v1; a record batch (magic " + std::to_string(*magic) +
                       ") needs Produce v3 or later");
  }
  auto up = record::legacy::upconvert_message_set(records, budget);
  if (!up) return failure(up.err());
  auto codec = target_codec(config.compression_type).value_or(up->source_codec);
  if (codec == record::compression_type::none) {
    converted = std::move(up->batch);
  } else {
    auto compressed = record::recompress_batch(up->batch, codec);
    if (!compressed) return failure(compressed.err());
    converted = std::move(*compressed);
  }
  // The wrappers' bytes were charged when they were opened; walking the
  // batch built from them again costs no more than that.
  record::decompression_budget walk(SIZE_MAX);
  return check_partition_records(converted, config, now_ms, walk);
}

void check_produce_request(std::span<partition_check> partitions, int64_t now_ms, size_t budget_bytes) {
  record::decompression_budget budget(budget_bytes);
  for (auto& p : partitions) {
    p.result = p.message_set ? check_message_set(p.records, p.converted, *p.config, now_ms, budget)
                             : check_partition_records(p.records, *p.config, now_ms, budget);
  }
}

}  // namespace samsa::broker
