// Producer bookkeeping for one partition: per producer id, the current
// epoch, the last few appended batches' sequence ranges (so a retried batch
// is recognised, answered with its first offsets and not stored twice, and a
// gap or a fenced epoch is refused with Kafka's error) and the first offset
// of the producer's open transaction, if any (the last stable offset and
// DescribeProducers' current_txn_start_offset). The partition log owns one
// table, fed from the header of every batch it appends (storage/partition_log.h),
// and snapshots it (storage/producer_snapshot.h).
//
// The table is bounded (max.producer.ids.per.partition, Samsa's own): any
// client may stamp a batch with a producer id of its choosing, and Kafka
// keeps each one for producer.id.expiration.ms (a day). When the table is
// full, a new producer takes the place of the one whose last write is the
// oldest, never of one with an open transaction (that would lose the start
// of the transaction and so the last stable offset). The tables of all
// partitions share a broker-wide bound too (producer_budget, max.producer.ids):
// past it, a table beyond a small floor makes room the same way instead of
// growing.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <set>
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
  bool transactional = false;  // the batch belongs to the producer's open transaction

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
  table_full,              // a new producer, and every known one has an open transaction
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
  int64_t current_txn_start_offset = -1;  // -1: no open transaction
};

// A whole producer entry, as snapshots store it.
struct producer_record {
  int64_t producer_id = -1;
  int16_t epoch = -1;
  int64_t last_update_ms = 0;
  int64_t txn_first_offset = -1;  // -1: no open transaction
  std::vector<appended_batch> recent;  // oldest first, at most batches_kept
};

// A transaction that a COMMIT or ABORT marker ended.
struct ended_txn {
  int64_t producer_id = -1;
  int64_t first_offset = -1;
  int64_t last_offset = -1;  // the marker's offset
  bool commit = false;
};

// The producer entries of every partition's table together (max.producer.ids,
// Samsa's own): per-partition bounds alone let a client that writes to many
// partitions make the broker hold partitions x 10,000 entries. The tables
// live on different threads, so the count is atomic; each table keeps its
// own share exact and gives it back when destroyed.
class producer_budget {
 public:
  // Entries any one table may keep whatever the broker-wide count, so a
  // producer new to a quiet partition is never refused because other
  // partitions filled the budget.
  static constexpr size_t default_floor = 100;
  // ~220 MB at ~220 bytes per entry.
  static constexpr size_t default_max_entries = 1000000;

  explicit producer_budget(size_t max_entries = default_max_entries, size_t floor = default_floor)
      : max_entries_(max_entries), floor_(floor) {}
  size_t max_entries() const { return max_entries_; }
  size_t floor() const { return floor_; }
  size_t held() const { return held_.load(std::memory_order_relaxed); }
  bool full() const { return held() >= max_entries_; }
  void adjust(size_t before, size_t after) {
    if (after > before) held_.fetch_add(after - before, std::memory_order_relaxed);
    if (after < before) held_.fetch_sub(before - after, std::memory_order_relaxed);
  }

 private:
  const size_t max_entries_;
  const size_t floor_;
  std::atomic<size_t> held_{0};
};

class producer_state_table {
 public:
  // Kafka keeps the last five batches per producer; clients have at most
  // five requests in flight with idempotence on.
  static constexpr size_t batches_kept = 5;
  // max.producer.ids.per.partition. A producer id belongs to one producer
  // instance (one per application process or Streams/Connect task), and
  // entries idle for producer.id.expiration.ms leave anyway: 10,000
  // producers writing one partition within a day is a fleet no deployment
  // runs. At about 220 bytes per entry (measured) the table holds ~2 MB.
  static constexpr size_t default_max_producers = 10000;

  explicit producer_state_table(size_t max_producers = default_max_producers) : max_producers_(max_producers) {}
  ~producer_state_table();
  // The table's share of a budget is counted in it: no copies.
  producer_state_table(const producer_state_table&) = delete;
  producer_state_table& operator=(const producer_state_table&) = delete;
  // Counts this table's entries into `budget` (which must outlive it) from
  // now on; null stops counting.
  void use_budget(producer_budget* budget);
  // Lowering the bound evicts at once (the oldest idle producers first), as
  // does a table past its budget's floor while the budget is over its bound.
  void set_max_producers(size_t max_producers);
  size_t max_producers() const { return max_producers_; }

  check_result check(const producer_batch& batch) const;
  // Records a stored batch (also used to rebuild the table from the log).
  // A transactional batch opens the producer's transaction at its base
  // offset unless one is open already.
  void on_appended(const producer_batch& batch, const appended_batch& stored, int64_t now_ms);
  // A COMMIT/ABORT marker at `marker_offset`, written at `epoch`: ends the
  // producer's open transaction (nullopt if none was open, e.g. a marker for
  // a transaction with no data here) and, when `epoch` is newer than the
  // producer's, moves the producer to it (fencing; KIP-890 bumps the epoch
  // at every transaction end) so older-epoch batches are refused.
  std::optional<ended_txn> on_marker(int64_t producer_id, int16_t epoch, bool commit, int64_t marker_offset,
                                     int64_t now_ms);
  // Forgets producers idle for longer than `idle_ms` (producer.id.expiration.ms).
  // A producer with an open transaction is kept: its transaction still holds
  // the last stable offset back until a marker ends it.
  size_t expire(int64_t now_ms, int64_t idle_ms);
  size_t producer_count() const { return producers_.size(); }
  // Producers dropped to make room for new ones since the table was made.
  uint64_t evicted() const { return evicted_; }
  // Every known producer, by producer id.
  std::vector<producer_summary> summaries() const;
  // The first offset of the oldest open transaction, or nullopt.
  std::optional<int64_t> first_unstable_offset() const;
  // Open transactions: producer id -> first offset.
  std::vector<std::pair<int64_t, int64_t>> ongoing() const;

  // Snapshots: every entry out, and back in (replacing one with the same
  // id). restore() never evicts (records come in producer id order, not by
  // age): call finish_restore() after the last one to order the table by
  // last write and bring it back within its bound.
  std::vector<producer_record> records() const;
  void restore(const producer_record& record);
  void finish_restore();
  void clear();

 private:
  // The last batches_kept batches in a fixed ring rather than a deque: a
  // deque allocates a 512-byte block for its first element, which made an
  // entry cost ~740 bytes instead of ~220.
  struct entry {
    int16_t epoch = -1;
    uint8_t recent_count = 0;  // batches remembered
    uint8_t recent_head = 0;   // index of the oldest in `recent`
    int64_t last_update_ms = 0;
    int64_t txn_first_offset = -1;
    std::array<appended_batch, batches_kept> recent{};
    std::list<int64_t>::iterator idle_pos;  // in idle_ (only while no transaction is open)

    const appended_batch& recent_at(size_t i) const { return recent[(recent_head + i) % batches_kept]; }
    const appended_batch& newest() const { return recent_at(recent_count - 1u); }
    void remember(const appended_batch& b);
    void forget_batches() { recent_count = recent_head = 0; }
  };
  // The entry of `producer_id`, made (evicting if the table is full) when missing.
  entry& slot(int64_t producer_id, bool may_evict);
  // Whether a new producer must take an old one's place: the table holds
  // max_producers_, or it is past the budget's floor and the budget is full.
  bool at_bound() const;
  // Brings the budget's count of this table to its size (after every change).
  void settle_budget();
  // Moves a producer without an open transaction to the young end of idle_.
  void touch(entry& e);
  void evict_oldest_idle();
  void set_txn_start(int64_t producer_id, entry& e, int64_t first_offset);

  size_t max_producers_;
  producer_budget* budget_ = nullptr;
  size_t counted_ = 0;  // entries of this table counted in budget_
  uint64_t evicted_ = 0;
  std::unordered_map<int64_t, entry> producers_;
  // The producers with no open transaction (those that may be evicted),
  // oldest last write first. Writes come in time order, so moving a
  // producer to the back on each write keeps the order without sorting.
  std::list<int64_t> idle_;
  // (first offset, producer id) of every open transaction, oldest first.
  std::set<std::pair<int64_t, int64_t>> ongoing_;
};

}  // namespace samsa::txn
