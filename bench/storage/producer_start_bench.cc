// Start-time benchmark for per-partition producer state: opens many
// partitions that hold idempotent producers' batches and reports how long
// open() takes when the producer table comes from a snapshot (after a clean
// close; after a crash, from the last roll's snapshot plus the active
// segment), when no snapshot exists (full replay of every batch header), and
// what the former rebuild cost (the broker re-read the headers of the last
// 100,000 offsets of a partition at its first idempotent produce).
//
//   producer_start_bench [partitions, default 1000] [batches per partition, default 100]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "record/split.h"
#include "storage/partition_log.h"
#include "storage/test_batches.h"

using namespace samsa::storage;
using clock_type = std::chrono::steady_clock;

namespace {

double ms_since(clock_type::time_point t) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t).count();
}

partition_log::options opts_for(const std::string& root, int p, int64_t recovery_point) {
  partition_log::options o;
  o.fs = posix_file_system();
  o.dir = root + "/t-" + std::to_string(p);
  o.topic = "t";
  o.partition = p;
  o.config.segment_bytes = 256 << 10;
  o.recovery_point = recovery_point;
  o.now_ms = 1000;
  return o;
}

// Opens every partition; returns ms and the total batches replayed.
std::pair<double, int64_t> open_all(const std::string& root, int n, int64_t recovery_point) {
  auto t = clock_type::now();
  int64_t replayed = 0;
  for (int p = 0; p < n; ++p) {
    auto log = partition_log::open(opts_for(root, p, recovery_point));
    if (!log) {
      std::fprintf(stderr, "open failed: %s\n", log.err().describe().c_str());
      std::exit(1);
    }
    replayed += (*log)->batches_replayed_at_open();
  }
  return {ms_since(t), replayed};
}

}  // namespace

int main(int argc, char** argv) {
  const int partitions = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int batches = argc > 2 ? std::atoi(argv[2]) : 100;
  const std::string root =
      (std::filesystem::temp_directory_path() / ("samsa-producer-start-" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(root);
  std::vector<testing::test_record> recs(100, testing::test_record{std::nullopt, "v", 1000});
  for (int p = 0; p < partitions; ++p) {
    auto log = partition_log::open(opts_for(root, p, INT64_MAX)).value();
    for (int b = 0; b < batches; ++b) {
      // Ten producers per partition, each writing every tenth batch.
      auto batch = testing::make_producer_batch(recs, {int64_t{p} * 10 + b % 10, 0, (b / 10) * 100, false});
      if (!log->append(batch, 1000)) return 1;
    }
    if (!log->close()) return 1;
  }
  std::printf("%d partitions x %d batches of 100 records (10 producers each)\n", partitions, batches);
  {
    // Shutdown: one more batch per partition, then close() writes a
    // snapshot at the log end and syncs it with the rest.
    std::vector<std::shared_ptr<partition_log>> logs;
    for (int p = 0; p < partitions; ++p) {
      logs.push_back(partition_log::open(opts_for(root, p, INT64_MAX)).value());
      if (!logs.back()->append(testing::make_batch(recs), 1000)) return 1;
      if (!logs.back()->flush()) return 1;
    }
    auto t = clock_type::now();
    for (auto& log : logs)
      if (!log->close()) return 1;
    std::printf("close, one thread (snapshot written, unsynced): %7.1f ms\n", ms_since(t));
  }
  auto [clean_ms, clean_replayed] = open_all(root, partitions, INT64_MAX);
  std::printf("open, clean (snapshot at the log end):       %8.1f ms  (%lld batches replayed)\n", clean_ms,
              static_cast<long long>(clean_replayed));
  // The former rebuild, per partition: read_copy + split over the last
  // 100,000 offsets (paid at each partition's first idempotent produce).
  double reread_ms = 0;
  for (int p = 0; p < partitions; ++p) {
    auto log = partition_log::open(opts_for(root, p, INT64_MAX)).value();
    auto t = clock_type::now();
    const int64_t end = log->log_end_offset();
    int64_t offset = std::max(log->log_start_offset(), end - 100000);
    while (offset < end) {
      auto chunk = log->read_copy(offset, 1 << 20, end);
      if (!chunk || chunk->bytes.empty()) break;
      auto split = samsa::record::split_batches(chunk->bytes, samsa::record::split_mode::lenient);
      if (!split) break;
      offset = chunk->next_offset;
    }
    reread_ms += ms_since(t);
  }
  std::printf("former rebuild (100,000-offset re-read only): %8.1f ms\n", reread_ms);
  // After a crash nothing was closed: remove the close-time snapshots (the
  // ones at the log end) and open with the end as the recovery point.
  for (int p = 0; p < partitions; ++p) {
    auto log = partition_log::open(opts_for(root, p, INT64_MAX)).value();
    std::filesystem::remove(root + "/t-" + std::to_string(p) + "/" +
                            segment_file_name(log->log_end_offset(), ".snapshot"));
  }
  auto [crash_ms, crash_replayed] = open_all(root, partitions, INT64_MAX - 1);
  std::printf("open, after a crash (roll snapshot + replay): %8.1f ms  (%lld batches replayed)\n", crash_ms,
              static_cast<long long>(crash_replayed));
  for (auto& e : std::filesystem::recursive_directory_iterator(root))
    if (e.path().extension() == ".snapshot") std::filesystem::remove(e.path());
  auto [none_ms, none_replayed] = open_all(root, partitions, INT64_MAX);
  std::printf("open, no snapshot (full replay):             %8.1f ms  (%lld batches replayed)\n", none_ms,
              static_cast<long long>(none_replayed));
  std::filesystem::remove_all(root);
  return 0;
}
