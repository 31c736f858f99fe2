// Idempotent-producer bookkeeping for one partition: per producer id, the
// current epoch and the last few appended batches' sequence ranges, so a
// retried batch is recognised (answered with its first offsets, not stored
// twice) and a gap or a fenced epoch is refused with Kafka's error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

namespace samsa::txn {

// What a RecordBatch header says about its producer.
struct producer_batch {
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t record_count = 0;

  bool idempotent() const { return producer_id >= 0; }
  // Sequences wrap from INT32_MAX to 0, as in Kafka.
  int32_t last_sequence() const;
};

// A batch that was stored, as remembered for duplicate detection.
struct appended_batch {
  int32_t first_sequence = 0;
  int32_t last_sequence = 0;
  int64_t base_offset = 0;
  int64_t append_time_ms = -1;  // LogAppendTime answer, -1 for CreateTime topics
};

enum class verdict {
  append,                  // store it
  duplicate,               // already stored: answer with `previous`
  out_of_order_sequence,   // OUT_OF_ORDER_SEQUENCE_NUMBER (45)
  invalid_producer_epoch,  // INVALID_PRODUCER_EPOCH (47)
};

struct check_result {
  verdict outcome = verdict::append;
  appended_batch previous;  // for duplicates
  std::string message;      // for refusals
};

// One producer as DescribeProducers shows it.
struct producer_summary {
  int64_t producer_id = -1;
  int16_t epoch = -1;
  int32_t last_sequence = -1;
  int64_t last_write_ms = -1;
};

class producer_state_table {
 public:
  // Kafka keeps the last five batches per producer; clients have at most
  // five requests in flight with idempotence on.
  static constexpr size_t batches_kept = 5;

  check_result check(const producer_batch& batch) const;
  // Records a stored batch (also used to rebuild the table from the log).
  void on_appended(const producer_batch& batch, const appended_batch& stored, int64_t now_ms);
  // Forgets producers idle for longer than `idle_ms` (producer.id.expiration.ms).
  size_t expire(int64_t now_ms, int64_t idle_ms);
  size_t producer_count() const { return producers_.size(); }
  // Every known producer, by producer id.
  std::vector<producer_summary> summaries() const;

 private:
  struct entry {
    int16_t epoch = -1;
    std::deque<appended_batch> recent;
    int64_t last_update_ms = 0;
  };
  std::unordered_map<int64_t, entry> producers_;
};

}  // namespace samsa::txn
