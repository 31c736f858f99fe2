// Walks the records of one batch while its body is being decompressed, for
// validation of untrusted batches: it stops at the first bad record, holds at
// most one record (plus one read chunk) of decompressed data at a time, and
// counts what it decompressed against a per-batch limit and an optional
// budget shared by a whole request. An uncompressed batch is walked in place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "base/byte_buffer.h"
#include "base/result.h"
#include "record/batch_header.h"
#include "record/decompress_stream.h"
#include "record/decompression_budget.h"
#include "record/record.h"

namespace samsa::record {

class record_stream {
 public:
  // `batch` must be one whole batch and outlive the stream. Checks the header
  // fields it relies on but not the CRC (validate_batch does both).
  [[nodiscard]] static result<record_stream> open(std::span<const uint8_t> batch, size_t max_decompressed_bytes,
                                                  decompression_budget* budget = nullptr);

  // Decodes the next record into `out` (valid until the next call): true
  // when one was read, false at the end of the batch (after checking the
  // declared count and that no bytes trail). Errors: errc::invalid_record
  // for a bad layout or a spent budget, errc::message_too_large past the
  // per-batch limit, errc::corrupt_message for damaged compressed data.
  [[nodiscard]] result<bool> next(record_view& out);

  const batch_header& header() const { return header_; }
  int32_t records_read() const { return read_; }
  // Decompressed bytes produced so far (0 for an uncompressed batch).
  size_t decompressed_bytes() const { return produced_; }

 private:
  record_stream(const batch_header& header, std::span<const uint8_t> body, size_t max_decompressed_bytes,
                decompression_budget* budget);
  // Makes at least `n` unread bytes available unless the body ends first.
  [[nodiscard]] status fill(size_t n);
  // fill() when there is anything to do: an uncompressed body (walked in
  // place, so always exhausted) never leaves the record loop for it.
  [[nodiscard]] status need(size_t n) {
    if (exhausted_ || end_ - begin_ >= n) return {};
    return fill(n);
  }
  std::span<const uint8_t> unread() const {
    if (source_ == nullptr) return plain_.subspan(begin_, end_ - begin_);
    return std::span<const uint8_t>(window_).subspan(begin_, end_ - begin_);
  }
  samsa::error fail(const std::string& what) const;

  batch_header header_;
  std::span<const uint8_t> plain_;          // uncompressed body (walked in place)
  std::unique_ptr<decompress_stream> source_;  // compressed body
  // Decompressed bytes; [begin_, end_) unread. Not zeroed when it grows: the
  // decoder overwrites what it is given.
  byte_buffer window_;
  size_t begin_ = 0;
  size_t end_ = 0;
  bool exhausted_ = false;
  size_t max_decompressed_ = 0;
  decompression_budget* budget_ = nullptr;
  size_t produced_ = 0;
  int32_t read_ = 0;
  int64_t previous_delta_ = -1;
};

}  // namespace samsa::record
