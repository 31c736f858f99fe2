// The classic (non-flexible) Kafka primitives used by __consumer_offsets
// records and the consumer protocol: int16-length strings, int32-length
// bytes, nullable forms and array counts. Byte order comes from the one codec
// in base/big_endian.h; this layer adds only Kafka's length and null rules.
// Kept local so the coordinator does not depend on the generated messages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/big_endian.h"

namespace samsa::group {

using bytes = std::vector<uint8_t>;

class byte_writer {
 public:
  void int16(int16_t v) { out_.i16(v); }
  void int32(int32_t v) { out_.i32(v); }
  void int64(int64_t v) { out_.i64(v); }
  void string(std::string_view s);                            // int16 length
  void nullable_string(const std::optional<std::string>& s);  // -1 = null
  void bytes_field(const bytes& b);                           // int32 length
  bytes take() { return out_.take(); }

 private:
  big_endian::byte_writer out_;
};

// Errors are sticky: after the first failure every read returns a zero value
// and ok() is false, so callers check once at the end.
class byte_reader {
 public:
  byte_reader(const uint8_t* data, size_t size) : in_(data, size) {}
  explicit byte_reader(const bytes& b) : byte_reader(b.data(), b.size()) {}

  int16_t int16() { return in_.i16(); }
  int32_t int32() { return in_.i32(); }
  int64_t int64() { return in_.i64(); }
  std::string string();
  std::optional<std::string> nullable_string();
  std::optional<bytes> nullable_bytes();
  // Array element count; -1 (null) reads as 0. Counts that cannot fit in the
  // remaining bytes fail.
  int32_t array_length();

  bool ok() const { return in_.ok(); }
  size_t remaining() const { return in_.remaining(); }

 private:
  big_endian::byte_reader in_;
};

}  // namespace samsa::group
