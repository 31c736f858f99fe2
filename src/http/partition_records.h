// The records of one partition from an offset, in order, below the high
// watermark: the one walk over the log that the message browser, the search,
// lag in seconds and the live tail share. It reads the log a chunk at a time
// through partition_log::read_copy (the partition's lock is held only to find
// the byte range), splits the chunk into batches, skips control batches
// (transaction markers) and decodes each record. Runs off the handler thread
// (the console's thread or the worker pool).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "record/record.h"
#include "record/split.h"

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

inline constexpr int32_t default_chunk_bytes = 1 << 20;

class partition_records {
 public:
  // Starts at `from`; a position below the log start fails on the first read
  // with storage's offset_out_of_range (callers that want "from the start"
  // raise it themselves).
  partition_records(const storage::partition_log& log, int64_t from);

  partition_records(partition_records&&) noexcept = default;
  partition_records(const partition_records&) = delete;
  partition_records& operator=(const partition_records&) = delete;

  // The next record, or nullopt when there is none below the high watermark
  // as it is now (at_end()) or when reading on would take more than
  // `may_read` bytes from the log. A later call looks again: the live tail
  // follows a growing log. `may_read` is checked before each read of at most
  // a chunk; a read returns at least one whole batch, so a call may read one
  // batch past it.
  result<std::optional<read_record>> next(int64_t may_read);
  // Whether the last next() stopped at the high watermark (not at its budget).
  bool at_end() const { return at_end_; }

  // The first offset not yet looked at.
  int64_t position() const { return position_; }
  // As of the last read.
  int64_t high_watermark() const { return high_watermark_; }
  int64_t log_start_offset() const { return log_start_offset_; }
  // Batch bytes read from the log so far.
  int64_t bytes_read() const { return bytes_read_; }

 private:
  // Reads the next chunk: at_end when nothing lies below the high watermark,
  // over_budget when there is but `may_read` is spent.
  enum class chunk_read { read, at_end, over_budget };
  result<chunk_read> read_chunk(int64_t may_read);
  // Opens the next data batch of the chunk, skipping control batches;
  // false when the chunk is used up.
  result<bool> open_next_batch();

  const storage::partition_log* log_;
  int64_t position_;
  int64_t high_watermark_ = 0;
  int64_t log_start_offset_ = 0;
  int64_t bytes_read_ = 0;
  std::vector<uint8_t> chunk_;  // the batches in hand; batches_ and reader_ point into it
  int64_t chunk_next_offset_ = 0;
  std::vector<record::batch_view> batches_;
  size_t next_batch_ = 0;
  std::optional<record::record_reader> reader_;
  bool at_end_ = false;
  bool reader_log_append_time_ = false;
  int64_t reader_next_offset_ = 0;  // the open batch's next offset
};

}  // namespace samsa::http
