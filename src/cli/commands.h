// One registration function per `samsa` command; each lives in its own file
// (cmd_<group>_<name>.cc) and sets ctx.result when it runs.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace samsa::cli {

void register_serve(CLI::App& app, cli_context& ctx);
void register_console(CLI::App& app, cli_context& ctx);
void register_cluster_info(CLI::App& cluster, cli_context& ctx);
void register_cluster_health(CLI::App& cluster, cli_context& ctx);
void register_topic_create(CLI::App& topic, cli_context& ctx);
void register_topic_list(CLI::App& topic, cli_context& ctx);
void register_topic_describe(CLI::App& topic, cli_context& ctx);
void register_topic_delete(CLI::App& topic, cli_context& ctx);
void register_topic_add_partitions(CLI::App& topic, cli_context& ctx);
void register_topic_alter_config(CLI::App& topic, cli_context& ctx);
void register_topic_trim_prefix(CLI::App& topic, cli_context& ctx);
void register_produce(CLI::App& app, cli_context& ctx);
void register_consume(CLI::App& app, cli_context& ctx);
void register_group_list(CLI::App& group, cli_context& ctx);
void register_group_describe(CLI::App& group, cli_context& ctx);
void register_group_delete(CLI::App& group, cli_context& ctx);
void register_group_reset_offsets(CLI::App& group, cli_context& ctx);
void register_group_watch(CLI::App& group, cli_context& ctx);
void register_offsets(CLI::App& app, cli_context& ctx);
void register_txn_list(CLI::App& txn, cli_context& ctx);
void register_txn_describe(CLI::App& txn, cli_context& ctx);
void register_txn_abort(CLI::App& txn, cli_context& ctx);
void register_user(CLI::App& app, cli_context& ctx);  // user create, delete, list
void register_acl_create(CLI::App& acl, cli_context& ctx);
void register_acl_list(CLI::App& acl, cli_context& ctx);
void register_acl_delete(CLI::App& acl, cli_context& ctx);
void register_quota(CLI::App& app, cli_context& ctx);
void register_tour(CLI::App& app, cli_context& ctx);
void register_completion(CLI::App& app, cli_context& ctx);
void register_certs_create(CLI::App& certs, cli_context& ctx);
void register_registry(CLI::App& app, cli_context& ctx);  // samsa registry (cmd_registry.cc)
void register_schema_commands(CLI::App& app, cli_context& ctx);  // samsa schema ... (cmd_schema.cc)
// samsa sink postgres (cmd_sink.cc); `run` runs it once parsed (sink_run.h).
struct sink_args;
using sink_runner = int (*)(sink_args, cli_context&);
void register_sink(CLI::App& app, cli_context& ctx, sink_runner run);
void register_source(CLI::App& app, cli_context& ctx);  // samsa source http (cmd_source.cc)

}  // namespace samsa::cli
