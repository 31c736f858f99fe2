// The transaction coordinator (KIP-98, KIP-890) as a pure, single-threaded
// state machine keyed by transactional.id. Time is passed in; durability goes
// through two interfaces the broker implements: txn_state_log (records of
// __transaction_state) and marker_writer (COMMIT/ABORT control batches on the
// transaction's partitions). Completions must run on the coordinator's
// thread; they may run before the call that started them returns.
//
// Every state change is written to the log before it takes effect or is
// answered. Ending a transaction is three steps, each durable before the
// next: PrepareCommit/PrepareAbort record -> markers on every partition ->
// CompleteCommit/CompleteAbort record. A restart that finds a Prepare state
// in the log finishes the transaction (finish_loading).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/kafka_error_codes.h"
#include "base/result.h"
#include "txn/transaction_view.h"
#include "txn/txn_log_codec.h"

namespace samsa::txn {

using kafka::error_code;

inline constexpr int64_t no_deadline = std::numeric_limits<int64_t>::max();

class txn_state_log {
 public:
  virtual ~txn_state_log() = default;
  // Appends one record of `transactional_id` (the implementation picks its
  // partition, always the same one for an id); `value` nullopt is a
  // tombstone. `done` runs once the record is durable or has failed.
  virtual void append(const std::string& transactional_id, bytes key, std::optional<bytes> value,
                      std::function<void(status)> done) = 0;
};

class marker_writer {
 public:
  virtual ~marker_writer() = default;
  // Writes a COMMIT (or ABORT) marker of (producer_id, producer_epoch) to
  // every partition and runs `done` once all of them are durable, or with
  // the first failure. Writing a marker twice must be harmless: a restart
  // or a retry may repeat them.
  virtual void write_markers(int64_t producer_id, int16_t producer_epoch, bool commit,
                             const std::vector<topic_partition>& partitions, std::function<void(status)> done) = 0;
};

// The longest transactional id InitProducerId may create: Kafka has no
// limit, but Samsa's ACLs name resources of at most 1 KiB, so a longer id
// could not even be granted WRITE by a literal ACL. Real ids (a Streams
// application id with a UUID and a thread number, a Flink or Connect
// prefix with a task number) are a few dozen bytes.
inline constexpr size_t max_new_transactional_id_bytes = 1024;

struct coordinator_config {
  int32_t max_timeout_ms = 15 * 60 * 1000;                  // transaction.max.timeout.ms
  int64_t id_expiration_ms = 7LL * 24 * 60 * 60 * 1000;     // transactional.id.expiration.ms
  int64_t retry_backoff_ms = 1000;                          // after a failed marker or state write
  // transactional.id.max.count (Samsa's own): ids kept at once. Each stays
  // transactional.id.expiration.ms (7 days) after its last use, so the
  // bound must hold a week of ids: some sinks (Flink's KafkaSink before
  // its id pooling) take a new id per subtask and checkpoint, tens of
  // thousands a week. At 1 KiB per id the coordinator holds at most about
  // 300 MB; real ids cost ~0.5 KB each.
  size_t max_ids = 100000;
  // transaction.partitions.max.memory.bytes (Samsa's own): the memory the
  // partitions of every open transaction may hold together, each counted
  // as partition_cost_bytes plus its topic's name (a copy being written
  // counts too). Without it, each of max_ids transactions could name every
  // partition of the broker: 400 transactions of 10,000 partitions of a
  // topic with a 249-byte name took 1.3 GB. 256 MiB holds a million
  // partitions of 200-byte names, ten times max.broker.partitions.
  int64_t max_partition_bytes = 256LL << 20;
};

// What one partition of a transaction counts against max_partition_bytes,
// besides its topic's name: the entry, its name's string and the
// allocator's share.
inline constexpr size_t partition_cost_bytes = 48;

// Steps between which a test build may crash the broker (crash_hook).
enum class completion_step { prepare_written, markers_written };

struct init_result {
  error_code error = error_code::none;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  std::string message;
};

struct end_result {
  error_code error = error_code::none;
  int64_t producer_id = -1;  // EndTxn v5 (TV2): the id and epoch for the next transaction
  int16_t producer_epoch = -1;
  std::string message;
};

struct op_result {
  error_code error = error_code::none;
  std::string message;
};

class coordinator {
 public:
  using new_producer_id_fn = std::function<result<int64_t>()>;

  coordinator(coordinator_config config, txn_state_log& log, marker_writer& markers, new_producer_id_fn new_id);

  // InitProducerId with a transactional id. `expected_*` are -1 unless the
  // producer asks to keep its id (KIP-360, v3+). Errors: PRODUCER_FENCED
  // (the handler maps it to INVALID_PRODUCER_EPOCH for old versions),
  // INVALID_TRANSACTION_TIMEOUT, CONCURRENT_TRANSACTIONS (also while an open
  // transaction of the previous producer is being aborted: retry). A new id
  // longer than max_new_transactional_id_bytes: INVALID_REQUEST; a new id while
  // max_ids are kept: POLICY_VIOLATION (ids already known go on).
  void init_producer_id(const std::string& id, int32_t timeout_ms, int64_t expected_pid, int16_t expected_epoch,
                        int64_t now_ms, std::function<void(init_result)> done);

  // AddPartitionsToTxn / AddOffsetsToTxn (the group's __consumer_offsets
  // partition). `client_version` 2 marks a KIP-890 transaction. New
  // partitions that would take the partitions of all transactions past
  // max_partition_bytes: POLICY_VIOLATION, and nothing is added (clients
  // make the transaction abortable on an error they do not know).
  void add_partitions(const std::string& id, int64_t producer_id, int16_t producer_epoch,
                      std::vector<topic_partition> partitions, int64_t now_ms, std::function<void(op_result)> done,
                      int8_t client_version = 1);

  // Produce v12 (TV2): adds the partition to the transaction of whichever
  // transactional id holds `producer_id`.
  void add_partition_implicitly(int64_t producer_id, int16_t producer_epoch, const topic_partition& partition,
                                int64_t now_ms, std::function<void(op_result)> done);

  // The produce-side check of a transactional batch: NONE when `partition`
  // is in the ongoing transaction of producer_id at producer_epoch;
  // INVALID_PRODUCER_EPOCH for another epoch (fenced); CONCURRENT_TRANSACTIONS
  // while the transaction completes; TRANSACTION_ABORTABLE when the
  // partition is not in a transaction (the handler answers INVALID_TXN_STATE
  // to versions before Produce v11); INVALID_TXN_STATE for an unknown id.
  op_result verify_partition(int64_t producer_id, int16_t producer_epoch, const topic_partition& partition) const;

  // KIP-890's verification by transactional id (TxnOffsetCommit's group
  // partition): NONE when `partition` is in the ongoing transaction of `id`
  // at (producer_id, producer_epoch); INVALID_PRODUCER_ID_MAPPING for an
  // unknown id or another producer id; PRODUCER_FENCED for another epoch;
  // CONCURRENT_TRANSACTIONS while it completes; TRANSACTION_ABORTABLE when
  // the partition is not in the transaction.
  op_result verify_transaction(const std::string& id, int64_t producer_id, int16_t producer_epoch,
                               const topic_partition& partition) const;

  // EndTxn. `tv2` (v5+) bumps the epoch with every transaction and answers
  // the new one. Answered once the Prepare record is durable; the markers
  // and the Complete record follow.
  void end_txn(const std::string& id, int64_t producer_id, int16_t producer_epoch, bool commit, bool tv2,
               int64_t now_ms, std::function<void(end_result)> done);

  // Replay of __transaction_state: the last record of an id wins; a
  // tombstone removes it.
  status load_record(std::span<const uint8_t> key, const std::optional<std::span<const uint8_t>>& value);
  // Finishes (markers + Complete) every transaction the log left in
  // PrepareCommit/PrepareAbort.
  void finish_loading(int64_t now_ms);

  // Timeouts: aborts transactions open longer than their timeout (with an
  // epoch bump that fences the producer, as Kafka does), expires ids idle
  // longer than transactional.id.expiration.ms, retries failed completions.
  void tick(int64_t now_ms);
  int64_t next_deadline() const;

  std::vector<transaction_view> list() const;
  std::optional<transaction_view> describe(const std::string& id) const;
  size_t size() const { return txns_.size(); }
  // The memory the partitions of all transactions hold, as
  // max_partition_bytes counts it.
  size_t partition_bytes() const { return partition_bytes_; }

  // Test builds set this to stop the process between completion steps.
  void set_crash_hook(std::function<void(completion_step)> hook) { crash_hook_ = std::move(hook); }

 private:
  struct entry {
    txn_record rec;
    bool pending = false;     // a state write is in flight
    bool completing = false;  // markers or the Complete record are in flight
    int64_t retry_at = no_deadline;
    int64_t scheduled_at = no_deadline;  // its place in schedule_
  };
  using entry_iterator = std::map<std::string, entry>::iterator;
  // Ids by their next deadline, then by id, so that neither the next
  // deadline nor a tick looks at ids that have nothing due: 100,000 kept
  // ids cost 5 ms per scan, and every transactional request asked for the
  // next deadline. Points at the keys of txns_ (std::map keeps them put).
  struct by_deadline {
    bool operator()(const std::pair<int64_t, const std::string*>& a,
                    const std::pair<int64_t, const std::string*>& b) const {
      return a.first != b.first ? a.first < b.first : *a.second < *b.second;
    }
  };

  // Writes `next` for `id`; applies it to memory once durable, then `then`.
  void persist(const std::string& id, txn_record next, std::function<void(status)> then);
  // Markers then the Complete record of a transaction in a Prepare state.
  void complete(const std::string& id);
  // A bumped (id, epoch): epoch + 1, or a new producer id once the epoch is exhausted.
  result<std::pair<int64_t, int16_t>> bump(const txn_record& rec, bool allow_new_id);
  void index_pid(const std::string& id, int64_t old_pid, int64_t new_pid);
  // The moment something is due for an entry (a retried completion, a
  // transaction's timeout, the id's expiry), or no_deadline.
  int64_t deadline_of(const entry& e) const;
  // Puts the entry at its deadline in schedule_: called after every change
  // of an entry's state, flags or times.
  void reschedule(entry_iterator it);
  // Gives the entry its new record, keeping partition_bytes_ true.
  void set_record(entry_iterator it, txn_record rec);
  // Removes the id with everything that points at it.
  void forget(entry_iterator it);
  transaction_view view_of(const std::string& id, const entry& e) const;

  coordinator_config config_;
  txn_state_log& log_;
  marker_writer& markers_;
  new_producer_id_fn new_id_;
  std::function<void(completion_step)> crash_hook_;
  int64_t last_now_ = 0;
  std::map<std::string, entry> txns_;
  std::unordered_map<int64_t, std::string> by_pid_;
  std::set<std::pair<int64_t, const std::string*>, by_deadline> schedule_;
  size_t partition_bytes_ = 0;
  int64_t last_partition_refusal_log_ms_ = -1;
};

}  // namespace samsa::txn
