#include "broker/fetch_downconvert.h"

#include <algorithm>

#include "broker/fetch_bounds.h"
#include "broker/storage_errors.h"
#include "record/batch_header.h"
#include "record/errc.h"
#include "record/legacy_convert.h"
#include "record/split.h"

namespace samsa::broker {

namespace {

bool in_aborted_transaction(const record::batch_header& h, const std::vector<storage::aborted_txn>& aborted) {
  if (!h.is_transactional()) return false;
  return std::any_of(aborted.begin(), aborted.end(), [&](const storage::aborted_txn& a) {
    return a.producer_id == h.producer_id && h.base_offset >= a.first_offset && h.base_offset <= a.last_offset;
  });
}

}  // namespace

int8_t fetch_magic(int16_t fetch_version) {
  if (fetch_version >= fetch_record_batches_from) return record::current_magic;
  return fetch_version >= fetch_message_format_1_from ? 1 : 0;
}

down_converted_read read_down_converted(const storage::partition_log& log, int64_t offset, int64_t limit,
                                        int8_t magic, size_t room, bool first_may_overflow, size_t chunk_bytes) {
  down_converted_read out;
  int64_t next = offset;
  auto left = [&] { return out.bytes.size() < room ? room - out.bytes.size() : 0; };
  // The first read happens even at or past `limit`: the log answers an
  // offset out of its range with the error the consumer must see.
  for (bool first_read = true; first_read || next < limit; first_read = false) {
    bool first = first_may_overflow && out.bytes.empty();
    if (left() == 0 && !first) break;
    // At least one byte: a batch larger than the chunk still comes whole.
    auto want = static_cast<int32_t>(std::clamp<size_t>(left(), 1, chunk_bytes));
    auto read = log.read_copy(next, want, limit);
    if (!read) {
      out.error = storage_error_to_kafka(read.err());
      out.message = read.err().describe();
      break;
    }
    if (read->bytes.empty()) break;
    const auto aborted = aborted_for_read(log, next, read->next_offset);
    auto batches = record::split_batches(read->bytes, record::split_mode::lenient);
    if (!batches) {
      out.error = protocol::error_code::corrupt_message;
      out.message = "stored data at offset " + std::to_string(next) + ": " + batches.err().describe();
      break;
    }
    const int64_t chunk_start = next;
    bool stopped = false;
    for (const auto& batch : *batches) {
      auto header = record::decode_header(batch.bytes);
      if (!header) {
        out.error = protocol::error_code::corrupt_message;
        out.message = header.err().describe();
        return out;
      }
      if (header->is_control() || in_aborted_transaction(*header, aborted)) {
        next = header->next_offset();
        continue;
      }
      first = first_may_overflow && out.bytes.empty();
      auto converted = record::legacy::downconvert_batch(batch.bytes, magic, offset, left(), first, out.bytes);
      if (!converted) {
        // Only what went out before the batch that cannot be converted
        // (zstd) is answered; that batch's error comes with nothing.
        if (out.bytes.empty()) {
          out.error = static_cast<protocol::error_code>(record::kafka_error_code(converted.err().code));
          out.message = converted.err().describe();
        }
        stopped = true;
        break;
      }
      next = converted->next_offset;
      if (!converted->complete) {
        stopped = true;
        break;
      }
    }
    if (stopped) break;
    next = std::max(next, read->next_offset);
    if (next <= chunk_start) break;  // never spin on bytes that hold no whole batch
  }
  out.next_offset = next;
  return out;
}

}  // namespace samsa::broker
