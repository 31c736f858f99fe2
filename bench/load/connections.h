// `samsa_load connections`: hold many idle client connections open with raw
// sockets (no librdkafka threads), each having done ApiVersions and Metadata.
#pragma once

#include "load_common.h"

namespace samsa::bench {

struct connections_options {
  int count = 1000;
  bool wait_stdin = false;  // after "READY" on stderr, hold until stdin closes
  double hold_s = 0;        // otherwise hold this long
};

int run_connections(const common_options& common, const connections_options& opt);

}  // namespace samsa::bench
