// Reads records of one partition for the console (message browser, lag in
// seconds). Runs on the console's thread: partition_log::read_copy takes
// the partition's lock only to find the file range, and the copy and the
// decoding happen outside it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace samsa::storage {
class partition_log;
}

namespace samsa::http {

struct read_header {
  std::string key;
  std::optional<std::string> value;
};

struct read_record {
  int64_t offset = 0;
  int64_t timestamp = 0;
  bool log_append_time = false;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<read_header> headers;
};

struct read_limits {
  int limit = 50;                         // records
  int64_t max_bytes = 4 * 1024 * 1024;    // keys + values returned
  int64_t max_scan_bytes = 64LL << 20;    // batch bytes read to find them
};

struct read_outcome {
  std::vector<read_record> records;
  int64_t next_offset = 0;  // where to continue
  int64_t log_start_offset = 0;
  int64_t high_watermark = 0;
};

// Records at `from` and after, below the high watermark; control batches
// (transaction markers) are skipped. Errors carry storage's error (offset
// out of range) or a corrupt batch.
result<read_outcome> read_records(const storage::partition_log& log, int64_t from, const read_limits& limits);

// The timestamp of the first record at or after `offset` below the high
// watermark, nullopt when there is none (the consumer is caught up).
std::optional<int64_t> first_timestamp_at(const storage::partition_log& log, int64_t offset);

}  // namespace samsa::http
