#include "record/batch_header.h"

#include <cassert>
#include <string>

#include "base/big_endian.h"
#include "record/crc32c.h"

namespace samsa::record {

const char* to_string(compression_type c) {
  switch (c) {
    case compression_type::none: return "none";
    case compression_type::gzip: return "gzip";
    case compression_type::snappy: return "snappy";
    case compression_type::lz4: return "lz4";
    case compression_type::zstd: return "zstd";
  }
  return "unknown";
}

int32_t batch_header::last_sequence() const {
  if (base_sequence < 0) return -1;
  int64_t last = int64_t{base_sequence} + last_offset_delta;
  if (last > INT32_MAX) last -= int64_t{INT32_MAX} + 1;
  return static_cast<int32_t>(last);
}

result<int8_t> peek_magic(std::span<const uint8_t> data) {
  if (data.size() <= field::magic) {
    return make_record_error(errc::corrupt_message,
                             "record batch: " + std::to_string(data.size()) +
                                 " bytes is too short to hold the magic byte");
  }
  return static_cast<int8_t>(data[field::magic]);
}

result<batch_header> decode_header(std::span<const uint8_t> data) {
  auto magic = peek_magic(data);
  if (!magic) return magic.err();
  if (*magic == 0 || *magic == 1) {
    return make_record_error(errc::unsupported_for_message_format,
                             "record batch: magic " + std::to_string(*magic) +
                                 " message sets are not supported, only magic 2");
  }
  if (*magic != current_magic) {
    return make_record_error(errc::corrupt_message,
                             "record batch: unknown magic " + std::to_string(*magic));
  }
  if (data.size() < batch_header_size) {
    return make_record_error(errc::corrupt_message,
                             "record batch: header needs 61 bytes, have " +
                                 std::to_string(data.size()));
  }
  const uint8_t* p = data.data();
  batch_header h;
  h.base_offset = static_cast<int64_t>(big_endian::load_u64(p + field::base_offset));
  h.batch_length = static_cast<int32_t>(big_endian::load_u32(p + field::batch_length));
  h.partition_leader_epoch = static_cast<int32_t>(big_endian::load_u32(p + field::partition_leader_epoch));
  h.magic = static_cast<int8_t>(p[field::magic]);
  h.crc = big_endian::load_u32(p + field::crc);
  h.attributes = static_cast<int16_t>(big_endian::load_u16(p + field::attributes));
  h.last_offset_delta = static_cast<int32_t>(big_endian::load_u32(p + field::last_offset_delta));
  h.base_timestamp = static_cast<int64_t>(big_endian::load_u64(p + field::base_timestamp));
  h.max_timestamp = static_cast<int64_t>(big_endian::load_u64(p + field::max_timestamp));
  h.producer_id = static_cast<int64_t>(big_endian::load_u64(p + field::producer_id));
  h.producer_epoch = static_cast<int16_t>(big_endian::load_u16(p + field::producer_epoch));
  h.base_sequence = static_cast<int32_t>(big_endian::load_u32(p + field::base_sequence));
  h.record_count = static_cast<int32_t>(big_endian::load_u32(p + field::record_count));
  if (h.batch_length < min_batch_length) {
    return make_record_error(errc::corrupt_message,
                             "record batch at offset " + std::to_string(h.base_offset) +
                                 ": batchLength " + std::to_string(h.batch_length) +
                                 " is below the minimum 49");
  }
  return h;
}

void encode_header(const batch_header& h, std::span<uint8_t, batch_header_size> out) {
  uint8_t* p = out.data();
  big_endian::store_u64(p + field::base_offset, static_cast<uint64_t>(h.base_offset));
  big_endian::store_u32(p + field::batch_length, static_cast<uint32_t>(h.batch_length));
  big_endian::store_u32(p + field::partition_leader_epoch, static_cast<uint32_t>(h.partition_leader_epoch));
  p[field::magic] = static_cast<uint8_t>(h.magic);
  big_endian::store_u32(p + field::crc, h.crc);
  big_endian::store_u16(p + field::attributes, static_cast<uint16_t>(h.attributes));
  big_endian::store_u32(p + field::last_offset_delta, static_cast<uint32_t>(h.last_offset_delta));
  big_endian::store_u64(p + field::base_timestamp, static_cast<uint64_t>(h.base_timestamp));
  big_endian::store_u64(p + field::max_timestamp, static_cast<uint64_t>(h.max_timestamp));
  big_endian::store_u64(p + field::producer_id, static_cast<uint64_t>(h.producer_id));
  big_endian::store_u16(p + field::producer_epoch, static_cast<uint16_t>(h.producer_epoch));
  big_endian::store_u32(p + field::base_sequence, static_cast<uint32_t>(h.base_sequence));
  big_endian::store_u32(p + field::record_count, static_cast<uint32_t>(h.record_count));
}

uint32_t compute_crc(std::span<const uint8_t> batch) {
  assert(batch.size() >= batch_header_size);
  return crc32c(batch.subspan(field::attributes));
}

void set_base_offset(std::span<uint8_t> batch, int64_t base_offset) {
  assert(batch.size() >= batch_header_size);
  big_endian::store_u64(batch.data() + field::base_offset, static_cast<uint64_t>(base_offset));
}

void set_partition_leader_epoch(std::span<uint8_t> batch, int32_t epoch) {
  assert(batch.size() >= batch_header_size);
  big_endian::store_u32(batch.data() + field::partition_leader_epoch, static_cast<uint32_t>(epoch));
}

uint32_t recompute_crc(std::span<uint8_t> batch) {
  uint32_t crc = compute_crc(batch);
  big_endian::store_u32(batch.data() + field::crc, crc);
  return crc;
}

void set_max_timestamp(std::span<uint8_t> batch, int64_t max_timestamp) {
  assert(batch.size() >= batch_header_size);
  big_endian::store_u64(batch.data() + field::max_timestamp, static_cast<uint64_t>(max_timestamp));
  recompute_crc(batch);
}

void set_log_append_time(std::span<uint8_t> batch, int64_t append_time) {
  assert(batch.size() >= batch_header_size);
  uint8_t* p = batch.data();
  auto attributes = static_cast<uint16_t>(big_endian::load_u16(p + field::attributes) | attr::log_append_time);
  big_endian::store_u16(p + field::attributes, attributes);
  big_endian::store_u64(p + field::max_timestamp, static_cast<uint64_t>(append_time));
  recompute_crc(batch);
}

}  // namespace samsa::record
