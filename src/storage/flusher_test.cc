// The group-commit flusher: per-partition answer order, answers only after a
// sync that covers them, folding of requests that arrive during a sync, and
// independence of partitions. Slow disks are simulated with the in-memory
// file system's sync hook; the tests wait on latches, never on the clock.
#include "storage/flusher.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/errc.h"
#include "storage/memory_file_system.h"
#include "storage/partition_log.h"
#include "storage/test_batches.h"

namespace samsa::storage {
namespace {

using testing::make_filler_batch;

// Holds the first sync of any file under `prefix` until released: a slow disk
// for one partition.
class sync_gate {
 public:
  explicit sync_gate(std::string prefix) : prefix_(std::move(prefix)) {}

  void hook(const std::string& path) {
    std::unique_lock lock(mu_);
    if (!armed_ || path.rfind(prefix_, 0) != 0) return;
    armed_ = false;
    entered_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
  }
  void wait_entered() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return entered_; });
  }
  void release() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::string prefix_;
  bool armed_ = true;
  bool entered_ = false;
  bool open_ = false;
};

// What the callbacks saw, in the order they ran.
struct answers {
  struct answer {
    int id;
    int64_t up_to;
    int64_t flushed_then;  // the log's durable end when the answer ran
    bool ok;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::vector<answer> got;

  std::function<void(status)> callback(const partition_log& log, int id, int64_t up_to) {
    return [this, &log, id, up_to](status s) {
      std::lock_guard lock(mu);
      got.push_back({id, up_to, log.flushed_offset(), static_cast<bool>(s)});
      cv.notify_all();
    };
  }
  void wait_for(size_t n) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return got.size() >= n; });
  }
  std::vector<int> ids() {
    std::lock_guard lock(mu);
    std::vector<int> out;
    for (auto& a : got) out.push_back(a.id);
    return out;
  }
  bool has(int id) {
    std::lock_guard lock(mu);
    for (auto& a : got)
      if (a.id == id) return true;
    return false;
  }
};

class flusher_test : public ::testing::Test {
 protected:
  std::shared_ptr<partition_log> open(const std::string& topic) {
    partition_log::options o;
    o.fs = fs;
    o.dir = "data/" + topic + "-0";
    o.topic = topic;
    o.config = log_config{};
    o.recovery_point = INT64_MAX;
    o.flush = &f;
    auto r = partition_log::open(o);
    EXPECT_TRUE(r) << r.err().describe();
    return r ? *r : nullptr;
  }
  // Appends one small batch; returns the exclusive end offset to wait for.
  int64_t append(partition_log& log, uint64_t seed) {
    auto r = log.append(make_filler_batch(1, 64, 1000, seed), 1000);
    EXPECT_TRUE(r) << r.err().describe();
    return r ? r->last_offset + 1 : 0;
  }

  std::shared_ptr<memory_file_system> fs = std::make_shared<memory_file_system>();
  flusher f;
};

TEST_F(flusher_test, requests_during_a_sync_fold_into_the_next_one_and_answer_in_order) {
  auto log = open("a");
  ASSERT_TRUE(log);
  sync_gate gate("data/a-0");
  fs->set_sync_hook([&](const std::string& p) { gate.hook(p); });
  answers seen;

  int64_t end1 = append(*log, 1);
  f.request(log, end1, seen.callback(*log, 1, end1));
  gate.wait_entered();  // the first sync is running (and held)
  // Appended after that sync read the log end: it cannot cover these.
  int64_t end2 = append(*log, 2);
  f.request(log, end2, seen.callback(*log, 2, end2));
  int64_t end3 = append(*log, 3);
  f.request(log, end3, seen.callback(*log, 3, end3));
  EXPECT_TRUE(seen.ids().empty()) << "answered while the covering sync is still running";

  gate.release();
  seen.wait_for(3);
  EXPECT_EQ(seen.ids(), (std::vector<int>{1, 2, 3}));
  for (auto& a : seen.got) {
    EXPECT_TRUE(a.ok) << a.id;
    EXPECT_GE(a.flushed_then, a.up_to) << "answer " << a.id << " ran before its data was durable";
  }
  f.stop();
  // One sync for the first request, one more for the two that arrived during it.
  EXPECT_EQ(f.sync_rounds(), 2);
  EXPECT_EQ(f.requests_served(), 3);
}

TEST_F(flusher_test, a_slow_sync_of_one_partition_does_not_delay_another) {
  auto slow = open("slow");
  auto fast = open("fast");
  ASSERT_TRUE(slow && fast);
  sync_gate gate("data/slow-0");
  fs->set_sync_hook([&](const std::string& p) { gate.hook(p); });
  answers seen;

  int64_t slow_end = append(*slow, 1);
  f.request(slow, slow_end, seen.callback(*slow, 1, slow_end));
  gate.wait_entered();
  int64_t fast_end = append(*fast, 2);
  f.request(fast, fast_end, seen.callback(*fast, 2, fast_end));
  seen.wait_for(1);  // would never return if the fast partition waited for the slow one
  EXPECT_EQ(seen.ids(), std::vector<int>{2});
  EXPECT_FALSE(seen.has(1));
  EXPECT_GE(fast->flushed_offset(), fast_end);
  EXPECT_LT(slow->flushed_offset(), slow_end);

  gate.release();
  seen.wait_for(2);
  EXPECT_EQ(seen.ids(), (std::vector<int>{2, 1}));
  EXPECT_GE(slow->flushed_offset(), slow_end);
}

TEST_F(flusher_test, each_partition_answers_in_request_order_under_concurrent_load) {
  constexpr int partitions = 6, per_partition = 200;
  std::vector<std::shared_ptr<partition_log>> logs;
  for (int p = 0; p < partitions; ++p) logs.push_back(open("p" + std::to_string(p)));
  std::vector<answers> seen(partitions);
  std::vector<std::thread> writers;
  for (int p = 0; p < partitions; ++p) {
    writers.emplace_back([&, p] {
      auto& log = logs[static_cast<size_t>(p)];
      for (int i = 0; i < per_partition; ++i) {
        int64_t end = append(*log, static_cast<uint64_t>(p * 1000 + i));
        f.request(log, end, seen[static_cast<size_t>(p)].callback(*log, i, end));
      }
    });
  }
  for (auto& w : writers) w.join();
  for (int p = 0; p < partitions; ++p) {
    auto& s = seen[static_cast<size_t>(p)];
    s.wait_for(per_partition);
    std::vector<int> expected(per_partition);
    for (int i = 0; i < per_partition; ++i) expected[static_cast<size_t>(i)] = i;
    EXPECT_EQ(s.ids(), expected) << "partition " << p;
    for (auto& a : s.got) {
      EXPECT_TRUE(a.ok);
      EXPECT_GE(a.flushed_then, a.up_to) << "partition " << p << " answer " << a.id;
    }
  }
  f.stop();
  EXPECT_EQ(f.requests_served(), partitions * per_partition);
  EXPECT_LE(f.sync_rounds(), f.requests_served());
}

TEST_F(flusher_test, a_failed_sync_answers_its_waiters_with_the_error) {
  auto log = open("bad");
  ASSERT_TRUE(log);
  fs->set_fail_sync(true);
  std::promise<status> p;
  f.request(log, append(*log, 1), [&p](status s) { p.set_value(std::move(s)); });
  status s = p.get_future().get();
  EXPECT_FALSE(s);
}

TEST_F(flusher_test, stop_finishes_queued_requests_and_refuses_later_ones) {
  auto log = open("s");
  ASSERT_TRUE(log);
  sync_gate gate("data/s-0");
  fs->set_sync_hook([&](const std::string& p) { gate.hook(p); });
  answers seen;
  int64_t end1 = append(*log, 1);
  f.request(log, end1, seen.callback(*log, 1, end1));
  gate.wait_entered();
  int64_t end2 = append(*log, 2);
  f.request(log, end2, seen.callback(*log, 2, end2));
  auto stopped = std::async(std::launch::async, [&] { f.stop(); });
  gate.release();
  stopped.get();
  EXPECT_EQ(seen.ids(), (std::vector<int>{1, 2}));
  for (auto& a : seen.got) EXPECT_TRUE(a.ok);

  std::promise<status> late;
  f.request(log, end2, [&late](status s) { late.set_value(std::move(s)); });
  status s = late.get_future().get();
  ASSERT_FALSE(s);
  EXPECT_TRUE(is(s.err(), errc::closed));
}

}  // namespace
}  // namespace samsa::storage
