#include "thread_cpu.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace samsa::bench {

namespace {

// /proc/self/task/TID/stat: "tid (name) state ..." with utime and stime the
// 14th and 15th fields; the name may hold spaces and parentheses, so the
// fields are counted from the last ')'.
bool read_thread(const std::filesystem::path& dir, thread_cpu& out) {
  std::ifstream in(dir / "stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  size_t open = line.find('(');
  size_t close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return false;
  out.name = line.substr(open + 1, close - open - 1);
  std::istringstream rest(line.substr(close + 1));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // Fields 3.. follow the name; utime is field 14, stime 15.
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  static const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  out.cpu_s = static_cast<double>(utime + stime) / ticks;
  // schedstat: time on a core, time waiting on a run queue, timeslices (ns).
  std::ifstream sched(dir / "schedstat");
  unsigned long long on_core = 0, waiting = 0;
  if (sched >> on_core >> waiting) {
    // Nanoseconds, where stat counts clock ticks (10 ms): short reads need it.
    out.cpu_s = static_cast<double>(on_core) / 1e9;
    out.runnable_s = static_cast<double>(waiting) / 1e9;
  }
  return true;
}

}  // namespace

std::map<int64_t, thread_cpu> thread_cpu_snapshot() {
  std::map<int64_t, thread_cpu> threads;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    thread_cpu t;
    int64_t tid = 0;
    try {
      tid = std::stoll(entry.path().filename().string());
    } catch (const std::exception&) {
      continue;
    }
    if (read_thread(entry.path(), t)) threads[tid] = t;  // a thread may end while we read
  }
  return threads;
}

nlohmann::json thread_cpu_between(const std::map<int64_t, thread_cpu>& before,
                                  const std::map<int64_t, thread_cpu>& after, double wall_s, size_t most) {
  std::vector<thread_cpu> ran;
  for (const auto& [tid, t] : after) {
    auto was = before.find(tid);
    const bool known = was != before.end();
    thread_cpu d{t.name, t.cpu_s - (known ? was->second.cpu_s : 0.0),
                 t.runnable_s - (known ? was->second.runnable_s : 0.0)};
    if (d.cpu_s > 0) ran.push_back(d);
  }
  std::sort(ran.begin(), ran.end(), [](const auto& a, const auto& b) { return a.cpu_s > b.cpu_s; });
  if (ran.size() > most) ran.resize(most);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& t : ran)
    out.push_back({{"name", t.name},
                   {"cpu_s", t.cpu_s},
                   {"busy", wall_s > 0 ? t.cpu_s / wall_s : 0.0},
                   {"waiting_for_core", wall_s > 0 ? t.runnable_s / wall_s : 0.0}});
  return out;
}

}  // namespace samsa::bench
