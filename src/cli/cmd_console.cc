// `samsa console --bootstrap HOST:PORT`: the console for any Kafka-compatible
// cluster, served by this process through the client kit.
#include "cli/commands.h"
#include "client/consumer.h"
#include "http/remote_console.h"

namespace samsa::cli {

void register_console(CLI::App& app, cli_context& ctx) {
  auto options = std::make_shared<http::remote_console_options>();
  auto* cmd = app.add_subcommand(
      "console", "Serve the console (page and read-only /api/v1) for any Kafka-compatible cluster at --bootstrap");
  cmd->add_option("--http", options->listen, "Where to serve it (http://HOST:PORT; port 0 picks one)")
      ->capture_default_str();
  cmd->add_option("--lag-sample-ms", options->lag_sample_ms, "How often lag and group membership are sampled")
      ->check(CLI::Range(int64_t{100}, int64_t{3'600'000}))
      ->capture_default_str();
  cmd->add_option("--port-file", options->port_file, "Write the bound HTTP port here")->group("");  // tests
  cmd->footer(
      "Topics, messages by offset or time, groups with lag in records and seconds, lag and membership histories\n"
      "(sampled by this process). Not over the Kafka protocol: segment boundaries, sizes, /metrics, search, the\n"
      "live tail and writes (use the console a Samsa broker serves itself).");
  set_example(cmd, "samsa console --bootstrap kafka.example:9092 --http http://127.0.0.1:8081");
  cmd->callback([options, &ctx] {
    auto config = ctx.config();
    if (!config) return void(ctx.exit_status = ctx.fail(config.err()));
    options->bootstrap = ctx.flags.bootstrap_servers.value_or(client::default_bootstrap_servers);
    http::remote_kit kit;
    kit.make_admin = [&ctx] { return ctx.make_admin(); };
    kit.make_consumer = [config = *config](const client::consumer_options& o) {
      return client::consumer::create(config, o);
    };
    if (auto s = http::run_remote_console(std::move(kit), *options); !s) ctx.exit_status = ctx.fail(s.err());
  });
}

}  // namespace samsa::cli
