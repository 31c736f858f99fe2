// SIGKILL crash test for the transaction state of a partition log: a child
// process appends transactions of several producers (data batches, then a
// COMMIT or ABORT marker, some left open) with frequent rolls, so kills land
// between a marker and its .txnindex entry, during a snapshot, during open.
// After each kill the parent opens the log itself and checks that what the
// log reports (aborted transactions, open transactions, LSO) equals what a
// plain scan of the recovered log gives, and that every acknowledged
// (durable) append survived. The next child goes on from the recovered log.
//
// Iterations: SAMSA_CRASH_ITERATIONS (default 20). Seed: SAMSA_CRASH_SEED.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include "storage/batch_ops.h"
#include "storage/partition_log.h"
#include "storage/test_batches.h"

namespace samsa::storage {
namespace {

int env_int(const char* name, int def) {
  const char* v = std::getenv(name);
  return v ? std::atoi(v) : def;
}

partition_log::options options_for(const std::string& dir, int64_t recovery_point) {
  partition_log::options o;
  o.fs = posix_file_system();
  o.dir = dir;
  o.topic = "crash";
  o.config.segment_bytes = 8 << 10;  // a roll (and a snapshot) every few transactions
  o.recovery_point = recovery_point;
  o.now_ms = 1000;
  return o;
}

// Child: transactions forever; acks each durable log end (int64) on the pipe.
[[noreturn]] void run_child(const std::string& dir, int ack_fd, uint64_t seed) {
  auto log = partition_log::open(options_for(dir, -1));
  if (!log) _exit(2);
  std::mt19937_64 rng(seed);
  std::vector<testing::test_record> recs(3, testing::test_record{"k", std::string(200, 'v'), 1000});
  std::map<int64_t, int32_t> seq;  // per producer (sequences are not checked here)
  while (true) {
    const int64_t pid = 1 + static_cast<int64_t>(rng() % 4);
    auto data = testing::make_producer_batch(recs, {pid, 0, seq[pid], true});
    seq[pid] += 3;
    if (!(*log)->append(data, 1000)) _exit(3);
    if (rng() % 3 != 0) {
      if (!(*log)->append(testing::make_marker(pid, 0, rng() % 2 == 0, 1000), 1000)) _exit(4);
    }
    if (rng() % 4 == 0) {
      if (!(*log)->flush()) _exit(5);
      int64_t end = (*log)->flushed_offset();
      if (::write(ack_fd, &end, sizeof end) != sizeof end) _exit(6);
    }
  }
}

// The transaction state a scan of the whole log gives, independently of the
// producer table, the index files and the snapshots.
struct scanned {
  std::vector<aborted_txn> aborted;
  std::map<int64_t, int64_t> open;  // producer -> first offset
};

scanned scan(partition_log& log) {
  scanned out;
  int64_t next = log.log_start_offset();
  while (next < log.log_end_offset()) {
    auto r = log.read_copy(next, 1 << 20, INT64_MAX);
    EXPECT_TRUE(r) << r.err().describe();
    if (!r || r->bytes.empty()) break;
    for (size_t pos = 0; pos < r->bytes.size();) {
      auto b = peek_batch(std::span<const uint8_t>(r->bytes).subspan(pos));
      EXPECT_TRUE(b);
      if (!b) return out;
      auto bytes = std::span<const uint8_t>(r->bytes).subspan(pos, static_cast<size_t>(b->size));
      if (is_control_batch(*b)) {
        auto m = transaction_marker_of(bytes);
        EXPECT_TRUE(m && m->has_value());
        auto it = out.open.find(b->producer_id);
        if (it != out.open.end()) {
          if (m && m->has_value() && !**m) out.aborted.push_back({b->producer_id, it->second, b->base_offset});
          out.open.erase(it);
        }
      } else if (is_transactional_batch(*b)) {
        out.open.emplace(b->producer_id, b->base_offset);  // keeps the first
      }
      pos += static_cast<size_t>(b->size);
    }
    next = r->next_offset;
  }
  return out;
}

TEST(txn_crash, transaction_state_after_sigkill_matches_the_log) {
  const int iterations = env_int("SAMSA_CRASH_ITERATIONS", 20);
  std::mt19937_64 rng(static_cast<uint64_t>(env_int("SAMSA_CRASH_SEED", 20261203)));
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("samsa-txn-crash-" + std::to_string(::getpid()))).string();
  std::filesystem::remove_all(dir);
  int64_t acked = 0;
  size_t max_aborted = 0;
  for (int it = 0; it < iterations; ++it) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(fds[0]);
      run_child(dir, fds[1], rng());
    }
    ::close(fds[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 150));
    ::kill(child, SIGKILL);
    int wstatus = 0;
    ::waitpid(child, &wstatus, 0);
    ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited on its own with status " << WEXITSTATUS(wstatus);
    int64_t end = 0;
    while (::read(fds[0], &end, sizeof end) == sizeof end) acked = std::max(acked, end);
    ::close(fds[0]);

    // The recovery point a checkpoint could have recorded: the last acked
    // end, or unknown.
    auto log = partition_log::open(options_for(dir, rng() % 2 == 0 ? acked : -1));
    ASSERT_TRUE(log) << log.err().describe();
    ASSERT_GE((*log)->log_end_offset(), acked) << "an acknowledged append was lost";
    const scanned want = scan(**log);
    EXPECT_EQ((*log)->aborted_transactions(0, (*log)->log_end_offset()), want.aborted) << "iteration " << it;
    std::vector<std::pair<int64_t, int64_t>> open_want;
    int64_t lso = (*log)->log_end_offset();
    for (auto [pid, first] : want.open) lso = std::min(lso, first);
    auto open_got = (*log)->ongoing_transactions();
    std::map<int64_t, int64_t> open_got_map(open_got.begin(), open_got.end());
    EXPECT_EQ(open_got_map, want.open) << "iteration " << it;
    EXPECT_EQ((*log)->last_stable_offset(), lso) << "iteration " << it;
    max_aborted = std::max(max_aborted, want.aborted.size());
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(max_aborted, 0u) << "no abort was ever written: the test checked nothing";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace samsa::storage
