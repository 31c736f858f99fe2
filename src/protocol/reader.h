// Decoder for Kafka's primitive wire types over an in-memory frame. Errors are
// sticky (as in franz-go's kbin): the first failure is kept, every later read
// returns a zero value, and the caller checks ok() once at the end.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocol/records.h"
#include "protocol/tagged_fields.h"
#include "protocol/uuid.h"

namespace samsa::protocol {

class reader {
 public:
  // `owner` keeps `data` alive; records fields decoded from this reader refer
  // into `data` and hold a reference to `owner` instead of copying.
  explicit reader(std::span<const uint8_t> data, std::shared_ptr<const void> owner = nullptr);
  // Over a frame that belongs to one request alone: records fields decode
  // into writable views (records::writable_bytes) of it.
  static reader writable(std::span<uint8_t> data, std::shared_ptr<const void> owner);

  int8_t read_int8();
  int16_t read_int16();
  int32_t read_int32();
  int64_t read_int64();
  uint16_t read_uint16();
  uint32_t read_uint32();
  double read_float64();
  bool read_bool();
  uuid read_uuid();

  // Unsigned varint of at most 5 bytes (32 bits); longer encodings fail.
  uint32_t read_uvarint();
  // Unsigned varint of at most 10 bytes (64 bits).
  uint64_t read_uvarlong();
  // Zig-zag signed varints (record fields).
  int32_t read_varint();
  int64_t read_varlong();

  // Strings: classic (int16 length) and compact (uvarint length + 1).
  // A null where the field is not nullable is a failure.
  std::string read_string();
  std::optional<std::string> read_nullable_string();
  std::string read_compact_string();
  std::optional<std::string> read_compact_nullable_string();

  // Bytes: classic (int32 length) and compact (uvarint length + 1).
  std::vector<uint8_t> read_bytes();
  std::optional<std::vector<uint8_t>> read_nullable_bytes();
  std::vector<uint8_t> read_compact_bytes();
  std::optional<std::vector<uint8_t>> read_compact_nullable_bytes();

  // Array element count; -1 means null. Counts larger than the remaining
  // bytes are rejected (every element takes at least one byte), so callers
  // may reserve() the returned count safely.
  int32_t read_array_length();
  int32_t read_compact_array_length();

  // Records (nullable, classic int32 or compact length). The result views the
  // frame and shares its owner; nothing is copied.
  std::optional<records> read_records();
  std::optional<records> read_compact_records();

  // Tagged-field section helpers: the number of tags, then for each tag its
  // number and a sub-reader over its payload (consumed from this reader).
  uint32_t read_tag_count();
  // Reads a tag number; tags must be strictly ascending within a section, so
  // `previous` (start at -1) carries the last one and a repeat or a step back
  // fails. That keeps decode -> encode deterministic.
  uint32_t read_tag_number(int64_t& previous);
  reader read_tagged_payload();
  // Keeps an unrecognised tag's payload (all remaining bytes of `payload`).
  void keep_unknown_tag(uint32_t tag, reader& payload, unknown_tags& out);
  // Copies a sub-reader's failure (if any) into this reader.
  void absorb(const reader& sub);

  // What a decoded message may take in memory beyond its strings and bytes
  // (which are no larger than on the wire): element overhead of arrays and
  // kept unknown tags. One wire byte can become a 32-byte std::string, so
  // without a bound a 100 MiB frame would decode into gigabytes. The bound is
  // 1 MiB plus decoded_ratio x the frame: legitimate messages use under 6x
  // (an OffsetCommit partition: 18 wire bytes, ~90 in memory).
  static constexpr size_t decoded_floor = size_t{1} << 20;
  static constexpr size_t decoded_ratio = 16;
  static size_t decoded_limit_for(size_t frame_bytes);
  // Counts `count` elements of `element_size` bytes that decoding is about
  // to create; fails the reader (before anything is allocated) past the bound.
  void charge_decoded(size_t count, size_t element_size);

  // Raw bytes without a length prefix; views into the frame.
  std::span<const uint8_t> read_raw(size_t n);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  size_t remaining() const { return data_.size() - pos_; }
  // Offset from the start of the outermost frame (sub-readers keep counting).
  size_t position() const { return base_ + pos_; }
  const std::shared_ptr<const void>& owner() const { return owner_; }

  // Records the first failure; later calls are ignored. Public so that
  // generated decoders can add context ("unknown api key 99").
  void fail(std::string message);

 private:
  bool need(size_t n, const char* what);
  bool check_length(int64_t length, const char* what);
  // Protocol strings are UTF-8: malformed sequences become U+FFFD, as
  // Kafka's decoder makes them (base/utf8.h).
  std::string as_text(std::string s);

  // Records views of the bytes at `raw` (a span read from data_).
  records records_at(std::span<const uint8_t> raw) const;

  std::span<const uint8_t> data_;
  uint8_t* writable_ = nullptr;  // data_.data(), when the reader was given writable bytes
  std::shared_ptr<const void> owner_;
  size_t pos_ = 0;
  size_t base_ = 0;
  std::string error_;
  size_t decoded_limit_ = 0;
  size_t decoded_ = 0;  // charged so far (a sub-reader's is added by absorb)
};

}  // namespace samsa::protocol
