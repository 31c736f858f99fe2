// The log of one topic partition: a directory of segments with append, read,
// offset lookups, roll, retention, DeleteRecords and group-commit flush.
//
// Locking: one mutex (mu_) guards the segment map, the active segment's
// writes and indexes, and the offsets. append() holds it while it write()s to
// the page cache; read() holds it only to locate the byte range, then returns
// a keepalive of the segment file so the caller reads or sendfile()s without
// the lock. sync_now() (a flusher sync thread) copies the list of unsynced files
// under the lock and runs fdatasync outside it, so appends continue during a
// sync; sync_now() calls are serialized by sync_mu_ so one never reports
// what another is still syncing. Retention and compaction (background thread) build their work outside
// the lock and swap segments under it. Sealed segments never change in place.
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/file_system.h"
#include "storage/log_config.h"
#include "storage/segment.h"
#include "storage/txn_index.h"
#include "txn/producer_state.h"

namespace samsa::storage {

class flusher;
using topic_id = std::array<uint8_t, 16>;

struct append_result {
  int64_t base_offset;
  int64_t last_offset;
  int64_t log_append_time_ms;  // -1 unless the topic uses LogAppendTime
  int64_t log_start_offset;
};

// A byte range of a segment file: whole batches, ready for sendfile().
struct read_result {
  std::shared_ptr<const void> keepalive;  // holds the file (and fd) open
  int fd = -1;                            // -1 with the in-memory file system: use read_copy
  int64_t position = 0;
  int32_t length = 0;                     // 0 = nothing to return at this offset yet
  int64_t next_offset = -1;               // where to read on: after the last returned batch
                                          // (or the next batch's base offset; no records lie between)
  int64_t high_watermark = 0;
  int64_t log_start_offset = 0;
};

struct copied_read {
  std::vector<uint8_t> bytes;
  int64_t next_offset = -1;
  int64_t high_watermark = 0;
  int64_t log_start_offset = 0;
};

// log.cleaner.dedupe.buffer.size: memory for the cleaner's key map. Kafka's
// default (128 MiB); with more distinct keys than fit, compaction runs in passes.
constexpr int64_t default_dedupe_buffer_bytes = 128LL << 20;

// What the last compact() did (tests and logs).
struct compaction_stats {
  int passes = 0;              // key maps built
  int64_t peak_map_bytes = 0;  // largest key map, as counted against the buffer
};

// The offsets a fetch is bounded by, read together under one lock.
struct stable_offsets {
  int64_t high_watermark = 0;
  int64_t last_stable_offset = 0;
  int64_t log_start_offset = 0;
};

struct timestamp_offset {
  int64_t offset;
  int64_t timestamp;
};

// One segment as ListOffsets v0 sees it (Kafka 0.8-0.10's offsets API listed
// segment starts by the time their file was last written).
struct segment_summary {
  int64_t base_offset;
  int64_t size_bytes;
  int64_t last_modified_ms;  // the .log file's mtime; its largest record timestamp if unknown
};

class partition_log : public std::enable_shared_from_this<partition_log> {
 public:
  struct options {
    std::shared_ptr<file_system> fs;
    std::string dir;  // <log.dir>/<topic>-<partition>
    std::string topic;
    int32_t partition = 0;
    topic_id id{};
    // At start: take `id` from the partition.metadata file on disk, when it
    // is there and readable (the log manager knows only the directory name).
    bool id_from_metadata_file = false;
    log_config config;
    // Offset up to which data is known durable; segments past it are fully
    // checked on open. -1 = unknown (check every segment). INT64_MAX = clean.
    int64_t recovery_point = -1;
    flusher* flush = nullptr;  // may be null: then flush_async syncs inline
    int64_t now_ms = 0;
    // producer.id.expiration.ms (KIP-854): a producer idle this long is
    // forgotten (not one with an open transaction).
    int64_t producer_id_expiration_ms = 24LL * 60 * 60 * 1000;
    // max.producer.ids.per.partition (Samsa's own): the producer table's
    // bound; a full table forgets the producer written longest ago.
    size_t max_producer_ids = txn::producer_state_table::default_max_producers;
    // max.producer.ids: the broker-wide count the table is part of (may be
    // null; must outlive the log).
    txn::producer_budget* producer_budget = nullptr;
  };

  // Creates the directory if needed, or opens and recovers an existing one.
  static result<std::shared_ptr<partition_log>> open(options opts);

  // The partition leader epoch stamped into every appended batch. One
  // broker, no leader elections: always 0, as Metadata and ListOffsets report.
  static constexpr int32_t leader_epoch = 0;

  // Assigns offsets, stamps the leader epoch and writes the batches (already
  // validated by the broker).
  [[nodiscard]] result<append_result> append(std::span<const uint8_t> batches, int64_t now_ms);
  // Same, rewriting the caller's buffer in place (saves a copy).
  [[nodiscard]] result<append_result> append_in_place(std::span<uint8_t> batches, int64_t now_ms);
  // One batch whose header the caller has decoded already (`info`; a
  // produce's check phase): no second parse. Rewrites `batch` in place.
  [[nodiscard]] result<append_result> append_batch(std::span<uint8_t> batch, const batch_info& info,
                                                   int64_t now_ms);
  // Same for a batch with a producer id: the producer table's check and the
  // write under one hold of the lock, so appends of this partition stay
  // exact whichever thread makes them (the produce path appends on the
  // worker pool, the coordinators on the handler thread). `check` gets the
  // table's verdict; the batch is written only when it is `append` (else
  // the result holds no offsets).
  [[nodiscard]] result<append_result> append_batch_checked(std::span<uint8_t> batch, const batch_info& info,
                                                           int64_t now_ms, const txn::producer_batch& producer,
                                                           txn::check_result& check);

  // Whole batches from the one holding `offset`, at least one, at most
  // max_bytes after the first, none at or past max_offset_exclusive, within one
  // segment. errc::offset_out_of_range below the log start or past the end.
  [[nodiscard]] result<read_result> read(int64_t offset, int32_t max_bytes, int64_t max_offset_exclusive) const;
  [[nodiscard]] result<copied_read> read_copy(int64_t offset, int32_t max_bytes,
                                              int64_t max_offset_exclusive) const;

  // Group commit: `done` runs on a flusher sync thread once data up to
  // `up_to_offset` (exclusive) is durable.
  void flush_async(int64_t up_to_offset, std::function<void(status)> done);
  // Synchronous flush of everything appended so far.
  [[nodiscard]] status flush();
  // Used by the flusher: fdatasync every file with unsynced data.
  [[nodiscard]] status sync_now();
  bool has_unsynced_files() const;

  int64_t log_start_offset() const;
  int64_t log_end_offset() const;
  int64_t high_watermark() const { return log_end_offset(); }
  int64_t flushed_offset() const { return flushed_offset_.load(std::memory_order_acquire); }
  // First record with timestamp >= ts (ListOffsets); nullopt if none.
  [[nodiscard]] result<std::optional<timestamp_offset>> offset_for_timestamp(int64_t ts) const;
  // The record with the largest timestamp (ListOffsets v7 MAX_TIMESTAMP).
  std::optional<timestamp_offset> max_timestamp_offset() const;
  // DeleteRecords: moves the log start offset (durably) to `offset`
  // (<= log end). Returns the new log start offset.
  [[nodiscard]] result<int64_t> delete_records_before(int64_t offset);
  int64_t size_bytes() const;
  size_t segment_count() const;
  // The segments in offset order (ListOffsets v0).
  std::vector<segment_summary> segment_summaries() const;
  // Base offsets of the segments, oldest first (the console draws them).
  std::vector<int64_t> segment_base_offsets() const;

  // Figures for /metrics and the console, readable from any thread without
  // the append lock (a scrape must not stall produce): traffic counters
  // since the broker started, and the log's shape as of its last change.
  struct live_figures {
    std::atomic<int64_t> bytes_in{0};     // batch bytes appended
    std::atomic<int64_t> records_in{0};   // records appended
    std::atomic<int64_t> bytes_out{0};    // batch bytes handed to fetches (read())
    std::atomic<int64_t> offsets_out{0};  // offsets those reads covered
    std::atomic<int64_t> log_start{0};
    std::atomic<int64_t> size_bytes{0};
    std::atomic<int64_t> segments{0};
  };
  const live_figures& figures() const { return figures_; }

  // Transactions (partition_log_txn.cc). Every append (produce, markers from
  // the coordinator, transactional offset commits) passes its batch headers
  // through the producer table: a transactional batch opens its producer's
  // transaction, a COMMIT/ABORT control batch ends it, an ABORT is listed in
  // the .txnindex of the segment holding the marker.
  //
  // The last stable offset: the first offset of the oldest open transaction
  // (never below the log start), else the high watermark.
  int64_t last_stable_offset() const;
  stable_offsets offsets() const;
  // Aborted transactions overlapping [from_offset, to_offset), by marker offset.
  std::vector<aborted_txn> aborted_transactions(int64_t from_offset, int64_t to_offset) const;
  // Open transactions: producer id -> first offset.
  std::vector<std::pair<int64_t, int64_t>> ongoing_transactions() const;
  // The idempotence / epoch check of a batch against the producer table
  // (the broker's producer_registry; appends record themselves).
  txn::check_result check_producer(const txn::producer_batch& batch) const;
  // The producers this partition knows (DescribeProducers).
  std::vector<txn::producer_summary> producer_summaries() const;
  // The offsets of the producer snapshot files on disk (tests, tools).
  std::vector<int64_t> snapshot_offsets_on_disk() const;
  // How many batch headers open() replayed after the snapshot it loaded
  // (0 after a clean close; start-time figures and tests).
  int64_t batches_replayed_at_open() const { return replayed_at_open_; }

  log_config config() const;
  void update_config(const log_config& cfg);

  // Background work (log_manager's thread). Never called on the append path.
  [[nodiscard]] result<int> enforce_retention(int64_t now_ms);
  [[nodiscard]] status roll_if_due(int64_t now_ms);
  [[nodiscard]] status flush_if_due(int64_t now_ms);
  // Compaction of sealed segments when cleanup.policy has compact (log_cleaner.cc).
  // The key map never holds more than `dedupe_buffer_bytes` (counted as
  // key bytes plus a fixed overhead per entry).
  [[nodiscard]] result<int64_t> compact(int64_t now_ms, int64_t dedupe_buffer_bytes = default_dedupe_buffer_bytes);
  compaction_stats last_compaction() const;

  // Flushes data and indexes; the log stays usable.
  [[nodiscard]] status close();
  // Renames the directory to `doomed_dir` (atomic, synced), then deletes it.
  // Later calls fail with errc::closed; open read_results stay readable.
  [[nodiscard]] status destroy_to(const std::string& doomed_dir);

  const std::string& topic() const { return opts_.topic; }
  int32_t partition() const { return opts_.partition; }
  const topic_id& id() const { return opts_.id; }
  const std::string& dir() const { return opts_.dir; }

 private:
  explicit partition_log(options opts);
  [[nodiscard]] status load();
  // One batch whose header the caller decoded (append_batch[_checked]).
  [[nodiscard]] result<append_result> write_one(std::span<uint8_t> batch, const batch_info& info, int64_t now_ms,
                                                const txn::producer_batch* producer, txn::check_result* check);
  // `producer`: checked against the producer table first, under the same
  // lock; nothing is written unless `check` says append.
  [[nodiscard]] result<append_result> write_batches(std::span<uint8_t> batches, std::vector<batch_info>& infos,
                                                    int64_t now_ms, const txn::producer_batch* producer = nullptr,
                                                    txn::check_result* check = nullptr);
  [[nodiscard]] status roll_locked(int64_t now_ms);
  // Transaction tracking (partition_log_txn.cc).
  // The COMMIT/ABORT type of each control batch in `batches` (checked before
  // anything is written, so a bad marker refuses the append).
  [[nodiscard]] status decode_markers(std::span<const uint8_t> batches, const std::vector<batch_info>& infos,
                                      std::vector<std::optional<bool>>& markers) const;
  // Feeds one appended (or replayed) batch to the producer table.
  [[nodiscard]] status track_batch_locked(const batch_info& b, std::optional<bool> marker, int64_t append_time_ms,
                                          int64_t now_ms);
  [[nodiscard]] status record_abort_locked(const aborted_txn& entry);
  // Open: .txnindex files, the newest usable snapshot, replay after it.
  [[nodiscard]] status load_transactions(const std::vector<std::string>& names);
  [[nodiscard]] status replay_from(int64_t offset);
  // Writes `<offset>.snapshot` of the table as it is now; `durable`: synced
  // (with its name) by the next sync_now().
  [[nodiscard]] status snapshot_locked(int64_t offset, bool durable);
  // Drops the transaction files of segments that are gone (retention).
  void forget_segments_locked(const std::vector<std::shared_ptr<segment>>& doomed,
                              std::vector<std::string>& files_to_remove);
  int64_t last_stable_offset_locked() const;
  [[nodiscard]] status write_partition_metadata();
  [[nodiscard]] status write_log_start_checkpoint(int64_t offset);
  segment_options seg_options() const;
  [[nodiscard]] result<int> retention_candidates(int64_t now_ms) const;
  bool retention_due(const segment& seg, const log_config& cfg, int64_t now_ms, int64_t total) const;
  std::shared_ptr<segment> active() const { return segments_.rbegin()->second; }
  // Segment to read `offset` from: the one holding it, or the next one if it
  // falls into a gap (compaction, empty segment).
  std::shared_ptr<segment> segment_for(int64_t offset) const;
  // Moves a cleaned segment built in cleaner_dir() into place (log_cleaner.cc).
  [[nodiscard]] status install_cleaned(const std::shared_ptr<segment>& old_seg,
                                       const std::shared_ptr<segment>& cleaned,
                                       const std::vector<aborted_txn>& dropped_aborts);
  std::string cleaner_dir() const { return join_path(opts_.dir, ".cleaner"); }
  // One compaction pass's view of the keys (log_cleaner.cc).
  struct key_map {
    // Counted per entry on top of the key's bytes: an unordered_map node
    // holding a std::string and an offset, plus its bucket slot. An estimate,
    // so the buffer bounds the map's real size within small factors.
    static constexpr int64_t entry_overhead = 64;
    std::unordered_map<std::string, int64_t> latest;  // key -> newest offset in [from, end)
    aborted_set aborted;                               // records of these never count
    int64_t bytes = 0;
    int64_t end = 0;  // the records mapped end here
  };
  [[nodiscard]] result<key_map> build_key_map(const std::vector<std::shared_ptr<segment>>& segs, int64_t from,
                                              int64_t end, int64_t budget) const;
  // Rewrites the sealed segments that start below map.end; returns bytes removed.
  [[nodiscard]] result<int64_t> rewrite_with(const key_map& map, int64_t tombstone_horizon, int64_t now_ms);

  options opts_;
  mutable std::mutex mu_;
  // read() without counting it as fetch traffic (read_copy: tools, the console).
  result<read_result> read_range(int64_t offset, int32_t max_bytes, int64_t max_offset_exclusive) const;
  // Recomputes figures_' shape fields (log start, size, segments); callers hold mu_.
  void publish_shape_locked();
  mutable live_figures figures_;
  std::mutex sync_mu_;  // one sync_now() at a time; taken before mu_
  std::map<int64_t, std::shared_ptr<segment>> segments_;
  std::vector<std::shared_ptr<segment>> unsynced_sealed_;  // rolled but not yet fdatasync'ed
  bool dir_dirty_ = false;                                 // a file was created: sync the directory
  bool parent_dirty_ = false;                              // the directory itself is new: sync its parent
  bool metadata_dirty_ = false;                            // partition.metadata written, not yet synced
  bool names_sync_running_ = false;                        // a sync took the flags above and has not finished
  int64_t log_start_ = 0;
  int64_t unflushed_messages_ = 0;
  int64_t last_flush_ms_ = 0;
  int64_t cleaned_up_to_ = -1;  // compaction has processed offsets below this
  compaction_stats last_compaction_;
  std::optional<error> failed_;  // a sync failed: refuse appends (data may be lost)
  // Transactions: the producer table, the aborted-transaction index of each
  // segment that has one (by segment base offset), the producer snapshots on
  // disk and those not yet synced.
  txn::producer_state_table producers_;
  std::map<int64_t, std::unique_ptr<txn_index>> txn_indexes_;
  std::set<int64_t> snapshots_;
  std::vector<std::string> unsynced_snapshots_;
  int64_t last_producer_expiry_ms_ = 0;
  int64_t replayed_at_open_ = 0;
  bool destroyed_ = false;
  std::atomic<int64_t> flushed_offset_{0};
  std::atomic<int64_t> end_offset_{0};
};

}  // namespace samsa::storage
