// `samsa serve`: runs the broker in this process.
#include "broker/serve.h"
#include "cli/commands.h"

namespace samsa::cli {

void register_serve(CLI::App& app, cli_context& ctx) {
  auto options = std::make_shared<broker::serve_options>();
  auto* cmd = app.add_subcommand("serve", "Run the broker (Kafka protocol on 127.0.0.1:9092 by default)");
  cmd->add_option("--config", options->config_file, "Java-style properties file");
  cmd->add_option("--set", options->overrides, "key=value broker setting (repeatable)");
  cmd->add_option("--port-file", options->port_file, "Write the bound port here")->group("");  // hidden: for tests and the tour
  set_example(cmd, "samsa serve --set log.dirs=./data --set num.partitions=3");
  cmd->callback([options, &ctx] { ctx.exit_status = broker::serve(*options); });
}

}  // namespace samsa::cli
