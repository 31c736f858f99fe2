// Minimal big-endian encoder/decoder for the classic (non-flexible) Kafka
// primitives used by __consumer_offsets records and the consumer protocol.
// Kept local so the coordinator does not depend on the generated messages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samsa::group {

using bytes = std::vector<uint8_t>;

class byte_writer {
 public:
  void int16(int16_t v);
  void int32(int32_t v);
  void int64(int64_t v);
  void string(std::string_view s);                         // int16 length
  void nullable_string(const std::optional<std::string>& s);  // -1 = null
  void bytes_field(const bytes& b);                         // int32 length
  bytes take() { return std::move(out_); }

 private:
  bytes out_;
};

// Errors are sticky: after the first failure every read returns a zero value
// and ok() is false, so callers check once at the end.
class byte_reader {
 public:
  byte_reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  explicit byte_reader(const bytes& b) : byte_reader(b.data(), b.size()) {}

  int16_t int16();
  int32_t int32();
  int64_t int64();
  std::string string();
  std::optional<std::string> nullable_string();
  std::optional<bytes> nullable_bytes();
  // Array element count; -1 (null) reads as 0. Counts that cannot fit in the
  // remaining bytes fail.
  int32_t array_length();

  bool ok() const { return ok_; }
  size_t remaining() const { return size_ - pos_; }

 private:
  bool need(size_t n);
  uint64_t read_be(size_t n);

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace samsa::group
