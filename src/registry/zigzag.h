// Zigzag varints (Avro's int and long, the Protobuf message indexes of
// Confluent's wire format) and a bounds-checked reader over bytes: every read
// past the end or varint longer than 10 bytes is an error naming the byte
// offset, never a read out of bounds.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/result.h"

namespace samsa::registry {

inline void put_zigzag(std::string& out, int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z >= 0x80) {
    out.push_back(static_cast<char>((z & 0x7f) | 0x80));
    z >>= 7;
  }
  out.push_back(static_cast<char>(z));
}

class byte_reader {
 public:
  explicit byte_reader(std::span<const uint8_t> b, size_t offset = 0) : b_(b), pos_(offset) {}
  size_t pos() const { return pos_; }
  size_t left() const { return b_.size() - pos_; }
  bool done() const { return pos_ == b_.size(); }

  result<int64_t> zigzag() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= b_.size()) return make_error(std::errc::bad_message, "truncated varint at byte " + std::to_string(pos_));
      uint8_t c = b_[pos_++];
      v |= static_cast<uint64_t>(c & 0x7f) << shift;
      if (!(c & 0x80)) return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
    }
    return make_error(std::errc::bad_message, "varint longer than 10 bytes at byte " + std::to_string(pos_));
  }

  result<std::span<const uint8_t>> take(int64_t n) {
    if (n < 0 || static_cast<uint64_t>(n) > b_.size() - pos_)
      return make_error(std::errc::bad_message,
                        "length " + std::to_string(n) + " runs past the end at byte " + std::to_string(pos_));
    auto s = b_.subspan(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return s;
  }

 private:
  std::span<const uint8_t> b_;
  size_t pos_;
};

}  // namespace samsa::registry
