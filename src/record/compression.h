// Compression codecs of RecordBatch v2 (gzip, snappy, lz4 frame, zstd). Every
// decompression is bounded by a caller-given output limit, so a small hostile
// input cannot make the broker allocate without end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/result.h"
#include "record/batch_header.h"

namespace samsa::record {

using bytes = std::vector<uint8_t>;

inline constexpr size_t default_max_decompressed_bytes = size_t{64} << 20;

// Compresses `input` as one stream in the format Kafka uses for `type`
// (type none returns a copy). `level` is codec-specific; nullopt = codec default.
[[nodiscard]] result<bytes> compress(compression_type type, std::span<const uint8_t> input,
                                     std::optional<int> level = std::nullopt);

// Decompresses one batch's records stream. Output larger than `max_output`
// fails with errc::message_too_large; damaged input with errc::corrupt_message.
// snappy accepts both a raw block and the xerial (snappy-java) framing.
[[nodiscard]] result<bytes> decompress(compression_type type, std::span<const uint8_t> input,
                                       size_t max_output = default_max_decompressed_bytes);

}  // namespace samsa::record
