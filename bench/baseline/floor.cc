// floor: what this machine can do at all, for bench/run.py to compare Samsa
// against. Two threads of one process talk over loopback TCP:
//   floor ingest --dir D --bytes N [--chunk C] [--sync none|fdatasync] [--repeat R]
//     a sender writes N bytes to a socket; the receiver reads C-byte chunks and
//     write()s each into a file in D (and fdatasync()s it after each chunk).
//   floor sendfile --dir D --bytes N [--repeat R]
//     a server sendfile()s an N-byte file already in the page cache to a
//     socket; the client reads and discards.
// One JSON line per round: MB/s (1 MB = 10^6 bytes) and the CPU seconds the
// serving thread (receiver or sendfile side) used per GB, from
// getrusage(RUSAGE_THREAD), plus the whole process's. With --sync fdatasync
// each round also reports the latency of its fdatasync calls (p50, p99, max
// in ms): the bound an acks=all answer cannot beat.
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

round_result ingest_round(const std::string& path, int64_t bytes, int64_t chunk, bool sync) {
  listener l = listen_loopback();
  round_result r;
  double process_before = cpu_seconds(RUSAGE_SELF);
  clock_type::time_point start;
  std::thread receiver([&] {
    int file = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    if (file < 0) die("open " + path);
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
      write_all(file, buf.data(), fill, "write");
      if (sync) {
        auto before = clock_type::now();
        if (::fdatasync(file) != 0) die("fdatasync");
        r.sync_ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - before).count());
      }
      got += static_cast<int64_t>(fill);
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
  ::unlink(path.c_str());
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

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: floor ingest|sendfile --dir D --bytes N [--chunk C] [--sync none|fdatasync] "
                         "[--repeat R]\n");
    return 2;
  }
  std::string mode = argv[1], dir = ".", sync = "none";
  int64_t bytes = 1LL << 30, chunk = 1 << 20;
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
    } else {
      std::fprintf(stderr, "floor: unknown option %s\n", key.c_str());
      return 2;
    }
  }
  if (bytes <= 0 || chunk <= 0 || (sync != "none" && sync != "fdatasync")) {
    std::fprintf(stderr, "floor: bad --bytes, --chunk or --sync\n");
    return 2;
  }
  std::string path = dir + "/floor-" + std::to_string(::getpid()) + ".data";
  if (mode == "ingest") {
    for (int i = 0; i < repeat; ++i) print("ingest", sync, bytes, chunk, ingest_round(path, bytes, chunk, sync == "fdatasync"));
  } else if (mode == "sendfile") {
    make_cached_file(path, bytes);
    for (int i = 0; i < repeat; ++i) print("sendfile", "none", bytes, 0, sendfile_round(path, bytes));
    ::unlink(path.c_str());
  } else {
    std::fprintf(stderr, "floor: mode must be ingest or sendfile\n");
    return 2;
  }
  return 0;
}
