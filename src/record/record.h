// Records inside a RecordBatch v2: an owning `record` struct, a zero-copy
// `record_view`, and `record_reader`, which walks (and checks) every record of
// one batch, decompressing the body first when the batch is compressed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "record/batch_header.h"
#include "record/compression.h"
#include "record/varint.h"

namespace samsa::record {

// Smallest encoded record: length, attributes, timestamp delta, offset delta,
// key length, value length, header count, one byte each. Bounds how many
// records a body of n bytes can claim.
constexpr size_t min_record_size = 7;

struct record_header {
  std::string key;
  std::optional<bytes> value;
  bool operator==(const record_header&) const = default;
};

struct record {
  int8_t attributes = 0;
  int64_t timestamp = 0;  // absolute (LogAppendTime batches report maxTimestamp)
  int64_t offset = 0;     // absolute: baseOffset + offsetDelta
  std::optional<bytes> key;
  std::optional<bytes> value;
  std::vector<record_header> headers;
  bool operator==(const record&) const = default;
};

struct header_view {
  std::string_view key;
  std::optional<std::span<const uint8_t>> value;
};

// Points into the batch (uncompressed) or the reader's decompressed buffer.
struct record_view {
  int8_t attributes = 0;
  int64_t timestamp_delta = 0;
  int32_t offset_delta = 0;
  int64_t timestamp = 0;
  int64_t offset = 0;
  std::optional<std::span<const uint8_t>> key;
  std::optional<std::span<const uint8_t>> value;
  std::vector<header_view> headers;  // reused across record_reader::next calls

  record to_record() const;
};

class record_reader {
 public:
  // Opens one whole batch (batch.size() must equal its header's size). Checks
  // the header fields it relies on but not the CRC: run validate_batch first on
  // untrusted input.
  [[nodiscard]] static result<record_reader> open(
      std::span<const uint8_t> batch, size_t max_decompressed_bytes = default_max_decompressed_bytes);

  // Movable (views stay valid: a moved vector keeps its buffer), not copyable.
  record_reader(record_reader&&) noexcept = default;
  record_reader& operator=(record_reader&&) noexcept = default;
  record_reader(const record_reader&) = delete;
  record_reader& operator=(const record_reader&) = delete;

  const batch_header& header() const { return header_; }
  // The uncompressed records section.
  std::span<const uint8_t> records_data() const { return data_; }

  // Decodes the next record into `out`: true when one was read, false at the
  // end of the batch (after checking the declared count and that no bytes
  // trail). Layout problems are errc::invalid_record.
  [[nodiscard]] result<bool> next(record_view& out);

  int32_t records_read() const { return read_; }

 private:
  record_reader(const batch_header& header, bytes owned, std::span<const uint8_t> data);
  samsa::error fail(const std::string& what) const;

  batch_header header_;
  bytes owned_;  // decompressed body; data_ points into it when compressed
  std::span<const uint8_t> data_;
  detail::byte_cursor cursor_;
  int32_t read_ = 0;
  int64_t previous_delta_ = -1;
};

namespace detail {
// Decodes one record's bytes (after its length prefix) into `out`, checking
// its layout and that its offset delta exceeds `previous_delta` (updated on
// success). `index` names the record in errors. Shared by record_reader and
// record_stream.
[[nodiscard]] status parse_record_body(const batch_header& header, std::span<const uint8_t> body, int32_t index,
                                       int64_t& previous_delta, record_view& out);
}  // namespace detail

// Decodes every record of one batch into owning structs.
[[nodiscard]] result<std::vector<record>> decode_records(
    std::span<const uint8_t> batch, size_t max_decompressed_bytes = default_max_decompressed_bytes);

}  // namespace samsa::record
