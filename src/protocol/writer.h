// Encoder for Kafka's primitive wire types. It appends to an owned buffer;
// `records` that live in a file are not copied but noted as splice points, so
// the network layer can send buffer parts with write() and slices with sendfile().
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/records.h"
#include "protocol/tagged_fields.h"
#include "protocol/uuid.h"

namespace samsa::protocol {

class writer {
 public:
  // File bytes that belong at `position` of buffer(), before the byte there.
  struct splice {
    size_t position = 0;
    file_slice slice;
  };

  void write_int8(int8_t v);
  void write_int16(int16_t v);
  void write_int32(int32_t v);
  void write_int64(int64_t v);
  void write_uint16(uint16_t v);
  void write_uint32(uint32_t v);
  void write_float64(double v);
  void write_bool(bool v) { write_int8(v ? 1 : 0); }
  void write_uuid(const uuid& v);

  void write_uvarint(uint32_t v);
  void write_uvarlong(uint64_t v);
  void write_varint(int32_t v);
  void write_varlong(int64_t v);

  void write_string(std::string_view s);
  void write_nullable_string(const std::optional<std::string>& s);
  void write_compact_string(std::string_view s);
  void write_compact_nullable_string(const std::optional<std::string>& s);

  void write_bytes(std::span<const uint8_t> b);
  void write_nullable_bytes(const std::optional<std::vector<uint8_t>>& b);
  void write_compact_bytes(std::span<const uint8_t> b);
  void write_compact_nullable_bytes(const std::optional<std::vector<uint8_t>>& b);

  // Element count; -1 writes null.
  void write_array_length(int32_t n);
  void write_compact_array_length(int32_t n);

  // Length prefix plus the records; file records become a splice point.
  void write_records(const std::optional<records>& r);
  void write_compact_records(const std::optional<records>& r);

  // Tagged-field section: `fields` are (tag, encoded payload) pairs of known
  // fields; they are merged with `unknown` and written in ascending tag order.
  void write_tag_section(std::vector<unknown_tag> fields, const unknown_tags& unknown);

  void write_raw(std::span<const uint8_t> b);

  // Reserves an int32 (e.g. the frame size) to be patched later; returns its position.
  size_t reserve_int32();
  void patch_int32(size_t position, int32_t v);
  // Patches the int32 at `position` with the number of bytes that follow it,
  // counting spliced file bytes.
  void patch_size_prefix(size_t position);

  const std::vector<uint8_t>& buffer() const { return buffer_; }
  const std::vector<splice>& splices() const { return splices_; }
  // Buffer bytes plus spliced file bytes: what goes on the wire.
  size_t total_size() const;

  // Encoding fails (sticky) only for values the wire format cannot carry,
  // e.g. a classic string longer than 32767 bytes.
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  void fail(std::string message);

 private:
  std::vector<uint8_t> buffer_;
  std::vector<splice> splices_;
  std::string error_;
};

}  // namespace samsa::protocol
