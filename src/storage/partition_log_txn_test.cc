// Transactions in the partition log: the last stable offset, the aborted
// transaction index (.txnindex), producer snapshots, and how a clean or a
// crashed restart rebuilds them.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>
#include <vector>

#include "record/batch_builder.h"
#include "storage/batch_ops.h"
#include "storage/memory_file_system.h"
#include "storage/partition_log.h"
#include "storage/producer_snapshot.h"
#include "storage/test_batches.h"

namespace samsa::storage {
namespace {

using testing::make_batch;
using testing::make_marker;
using testing::make_producer_batch;
using testing::producer_fields;

constexpr int64_t hour_ms = 60LL * 60 * 1000;

struct txn_log : ::testing::Test {
  std::shared_ptr<memory_file_system> fs = std::make_shared<memory_file_system>();
  log_config cfg;
  const std::string dir = "data/t-0";

  std::shared_ptr<partition_log> open(int64_t recovery_point = INT64_MAX, int64_t now_ms = 1000) {
    partition_log::options o;
    o.fs = fs;
    o.dir = dir;
    o.topic = "t";
    o.partition = 0;
    o.config = cfg;
    o.recovery_point = recovery_point;
    o.now_ms = now_ms;
    auto r = partition_log::open(o);
    EXPECT_TRUE(r) << r.err().describe();
    return r ? *r : nullptr;
  }

  static int64_t put(partition_log& log, const std::vector<uint8_t>& batch, int64_t now_ms = 1000) {
    auto r = log.append(batch, now_ms);
    EXPECT_TRUE(r) << r.err().describe();
    return r ? r->base_offset : -1;
  }
  // `n` records of producer `pid` inside its transaction.
  static int64_t txn_data(partition_log& log, int64_t pid, int32_t seq, int n = 1, int16_t epoch = 0) {
    std::vector<testing::test_record> recs;
    for (int i = 0; i < n; ++i) recs.push_back({"k" + std::to_string(i), "v", 1000});
    return put(log, make_producer_batch(recs, producer_fields{pid, epoch, seq, true}));
  }
  static int64_t plain(partition_log& log) { return put(log, make_batch({{"k", "v", 1000}})); }
  static int64_t marker(partition_log& log, int64_t pid, bool commit, int16_t epoch = 0) {
    return put(log, make_marker(pid, epoch, commit, 1000));
  }
  bool has_file(const std::string& suffix) {
    auto names = fs->list_dir(dir);
    for (auto& n : *names)
      if (n.ends_with(suffix)) return true;
    return false;
  }
};

TEST_F(txn_log, lso_is_the_first_offset_of_the_oldest_open_transaction) {
  auto log = open();
  EXPECT_EQ(plain(*log), 0);
  EXPECT_EQ(log->last_stable_offset(), 1);  // nothing open: the high watermark
  EXPECT_EQ(txn_data(*log, 11, 0, 2), 1);   // pid 11 opens at 1
  EXPECT_EQ(log->last_stable_offset(), 1);
  EXPECT_EQ(txn_data(*log, 12, 0), 3);  // pid 12 opens at 3
  EXPECT_EQ(txn_data(*log, 11, 2), 4);  // more of 11: still open from 1
  EXPECT_EQ(plain(*log), 5);
  EXPECT_EQ(log->last_stable_offset(), 1);
  EXPECT_EQ(log->high_watermark(), 6);
  // A marker is plain append() of build_end_txn_batch: no special call.
  EXPECT_EQ(marker(*log, 11, true), 6);
  EXPECT_EQ(log->last_stable_offset(), 3);
  EXPECT_EQ(marker(*log, 12, false), 7);
  EXPECT_EQ(log->last_stable_offset(), 8);
  EXPECT_TRUE(log->ongoing_transactions().empty());
  auto offs = log->offsets();
  EXPECT_EQ(offs.high_watermark, 8);
  EXPECT_EQ(offs.last_stable_offset, 8);
}

TEST_F(txn_log, aborted_transactions_are_listed_for_the_ranges_they_overlap) {
  auto log = open();
  txn_data(*log, 1, 0);   // 0
  txn_data(*log, 2, 0);   // 1
  marker(*log, 1, false);  // 2: abort 1 [0, 2]
  marker(*log, 2, true);   // 3: commit 2
  txn_data(*log, 3, 0);   // 4
  marker(*log, 3, false);  // 5: abort 3 [4, 5]
  using v = std::vector<aborted_txn>;
  EXPECT_EQ(log->aborted_transactions(0, 6), (v{{1, 0, 2}, {3, 4, 5}}));
  EXPECT_EQ(log->aborted_transactions(2, 4), (v{{1, 0, 2}}));  // ends in range
  EXPECT_EQ(log->aborted_transactions(3, 4), v{});            // between them
  EXPECT_EQ(log->aborted_transactions(3, 5), (v{{3, 4, 5}}));  // starts in range
  EXPECT_EQ(log->aborted_transactions(6, 7), v{});
  EXPECT_TRUE(has_file(".txnindex"));
}

TEST_F(txn_log, a_marker_with_no_open_transaction_lists_nothing) {
  auto log = open();
  plain(*log);
  marker(*log, 9, false);  // e.g. an abort for a transaction with no data here
  EXPECT_TRUE(log->aborted_transactions(0, 10).empty());
  EXPECT_EQ(log->last_stable_offset(), 2);
}

TEST_F(txn_log, a_marker_at_a_newer_epoch_fences_the_older_epoch) {
  auto log = open();
  txn_data(*log, 5, 0, 1, 3);
  marker(*log, 5, false, 4);  // the coordinator bumped the epoch (fencing / KIP-890)
  auto r = log->check_producer(txn::producer_batch{5, 3, 1, 1, true});
  EXPECT_EQ(r.outcome, txn::verdict::invalid_producer_epoch);
  EXPECT_EQ(log->check_producer(txn::producer_batch{5, 4, 0, 1, true}).outcome, txn::verdict::append);
  auto producers = log->producer_summaries();
  ASSERT_EQ(producers.size(), 1u);
  EXPECT_EQ(producers[0].epoch, 4);
  EXPECT_EQ(producers[0].current_txn_start_offset, -1);
}

TEST_F(txn_log, describe_shows_the_open_transactions_start) {
  auto log = open();
  plain(*log);
  txn_data(*log, 8, 0);
  auto producers = log->producer_summaries();
  ASSERT_EQ(producers.size(), 1u);
  EXPECT_EQ(producers[0].current_txn_start_offset, 1);
}

TEST_F(txn_log, clean_restart_keeps_open_transactions_aborts_and_producers) {
  {
    auto log = open();
    txn_data(*log, 1, 0);
    marker(*log, 1, false);
    txn_data(*log, 2, 0);  // 2: stays open
    plain(*log);
    ASSERT_TRUE(log->close());
  }
  ASSERT_TRUE(has_file(".snapshot"));
  auto log = open();
  EXPECT_EQ(log->batches_replayed_at_open(), 0) << "a clean close leaves a snapshot at the log end";
  EXPECT_EQ(log->last_stable_offset(), 2);
  EXPECT_EQ(log->aborted_transactions(0, 4), (std::vector<aborted_txn>{{1, 0, 1}}));
  // The open transaction ends after the restart as if nothing happened.
  marker(*log, 2, false);
  EXPECT_EQ(log->last_stable_offset(), 5);
  EXPECT_EQ(log->aborted_transactions(0, 5), (std::vector<aborted_txn>{{1, 0, 1}, {2, 2, 4}}));
}

TEST_F(txn_log, crash_loses_only_the_unsynced_tail_and_recovery_rebuilds_the_index) {
  int64_t flushed = 0;
  {
    auto log = open();
    txn_data(*log, 1, 0);    // 0
    marker(*log, 1, false);  // 1
    txn_data(*log, 2, 0);    // 2
    ASSERT_TRUE(log->flush());
    flushed = log->flushed_offset();
    marker(*log, 2, false);  // 3: lost with the crash
    txn_data(*log, 3, 0);    // 4: lost
    ASSERT_EQ(log->aborted_transactions(0, 5).size(), 2u);
  }
  fs->drop_unsynced();  // power loss: no close, no final snapshot
  auto log = open(flushed);
  EXPECT_EQ(log->log_end_offset(), 3);
  EXPECT_EQ(log->aborted_transactions(0, 3), (std::vector<aborted_txn>{{1, 0, 1}}));
  EXPECT_EQ(log->last_stable_offset(), 2);  // pid 2 is open again: its marker was lost
  // Offset 3 is handed out again, to the coordinator's retried marker.
  EXPECT_EQ(marker(*log, 2, false), 3);
  EXPECT_EQ(log->aborted_transactions(0, 4).back(), (aborted_txn{2, 2, 3}));
}

TEST_F(txn_log, torn_tail_cuts_the_marker_and_its_index_entry) {
  int64_t marker_offset = 0;
  {
    auto log = open();
    txn_data(*log, 1, 0);
    marker_offset = marker(*log, 1, false);
    ASSERT_TRUE(log->close());  // the index entry and a snapshot at the end are on disk
  }
  // Tear the last bytes of the log (the marker) as a crash mid-write would.
  auto node = fs->lookup(dir + "/" + segment_file_name(0, ".log"));
  ASSERT_TRUE(node);
  node->data.resize(node->data.size() - 5);
  node->synced = node->data;
  auto log = open(-1);  // unknown recovery point: every segment is checked
  EXPECT_EQ(log->log_end_offset(), marker_offset);
  EXPECT_TRUE(log->aborted_transactions(0, 10).empty());
  EXPECT_EQ(log->last_stable_offset(), 0);  // the transaction is open again
  // The snapshot taken past the new end was dropped.
  for (int64_t o : log->snapshot_offsets_on_disk()) EXPECT_LE(o, log->log_end_offset());
}

TEST_F(txn_log, restarts_without_rolls_keep_one_close_snapshot) {
  for (int i = 0; i < 4; ++i) {
    auto log = open();
    plain(*log);
    ASSERT_TRUE(log->close());
  }
  auto log = open();
  EXPECT_EQ(log->snapshot_offsets_on_disk(), std::vector<int64_t>{4});
  EXPECT_EQ(snapshot_offsets(*fs->list_dir(dir)), std::vector<int64_t>{4});
}

TEST_F(txn_log, an_empty_log_writes_no_snapshot_at_close) {
  ASSERT_TRUE(open()->close());
  EXPECT_FALSE(has_file(".snapshot"));
}

TEST_F(txn_log, a_full_disk_at_close_costs_the_snapshot_not_the_close) {
  {
    auto log = open();
    txn_data(*log, 1, 0);
    fs->set_space_limit(fs->total_bytes());  // not one more byte
    EXPECT_TRUE(log->close());
    fs->set_space_limit(-1);
  }
  EXPECT_FALSE(has_file(".snapshot"));
  auto log = open();
  EXPECT_EQ(log->batches_replayed_at_open(), 1);
  EXPECT_EQ(log->last_stable_offset(), 0);
}

TEST_F(txn_log, lost_index_and_snapshots_are_rebuilt_from_the_log) {
  {
    auto log = open();
    txn_data(*log, 1, 0);
    marker(*log, 1, false);
    txn_data(*log, 2, 0);
    ASSERT_TRUE(log->close());
  }
  auto names = fs->list_dir(dir);
  ASSERT_TRUE(names);
  for (auto& n : *names) {
    if (n.ends_with(".txnindex") || n.ends_with(".snapshot")) {
      ASSERT_TRUE(fs->remove_file(dir + "/" + n));
    }
  }
  auto log = open();
  EXPECT_EQ(log->aborted_transactions(0, 3), (std::vector<aborted_txn>{{1, 0, 1}}));
  EXPECT_EQ(log->last_stable_offset(), 2);
  EXPECT_TRUE(has_file(".txnindex"));
}

TEST_F(txn_log, a_damaged_snapshot_falls_back_to_an_older_one_and_replay) {
  cfg.segment_bytes = 200;  // roll (and snapshot) every batch or two
  {
    auto log = open();
    for (int i = 0; i < 6; ++i) put(*log, make_producer_batch({{"k", "v", 1000}}, producer_fields{4, 0, i, false}));
    txn_data(*log, 6, 0);
    ASSERT_TRUE(log->close());
  }
  auto offsets = snapshot_offsets(*fs->list_dir(dir));
  ASSERT_GE(offsets.size(), 2u);
  auto node = fs->lookup(snapshot_path(dir, offsets.back()));
  node->data[node->data.size() - 1] ^= 0xff;  // a flipped bit: the CRC fails
  node->synced = node->data;
  auto log = open();
  EXPECT_GT(log->batches_replayed_at_open(), 0);  // from the older snapshot on
  EXPECT_LT(log->batches_replayed_at_open(), 7);
  EXPECT_EQ(log->last_stable_offset(), 6);
  // The producer's sequence is still known: a retry of its last batch is a duplicate.
  auto again = log->check_producer(txn::producer_batch{4, 0, 5, 1, false});
  EXPECT_EQ(again.outcome, txn::verdict::duplicate);
  EXPECT_EQ(again.previous.base_offset, 5);
}

// The old registry rebuilt producers from the last 100,000 offsets: a
// producer that went quiet before that many offsets was forgotten. The
// snapshots keep it for producer.id.expiration.ms (one day).
TEST_F(txn_log, a_producer_idle_for_most_of_a_day_survives_a_crash) {
  cfg.segment_bytes = 64 << 10;
  const int64_t t0 = 10 * hour_ms;
  int64_t flushed = 0;
  {
    auto log = open(INT64_MAX, t0);
    ASSERT_TRUE(log->append(make_producer_batch({{"k", "v", t0}}, producer_fields{77, 2, 0, false}), t0));
    // 150,000 offsets of other traffic, in batches of 1,000 small records.
    std::vector<testing::test_record> recs(1000, testing::test_record{std::nullopt, "x", t0});
    auto filler = make_batch(recs);
    for (int i = 0; i < 150; ++i) ASSERT_TRUE(log->append(filler, t0 + i));
    ASSERT_TRUE(log->flush());
    flushed = log->flushed_offset();
    ASSERT_GT(flushed, 150000);
  }
  fs->drop_unsynced();
  {
    auto log = open(flushed, t0 + 23 * hour_ms);
    // From the last snapshot before the crash: not the whole log.
    EXPECT_LT(log->batches_replayed_at_open(), 20);
    auto again = log->check_producer(txn::producer_batch{77, 2, 0, 1, false});
    EXPECT_EQ(again.outcome, txn::verdict::duplicate);
    EXPECT_EQ(again.previous.base_offset, 0);
    EXPECT_EQ(log->check_producer(txn::producer_batch{77, 1, 1, 1, false}).outcome,
              txn::verdict::invalid_producer_epoch);
  }
  // Past producer.id.expiration.ms it is forgotten, as in Kafka.
  auto log = open(flushed, t0 + 25 * hour_ms);
  EXPECT_EQ(log->check_producer(txn::producer_batch{77, 1, 1, 1, false}).outcome, txn::verdict::append);
}

TEST_F(txn_log, retention_deletes_a_segments_txnindex_and_older_snapshots_with_it) {
  cfg.segment_bytes = 150;
  cfg.retention_bytes = 0;
  cfg.cleanup_delete = true;
  auto log = open();
  txn_data(*log, 1, 0);
  marker(*log, 1, false);
  for (int i = 0; i < 4; ++i) plain(*log);
  ASSERT_TRUE(has_file(".txnindex"));
  ASSERT_GT(log->segment_count(), 2u);
  auto removed = log->enforce_retention(5000);
  ASSERT_TRUE(removed) << removed.err().describe();
  ASSERT_GT(*removed, 0);
  EXPECT_FALSE(has_file(".txnindex"));
  EXPECT_TRUE(log->aborted_transactions(0, 100).empty());
  for (int64_t o : log->snapshot_offsets_on_disk()) EXPECT_GE(o, log->log_start_offset());
}

TEST_F(txn_log, retention_past_an_open_transactions_start_keeps_the_lso_at_the_log_start) {
  cfg.segment_bytes = 150;
  cfg.retention_bytes = 0;
  cfg.cleanup_delete = true;
  auto log = open();
  txn_data(*log, 1, 0);
  for (int i = 0; i < 4; ++i) plain(*log);
  ASSERT_TRUE(log->enforce_retention(5000));
  ASSERT_GT(log->log_start_offset(), 0);
  EXPECT_EQ(log->last_stable_offset(), log->log_start_offset());
  ASSERT_TRUE(log->delete_records_before(log->log_end_offset()));
  EXPECT_EQ(log->last_stable_offset(), log->log_end_offset());
}

TEST_F(txn_log, a_control_batch_without_a_control_key_is_refused_before_anything_is_written) {
  auto log = open();
  record::batch_options o;
  o.producer_id = 1;
  o.producer_epoch = 0;
  o.transactional = true;
  o.control = true;
  record::batch_builder b(o);
  const uint8_t junk[1] = {7};  // a control key is 4 bytes
  ASSERT_TRUE(b.append(1000, std::span<const uint8_t>(junk), std::nullopt));
  auto bad = b.build();
  ASSERT_TRUE(bad);
  auto r = log->append(*bad, 1000);
  EXPECT_FALSE(r);
  EXPECT_EQ(log->log_end_offset(), 0);
  EXPECT_EQ(marker(*log, 1, true), 0);  // the log still takes good appends
}

// The produce path appends on several worker threads at once: the producer
// check and the write of one batch must be one step, or two threads could
// both find sequence n next and both write it. Four threads offer every
// sequence of one producer, each in order, racing each other: every
// sequence is stored exactly once, in order, and the others are answered as
// duplicates.
TEST_F(txn_log, concurrent_checked_appends_store_each_sequence_once) {
  auto log = open();
  constexpr int32_t batches = 2000;
  constexpr int threads = 4;
  std::latch start(threads);  // all offer sequence 0 at once
  std::atomic<int> stored{0};
  std::atomic<int> duplicates{0};
  std::atomic<int> other{0};
  std::vector<std::thread> appenders;
  for (int t = 0; t < threads; ++t) {
    appenders.emplace_back([&] {
      start.arrive_and_wait();
      for (int32_t seq = 0; seq < batches; ++seq) {
        auto bytes = make_producer_batch({{"k", "v", 1000}}, producer_fields{42, 0, seq, false});
        auto info = peek_batch(bytes);
        ASSERT_TRUE(info);
        txn::check_result check;
        auto r = log->append_batch_checked(bytes, *info, 1000, txn::producer_batch{42, 0, seq, 1, false}, check);
        ASSERT_TRUE(r) << r.err().describe();
        if (check.outcome == txn::verdict::append) {
          stored.fetch_add(1);
        } else if (check.outcome == txn::verdict::duplicate) {
          duplicates.fetch_add(1);
        } else {
          // A thread that fell behind offers a sequence older than the five
          // the table remembers: out of order, as Kafka answers it.
          other.fetch_add(1);
        }
      }
    });
  }
  for (auto& a : appenders) a.join();
  EXPECT_EQ(stored.load(), batches);
  EXPECT_EQ(stored.load() + duplicates.load() + other.load(), batches * threads);
  EXPECT_EQ(log->log_end_offset(), batches);
  auto producers = log->producer_summaries();
  ASSERT_EQ(producers.size(), 1u);
  EXPECT_EQ(producers[0].last_sequence, batches - 1);
}

}  // namespace
}  // namespace samsa::storage
