// Reads a page of records of one partition for the console (message browser,
// lag in seconds), through partition_records. Runs off the handler thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "http/partition_records.h"

namespace samsa::storage {
class partition_log;
}

namespace samsa::http {

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
