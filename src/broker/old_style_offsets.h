// ListOffsets v0's answer (Kafka 0.8 to 0.10.0, "the offsets API"): not one
// offset but up to max_num_offsets of them, newest first, taken from the list
// "start of each segment, then the log end offset": -1 (latest) starts at the
// end, -2 (earliest) at the first segment, any other timestamp at the last
// segment whose file was last written at or before it (segment files' mtime,
// not record timestamps: what that Kafka did). A consumer (replica id -1)
// never sees offsets past the high watermark: they are replaced by it.
#pragma once

#include <cstdint>
#include <vector>

#include "storage/partition_log.h"

namespace samsa::broker {

struct old_style_offsets_query {
  int64_t timestamp = -1;
  int32_t max_num_offsets = 1;
  bool from_consumer = true;  // replica id -1
};

struct log_shape {
  std::vector<storage::segment_summary> segments;  // offset order, at least one
  int64_t log_start_offset = 0;
  int64_t log_end_offset = 0;
  int64_t high_watermark = 0;
};

// The offsets, in descending order. `now_ms` stands for the log end's time.
std::vector<int64_t> old_style_offsets(const log_shape& log, const old_style_offsets_query& query, int64_t now_ms);

}  // namespace samsa::broker
