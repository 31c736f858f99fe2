// The process's own figures for /metrics (Prometheus' standard process_*
// names): resident memory, CPU seconds, open descriptors, start time.
#pragma once

#include <cstdint>

namespace samsa::http {

struct process_stats {
  int64_t resident_bytes = 0;
  int64_t virtual_bytes = 0;
  double cpu_seconds = 0;
  int64_t open_fds = 0;
  int64_t max_fds = 0;
  double start_time_seconds = 0;  // since the Unix epoch
};

// Read from /proc/self; fields it cannot read stay 0.
process_stats read_process_stats();

}  // namespace samsa::http
