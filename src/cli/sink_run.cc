// Runs `samsa sink postgres` (src/connect/postgres_sink.h) in the
// samsa-sink-postgres program, the only one that links libpq: until SIGINT or
// SIGTERM, then writes the batch in hand and leaves the group.
#include "cli/sink_run.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

namespace samsa::cli {
namespace {

std::atomic<bool> g_sink_stop{false};
void on_sink_signal(int) { g_sink_stop = true; }

}  // namespace

int run_postgres_sink_command(sink_args a, cli_context& ctx) {
  a.options.writer.sink_name = a.group.empty() ? "samsa-sink-" + a.options.writer.table : a.group;
  for (size_t start = 0; !a.upsert_key.empty();) {
    size_t comma = a.upsert_key.find(',', start);
    a.options.writer.upsert_key.push_back(a.upsert_key.substr(start, comma == std::string::npos ? comma : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (a.decode || !a.registry.empty()) {
    std::string url = a.registry;
    if (url.empty()) {
      const char* env = std::getenv("SAMSA_SCHEMA_REGISTRY_URL");
      url = env && *env ? env : "http://127.0.0.1:8081";
    }
    a.options.registry_url = url;
    a.options.registry_timeout = std::chrono::milliseconds(ctx.timeout_ms);
  }
  if (auto s = connect::check_connection_string(a.options.writer.connection); !s) {
    std::cerr << "error: " << s.err().message << "\n";
    return exit_usage;
  }
  auto config = ctx.config();
  if (!config) return ctx.fail(config.err());
  g_sink_stop = false;
  std::signal(SIGINT, on_sink_signal);
  std::signal(SIGTERM, on_sink_signal);
  auto totals = connect::run_postgres_sink(a.options, *config, g_sink_stop);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!totals) return ctx.fail(totals.err());
  if (!a.options.quiet)
    std::cerr << fmt::format(
        "% sink: stopped; {} records committed this run ({} rows, {} null values skipped, {} to the dead-letter topic)\n",
        totals->records, totals->rows, totals->skipped, totals->dead_lettered);
  return exit_ok;
}


}  // namespace samsa::cli
