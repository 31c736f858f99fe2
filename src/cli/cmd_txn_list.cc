// `samsa txn list`: transactional ids and their state, optionally filtered
// by state, producer id and how long the open transaction has run.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/structured_output.h"
#include "cli/table.h"

namespace samsa::cli {

void register_txn_list(CLI::App& txn, cli_context& ctx) {
  auto format = std::make_shared<output_format>(output_format::table);
  auto filters = std::make_shared<txn_list_filters>();
  auto* cmd = txn.add_subcommand("list", "List transactional ids and the state of their transaction");
  cmd->alias("ls");
  cmd->add_option("--state", filters->states,
                  "Only these states (repeatable): Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, "
                  "CompleteAbort, PrepareEpochFence");
  cmd->add_option("--producer-id", filters->producer_ids, "Only these producer ids (repeatable)");
  cmd->add_option("--min-duration-ms", filters->min_duration_ms,
                  "Only transactions open for longer than this (hanging transactions)")
      ->check(CLI::NonNegativeNumber);
  add_output_option(cmd, *format);
  set_example(cmd, "samsa txn list --state Ongoing --min-duration-ms 60000");
  cmd->callback([format, filters, &ctx] {
    auto admin = ctx.make_txn_admin();
    if (!admin) return void(ctx.exit_status = ctx.fail(admin.err()));
    auto listed = admin->list(*filters);
    if (!listed) return void(ctx.exit_status = ctx.fail(listed.err()));
    for (const auto& s : listed->unknown_states) {
      std::cerr << "warning: the broker does not know the state '" << s << "'\n";
    }
    if (*format != output_format::table) {
      auto j = nlohmann::json::array();
      for (const auto& t : listed->transactions) {
        j.push_back({{"transactional_id", t.transactional_id}, {"producer_id", t.producer_id}, {"state", t.state}});
      }
      print_document(std::cout, *format, j);
      return;
    }
    table t({"TRANSACTIONAL-ID", "PRODUCER-ID", "STATE"});
    for (const auto& row : listed->transactions) t.add({row.transactional_id, std::to_string(row.producer_id), row.state});
    t.print(std::cout, ctx);
  });
}

}  // namespace samsa::cli
