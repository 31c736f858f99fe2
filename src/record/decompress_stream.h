// Incremental decompression of one batch's records stream: the caller pulls
// output a chunk at a time, so it can stop as soon as it has seen enough (a
// bad record, a spent budget) instead of inflating the whole body first.
// decompress() in compression.h is this stream read to the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "base/result.h"
#include "record/batch_header.h"

namespace samsa::record {

class decompress_stream {
 public:
  // A stream over `input` (which must outlive it) for a compressed codec
  // (not none). `max_output` sizes decoder state (zstd's window) and refuses
  // a frame that declares more output up front (lz4 content size, snappy
  // block lengths): errc::message_too_large. Damaged headers are
  // errc::corrupt_message.
  [[nodiscard]] static result<std::unique_ptr<decompress_stream>> open(compression_type type,
                                                                       std::span<const uint8_t> input,
                                                                       size_t max_output);
  virtual ~decompress_stream() = default;

  // Writes up to out.size() (> 0) decompressed bytes; returns how many, 0
  // only at the end of the stream. Damaged input is errc::corrupt_message.
  [[nodiscard]] virtual result<size_t> read(std::span<uint8_t> out) = 0;

  // Total output the stream declared in its header, when it did (lz4 frames
  // with a content size): lets a caller size its buffer once.
  virtual std::optional<size_t> declared_size() const { return std::nullopt; }

  // How much output the next read() would like room for, 0 when it does not
  // matter. A snappy block decodes whole: given room for all of it, read()
  // decodes straight into the caller's buffer instead of into its own and
  // copying out (that copy and the zeroing of its buffer were 26% of the
  // broker's CPU under 1 KiB snappy produce).
  virtual size_t preferred_read() const { return 0; }
};

// The error for output past `limit`, worded the same by every decoder.
samsa::error decompressed_too_large(compression_type type, size_t limit);

}  // namespace samsa::record
