// Zig-zag varints (Protocol Buffers style) as used inside RecordBatch v2
// records, plus a bounds-checked cursor over a byte span (internal).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace samsa::record::detail {

class byte_cursor {
 public:
  explicit byte_cursor(std::span<const uint8_t> data)
      : p_(data.data()), end_(data.data() + data.size()) {}

  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  const uint8_t* position() const { return p_; }

  // Each read returns false (and consumes nothing useful) on truncated or
  // over-long input; callers turn that into an error with context.
  bool read_varint(int32_t& out) {
    uint32_t raw = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (p_ == end_) return false;
      uint8_t b = *p_++;
      raw |= uint32_t{b & 0x7Fu} << shift;
      if ((b & 0x80) == 0) {
        out = static_cast<int32_t>((raw >> 1) ^ (~(raw & 1) + 1));
        return true;
      }
    }
    return false;
  }

  bool read_varlong(int64_t& out) {
    uint64_t raw = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (p_ == end_) return false;
      uint8_t b = *p_++;
      raw |= uint64_t{b & 0x7Fu} << shift;
      if ((b & 0x80) == 0) {
        out = static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
        return true;
      }
    }
    return false;
  }

  bool read_i8(int8_t& out) {
    if (p_ == end_) return false;
    out = static_cast<int8_t>(*p_++);
    return true;
  }

  bool read_bytes(size_t n, std::span<const uint8_t>& out) {
    if (remaining() < n) return false;
    out = std::span<const uint8_t>(p_, n);
    p_ += n;
    return true;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

inline void append_uvarint(std::vector<uint8_t>& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
}

inline void append_varint(std::vector<uint8_t>& out, int32_t v) {
  auto u = static_cast<uint32_t>(v);
  append_uvarint(out, (u << 1) ^ static_cast<uint32_t>(v >> 31));
}

inline void append_varlong(std::vector<uint8_t>& out, int64_t v) {
  auto u = static_cast<uint64_t>(v);
  append_uvarint(out, (u << 1) ^ static_cast<uint64_t>(v >> 63));
}

inline size_t varint_size(uint64_t zigzagged) {
  size_t n = 1;
  while (zigzagged >= 0x80) {
    zigzagged >>= 7;
    ++n;
  }
  return n;
}

}  // namespace samsa::record::detail
