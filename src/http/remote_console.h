// `samsa console --bootstrap HOST:PORT`: the console's page and a read-only
// /api/v1 for any Kafka-compatible cluster, through the client kit (admin
// and consumer over the Kafka protocol). What needs a broker's internals
// (segment boundaries, sizes, /metrics, the live tail) answers plainly that
// it is not available; lag and rebalance histories are sampled by this
// process. The kit's calls block, so they run on one thread of their own;
// the HTTP server keeps its thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/result.h"
#include "client/admin.h"
#include "client/consumer.h"

namespace samsa::http {

struct remote_console_options {
  std::string listen = "http://127.0.0.1:8080";
  std::optional<std::string> port_file;  // the bound HTTP port is written here
  int64_t lag_sample_ms = 5000;
  std::string bootstrap;                 // for the page's header
};

struct remote_kit {
  std::function<result<client::admin>()> make_admin;
  std::function<result<client::consumer>(const client::consumer_options&)> make_consumer;
};

// Serves until SIGINT or SIGTERM.
status run_remote_console(remote_kit kit, const remote_console_options& options);

}  // namespace samsa::http
