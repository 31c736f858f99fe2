// SIGKILL crash test: a child process appends batches and acknowledges each
// one to the parent over a pipe only after group commit made it durable. The
// parent kills the child at random moments, recovers the log itself and
// checks that every acknowledged batch is there with identical bytes and
// that the log holds only whole, valid batches.
//
// Iterations: SAMSA_CRASH_ITERATIONS (default 50). Seed: SAMSA_CRASH_SEED.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include "storage/batch_ops.h"
#include "storage/log_manager.h"
#include "storage/test_batches.h"

namespace samsa::storage {
namespace {

int env_int(const char* name, int def) {
  const char* v = std::getenv(name);
  return v ? std::atoi(v) : def;
}

log_config crash_config() {
  log_config cfg;
  cfg.segment_bytes = 256 << 10;  // many rolls
  cfg.index_interval_bytes = 1024;
  return cfg;
}

bool write_all(int fd, const void* p, size_t n) {
  auto* b = static_cast<const uint8_t*>(p);
  while (n > 0) {
    ssize_t w = ::write(fd, b, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    b += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Child: append forever, ack durable batches as [u32 length][batch bytes].
[[noreturn]] void run_child(const std::string& dir, int ack_fd, uint64_t seed) {
  log_manager::options o;
  o.data_dir = dir;
  o.background = false;
  o.config_for = [](const std::string&) { return crash_config(); };
  auto m = log_manager::open(o);
  if (!m) _exit(2);
  auto log = (*m)->get("crash", 0);
  if (!log) {
    topic_id id{};
    id[0] = 1;
    auto c = (*m)->create_partition("crash", 0, id, crash_config());
    if (!c) _exit(3);
    log = *c;
  }
  std::mt19937_64 rng(seed);
  std::mutex pipe_mu;
  std::atomic<int> inflight{0};
  for (uint64_t i = 0;; ++i) {
    int count = 1 + static_cast<int>(rng() % 5);
    size_t value = 16 + rng() % 6000;
    auto batch = std::make_shared<std::vector<uint8_t>>(testing::make_filler_batch(count, value, 1000 + i, rng()));
    auto r = log->append_in_place(*batch, 0);  // batch now holds the stored bytes
    if (!r) _exit(4);
    ++inflight;
    log->flush_async(r->last_offset + 1, [batch, ack_fd, &pipe_mu, &inflight](status s) {
      if (!s) _exit(5);
      std::lock_guard lock(pipe_mu);
      uint32_t n = static_cast<uint32_t>(batch->size());
      if (!write_all(ack_fd, &n, 4) || !write_all(ack_fd, batch->data(), n)) _exit(6);
      --inflight;
    });
    // Keep a bounded number of unacknowledged appends, so group commit is
    // exercised without an unbounded queue.
    while (inflight.load() > 32) std::this_thread::yield();
  }
}

struct acked_batch {
  std::vector<uint8_t> bytes;
};

TEST(storage_crash, acknowledged_batches_survive_sigkill) {
  int iterations = env_int("SAMSA_CRASH_ITERATIONS", 50);
  uint64_t seed = static_cast<uint64_t>(env_int("SAMSA_CRASH_SEED", 20261124));
  std::string dir = (std::filesystem::temp_directory_path() / ("samsa-crash-" + std::to_string(::getpid()))).string();
  std::filesystem::remove_all(dir);
  std::mt19937_64 rng(seed);
  std::map<int64_t, std::vector<uint8_t>> acked;  // base offset -> stored bytes
  int64_t total_cut_checks = 0;

  for (int it = 0; it < iterations; ++it) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      run_child(dir, fds[1], rng() + static_cast<uint64_t>(it));
    }
    ::close(fds[1]);
    // Let it run a random while (some kills land during open/recovery).
    auto run_for = std::chrono::milliseconds(rng() % 120);
    auto until = std::chrono::steady_clock::now() + run_for;
    std::vector<uint8_t> stream;
    auto drain = [&](bool block) {
      uint8_t buf[1 << 16];
      while (true) {
        if (!block) {
          fd_set set;
          FD_ZERO(&set);
          FD_SET(fds[0], &set);
          timeval tv{0, 1000};
          if (::select(fds[0] + 1, &set, nullptr, nullptr, &tv) <= 0) return;
        }
        ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n <= 0) return;
        stream.insert(stream.end(), buf, buf + n);
      }
    };
    while (std::chrono::steady_clock::now() < until) drain(false);
    ::kill(pid, SIGKILL);
    drain(true);  // acks written before the kill are still in the pipe
    ::close(fds[0]);
    int wstatus = 0;
    ::waitpid(pid, &wstatus, 0);
    ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited on its own with status " << WEXITSTATUS(wstatus);

    // Parse acks; a partial trailing record (killed mid-write) was never acked.
    for (size_t pos = 0; pos + 4 <= stream.size();) {
      uint32_t n;
      std::memcpy(&n, &stream[pos], 4);
      if (pos + 4 + n > stream.size()) break;
      std::vector<uint8_t> bytes(stream.begin() + static_cast<long>(pos) + 4,
                                 stream.begin() + static_cast<long>(pos + 4 + n));
      auto info = peek_batch(bytes);
      ASSERT_TRUE(info);
      acked[info->base_offset] = std::move(bytes);
      pos += 4 + n;
    }

    // Recover in this process and check everything acknowledged so far.
    log_manager::options o;
    o.data_dir = dir;
    o.background = false;
    o.config_for = [](const std::string&) { return crash_config(); };
    auto m = log_manager::open(o);
    ASSERT_TRUE(m) << m.err().describe();
    auto log = (*m)->get("crash", 0);
    if (!log) {
      ASSERT_TRUE(acked.empty()) << "iteration " << it << ": partition vanished";
      ASSERT_TRUE((*m)->shutdown());
      continue;
    }
    for (auto& [base, bytes] : acked) {
      auto r = log->read_copy(base, 1, INT64_MAX);
      ASSERT_TRUE(r) << "iteration " << it << " offset " << base << ": " << r.err().describe();
      ASSERT_GE(r->bytes.size(), bytes.size());
      ASSERT_TRUE(std::equal(bytes.begin(), bytes.end(), r->bytes.begin()))
          << "iteration " << it << ": acked batch at " << base << " differs";
    }
    // The whole log: only whole batches with valid CRCs and increasing offsets.
    int64_t next = log->log_start_offset();
    while (next < log->log_end_offset()) {
      auto r = log->read_copy(next, 1 << 20, INT64_MAX);
      ASSERT_TRUE(r) << r.err().describe();
      ASSERT_FALSE(r->bytes.empty());
      for (size_t pos = 0; pos < r->bytes.size();) {
        auto info = peek_batch(std::span(r->bytes).subspan(pos));
        ASSERT_TRUE(info);
        ASSERT_GE(info->base_offset, next);
        ASSERT_TRUE(check_batch(std::span(r->bytes).subspan(pos, static_cast<size_t>(info->size))));
        next = info->last_offset() + 1;
        pos += static_cast<size_t>(info->size);
        ++total_cut_checks;
      }
    }
    // Alternate clean and unclean shutdowns of the checker itself.
    if (it % 2 == 0) {
      ASSERT_TRUE((*m)->shutdown());
    }
  }
  std::filesystem::remove_all(dir);
  RecordProperty("acked_batches", static_cast<int>(acked.size()));
  std::printf("crash test: %d kills, %zu acknowledged batches verified, %lld batches checked\n", iterations,
              acked.size(), static_cast<long long>(total_cut_checks));
  EXPECT_GT(acked.size(), 0u);
}

}  // namespace
}  // namespace samsa::storage
