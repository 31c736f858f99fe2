#include "cli/root_command.h"

#include <librdkafka/rdkafka.h>

#include "cli/local_broker.h"
#include "cli/usage.h"

#ifndef SAMSA_VERSION
#define SAMSA_VERSION "unknown"
#endif

namespace samsa::cli {

void configure_root(CLI::App& app, cli_context& ctx, int argc, char** argv) {
  app.description("samsa: a Kafka-compatible event-streaming broker and toolkit");
  app.name("samsa");
  app.require_subcommand(1);
  app.fallthrough();  // global flags may follow the command: `samsa topic list --bootstrap h:9092`
  ctx.self_exe = self_executable(argv[0]);
  ctx.command_line.assign(argv, argv + argc);
  auto* client = "Client";
  app.add_option("--bootstrap,-b", ctx.flags.bootstrap_servers,
                 "Broker address(es) HOST:PORT[,...] (default: $SAMSA_BOOTSTRAP_SERVERS or 127.0.0.1:9092)")
      ->group(client);
  app.add_option("--client-config,-F", ctx.flags.config_file, "Client properties file (default: $SAMSA_CLIENT_CONFIG)")
      ->group(client);
  app.add_option("--client-id", ctx.flags.client_id, "client.id sent to the broker (default: samsa)")->group(client);
  app.add_option("-X", ctx.flags.properties, "Any librdkafka client property as key=value (repeatable)")
      ->group(client);
  app.add_option("--timeout-ms", ctx.timeout_ms, "How long to wait for the broker")->default_val(10000)->group(client);
  app.add_flag("--no-color", ctx.no_color, "Never colour output (also: NO_COLOR=1)")->group(client);
  add_global_output_option(app);
  app.set_version_flag("--version", std::string("samsa ") + SAMSA_VERSION + " (librdkafka " + rd_kafka_version_str() + ")",
                       "Print the version and exit");
  app.footer(
      "\nExamples:\n"
      "  samsa serve                          start a broker on 127.0.0.1:9092\n"
      "  samsa tour --yes                     a guided lesson on topics, partitions and groups\n"
      "  samsa topic create orders -p 3       create a topic with 3 partitions\n"
      "\nExit codes: 0 ok, 1 operation failed, 2 bad usage or configuration,\n"
      "            3 broker unreachable, 4 topic or group not found\n");
}

int run_command_line(CLI::App& app, cli_context& ctx, int argc, char** argv) {
  if (auto answered = handle_usage(app, std::vector<std::string>(argv + 1, argv + argc))) return *answered;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return exit_usage;
  }
  return ctx.exit_status;
}

}  // namespace samsa::cli
