#include "record/legacy_message.h"

#include <zlib.h>

#include <algorithm>
#include <string>

#include "base/big_endian.h"

namespace samsa::record::legacy {
namespace {

samsa::error corrupt(const std::string& what) { return make_record_error(errc::corrupt_message, what); }

std::string at(size_t position) { return " (message set byte " + std::to_string(position) + ")"; }

// ---- xxHash32, which the LZ4 frame header checksum uses ----

constexpr uint32_t prime1 = 2654435761U;
constexpr uint32_t prime2 = 2246822519U;
constexpr uint32_t prime3 = 3266489917U;
constexpr uint32_t prime4 = 668265263U;
constexpr uint32_t prime5 = 374761393U;

uint32_t rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
uint32_t le32(const uint8_t* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

uint32_t xxh32(std::span<const uint8_t> in, uint32_t seed) {
  const uint8_t* p = in.data();
  const uint8_t* end = p + in.size();
  uint32_t h;
  if (in.size() >= 16) {
    uint32_t v[4] = {seed + prime1 + prime2, seed + prime2, seed, seed - prime1};
    while (end - p >= 16) {
      for (auto& lane : v) {
        lane = rotl(lane + le32(p) * prime2, 13) * prime1;
        p += 4;
      }
    }
    h = rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18);
  } else {
    h = seed + prime5;
  }
  h += static_cast<uint32_t>(in.size());
  while (end - p >= 4) {
    h = rotl(h + le32(p) * prime3, 17) * prime4;
    p += 4;
  }
  while (p < end) {
    h = rotl(h + uint32_t{*p} * prime5, 11) * prime1;
    ++p;
  }
  h ^= h >> 15;
  h *= prime2;
  h ^= h >> 13;
  h *= prime3;
  h ^= h >> 16;
  return h;
}

constexpr size_t lz4_magic_size = 4;

// Length of the frame descriptor (FLG .. before HC), or 0 when `frame` is
// too short to hold it.
size_t lz4_descriptor_size(std::span<const uint8_t> frame) {
  if (frame.size() < lz4_magic_size + 3) return 0;
  uint8_t flg = frame[lz4_magic_size];
  size_t size = 2 + ((flg & 0x08) ? 8 : 0) + ((flg & 0x01) ? 4 : 0);
  return frame.size() > lz4_magic_size + size ? size : 0;
}

// A copy of a magic 0 LZ4 frame whose header checksum is the one the LZ4
// library checks: Kafka before KIP-57 hashed the frame magic too, and old
// producers still write that. Either checksum is accepted.
result<bytes> repair_pre_kip57_frame(std::span<const uint8_t> frame) {
  size_t descriptor = lz4_descriptor_size(frame);
  if (descriptor == 0) return corrupt("lz4 wrapper: frame header truncated");
  auto wrong = lz4_header_checksum(frame, true);
  auto right = lz4_header_checksum(frame, false);
  if (!wrong || !right) return corrupt("lz4 wrapper: frame header truncated");
  uint8_t stored = frame[lz4_magic_size + descriptor];
  bytes copy(frame.begin(), frame.end());
  if (stored == *wrong) copy[lz4_magic_size + descriptor] = *right;
  return copy;
}

}  // namespace

uint32_t crc32_ieee(std::span<const uint8_t> data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib counts in uInt: feed it in pieces.
  while (!data.empty()) {
    size_t n = std::min<size_t>(data.size(), size_t{1} << 30);
    crc = crc32(crc, data.data(), static_cast<uInt>(n));
    data = data.subspan(n);
  }
  return static_cast<uint32_t>(crc);
}

result<uint8_t> lz4_header_checksum(std::span<const uint8_t> frame, bool pre_kip57) {
  size_t descriptor = lz4_descriptor_size(frame);
  if (descriptor == 0) return corrupt("lz4 frame header truncated");
  auto hashed = pre_kip57 ? frame.first(lz4_magic_size + descriptor) : frame.subspan(lz4_magic_size, descriptor);
  return static_cast<uint8_t>((xxh32(hashed, 0) >> 8) & 0xff);
}

result<parsed_set> parse_message_set(std::span<const uint8_t> data, trailing_bytes trailing) {
  parsed_set out;
  size_t pos = 0;
  while (pos < data.size()) {
    std::span<const uint8_t> rest = data.subspan(pos);
    auto partial = [&](const std::string& what) -> result<parsed_set> {
      if (trailing == trailing_bytes::allow) {
        out.valid_bytes = pos;
        return std::move(out);
      }
      return corrupt("message set ends inside a message: " + what + at(pos));
    };
    if (rest.size() < log_overhead) return partial("no room for offset and size");
    int64_t offset = big_endian::load<int64_t>(rest.data());
    int32_t size = big_endian::load<int32_t>(rest.data() + 8);
    if (size < static_cast<int32_t>(header_size_v0)) {
      return corrupt("message size " + std::to_string(size) + " is below the smallest message (" +
                     std::to_string(header_size_v0) + ")" + at(pos));
    }
    if (rest.size() - log_overhead < static_cast<size_t>(size)) {
      return partial("declares " + std::to_string(size) + " bytes, " + std::to_string(rest.size() - log_overhead) +
                     " present");
    }
    std::span<const uint8_t> body = rest.subspan(log_overhead, static_cast<size_t>(size));
    message m;
    m.offset = offset;
    m.entry = rest.first(log_overhead + static_cast<size_t>(size));
    uint32_t stored_crc = big_endian::load<uint32_t>(body.data());
    m.magic = static_cast<int8_t>(body[4]);
    if (m.magic != 0 && m.magic != 1) {
      return corrupt("message magic " + std::to_string(m.magic) + " in a v0/v1 message set" + at(pos));
    }
    if (body.size() < header_size(m.magic)) {
      return corrupt("message of " + std::to_string(size) + " bytes is below the magic " +
                     std::to_string(m.magic) + " header size" + at(pos));
    }
    uint32_t computed = crc32_ieee(body.subspan(4));
    if (computed != stored_crc) {
      return corrupt("message CRC mismatch: stored " + std::to_string(stored_crc) + ", computed " +
                     std::to_string(computed) + at(pos));
    }
    m.attributes = static_cast<int8_t>(body[5]);
    size_t field = 6;
    if (m.magic == 1) {
      m.timestamp = big_endian::load<int64_t>(body.data() + field);
      field += 8;
    }
    // Key then value, each an int32 length (-1 = null) and its bytes.
    for (auto* slot : {&m.key, &m.value}) {
      if (body.size() - field < 4) return corrupt("message ends inside a length field" + at(pos));
      int32_t len = big_endian::load<int32_t>(body.data() + field);
      field += 4;
      if (len < -1) return corrupt("negative length " + std::to_string(len) + at(pos));
      if (len == -1) continue;
      if (body.size() - field < static_cast<size_t>(len)) {
        return corrupt("length " + std::to_string(len) + " runs past the message's end" + at(pos));
      }
      *slot = body.subspan(field, static_cast<size_t>(len));
      field += static_cast<size_t>(len);
    }
    if (field != body.size()) {
      return corrupt("message has " + std::to_string(body.size() - field) + " bytes after its value" + at(pos));
    }
    out.messages.push_back(m);
    pos += m.entry.size();
  }
  out.valid_bytes = pos;
  return out;
}

result<std::vector<message>> open_wrapper(const message& wrapper, bytes& storage, size_t max_output,
                                          decompression_budget* budget) {
  compression_type codec = wrapper.codec();
  if (codec == compression_type::zstd) {
    return make_record_error(errc::unsupported_compression_type, "zstd does not exist in message format v0/v1");
  }
  if (static_cast<int>(codec) > static_cast<int>(compression_type::zstd)) {
    return make_record_error(errc::unsupported_compression_type,
                             "unknown codec " + std::to_string(static_cast<int>(codec)) + " in a v0/v1 message");
  }
  if (!wrapper.value) return corrupt("compressed wrapper message has a null value");
  size_t limit = max_output;
  bool budget_bound = false;
  if (budget && budget->remaining() < limit) {
    limit = budget->remaining();
    budget_bound = true;
  }
  std::span<const uint8_t> compressed = *wrapper.value;
  bytes repaired;
  if (codec == compression_type::lz4 && wrapper.magic == 0) {
    auto fixed = repair_pre_kip57_frame(compressed);
    if (!fixed) return fixed.err();
    repaired = std::move(*fixed);
    compressed = repaired;
  }
  auto plain = decompress(codec, compressed, limit);
  if (!plain) {
    if (budget_bound && plain.err().code == make_error_code(errc::message_too_large)) {
      if (budget) budget->charge(budget->remaining() + 1);  // spent: later wrappers fail too
      return make_record_error(errc::invalid_record,
                               "compressed wrapper at offset " + std::to_string(wrapper.offset) +
                                   ": the request's decompression budget of " + std::to_string(budget->limit()) +
                                   " bytes is spent");
    }
    return samsa::error(plain.err().code, "compressed wrapper at offset " + std::to_string(wrapper.offset) + ": " +
                                              plain.err().message);
  }
  if (budget && !budget->charge(plain->size())) {
    return make_record_error(errc::invalid_record, "the request's decompression budget is spent");
  }
  storage = std::move(*plain);
  auto inner = parse_message_set(storage, trailing_bytes::refuse);
  if (!inner) {
    return corrupt("inside the wrapper at offset " + std::to_string(wrapper.offset) + ": " + inner.err().message);
  }
  if (inner->messages.empty()) return corrupt("compressed wrapper holds no messages");
  for (const message& m : inner->messages) {
    if (m.magic != wrapper.magic) {
      return corrupt("inner message magic " + std::to_string(m.magic) + " inside a magic " +
                     std::to_string(wrapper.magic) + " wrapper");
    }
    if (m.codec() != compression_type::none) return corrupt("a compressed message inside a compressed wrapper");
  }
  return std::move(inner->messages);
}

void absolute_offsets(const message& wrapper, std::span<message> inner) {
  if (wrapper.magic == 0 || inner.empty()) return;
  int64_t base = wrapper.offset - inner.back().offset;
  for (message& m : inner) m.offset += base;
}

void append_message(bytes& out, int8_t magic, int64_t offset, int8_t attributes, int64_t timestamp,
                    std::optional<std::span<const uint8_t>> key, std::optional<std::span<const uint8_t>> value) {
  size_t size = header_size(magic) + (key ? key->size() : 0) + (value ? value->size() : 0);
  size_t start = out.size();
  out.resize(start + log_overhead + size);
  uint8_t* p = out.data() + start;
  big_endian::store<int64_t>(p, offset);
  big_endian::store<int32_t>(p + 8, static_cast<int32_t>(size));
  uint8_t* body = p + log_overhead;
  body[4] = static_cast<uint8_t>(magic);
  body[5] = static_cast<uint8_t>(attributes);
  size_t field = 6;
  if (magic == 1) {
    big_endian::store<int64_t>(body + field, timestamp);
    field += 8;
  }
  for (const auto& slot : {key, value}) {
    big_endian::store<int32_t>(body + field, slot ? static_cast<int32_t>(slot->size()) : -1);
    field += 4;
    if (slot && !slot->empty()) {
      std::copy(slot->begin(), slot->end(), body + field);
      field += slot->size();
    }
  }
  big_endian::store<uint32_t>(body, crc32_ieee(std::span<const uint8_t>(body + 4, size - 4)));
}

status append_wrapper(bytes& out, int8_t magic, compression_type codec, int64_t offset, int64_t timestamp,
                      bool log_append_time, std::span<const uint8_t> inner_set) {
  if (codec == compression_type::none || codec == compression_type::zstd) {
    return make_record_error(errc::unsupported_compression_type,
                             std::string("no message format v0/v1 wrapper for codec ") + to_string(codec));
  }
  // gzip at its fastest level: a down-conversion's cost is the broker's, per
  // fetch, and readers take any level (the default one runs ~3x slower).
  auto compressed = compress(codec, inner_set, codec == compression_type::gzip ? std::optional<int>(1) : std::nullopt);
  if (!compressed) return compressed.err();
  if (codec == compression_type::lz4 && magic == 0) {
    // Old (pre-KIP-57) readers check the checksum they themselves computed.
    size_t descriptor = lz4_descriptor_size(*compressed);
    auto wrong = lz4_header_checksum(*compressed, true);
    if (descriptor == 0 || !wrong) return make_record_error(errc::compression_failed, "lz4 frame without header");
    (*compressed)[lz4_magic_size + descriptor] = *wrong;
  }
  int8_t attributes = static_cast<int8_t>(static_cast<int8_t>(codec) |
                                          (magic == 1 && log_append_time ? timestamp_type_bit : 0));
  append_message(out, magic, offset, attributes, timestamp, std::nullopt, std::span<const uint8_t>(*compressed));
  return {};
}

}  // namespace samsa::record::legacy
