// `samsa_load consume`: catch-up read of everything already in a topic, by
// one consumer or a group of consumers (threads, one handle each).
#pragma once

#include "load_common.h"

namespace samsa::bench {

struct consume_options {
  int consumers = 1;
  std::string group;  // default: a new group per run
  int timeout_s = 120;
};

int run_consume(const common_options& common, const consume_options& opt);

}  // namespace samsa::bench
