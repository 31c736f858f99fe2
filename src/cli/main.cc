// The `samsa` command: the broker (`serve`), the admin/produce/consume tools
// and the tour. Each command is registered from its own cmd_*.cc file.
#include <CLI/CLI.hpp>

#include <string>

#include "cli/cli_context.h"
#include "cli/commands.h"
#include "cli/local_broker.h"
#include "cli/usage.h"

#include <librdkafka/rdkafka.h>

#ifndef SAMSA_VERSION
#define SAMSA_VERSION "unknown"
#endif

int main(int argc, char** argv) {
  using namespace samsa::cli;
  CLI::App app{"samsa: a Kafka-compatible event-streaming broker and toolkit"};
  app.name("samsa");
  app.require_subcommand(1);
  app.fallthrough();  // global flags may follow the command: `samsa topic list --bootstrap h:9092`
  cli_context ctx;
  ctx.self_exe = self_executable(argv[0]);
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

  register_serve(app, ctx);
  register_console(app, ctx);
  register_registry(app, ctx);
  register_schema_commands(app, ctx);
  register_sink(app, ctx);
  register_source(app, ctx);
  auto* cluster = app.add_subcommand("cluster", "Cluster information")->require_subcommand(1);
  register_cluster_info(*cluster, ctx);
  register_cluster_health(*cluster, ctx);
  auto* topic = app.add_subcommand("topic", "Create, list, describe, change and delete topics")->require_subcommand(1);
  register_topic_create(*topic, ctx);
  register_topic_list(*topic, ctx);
  register_topic_describe(*topic, ctx);
  register_topic_delete(*topic, ctx);
  register_topic_add_partitions(*topic, ctx);
  register_topic_alter_config(*topic, ctx);
  register_topic_trim_prefix(*topic, ctx);
  register_produce(app, ctx);
  register_consume(app, ctx);
  auto* group = app.add_subcommand("group", "Inspect and manage consumer groups")->require_subcommand(1);
  register_group_list(*group, ctx);
  register_group_describe(*group, ctx);
  register_group_delete(*group, ctx);
  register_group_reset_offsets(*group, ctx);
  register_group_watch(*group, ctx);
  register_offsets(app, ctx);
  auto* txn = app.add_subcommand("txn", "List, describe and abort transactions")->require_subcommand(1);
  register_txn_list(*txn, ctx);
  register_txn_describe(*txn, ctx);
  register_txn_abort(*txn, ctx);
  auto* certs = app.add_subcommand("certs", "Certificates for trying TLS locally")->require_subcommand(1);
  register_certs_create(*certs, ctx);
  register_user(app, ctx);
  auto* acl = app.add_subcommand("acl", "Create, list and delete ACLs")->require_subcommand(1);
  register_acl_create(*acl, ctx);
  register_acl_list(*acl, ctx);
  register_acl_delete(*acl, ctx);
  register_quota(app, ctx);
  register_tour(app, ctx);
  register_completion(app, ctx);

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
