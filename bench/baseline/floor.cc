// floor: what this machine can do at all, for bench/run.py to compare Samsa
// against. Two threads of one process talk over loopback TCP:
//   floor ingest --dir D --bytes N [--chunk C] [--sync none|fdatasync] [--repeat R]
//                [--files reuse|new] [--segment-bytes S]
//     a sender writes N bytes to a socket; the receiver reads C-byte chunks and
//     write()s each into a file in D (and fdatasync()s it after each chunk).
//     --files reuse (the default, the first floor): one file per round,
//     truncated and unlinked at the round's end, so its dirty pages may be
//     dropped before writeback. --files new: what the broker does, new files
//     rolled every S bytes (a segment roll) and kept until the program exits,
//     so the page cache grows and writeback runs as it does under the broker.
//   floor sendfile --dir D --bytes N [--repeat R]
//     a server sendfile()s an N-byte file already in the page cache to a
//     socket; the client reads and discards.
// One JSON line per round: MB/s (1 MB = 10^6 bytes) and the CPU seconds the
// serving thread (receiver or sendfile side) used per GB, from
// getrusage(RUSAGE_THREAD), plus the whole process's.
//   floor fsync-latency --dir D --rate R --seconds T [--size B] [--commit per-write|group]
//     the latency of durable appends at an offered rate: records of B bytes are
//     due at R per second (an open loop: the schedule does not wait for the
//     disk); per-write appends each due record and fdatasync()s it alone,
//     group appends every record due so far in one write() and one
//     fdatasync(). A record's latency runs from its due time to the return of
//     the fdatasync() that covers it, so a disk that cannot keep up shows as
//     latency. One JSON line: p50/p99/p99.9/max in ms, syncs per second and
//     the achieved rate.
// With --sync fdatasync each ingest round also reports the latency of its
// fdatasync calls (p50, p99, max in ms).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "floor: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(2);
}

double cpu_seconds(int who) {
  rusage ru{};
  ::getrusage(who, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct listener {
  int fd = -1;
  uint16_t port = 0;
};

listener listen_loopback() {
  listener l;
  l.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (l.fd < 0) die("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(l.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("bind");
  if (::listen(l.fd, 1) != 0) die("listen");
  socklen_t len = sizeof addr;
  ::getsockname(l.fd, reinterpret_cast<sockaddr*>(&addr), &len);
  l.port = ntohs(addr.sin_port);
  return l;
}

int connect_loopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("connect");
  return fd;
}

void write_all(int fd, const char* p, size_t n, const char* what) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) die(what);
    p += w;
    n -= static_cast<size_t>(w);
  }
}

struct round_result {
  double seconds = 0;
  double server_cpu = 0;
  double process_cpu = 0;
  std::vector<double> sync_ms;  // one per fdatasync, in call order
};

// The q-quantile of `v` (nearest rank); 0 for no samples.
double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto rank = static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(rank, v.size() - 1)];
}

void print(const char* mode, const std::string& sync, int64_t bytes, int64_t chunk, const round_result& r) {
  double gb = static_cast<double>(bytes) / 1e9;
  std::printf(
      "{\"mode\":\"%s\",\"sync\":\"%s\",\"bytes\":%lld,\"chunk\":%lld,\"seconds\":%.6f,\"mb_per_s\":%.3f,"
      "\"server_cpu_s\":%.6f,\"server_cpu_s_per_gb\":%.6f,\"process_cpu_s_per_gb\":%.6f",
      mode, sync.c_str(), static_cast<long long>(bytes), static_cast<long long>(chunk), r.seconds,
      static_cast<double>(bytes) / r.seconds / 1e6, r.server_cpu, r.server_cpu / gb, r.process_cpu / gb);
  if (!r.sync_ms.empty()) {
    std::printf(",\"fdatasync_ms\":{\"count\":%zu,\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f}", r.sync_ms.size(),
                quantile(r.sync_ms, 0.5), quantile(r.sync_ms, 0.99), quantile(r.sync_ms, 1.0));
  }
  std::printf("}\n");
  std::fflush(stdout);
}

// Where ingest writes: one reused path, or new files rolled every
// segment_bytes (named by round and segment, removed when the program ends).
struct ingest_files {
  bool fresh = false;
  int64_t segment_bytes = 1LL << 30;
  std::string path;                // reuse: the one file
  std::string dir;                 // new: where the segments go
  int round = 0;
  std::vector<std::string> kept;  // new: every segment written so far

  int open_next(int segment) {
    std::string name = fresh ? dir + "/floor-" + std::to_string(::getpid()) + "-r" + std::to_string(round) + "-s" +
                                   std::to_string(segment) + ".log"
                             : path;
    int fd = ::open(name.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) die("open " + name);
    if (fresh) kept.push_back(name);
    return fd;
  }
  void remove_all() {
    for (auto& k : kept) ::unlink(k.c_str());
    kept.clear();
  }
};

round_result ingest_round(ingest_files& files, int64_t bytes, int64_t chunk, bool sync) {
  listener l = listen_loopback();
  round_result r;
  double process_before = cpu_seconds(RUSAGE_SELF);
  clock_type::time_point start;
  std::thread receiver([&] {
    int segment = 0;
    int64_t in_segment = 0;
    int file = files.open_next(segment);
    int sock = ::accept(l.fd, nullptr, nullptr);
    if (sock < 0) die("accept");
    double cpu_before = cpu_seconds(RUSAGE_THREAD);
    std::vector<char> buf(static_cast<size_t>(chunk));
    int64_t got = 0;
    while (got < bytes) {
      size_t fill = 0;
      while (fill < buf.size() && got + static_cast<int64_t>(fill) < bytes) {
        ssize_t n = ::read(sock, buf.data() + fill, buf.size() - fill);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) die("read");
        fill += static_cast<size_t>(n);
      }
      if (files.fresh && in_segment > 0 && in_segment + static_cast<int64_t>(fill) > files.segment_bytes) {
        // A segment roll, as the broker's: the full segment is closed and a new file begins.
        ::close(file);
        file = files.open_next(++segment);
        in_segment = 0;
      }
      write_all(file, buf.data(), fill, "write");
      if (sync) {
        auto before = clock_type::now();
        if (::fdatasync(file) != 0) die("fdatasync");
        r.sync_ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - before).count());
      }
      got += static_cast<int64_t>(fill);
      in_segment += static_cast<int64_t>(fill);
    }
    r.server_cpu = cpu_seconds(RUSAGE_THREAD) - cpu_before;
    ::close(sock);
    ::close(file);
  });
  int sock = connect_loopback(l.port);
  std::string payload(static_cast<size_t>(chunk), 'x');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>('a' + (i * 7919 % 26));
  start = clock_type::now();
  int64_t sent = 0;
  while (sent < bytes) {
    auto n = static_cast<size_t>(std::min<int64_t>(chunk, bytes - sent));
    write_all(sock, payload.data(), n, "send");
    sent += static_cast<int64_t>(n);
  }
  receiver.join();
  r.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  r.process_cpu = cpu_seconds(RUSAGE_SELF) - process_before;
  ::close(sock);
  ::close(l.fd);
  if (!files.fresh) ::unlink(files.path.c_str());
  ++files.round;
  return r;
}

round_result sendfile_round(const std::string& path, int64_t bytes) {
  listener l = listen_loopback();
  round_result r;
  double process_before = cpu_seconds(RUSAGE_SELF);
  std::thread server([&] {
    int file = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (file < 0) die("open " + path);
    int sock = ::accept(l.fd, nullptr, nullptr);
    if (sock < 0) die("accept");
    double cpu_before = cpu_seconds(RUSAGE_THREAD);
    off_t offset = 0;
    while (offset < bytes) {
      ssize_t n = ::sendfile(sock, file, &offset, static_cast<size_t>(bytes - offset));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) die("sendfile");
    }
    r.server_cpu = cpu_seconds(RUSAGE_THREAD) - cpu_before;
    ::close(sock);
    ::close(file);
  });
  int sock = connect_loopback(l.port);
  std::vector<char> buf(1 << 20);
  auto start = clock_type::now();
  int64_t got = 0;
  while (got < bytes) {
    ssize_t n = ::read(sock, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die("read");
    got += n;
  }
  r.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  server.join();
  r.process_cpu = cpu_seconds(RUSAGE_SELF) - process_before;
  ::close(sock);
  ::close(l.fd);
  return r;
}

// Writes the file once and reads it back, so every sendfile round starts from the page cache.
void make_cached_file(const std::string& path, int64_t bytes) {
  int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0) die("open " + path);
  std::string block(1 << 20, 'y');
  for (int64_t done = 0; done < bytes;) {
    auto n = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(block.size()), bytes - done));
    write_all(fd, block.data(), n, "write");
    done += static_cast<int64_t>(n);
  }
  std::vector<char> buf(1 << 20);
  ::lseek(fd, 0, SEEK_SET);
  while (::read(fd, buf.data(), buf.size()) > 0) {
  }
  ::close(fd);
}

double percentile(std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  auto i = static_cast<size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

// Open-loop durable appends: record i is due at start + i / rate.
int fsync_latency(const std::string& dir, double rate, double seconds, int64_t size, bool group) {
  std::string path = dir + "/floor-" + std::to_string(::getpid()) + ".fsync.log";
  int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) die("open " + path);
  auto total = static_cast<int64_t>(rate * seconds);
  std::vector<double> latency_ms;
  latency_ms.reserve(static_cast<size_t>(total));
  std::string record(static_cast<size_t>(size), 'r');
  std::string batch;
  auto period = std::chrono::duration<double>(1.0 / rate);
  auto start = clock_type::now();
  auto due = [&](int64_t i) { return start + std::chrono::duration_cast<clock_type::duration>(period * i); };
  int64_t done = 0, syncs = 0;
  double sync_ms_total = 0;
  // A disk slower than the offered rate would make the backlog (and the run)
  // grow without bound: stop one second after the schedule ends and report
  // what was left unwritten (the percentiles then cover the written records).
  auto give_up = due(total) + std::chrono::seconds(1);
  while (done < total) {
    auto now = clock_type::now();
    if (now > give_up) break;
    if (due(done) > now) {
      std::this_thread::sleep_until(due(done));
      now = clock_type::now();
    }
    int64_t upto = done + 1;  // per-write: one record per fdatasync
    if (group) {
      while (upto < total && due(upto) <= now) ++upto;
    }
    batch.clear();
    for (int64_t i = done; i < upto; ++i) batch += record;
    write_all(fd, batch.data(), batch.size(), "write");
    auto before = clock_type::now();
    if (::fdatasync(fd) != 0) die("fdatasync");
    auto after = clock_type::now();
    sync_ms_total += std::chrono::duration<double, std::milli>(after - before).count();
    ++syncs;
    for (int64_t i = done; i < upto; ++i)
      latency_ms.push_back(std::chrono::duration<double, std::milli>(after - due(i)).count());
    done = upto;
  }
  double elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
  ::close(fd);
  ::unlink(path.c_str());
  std::sort(latency_ms.begin(), latency_ms.end());
  // Saturated: records were left unwritten, or the disk fell well behind the offered rate (the
  // backlog, and with it the latency, grew through the run).
  bool saturated = done < total || static_cast<double>(done) / elapsed < 0.9 * rate;
  std::printf(
      "{\"mode\":\"fsync-latency\",\"commit\":\"%s\",\"rate\":%.1f,\"size\":%lld,\"records\":%lld,"
      "\"seconds\":%.6f,\"achieved_rate\":%.1f,\"syncs\":%lld,\"syncs_per_s\":%.1f,"
      "\"records_per_sync\":%.3f,\"fdatasync_mean_ms\":%.4f,\"unwritten\":%lld,\"saturated\":%s,"
      "\"latency_ms\":{\"p50\":%.4f,\"p99\":%.4f,\"p999\":%.4f,\"max\":%.4f}}\n",
      group ? "group" : "per-write", rate, static_cast<long long>(size), static_cast<long long>(total), elapsed,
      static_cast<double>(done) / elapsed, static_cast<long long>(syncs), static_cast<double>(syncs) / elapsed,
      static_cast<double>(done) / static_cast<double>(std::max<int64_t>(syncs, 1)),
      sync_ms_total / static_cast<double>(std::max<int64_t>(syncs, 1)), static_cast<long long>(total - done),
      saturated ? "true" : "false", percentile(latency_ms, 0.5),
      percentile(latency_ms, 0.99), percentile(latency_ms, 0.999), latency_ms.empty() ? 0.0 : latency_ms.back());
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: floor ingest|sendfile --dir D --bytes N [--chunk C] [--sync none|fdatasync] "
                         "[--repeat R] [--files reuse|new] [--segment-bytes S]\n"
                         "       floor fsync-latency --dir D --rate R --seconds T [--size B] "
                         "[--commit per-write|group]\n");
    return 2;
  }
  std::string mode = argv[1], dir = ".", sync = "none", files_mode = "reuse", commit = "group";
  int64_t bytes = 1LL << 30, chunk = 1 << 20, segment_bytes = 1LL << 30, size = 1024;
  double rate = 1000, seconds = 5;
  int repeat = 1;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string key = argv[i], value = argv[i + 1];
    if (key == "--dir") {
      dir = value;
    } else if (key == "--bytes") {
      bytes = std::atoll(value.c_str());
    } else if (key == "--chunk") {
      chunk = std::atoll(value.c_str());
    } else if (key == "--sync") {
      sync = value;
    } else if (key == "--repeat") {
      repeat = std::atoi(value.c_str());
    } else if (key == "--files") {
      files_mode = value;
    } else if (key == "--segment-bytes") {
      segment_bytes = std::atoll(value.c_str());
    } else if (key == "--rate") {
      rate = std::atof(value.c_str());
    } else if (key == "--seconds") {
      seconds = std::atof(value.c_str());
    } else if (key == "--size") {
      size = std::atoll(value.c_str());
    } else if (key == "--commit") {
      commit = value;
    } else {
      std::fprintf(stderr, "floor: unknown option %s\n", key.c_str());
      return 2;
    }
  }
  if (bytes <= 0 || chunk <= 0 || segment_bytes <= 0 || (sync != "none" && sync != "fdatasync") ||
      (files_mode != "reuse" && files_mode != "new")) {
    std::fprintf(stderr, "floor: bad --bytes, --chunk, --segment-bytes, --sync or --files\n");
    return 2;
  }
  if (mode == "fsync-latency") {
    if (!(rate > 0) || !(seconds > 0) || size <= 0 || rate * seconds > 1e8 || (commit != "per-write" && commit != "group")) {
      std::fprintf(stderr, "floor: fsync-latency needs --rate > 0, --seconds > 0 (at most 10^8 records), "
                           "--size > 0 and --commit per-write|group\n");
      return 2;
    }
    return fsync_latency(dir, rate, seconds, size, commit == "group");
  }
  std::string path = dir + "/floor-" + std::to_string(::getpid()) + ".data";
  if (mode == "ingest") {
    ingest_files files;
    files.fresh = files_mode == "new";
    files.segment_bytes = segment_bytes;
    files.path = path;
    files.dir = dir;
    for (int i = 0; i < repeat; ++i) {
      round_result r = ingest_round(files, bytes, chunk, sync == "fdatasync");
      print(files.fresh ? "ingest-new-files" : "ingest", sync, bytes, chunk, r);
    }
    files.remove_all();
  } else if (mode == "sendfile") {
    make_cached_file(path, bytes);
    for (int i = 0; i < repeat; ++i) print("sendfile", "none", bytes, 0, sendfile_round(path, bytes));
    ::unlink(path.c_str());
  } else {
    std::fprintf(stderr, "floor: mode must be ingest, sendfile or fsync-latency\n");
    return 2;
  }
  return 0;
}
