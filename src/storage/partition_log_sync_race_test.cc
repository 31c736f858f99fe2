// Durability bookkeeping when several threads sync one partition at once
// (the flusher, retention, DeleteRecords): nothing may look durable before
// every sync that makes it so has finished.
#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "storage/memory_file_system.h"
#include "storage/partition_log.h"
#include "storage/test_batches.h"

namespace samsa::storage {
namespace {

// Holds the first sync of one path until released: a slow disk.
struct sync_gate {
  std::mutex mu;
  std::condition_variable cv;
  std::string path;
  bool armed = true;
  bool entered = false;
  bool open = false;

  void hook(const std::string& p) {
    std::unique_lock lock(mu);
    if (!armed || p != path) return;
    armed = false;
    entered = true;
    cv.notify_all();
    cv.wait(lock, [&] { return open; });
  }
  bool wait_entered() {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return entered; });
  }
  void release() {
    std::lock_guard lock(mu);
    open = true;
    cv.notify_all();
  }
};

// What broker/durability.cc and the flusher test before answering acks=all
// without a sync of their own.
bool looks_durable(const partition_log& log, int64_t up_to) {
  return log.flushed_offset() >= up_to && !log.has_unsynced_files();
}

std::shared_ptr<partition_log> open_log(const std::shared_ptr<memory_file_system>& fs) {
  partition_log::options o;
  o.fs = fs;
  o.dir = "data/t-0";
  o.topic = "t";
  o.config = log_config{};
  o.recovery_point = INT64_MAX;
  auto r = partition_log::open(o);
  EXPECT_TRUE(r) << r.err().describe();
  return r ? *r : nullptr;
}

TEST(partition_log_sync_race, a_second_sync_does_not_report_what_the_first_is_still_syncing) {
  auto fs = std::make_shared<memory_file_system>();
  auto log = open_log(fs);
  ASSERT_TRUE(log);
  // A new partition: its segment, its directory entry and its parent's entry
  // all need a sync before offset 0 is durable.
  ASSERT_TRUE(log->append(testing::make_filler_batch(1, 100, 1000, 1), 1000));
  sync_gate gate;
  gate.path = "data/t-0";
  fs->set_sync_hook([&](const std::string& p) { gate.hook(p); });

  auto first = std::async(std::launch::async, [&] { return log->sync_now(); });
  ASSERT_TRUE(gate.wait_entered());  // the first caller is inside the directory fsync
  auto second = std::async(std::launch::async, [&] { return log->sync_now(); });
  bool second_done = second.wait_for(std::chrono::milliseconds(200)) == std::future_status::ready;
  bool looked_durable = looks_durable(*log, 1);
  gate.release();
  ASSERT_TRUE(first.get());
  ASSERT_TRUE(second.get());
  EXPECT_FALSE(second_done) << "a sync returned while the directory fsync it relies on was still running";
  EXPECT_FALSE(looked_durable) << "offset 0 looked durable (acks=all could be answered) before its directory fsync";
  EXPECT_TRUE(looks_durable(*log, 1));
}

TEST(partition_log_sync_race, concurrent_syncs_with_appends_keep_the_flushed_offset_honest) {
  auto fs = std::make_shared<memory_file_system>();
  auto log = open_log(fs);
  ASSERT_TRUE(log);
  log_config small;
  small.segment_bytes = 2048;  // rolls often: new files and directory syncs
  log->update_config(small);
  // Syncs take a little while, so callers overlap.
  fs->set_sync_hook([](const std::string&) { std::this_thread::sleep_for(std::chrono::microseconds(200)); });
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::thread writer([&] {
    for (int i = 0; i < 400 && !stop; ++i) {
      if (!log->append(testing::make_filler_batch(1, 200, 1000, i), 1000)) ++failures;
    }
  });
  std::vector<std::thread> syncers;
  for (int t = 0; t < 4; ++t) {
    syncers.emplace_back([&] {
      int64_t seen = 0;
      for (int i = 0; i < 50; ++i) {
        int64_t end = log->log_end_offset();
        if (!log->sync_now()) ++failures;
        int64_t flushed = log->flushed_offset();
        // Monotone, and covers everything appended before the call.
        if (flushed < seen || flushed < end) ++failures;
        seen = flushed;
      }
    });
  }
  writer.join();
  for (auto& s : syncers) s.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_TRUE(log->sync_now());
  EXPECT_TRUE(looks_durable(*log, log->log_end_offset()));
}

}  // namespace
}  // namespace samsa::storage
