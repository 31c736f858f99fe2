// CPU time of each thread of this process, read from /proc/self/task, so a
// figure can say which of the client's own threads bound it (librdkafka does
// each broker connection's I/O and parsing on one thread of its own).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace samsa::bench {

struct thread_cpu {
  std::string name;
  double cpu_s = 0;          // on a core, user + system (schedstat's ns, else stat's ticks)
  double runnable_s = 0;     // ready to run but waiting for a core (schedstat), 0 if the kernel does not say
};

// Every live thread of this process, by thread id.
std::map<int64_t, thread_cpu> thread_cpu_snapshot();

// The threads that ran between two snapshots, busiest first: name, CPU
// seconds and share of `wall_s` ("busy", 1.0 = one core all the time), and
// the share it spent runnable without a core ("waiting_for_core"): busy plus
// waiting near 1.0 is a thread bound by CPU, whether its own or the machine's.
// Threads that ended before `after` are missing from it and left out.
nlohmann::json thread_cpu_between(const std::map<int64_t, thread_cpu>& before,
                                  const std::map<int64_t, thread_cpu>& after, double wall_s, size_t most = 6);

}  // namespace samsa::bench
