// `samsa tour`: a guided, live lesson on topics, partitions, keys, consumer
// groups, rebalancing, committed offsets and lag, and share groups (queues).
#pragma once

#include <string>

#include "cli/cli_context.h"

namespace samsa::cli {

struct tour_options {
  bool yes = false;          // no pauses between steps
  bool mock = false;         // use librdkafka's in-process mock cluster (development aid)
  std::string topic = "tour-payments";
  bool topic_given = false;  // --topic was passed: use the name exactly (no collision suffix)
};

// Runs the seven steps against --bootstrap, the mock cluster, or a broker it
// starts itself; returns an exit code.
int run_tour(cli_context& ctx, const tour_options& options);

}  // namespace samsa::cli
