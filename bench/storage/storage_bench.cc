// Storage append benchmark: partition_log append throughput and
// append-to-durable latency next to a same-run floor (a bare write() /
// write()+fdatasync() loop of the same bytes on the same disk), and group
// commit with concurrent writers against one sync per append.
//
//   storage_bench <results.json> [data dir, default: a new temp dir] [--quick]
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "storage/flusher.h"
#include "storage/partition_log.h"
#include "storage/test_batches.h"

using namespace samsa::storage;
using clock_type = std::chrono::steady_clock;

namespace {

struct run_stats {
  double mb_per_s = 0;
  double ops_per_s = 0;
  double p50_us = 0;
  double p99_us = 0;
  int64_t ops = 0;
};

double us_since(clock_type::time_point t) {
  return std::chrono::duration<double, std::micro>(clock_type::now() - t).count();
}

run_stats summarize(std::vector<double> lat, int64_t ops, size_t bytes_per_op, double seconds) {
  run_stats s;
  s.ops = ops;
  s.ops_per_s = static_cast<double>(ops) / seconds;
  s.mb_per_s = static_cast<double>(ops) * static_cast<double>(bytes_per_op) / seconds / 1e6;
  if (!lat.empty()) {
    std::sort(lat.begin(), lat.end());
    s.p50_us = lat[lat.size() / 2];
    s.p99_us = lat[std::min(lat.size() - 1, lat.size() * 99 / 100)];
  }
  return s;
}

nlohmann::json to_json(const run_stats& s) {
  return {{"mb_per_s", s.mb_per_s}, {"ops_per_s", s.ops_per_s}, {"p50_us", s.p50_us}, {"p99_us", s.p99_us},
          {"ops", s.ops}};
}

// The floor: write() (and optionally fdatasync()) of the same bytes, one thread.
run_stats floor_run(const std::string& path, const std::vector<uint8_t>& batch, bool sync, double seconds,
                    int64_t max_bytes) {
  int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) std::abort();
  std::vector<double> lat;
  auto start = clock_type::now();
  int64_t ops = 0;
  while (us_since(start) < seconds * 1e6 && ops * static_cast<int64_t>(batch.size()) < max_bytes) {
    auto t = clock_type::now();
    if (::write(fd, batch.data(), batch.size()) != static_cast<ssize_t>(batch.size())) std::abort();
    if (sync && ::fdatasync(fd) != 0) std::abort();
    lat.push_back(us_since(t));
    ++ops;
  }
  double secs = us_since(start) / 1e6;
  ::close(fd);
  std::filesystem::remove(path);
  return summarize(std::move(lat), ops, batch.size(), secs);
}

std::shared_ptr<partition_log> open_log(const std::string& dir, flusher* f) {
  std::filesystem::remove_all(dir);
  partition_log::options o;
  o.fs = posix_file_system();
  o.dir = dir;
  o.topic = "bench";
  o.flush = f;
  o.recovery_point = INT64_MAX;
  auto r = partition_log::open(o);
  if (!r) {
    std::fprintf(stderr, "open %s: %s\n", dir.c_str(), r.err().describe().c_str());
    std::exit(1);
  }
  return *r;
}

// Appends from `writers` threads. sync: 0 = none, 1 = group commit (flush_async
// and wait), 2 = one sync per append (each append followed by its own flush,
// serialized like a log without group commit), 3 = none, using
// append_in_place on the writer's own buffer (what a broker that owns the
// request bytes does).
run_stats log_run(const std::string& dir, const std::vector<uint8_t>& batch, int writers, int sync, double seconds,
                  int64_t max_bytes) {
  flusher f;
  auto log = open_log(dir, &f);
  std::mutex lat_mu, serial;
  std::vector<double> lat;
  std::atomic<int64_t> ops{0};
  auto start = clock_type::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&] {
      std::vector<double> mine;
      std::vector<uint8_t> own = batch;
      while (us_since(start) < seconds * 1e6 && ops.load() * static_cast<int64_t>(batch.size()) < max_bytes) {
        auto t = clock_type::now();
        if (sync == 3) {
          if (!log->append_in_place(own, 0)) std::abort();
        } else if (sync == 2) {
          std::lock_guard lock(serial);
          auto r = log->append(batch, 0);
          if (!r || !log->flush()) std::abort();
        } else {
          auto r = log->append(batch, 0);
          if (!r) std::abort();
          if (sync == 1) {
            std::promise<void> p;
            auto fut = p.get_future();
            log->flush_async(r->last_offset + 1, [&p](samsa::status s) {
              if (!s) std::abort();
              p.set_value();
            });
            fut.get();
          }
        }
        mine.push_back(us_since(t));
        ++ops;
      }
      std::lock_guard lock(lat_mu);
      lat.insert(lat.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  double secs = us_since(start) / 1e6;
  f.stop();
  log.reset();
  std::filesystem::remove_all(dir);
  return summarize(std::move(lat), ops.load(), batch.size(), secs);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <results.json> [data dir] [--quick]\n", argv[0]);
    return 2;
  }
  std::string out = argv[1];
  std::string dir;
  bool quick = false;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") {
      quick = true;
    } else {
      dir = a;
    }
  }
  if (dir.empty()) dir = (std::filesystem::temp_directory_path() / "samsa-storage-bench").string();
  std::filesystem::create_directories(dir);
  double secs = quick ? 0.5 : 3.0;
  int repeats = quick ? 1 : 3;
  const int64_t cap = int64_t{2} << 30;

  nlohmann::json results;
  results["data_dir"] = dir;
  results["repeats"] = repeats;
  results["seconds_per_run"] = secs;
  auto median_of = [&](auto fn) {
    std::vector<run_stats> runs;
    for (int i = 0; i < repeats; ++i) runs.push_back(fn());
    std::sort(runs.begin(), runs.end(), [](auto& a, auto& b) { return a.mb_per_s < b.mb_per_s; });
    return runs[runs.size() / 2];
  };
  for (size_t value : {size_t{1000}, size_t{100 * 1024 - 100}}) {
    auto batch = testing::make_filler_batch(1, value, 1, 42);
    std::string name = batch.size() < 4096 ? "1KiB" : "100KiB";
    nlohmann::json r;
    r["batch_bytes"] = batch.size();
    std::string file = dir + "/floor.bin";
    std::string logdir = dir + "/bench-0";
    // The machine may be shared: run floor and log back to back many times
    // and compare medians of the per-round ratios, not of separate series.
    std::vector<run_stats> floors, copies, in_places;
    std::vector<double> copy_ratio, in_place_ratio;
    int rounds = quick ? 3 : 9;
    for (int i = 0; i < rounds; ++i) {
      floors.push_back(floor_run(file, batch, false, secs / 3, cap));
      copies.push_back(log_run(logdir, batch, 1, 0, secs / 3, cap));
      in_places.push_back(log_run(logdir, batch, 1, 3, secs / 3, cap));
      copy_ratio.push_back(copies.back().mb_per_s / floors.back().mb_per_s);
      in_place_ratio.push_back(in_places.back().mb_per_s / floors.back().mb_per_s);
    }
    auto med = [](std::vector<run_stats> v) {
      std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.mb_per_s < b.mb_per_s; });
      return v[v.size() / 2];
    };
    auto med_d = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    auto floor_nosync = med(floors);
    auto log_nosync = med(copies);
    auto log_in_place = med(in_places);
    auto floor_sync = median_of([&] { return floor_run(file, batch, true, secs, cap); });
    auto log_sync = median_of([&] { return log_run(logdir, batch, 1, 1, secs, cap); });
    auto per_append = median_of([&] { return log_run(logdir, batch, 8, 2, secs, cap); });
    auto group8 = median_of([&] { return log_run(logdir, batch, 8, 1, secs, cap); });
    auto group16 = median_of([&] { return log_run(logdir, batch, 16, 1, secs, cap); });
    r["floor_write"] = to_json(floor_nosync);
    r["log_append_no_fsync"] = to_json(log_nosync);
    r["no_fsync_ratio_to_floor"] = med_d(copy_ratio);
    r["log_append_in_place_no_fsync"] = to_json(log_in_place);
    r["in_place_ratio_to_floor"] = med_d(in_place_ratio);
    r["floor_write_fdatasync"] = to_json(floor_sync);
    r["log_append_fsync_1_writer"] = to_json(log_sync);
    r["fsync_ratio_to_floor"] = log_sync.mb_per_s / floor_sync.mb_per_s;
    r["one_sync_per_append_8_writers"] = to_json(per_append);
    r["group_commit_8_writers"] = to_json(group8);
    r["group_commit_16_writers"] = to_json(group16);
    r["group_commit_8_speedup"] = group8.mb_per_s / per_append.mb_per_s;
    results[name] = r;
    std::printf("%s: floor %.0f MB/s, log %.0f MB/s (%.2fx), in place %.0f MB/s (%.2fx); fsync floor %.1f MB/s p50 %.0f us, log %.1f MB/s p50 %.0f "
                "us p99 %.0f us; 8 writers: one-sync-per-append %.1f MB/s, group commit %.1f MB/s (%.1fx), "
                "p50 %.0f us p99 %.0f us\n",
                name.c_str(), floor_nosync.mb_per_s, log_nosync.mb_per_s, med_d(copy_ratio), log_in_place.mb_per_s,
                med_d(in_place_ratio),
                floor_sync.mb_per_s, floor_sync.p50_us, log_sync.mb_per_s, log_sync.p50_us, log_sync.p99_us,
                per_append.mb_per_s, group8.mb_per_s, group8.mb_per_s / per_append.mb_per_s, group8.p50_us,
                group8.p99_us);
    std::fflush(stdout);
  }
  // Recovery: open time of a partition after an unclean stop (every batch
  // read and CRC-checked) and after a clean one (indexes loaded), warm page cache.
  {
    int64_t total = quick ? (int64_t{128} << 20) : (int64_t{1} << 30);
    std::string logdir = dir + "/recovery-0";
    auto batch = testing::make_filler_batch(16, 1000, 1, 7);
    {
      auto log = open_log(logdir, nullptr);
      log_config cfg;
      cfg.segment_bytes = 256 << 20;
      log->update_config(cfg);
      for (int64_t written = 0; written < total; written += static_cast<int64_t>(batch.size()))
        if (!log->append(batch, 0)) std::abort();
      if (!log->close()) std::abort();
    }
    auto time_open = [&](int64_t recovery_point) {
      partition_log::options o;
      o.fs = posix_file_system();
      o.dir = logdir;
      o.topic = "bench";
      o.recovery_point = recovery_point;
      auto t = clock_type::now();
      auto r = partition_log::open(o);
      if (!r) std::abort();
      return us_since(t) / 1e6;
    };
    double gb = static_cast<double>(total) / double(int64_t{1} << 30);
    double unclean = time_open(-1);
    double clean = time_open(INT64_MAX);
    results["recovery"] = {{"bytes", total},
                           {"batch_bytes", batch.size()},
                           {"unclean_seconds_per_gib", unclean / gb},
                           {"clean_seconds_per_gib", clean / gb},
                           {"page_cache", "warm"}};
    std::printf("recovery: unclean %.2f s/GiB, clean %.4f s/GiB (warm page cache, %zu-byte batches)\n",
                unclean / gb, clean / gb, batch.size());
    std::filesystem::remove_all(logdir);
  }
  std::ofstream(out) << results.dump(2) << "\n";
  return 0;
}
