#include "broker/produce_checks.h"

#include "record/batch_builder.h"
#include "record/errc.h"
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

produce_check failure(const error& e) {
  produce_check out;
  out.code = static_cast<protocol::error_code>(record::kafka_error_code(e.code));
  out.message = e.message;
  if (out.code == protocol::error_code::invalid_record) out.record_errors.push_back({0, e.message});
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
// difference.max.ms); the header's first and largest timestamps bound the rest.
std::optional<std::string> timestamp_problem(const record::batch_header& h, const storage::log_config& config,
                                             int64_t now_ms) {
  if (config.message_timestamp_type != storage::timestamp_type::create_time) return std::nullopt;
  int64_t before = std::min(config.message_timestamp_before_max_ms, config.message_timestamp_difference_max_ms);
  int64_t after = std::min(config.message_timestamp_after_max_ms, config.message_timestamp_difference_max_ms);
  for (int64_t ts : {h.base_timestamp, h.max_timestamp}) {
    if (ts < 0) continue;  // no timestamp given
    if (before != storage::no_limit && now_ms - ts > before) {
      return "timestamp " + std::to_string(ts) + " is more than " + std::to_string(before) +
             " ms before the broker's clock (message.timestamp.before.max.ms)";
    }
    if (after != storage::no_limit && ts - now_ms > after) {
      return "timestamp " + std::to_string(ts) + " is more than " + std::to_string(after) +
             " ms after the broker's clock (message.timestamp.after.max.ms)";
    }
  }
  return std::nullopt;
}

}  // namespace

produce_check check_produce_records(std::span<const uint8_t> records, const storage::log_config& config,
                                    int64_t now_ms) {
  auto batches = record::split_batches(records, record::split_mode::strict);
  if (!batches) return failure(batches.err());
  if (batches->empty()) return failure(protocol::error_code::invalid_record, "produce request carries no batches");

  record::validate_options options;
  options.level = record::validation_level::full;
  options.producer_rules = true;
  auto codec = target_codec(config.compression_type);
  bool rewrite = false;
  produce_check out;
  for (const auto& batch : *batches) {
    if (static_cast<int64_t>(batch.bytes.size()) > config.max_message_bytes) {
      return failure(protocol::error_code::message_too_large,
                     "batch of " + std::to_string(batch.bytes.size()) + " bytes exceeds max.message.bytes=" +
                         std::to_string(config.max_message_bytes));
    }
    auto header = record::validate_batch(batch.bytes, options);
    if (!header) return failure(header.err());
    if (auto problem = timestamp_problem(*header, config, now_ms)) {
      return failure(protocol::error_code::invalid_timestamp, *problem);
    }
    out.record_count += header->record_count;
    if (codec && header->compression() != *codec) rewrite = true;
  }
  if (rewrite) {
    std::vector<uint8_t> rewritten;
    rewritten.reserve(records.size());
    for (const auto& batch : *batches) {
      if (batch.header.compression() == *codec) {
        rewritten.insert(rewritten.end(), batch.bytes.begin(), batch.bytes.end());
        continue;
      }
      auto recompressed = record::recompress_batch(batch.bytes, *codec);
      if (!recompressed) return failure(recompressed.err());
      rewritten.insert(rewritten.end(), recompressed->begin(), recompressed->end());
    }
    out.rewritten = std::move(rewritten);
  }
  return out;
}

}  // namespace samsa::broker
