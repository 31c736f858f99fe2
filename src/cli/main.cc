// The `samsa` command. Placeholder until the CLI lands: only `serve`.
#include <CLI/CLI.hpp>

#include "broker/serve.h"

int main(int argc, char** argv) {
  CLI::App app{"samsa: a Kafka-compatible event-streaming broker and toolkit"};
  app.require_subcommand(1);
  samsa::broker::serve_options options;
  auto* serve = app.add_subcommand("serve", "Run the broker");
  serve->add_option("--config", options.config_file, "Java-style properties file");
  serve->add_option("--set", options.overrides, "key=value broker setting (repeatable)");
  serve->add_option("--port-file", options.port_file, "Write the bound port here");
  CLI11_PARSE(app, argc, argv);
  if (serve->parsed()) return samsa::broker::serve(options);
  return 0;
}
