// Splits a `records` blob (the bytes of a Produce or Fetch partition) into its
// back-to-back batches without copying.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "record/batch_header.h"

namespace samsa::record {

struct batch_view {
  std::span<const uint8_t> bytes;  // the whole batch, header included
  batch_header header;
};

enum class split_mode {
  strict,   // a trailing partial batch is corrupt_message (Produce)
  lenient,  // stop before a trailing partial batch (a size-limited Fetch response)
};

// Decodes each header (magic 0/1 -> unsupported_for_message_format, bad
// batchLength -> corrupt_message) but checks no CRC: run validate_batch on each.
[[nodiscard]] result<std::vector<batch_view>> split_batches(std::span<const uint8_t> records,
                                                            split_mode mode = split_mode::strict);

}  // namespace samsa::record
