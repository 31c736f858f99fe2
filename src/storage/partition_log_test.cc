#include "storage/partition_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <thread>

#include "storage/batch_ops.h"
#include "storage/errc.h"
#include "storage/flusher.h"
#include "storage/memory_file_system.h"
#include "storage/test_batches.h"

namespace samsa::storage {
namespace {

using testing::make_batch;
using testing::make_filler_batch;

struct plog : ::testing::Test {
  std::shared_ptr<memory_file_system> fs = std::make_shared<memory_file_system>();
  log_config cfg;

  std::shared_ptr<partition_log> open(int64_t recovery_point = INT64_MAX, flusher* f = nullptr) {
    partition_log::options o;
    o.fs = fs;
    o.dir = "data/t-0";
    o.topic = "t";
    o.partition = 0;
    o.id[0] = 7;
    o.config = cfg;
    o.recovery_point = recovery_point;
    o.flush = f;
    o.now_ms = 1000;
    auto r = partition_log::open(o);
    EXPECT_TRUE(r) << r.err().describe();
    return r ? *r : nullptr;
  }

  std::vector<uint8_t> at(partition_log& log, int64_t offset) {
    auto r = log.read_copy(offset, 1, INT64_MAX);
    EXPECT_TRUE(r) << r.err().describe();
    return r ? r->bytes : std::vector<uint8_t>{};
  }

  // The stored form of `batch` at `base`: only the base offset and the
  // leader epoch (the broker's, not the producer's) differ.
  static std::vector<uint8_t> with_offset(std::vector<uint8_t> batch, int64_t base) {
    set_base_offset(batch, base);
    set_partition_leader_epoch(batch, partition_log::leader_epoch);
    return batch;
  }
};

TEST_F(plog, append_assigns_offsets_and_reads_whole_batches) {
  auto log = open();
  auto b1 = make_filler_batch(3, 100, 5000, 1);
  auto b2 = make_filler_batch(1, 100, 6000, 2);
  auto r1 = log->append(b1, 10000);
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->base_offset, 0);
  EXPECT_EQ(r1->last_offset, 2);
  EXPECT_EQ(r1->log_append_time_ms, -1);
  auto r2 = log->append(b2, 10000);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->base_offset, 3);
  EXPECT_EQ(log->log_end_offset(), 4);
  EXPECT_EQ(at(*log, 1), with_offset(b1, 0));  // the batch holding offset 1
  EXPECT_EQ(at(*log, 3), with_offset(b2, 3));
  // A big budget returns both; a budget below the second stops after the first.
  auto both = log->read_copy(0, 1 << 20, INT64_MAX);
  ASSERT_TRUE(both);
  EXPECT_EQ(both->bytes.size(), b1.size() + b2.size());
  EXPECT_EQ(both->next_offset, 4);
  auto capped = log->read_copy(0, static_cast<int32_t>(b1.size() + 1), INT64_MAX);
  EXPECT_EQ(capped->bytes.size(), b1.size());
  // The high-watermark bound excludes batches that start at or past it.
  auto bounded = log->read_copy(0, 1 << 20, 3);
  EXPECT_EQ(bounded->bytes.size(), b1.size());
  // At the end: empty; past it: out of range.
  auto end = log->read_copy(4, 100, INT64_MAX);
  ASSERT_TRUE(end);
  EXPECT_TRUE(end->bytes.empty());
  auto past = log->read(5, 100, INT64_MAX);
  ASSERT_FALSE(past);
  EXPECT_TRUE(is(past.err(), errc::offset_out_of_range));
  EXPECT_FALSE(log->append(std::vector<uint8_t>{1, 2, 3}, 0));
}

TEST_F(plog, rolls_segments_and_reopens_cleanly) {
  cfg.segment_bytes = 4096;
  cfg.index_interval_bytes = 512;
  auto log = open();
  std::vector<std::vector<uint8_t>> stored;
  for (int i = 0; i < 60; ++i) {
    auto b = make_filler_batch(2, 300, 1000 + i, i);
    auto r = log->append(b, 2000);
    ASSERT_TRUE(r);
    stored.push_back(with_offset(b, r->base_offset));
  }
  EXPECT_GT(log->segment_count(), 5u);
  for (int i = 0; i < 60; ++i) EXPECT_EQ(at(*log, 2 * i + 1), stored[i]) << i;
  // A read never spans two segments.
  auto big = log->read(0, 1 << 30, INT64_MAX);
  ASSERT_TRUE(big);
  EXPECT_LE(big->length, 4096);
  ASSERT_TRUE(log->close());
  log.reset();
  auto again = open(INT64_MAX);
  EXPECT_EQ(again->log_end_offset(), 120);
  for (int i = 0; i < 60; ++i) EXPECT_EQ(at(*again, 2 * i), stored[i]) << i;
  auto r = again->append(make_filler_batch(1, 10, 1, 1), 3000);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->base_offset, 120);
}

// A fetch that starts at an indexed batch reads that batch's header once:
// locating it, trusting the index entry and measuring the answer all use the
// same header (each extra pread was a system call per partition per fetch).
TEST_F(plog, a_read_reads_the_header_of_its_first_batch_once) {
  cfg.index_interval_bytes = 512;
  auto log = open();
  std::vector<int64_t> positions;
  int64_t end = 0;
  for (int i = 0; i < 12; ++i) {
    auto b = make_filler_batch(2, 300, 1000 + i, i);
    positions.push_back(end);
    end += static_cast<int64_t>(b.size());
    ASSERT_TRUE(log->append(b, 2000));
  }
  const std::string segment = "data/t-0/00000000000000000000.log";
  for (int i : {0, 5, 6, 11}) {
    fs->count_reads(true);
    auto r = log->read(2 * i + 1, 1, INT64_MAX);  // offset inside batch i; one batch at most
    ASSERT_TRUE(r) << r.err().describe();
    EXPECT_EQ(r->position, positions[static_cast<size_t>(i)]) << i;
    EXPECT_EQ(r->next_offset, 2 * i + 2) << i;
    EXPECT_EQ(fs->reads_at(segment, positions[static_cast<size_t>(i)]), 1) << "batch " << i;
  }
  fs->count_reads(false);
}

// Only the active segment keeps its .log descriptor: a partition of many
// small segments (segment.bytes may be tiny) must not hold one per segment.
TEST_F(plog, sealed_segments_hold_no_descriptor_until_read) {
  auto count_descriptors = [] {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
  };
  const auto dir = std::filesystem::temp_directory_path() / ("plog_descriptors_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  partition_log::options o;
  o.fs = posix_file_system();
  o.dir = (dir / "t-0").string();
  o.topic = "t";
  o.partition = 0;
  o.config = cfg;
  o.config.segment_bytes = 200;
  o.now_ms = 1000;
  ASSERT_TRUE(o.fs->create_dirs(o.dir));
  const size_t before = count_descriptors();
  std::vector<std::vector<uint8_t>> stored;
  {
    auto log = partition_log::open(o);
    ASSERT_TRUE(log) << log.err().describe();
    for (int i = 0; i < 120; ++i) {
      auto b = make_filler_batch(1, 150, 1000 + i, i);
      auto r = (*log)->append(b, 2000);
      ASSERT_TRUE(r) << r.err().describe();
      stored.push_back(with_offset(b, r->base_offset));
    }
    EXPECT_GE((*log)->segment_count(), 120u);
    EXPECT_LT(count_descriptors(), before + 10) << "120 segments, one descriptor per segment?";
    // Sealed segments are still read, through a descriptor opened for the read.
    EXPECT_EQ(at(**log, 5), stored[5]);
    auto range = (*log)->read(7, 1 << 20, INT64_MAX);
    ASSERT_TRUE(range) << range.err().describe();
    EXPECT_GE(range->fd, 0) << "the answer carries a descriptor it keeps until sent";
    EXPECT_LT(count_descriptors(), before + 10);
    ASSERT_TRUE((*log)->flush());
    ASSERT_TRUE((*log)->close());
  }
  {
    auto log = partition_log::open(o);  // a restart opens no sealed segment either
    ASSERT_TRUE(log) << log.err().describe();
    EXPECT_LT(count_descriptors(), before + 10);
    EXPECT_EQ(at(**log, 119), stored[119]);
    EXPECT_EQ(at(**log, 0), stored[0]);
  }
  std::filesystem::remove_all(dir);
}

TEST_F(plog, creating_a_partition_defers_its_syncs_to_the_first_flush) {
  auto log = open();
  EXPECT_TRUE(log->has_unsynced_files());  // directory, partition.metadata and segment names
  log.reset();
  fs->drop_unsynced();
  // Lost before any sync: the partition comes back empty.
  log = open(-1);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->log_end_offset(), 0);
  ASSERT_TRUE(log->append(make_filler_batch(2, 100, 0, 1), 0));
  ASSERT_TRUE(log->flush());
  EXPECT_FALSE(log->has_unsynced_files());
  log.reset();
  fs->drop_unsynced();
  log = open(-1);
  EXPECT_EQ(log->log_end_offset(), 2);
  EXPECT_NE(fs->lookup("data/t-0/partition.metadata"), nullptr);
}

TEST_F(plog, power_loss_keeps_flushed_prefix) {
  cfg.segment_bytes = 2048;
  auto log = open();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(log->append(make_filler_batch(1, 200, i, i), 0));
  ASSERT_TRUE(log->flush());
  EXPECT_EQ(log->flushed_offset(), 20);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(log->append(make_filler_batch(1, 200, i, 100 + i), 0));
  log.reset();
  fs->drop_unsynced();
  auto again = open(-1);
  EXPECT_GE(again->log_end_offset(), 20);
  EXPECT_LE(again->log_end_offset(), 40);
  for (int64_t o = 0; o < again->log_end_offset(); ++o) EXPECT_FALSE(at(*again, o).empty());
}

// After a SIGKILL the unflushed tail is still in the page cache: the start
// keeps it without waiting for the disk, counts as durable only what the
// recovery point vouches for, and the first sync makes the rest durable.
TEST_F(plog, an_unclean_start_vouches_only_for_the_recovery_point_until_it_syncs) {
  cfg.segment_bytes = 2048;
  auto log = open();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(log->append(make_filler_batch(1, 200, i, i), 0));
  ASSERT_TRUE(log->flush());
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(log->append(make_filler_batch(1, 200, i, 100 + i), 0));
  log.reset();  // a SIGKILL: nothing lost, nothing more synced

  log = open(10);
  EXPECT_EQ(log->log_end_offset(), 40);
  EXPECT_EQ(log->flushed_offset(), 10);
  EXPECT_TRUE(log->has_unsynced_files()) << "the sealed segments above the recovery point wait for a sync";
  ASSERT_TRUE(log->flush());
  EXPECT_EQ(log->flushed_offset(), 40);
  EXPECT_FALSE(log->has_unsynced_files());
  log.reset();
  fs->drop_unsynced();  // a power loss after that sync keeps everything
  log = open(-1);
  EXPECT_EQ(log->log_end_offset(), 40);
  for (int64_t o = 0; o < 40; ++o) EXPECT_FALSE(at(*log, o).empty()) << o;
}

TEST_F(plog, a_power_loss_before_the_first_sync_after_an_unclean_start_keeps_the_recovery_point) {
  cfg.segment_bytes = 2048;
  auto log = open();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(log->append(make_filler_batch(1, 200, i, i), 0));
  ASSERT_TRUE(log->flush());
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(log->append(make_filler_batch(1, 200, i, 100 + i), 0));
  log.reset();
  log = open(10);
  EXPECT_EQ(log->flushed_offset(), 10);
  log.reset();
  fs->drop_unsynced();
  log = open(10);
  EXPECT_GE(log->log_end_offset(), 10);
  EXPECT_LE(log->log_end_offset(), 40);
  for (int64_t o = 0; o < log->log_end_offset(); ++o) EXPECT_FALSE(at(*log, o).empty()) << o;
}

TEST_F(plog, torn_tail_is_cut_at_last_whole_batch) {
  auto log = open();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->append(make_filler_batch(1, 100, i, i), 0));
  ASSERT_TRUE(log->flush());
  log.reset();
  auto node = fs->lookup("data/t-0/00000000000000000000.log");
  ASSERT_TRUE(node);
  size_t whole = node->data.size();
  auto extra = make_filler_batch(1, 100, 9, 9);
  set_base_offset(extra, 5);
  node->data.insert(node->data.end(), extra.begin(), extra.begin() + 40);  // half a batch
  auto again = open(3);
  EXPECT_EQ(again->log_end_offset(), 5);
  EXPECT_EQ(node->data.size(), whole);
  auto r = again->append(make_filler_batch(1, 100, 9, 9), 0);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->base_offset, 5);
}

TEST_F(plog, bad_crc_in_tail_cuts_there) {
  auto log = open();
  std::vector<size_t> ends;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(log->append(make_filler_batch(1, 100, i, i), 0));
    ends.push_back(static_cast<size_t>(log->size_bytes()));
  }
  ASSERT_TRUE(log->flush());
  log.reset();
  auto node = fs->lookup("data/t-0/00000000000000000000.log");
  node->data[ends[2] + 70] ^= 0x40;  // inside the 4th batch's records
  auto again = open(-1);
  EXPECT_EQ(again->log_end_offset(), 3);
  EXPECT_EQ(node->data.size(), ends[2]);
}

TEST_F(plog, damaged_index_is_rebuilt) {
  cfg.index_interval_bytes = 100;
  auto log = open();
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(log->append(make_filler_batch(1, 100, i, i), 0));
  auto expect = at(*log, 17);
  ASSERT_TRUE(log->close());
  log.reset();
  auto idx = fs->lookup("data/t-0/00000000000000000000.index");
  ASSERT_GT(idx->data.size(), 16u);
  idx->data[9] ^= 0xff;  // second entry's offset goes out of order
  auto again = open(INT64_MAX);
  EXPECT_EQ(again->log_end_offset(), 30);
  EXPECT_EQ(at(*again, 17), expect);
}

TEST_F(plog, retention_and_delete_records) {
  cfg.segment_bytes = 1024;
  cfg.retention_ms = 10000;
  auto log = open();
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(log->append(make_filler_batch(1, 200, i < 20 ? 1000 : 50000, i), 0));
  size_t before = log->segment_count();
  auto removed = log->enforce_retention(30000);  // batches stamped 1000 expired, 50000 not
  ASSERT_TRUE(removed);
  EXPECT_GT(*removed, 0);
  EXPECT_LT(log->segment_count(), before);
  EXPECT_GT(log->log_start_offset(), 0);
  EXPECT_LE(log->log_start_offset(), 20);
  auto below = log->read(0, 100, INT64_MAX);
  ASSERT_FALSE(below);
  EXPECT_TRUE(is(below.err(), errc::offset_out_of_range));

  auto moved = log->delete_records_before(33);
  ASSERT_TRUE(moved);
  EXPECT_EQ(*moved, 33);
  EXPECT_FALSE(log->read(32, 100, INT64_MAX));
  EXPECT_FALSE(at(*log, 33).empty());
  EXPECT_FALSE(log->delete_records_before(41));
  ASSERT_TRUE(log->close());
  log.reset();
  fs->drop_unsynced();
  auto again = open(-1);
  EXPECT_EQ(again->log_start_offset(), 33);
  ASSERT_TRUE(again->enforce_retention(30000));
  EXPECT_LE(again->size_bytes(), 8 * 1024);

  // Size-based retention keeps the newest segments under the limit.
  log_config c = again->config();
  c.retention_ms = -1;
  c.retention_bytes = 1024;
  again->update_config(c);
  ASSERT_TRUE(again->enforce_retention(30000));
  EXPECT_LE(again->segment_count(), 3u);
}

TEST_F(plog, timestamps_lookup_and_log_append_time) {
  auto log = open();
  ASSERT_TRUE(log->append(make_filler_batch(2, 10, 100, 1), 0));  // offsets 0-1 at ts 100
  ASSERT_TRUE(log->append(make_filler_batch(2, 10, 300, 2), 0));  // 2-3 at 300
  ASSERT_TRUE(log->append(make_filler_batch(1, 10, 200, 3), 0));  // 4 at 200
  auto t = log->offset_for_timestamp(250);
  ASSERT_TRUE(t);
  ASSERT_TRUE(t->has_value());
  EXPECT_EQ((*t)->offset, 2);
  EXPECT_EQ((*t)->timestamp, 300);
  auto none = log->offset_for_timestamp(301);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  auto mx = log->max_timestamp_offset();
  ASSERT_TRUE(mx);
  EXPECT_EQ(mx->offset, 2);
  EXPECT_EQ(mx->timestamp, 300);

  cfg.message_timestamp_type = timestamp_type::log_append_time;
  log->update_config(cfg);
  auto r = log->append(make_filler_batch(1, 10, 5, 4), 777777);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->log_append_time_ms, 777777);
  auto stored = at(*log, r->base_offset);
  EXPECT_TRUE(check_batch(stored));
  auto info = peek_batch(stored);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->max_timestamp, 777777);
  EXPECT_EQ(info->attributes & 0x8, 0x8);
}

TEST_F(plog, disk_full_fails_append_then_recovers) {
  auto log = open();
  ASSERT_TRUE(log->append(make_filler_batch(1, 100, 1, 1), 0));
  fs->set_space_limit(fs->total_bytes() + 150);
  auto big = make_filler_batch(1, 400, 1, 2);
  auto r = log->append(big, 0);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), errc::disk_full));
  EXPECT_EQ(log->log_end_offset(), 1);
  EXPECT_FALSE(at(*log, 0).empty());  // reads keep working
  fs->set_space_limit(-1);
  auto ok = log->append(big, 0);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->base_offset, 1);
  ASSERT_TRUE(log->flush());
  log.reset();
  auto again = open(-1);
  EXPECT_EQ(again->log_end_offset(), 2);
}

TEST_F(plog, failed_sync_poisons_appends) {
  auto log = open();
  ASSERT_TRUE(log->append(make_filler_batch(1, 10, 1, 1), 0));
  fs->set_fail_sync(true);
  EXPECT_FALSE(log->flush());
  fs->set_fail_sync(false);
  auto r = log->append(make_filler_batch(1, 10, 1, 1), 0);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), errc::io_error));
  EXPECT_FALSE(at(*log, 0).empty());
}

TEST_F(plog, group_commit_shares_syncs) {
  flusher f;
  auto log = open(INT64_MAX, &f);
  constexpr int writers = 8, per_writer = 50;
  std::atomic<int> acked{0}, failed{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < per_writer; ++i) {
        auto r = log->append(make_filler_batch(1, 64, i, w * 1000 + i), 0);
        if (!r) {
          ++failed;
          continue;
        }
        std::promise<status> p;
        auto fut = p.get_future();
        log->flush_async(r->last_offset + 1, [&p](status s) { p.set_value(s); });
        if (fut.get()) {
          ++acked;
          EXPECT_GE(log->flushed_offset(), r->last_offset + 1);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(acked.load(), writers * per_writer);
  f.stop();  // the counters are updated after the callbacks run
  EXPECT_EQ(f.requests_served(), writers * per_writer);
  EXPECT_LE(f.sync_rounds(), f.requests_served());
}

}  // namespace
}  // namespace samsa::storage
