// `samsa_load e2e`: produce -> consume latency at a fixed message rate.
#pragma once

#include "load_common.h"

namespace samsa::bench {

struct e2e_options {
  double rate = 10000;  // messages per second
  size_t size = 1024;
  double duration_s = 10;
  double warmup_s = 1;  // sent but not measured
  std::string acks = "1";
  int linger_ms = 0;
  int timeout_s = 30;
};

int run_e2e(const common_options& common, const e2e_options& opt);

}  // namespace samsa::bench
