// Helpers shared by the record module's unit tests: sample records and
// hand-built legacy (magic 0/1) message sets.
#pragma once

#include <zlib.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/big_endian.h"
#include "record/batch_builder.h"
#include "record/record.h"

namespace samsa::record::testing {

inline bytes to_bytes(const std::string& s) { return bytes(s.begin(), s.end()); }

inline std::vector<record> sample_records(int n, int64_t base_offset = 0, int64_t base_ts = 1700000000000) {
  std::vector<record> out;
  for (int i = 0; i < n; ++i) {
    record r;
    r.offset = base_offset + i;
    r.timestamp = base_ts + i * 7 - (i % 3);  // not monotonic on purpose
    if (i % 4 != 1) r.key = to_bytes("key-" + std::to_string(i));
    if (i % 5 != 2) r.value = to_bytes("value " + std::string(static_cast<size_t>(i % 50), 'x'));
    if (i % 3 == 0) {
      r.headers.push_back({"h1", to_bytes("v" + std::to_string(i))});
      r.headers.push_back({"", std::nullopt});
    }
    out.push_back(std::move(r));
  }
  return out;
}

inline bytes build_or_die(const batch_options& options, const std::vector<record>& records) {
  auto b = build_batch(options, records);
  if (!b.ok()) throw std::runtime_error(b.err().message);
  return std::move(b).value();
}

// One message of the old formats: offset, size, crc (plain CRC-32 over magic..end),
// magic, attributes, [timestamp in v1], key, value.
inline bytes legacy_message(int8_t magic, int64_t offset, const std::string& key, const std::string& value) {
  bytes body;
  body.push_back(static_cast<uint8_t>(magic));
  body.push_back(0);  // attributes
  if (magic == 1) {
    uint8_t ts[8];
    big_endian::store_u64(ts, 1700000000000ULL);
    body.insert(body.end(), ts, ts + 8);
  }
  uint8_t len[4];
  big_endian::store_u32(len, static_cast<uint32_t>(key.size()));
  body.insert(body.end(), len, len + 4);
  body.insert(body.end(), key.begin(), key.end());
  big_endian::store_u32(len, static_cast<uint32_t>(value.size()));
  body.insert(body.end(), len, len + 4);
  body.insert(body.end(), value.begin(), value.end());

  bytes out(12 + 4);
  big_endian::store_u64(out.data(), static_cast<uint64_t>(offset));
  big_endian::store_u32(out.data() + 8, static_cast<uint32_t>(4 + body.size()));
  auto crc = static_cast<uint32_t>(::crc32(0, body.data(), static_cast<uInt>(body.size())));
  big_endian::store_u32(out.data() + 12, crc);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// snappy-java (xerial) framing of `plain`: magic, version, compatible version,
// then big-endian int32 block lengths each followed by a raw snappy block.
inline bytes xerial_snappy(const bytes& plain, size_t block_size = 32 * 1024) {
  bytes out = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1};
  for (size_t pos = 0; pos < plain.size(); pos += block_size) {
    size_t n = std::min(block_size, plain.size() - pos);
    auto block = compress(compression_type::snappy, std::span<const uint8_t>(plain).subspan(pos, n));
    if (!block.ok()) throw std::runtime_error(block.err().message);
    uint8_t len[4];
    big_endian::store_u32(len, static_cast<uint32_t>(block->size()));
    out.insert(out.end(), len, len + 4);
    out.insert(out.end(), block->begin(), block->end());
  }
  return out;
}

// Replaces the body of an uncompressed batch with `body` under codec `c`,
// fixing batchLength, attributes and the CRC.
inline bytes rewrap_batch(const bytes& batch, compression_type c, const bytes& body) {
  bytes out(batch.begin(), batch.begin() + batch_header_size);
  out.insert(out.end(), body.begin(), body.end());
  big_endian::store_u32(out.data() + field::batch_length,
                     static_cast<uint32_t>(out.size() - log_overhead));
  uint16_t attributes = big_endian::load_u16(out.data() + field::attributes);
  attributes = static_cast<uint16_t>((attributes & ~attr::compression_mask) | static_cast<int>(c));
  big_endian::store_u16(out.data() + field::attributes, attributes);
  recompute_crc(out);
  return out;
}

inline bytes legacy_message_set(int8_t magic) {
  bytes out = legacy_message(magic, 0, "k0", "hello");
  bytes second = legacy_message(magic, 1, "k1", "world, a slightly longer value");
  out.insert(out.end(), second.begin(), second.end());
  return out;
}

}  // namespace samsa::record::testing
