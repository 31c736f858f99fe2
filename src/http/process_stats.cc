#include "http/process_stats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace samsa::http {

namespace {

// Seconds since the epoch at which the machine booted (/proc/stat btime).
double boot_time_seconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  while (in >> key) {
    if (key == "btime") {
      double t = 0;
      in >> t;
      return t;
    }
    std::string rest;
    std::getline(in, rest);
  }
  return 0;
}

}  // namespace

process_stats read_process_stats() {
  process_stats out;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const int64_t page = sysconf(_SC_PAGESIZE);
  if (std::ifstream stat("/proc/self/stat"); stat) {
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // The command name (field 2) may hold spaces: fields are counted after its ')'.
    size_t close = text.rfind(')');
    if (close != std::string::npos) {
      std::istringstream fields(text.substr(close + 2));
      std::string f;
      // Field 3 is the first after ')'; utime=14, stime=15, starttime=22, vsize=23, rss=24.
      for (int i = 3; fields >> f; ++i) {
        if (i == 14) out.cpu_seconds += std::stod(f) / ticks;
        if (i == 15) out.cpu_seconds += std::stod(f) / ticks;
        if (i == 22) out.start_time_seconds = boot_time_seconds() + std::stod(f) / ticks;
        if (i == 23) out.virtual_bytes = std::stoll(f);
        if (i == 24) {
          out.resident_bytes = std::stoll(f) * page;
          break;
        }
      }
    }
  }
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++out.open_fds;
  }
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) out.max_fds = static_cast<int64_t>(lim.rlim_cur);
  return out;
}

}  // namespace samsa::http
