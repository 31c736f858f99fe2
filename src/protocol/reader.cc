#include "protocol/reader.h"

#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "base/big_endian.h"
#include "base/utf8.h"

namespace samsa::protocol {

reader::reader(std::span<const uint8_t> data, std::shared_ptr<const void> owner)
    : data_(data), owner_(std::move(owner)), decoded_limit_(decoded_limit_for(data.size())) {}

size_t reader::decoded_limit_for(size_t frame_bytes) {
  if (frame_bytes > (SIZE_MAX - decoded_floor) / decoded_ratio) return SIZE_MAX;
  return decoded_floor + frame_bytes * decoded_ratio;
}

void reader::charge_decoded(size_t count, size_t element_size) {
  if (!ok() || count == 0) return;
  size_t left = decoded_limit_ - decoded_;
  if (element_size != 0 && count > left / element_size) {
    fail(fmt::format("decoding would take more than {} bytes of memory for a frame of {} bytes "
                     "({} elements of {} bytes at offset {})",
                     decoded_limit_, base_ + data_.size(), count, element_size, position()));
    return;
  }
  decoded_ += count * element_size;
}

reader reader::writable(std::span<uint8_t> data, std::shared_ptr<const void> owner) {
  reader out(std::span<const uint8_t>(data), std::move(owner));
  out.writable_ = data.data();
  return out;
}

records reader::records_at(std::span<const uint8_t> raw) const {
  if (writable_ == nullptr || raw.empty()) return records::view(raw, owner_);
  auto offset = static_cast<size_t>(raw.data() - data_.data());
  return records::writable_view(std::span<uint8_t>(writable_ + offset, raw.size()), owner_);
}

void reader::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  pos_ = data_.size();  // later reads fail fast without touching memory
}

bool reader::need(size_t n, const char* what) {
  if (!ok()) return false;
  if (n > remaining()) {
    fail(fmt::format("{} needs {} bytes but only {} remain at offset {}", what, n, remaining(),
                     position()));
    return false;
  }
  return true;
}

bool reader::check_length(int64_t length, const char* what) {
  if (!ok()) return false;
  if (length < 0) {
    fail(fmt::format("{} length {} is negative at offset {}", what, length, position()));
    return false;
  }
  if (static_cast<uint64_t>(length) > remaining()) {
    fail(fmt::format("{} length {} exceeds remaining {} bytes at offset {}", what, length,
                     remaining(), position()));
    return false;
  }
  return true;
}

int8_t reader::read_int8() {
  if (!need(1, "int8")) return 0;
  return static_cast<int8_t>(data_[pos_++]);
}

int16_t reader::read_int16() {
  if (!need(2, "int16")) return 0;
  auto v = big_endian::load<int16_t>(data_.data() + pos_);
  pos_ += 2;
  return v;
}

int32_t reader::read_int32() {
  if (!need(4, "int32")) return 0;
  auto v = big_endian::load<int32_t>(data_.data() + pos_);
  pos_ += 4;
  return v;
}

int64_t reader::read_int64() {
  if (!need(8, "int64")) return 0;
  auto v = big_endian::load<int64_t>(data_.data() + pos_);
  pos_ += 8;
  return v;
}

uint16_t reader::read_uint16() {
  if (!need(2, "uint16")) return 0;
  auto v = big_endian::load<uint16_t>(data_.data() + pos_);
  pos_ += 2;
  return v;
}

uint32_t reader::read_uint32() {
  if (!need(4, "uint32")) return 0;
  auto v = big_endian::load<uint32_t>(data_.data() + pos_);
  pos_ += 4;
  return v;
}

double reader::read_float64() {
  return std::bit_cast<double>(static_cast<uint64_t>(read_int64()));
}

bool reader::read_bool() { return read_int8() != 0; }

uuid reader::read_uuid() {
  uuid out;
  if (!need(16, "uuid")) return out;
  std::memcpy(out.bytes.data(), data_.data() + pos_, 16);
  pos_ += 16;
  return out;
}

uint32_t reader::read_uvarint() {
  if (!ok()) return 0;
  const size_t start = position();
  uint32_t v = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (remaining() == 0) {
      fail(fmt::format("varint truncated at offset {}", start));
      return 0;
    }
    uint8_t b = data_[pos_++];
    if (shift == 28 && (b & 0xf0) != 0) break;  // more than 32 bits or a 6th byte
    v |= static_cast<uint32_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
  fail(fmt::format("unsigned varint at offset {} is longer than 5 bytes or exceeds 32 bits", start));
  return 0;
}

uint64_t reader::read_uvarlong() {
  if (!ok()) return 0;
  const size_t start = position();
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (remaining() == 0) {
      fail(fmt::format("varint truncated at offset {}", start));
      return 0;
    }
    uint8_t b = data_[pos_++];
    if (shift == 63 && (b & 0x7e) != 0) break;  // bits beyond 64
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
  fail(fmt::format("varlong at offset {} is longer than 10 bytes or exceeds 64 bits", start));
  return 0;
}

int32_t reader::read_varint() {
  uint32_t v = read_uvarint();
  return static_cast<int32_t>((v >> 1) ^ (~(v & 1) + 1));
}

int64_t reader::read_varlong() {
  uint64_t v = read_uvarlong();
  return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
}

std::string reader::as_text(std::string s) {
  auto fixed = utf8::repaired(s);
  if (!fixed) return s;
  // Growth past the frame's bytes counts against the decoded bound.
  charge_decoded(fixed->size() - s.size(), 1);
  return std::move(*fixed);
}

std::string reader::read_string() {
  auto s = read_nullable_string();
  if (ok() && !s) fail(fmt::format("non-nullable string is null at offset {}", position()));
  return s ? std::move(*s) : std::string();
}

std::optional<std::string> reader::read_nullable_string() {
  int16_t n = read_int16();
  if (!ok() || n == -1) return std::nullopt;
  if (!check_length(n, "string")) return std::nullopt;
  std::string s(reinterpret_cast<const char*>(data_.data() + pos_), static_cast<size_t>(n));
  pos_ += static_cast<size_t>(n);
  return as_text(std::move(s));
}

std::string reader::read_compact_string() {
  auto s = read_compact_nullable_string();
  if (ok() && !s) fail(fmt::format("non-nullable compact string is null at offset {}", position()));
  return s ? std::move(*s) : std::string();
}

std::optional<std::string> reader::read_compact_nullable_string() {
  uint32_t n = read_uvarint();
  if (!ok() || n == 0) return std::nullopt;
  int64_t length = static_cast<int64_t>(n) - 1;
  if (!check_length(length, "compact string")) return std::nullopt;
  std::string s(reinterpret_cast<const char*>(data_.data() + pos_), static_cast<size_t>(length));
  pos_ += static_cast<size_t>(length);
  return as_text(std::move(s));
}

std::vector<uint8_t> reader::read_bytes() {
  auto b = read_nullable_bytes();
  if (ok() && !b) fail(fmt::format("non-nullable bytes are null at offset {}", position()));
  return b ? std::move(*b) : std::vector<uint8_t>();
}

std::optional<std::vector<uint8_t>> reader::read_nullable_bytes() {
  int32_t n = read_int32();
  if (!ok() || n == -1) return std::nullopt;
  if (!check_length(n, "bytes")) return std::nullopt;
  auto raw = read_raw(static_cast<size_t>(n));
  return std::vector<uint8_t>(raw.begin(), raw.end());
}

std::vector<uint8_t> reader::read_compact_bytes() {
  auto b = read_compact_nullable_bytes();
  if (ok() && !b) fail(fmt::format("non-nullable compact bytes are null at offset {}", position()));
  return b ? std::move(*b) : std::vector<uint8_t>();
}

std::optional<std::vector<uint8_t>> reader::read_compact_nullable_bytes() {
  uint32_t n = read_uvarint();
  if (!ok() || n == 0) return std::nullopt;
  int64_t length = static_cast<int64_t>(n) - 1;
  if (!check_length(length, "compact bytes")) return std::nullopt;
  auto raw = read_raw(static_cast<size_t>(length));
  return std::vector<uint8_t>(raw.begin(), raw.end());
}

int32_t reader::read_array_length() {
  int32_t n = read_int32();
  if (!ok()) return 0;
  if (n == -1) return -1;
  if (!check_length(n, "array")) return 0;
  return n;
}

int32_t reader::read_compact_array_length() {
  uint32_t n = read_uvarint();
  if (!ok()) return 0;
  if (n == 0) return -1;
  if (!check_length(static_cast<int64_t>(n) - 1, "compact array")) return 0;
  return static_cast<int32_t>(n - 1);
}

std::optional<records> reader::read_records() {
  int32_t n = read_int32();
  if (!ok() || n == -1) return std::nullopt;
  if (!check_length(n, "records")) return std::nullopt;
  return records_at(read_raw(static_cast<size_t>(n)));
}

std::optional<records> reader::read_compact_records() {
  uint32_t n = read_uvarint();
  if (!ok() || n == 0) return std::nullopt;
  int64_t length = static_cast<int64_t>(n) - 1;
  if (!check_length(length, "compact records")) return std::nullopt;
  return records_at(read_raw(static_cast<size_t>(length)));
}

uint32_t reader::read_tag_count() {
  uint32_t n = read_uvarint();
  // Each tag needs at least two bytes (tag number and size).
  if (ok() && static_cast<uint64_t>(n) * 2 > remaining()) {
    fail(fmt::format("tagged field count {} exceeds remaining {} bytes at offset {}", n,
                     remaining(), position()));
    return 0;
  }
  return n;
}

uint32_t reader::read_tag_number(int64_t& previous) {
  const size_t at = position();
  uint32_t tag = read_uvarint();
  if (ok() && static_cast<int64_t>(tag) <= previous) {
    fail(fmt::format("tag {} at offset {} does not follow tag {} in ascending order", tag, at,
                     previous));
    return 0;
  }
  previous = tag;
  return tag;
}

reader reader::read_tagged_payload() {
  uint32_t n = read_uvarint();
  reader sub(std::span<const uint8_t>(), owner_);
  if (!check_length(n, "tagged field")) {
    sub.fail(error_);
    return sub;
  }
  sub.base_ = position();
  sub.data_ = read_raw(n);
  // The payload shares this frame's bound: it may use what is left of it.
  sub.decoded_limit_ = decoded_limit_ - decoded_;
  if (writable_ != nullptr && !sub.data_.empty()) {
    sub.writable_ = writable_ + static_cast<size_t>(sub.data_.data() - data_.data());
  }
  return sub;
}

void reader::keep_unknown_tag(uint32_t tag, reader& payload, unknown_tags& out) {
  auto raw = payload.read_raw(payload.remaining());
  charge_decoded(1, sizeof(unknown_tag));
  out.push_back(unknown_tag{tag, std::vector<uint8_t>(raw.begin(), raw.end())});
}

void reader::absorb(const reader& sub) {
  if (!sub.ok()) fail(sub.error());
  charge_decoded(sub.decoded_, 1);
}

std::span<const uint8_t> reader::read_raw(size_t n) {
  if (!need(n, "raw bytes")) return {};
  auto out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

}  // namespace samsa::protocol
