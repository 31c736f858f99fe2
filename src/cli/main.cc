// The `samsa` command: the broker (`serve`), the admin/produce/consume tools
// and the tour. Each command is registered from its own cmd_*.cc file.
#include <CLI/CLI.hpp>

#include <string>

#include "base/log_format.h"
#include "cli/cli_context.h"
#include "cli/commands.h"
#include "cli/root_command.h"
#include "cli/sink_run.h"

int main(int argc, char** argv) {
  using namespace samsa::cli;
  // One log format for every command, with control characters in what
  // clients, records and servers send escaped (base/log_format.h).
  samsa::logging::use_line_format();
  CLI::App app;
  cli_context ctx;
  configure_root(app, ctx, argc, argv);
  register_serve(app, ctx);
  register_console(app, ctx);
  register_registry(app, ctx);
  register_schema_commands(app, ctx);
  register_sink(app, ctx, exec_postgres_sink);
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

  return run_command_line(app, ctx, argc, argv);
}
