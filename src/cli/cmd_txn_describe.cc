// `samsa txn describe <id>`: one transactional id as its coordinator sees it.
#include <chrono>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/structured_output.h"
#include "cli/table.h"

namespace samsa::cli {

void register_txn_describe(CLI::App& txn, cli_context& ctx) {
  auto format = std::make_shared<output_format>(output_format::table);
  auto id = std::make_shared<std::string>();
  auto* cmd = txn.add_subcommand("describe", "Show a transactional id's state, producer, timeout and partitions");
  cmd->add_option("transactional-id", *id, "Transactional id")->required();
  add_output_option(cmd, *format);
  set_example(cmd, "samsa txn describe payments-1 -o json");
  cmd->callback([format, id, &ctx] {
    auto admin = ctx.make_txn_admin();
    if (!admin) return void(ctx.exit_status = ctx.fail(admin.err()));
    auto d = admin->describe(*id);
    if (!d) {
      int code = ctx.fail(d.err());
      ctx.exit_status = is_txn_not_found(d.err()) ? exit_not_found : code;
      return;
    }
    if (*format != output_format::table) {
      auto parts = nlohmann::json::array();
      for (const auto& [topic, partition] : d->partitions) parts.push_back({{"topic", topic}, {"partition", partition}});
      nlohmann::json j{{"transactional_id", d->transactional_id}, {"state", d->state},
                       {"producer_id", d->producer_id},           {"producer_epoch", d->producer_epoch},
                       {"timeout_ms", d->timeout_ms},             {"start_time_ms", d->start_ms},
                       {"coordinator", d->coordinator},           {"partitions", parts}};
      print_document(std::cout, *format, j);
      return;
    }
    std::string open_for = "-";
    if (d->start_ms >= 0) {
      auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
      open_for = fmt::format("{} ms", now - d->start_ms);
    }
    std::cout << fmt::format("{} {}  state: {}  producer: {} epoch {}  timeout: {} ms  open for: {}  coordinator: {}\n",
                             bold(ctx, "transaction"), d->transactional_id, d->state, d->producer_id,
                             d->producer_epoch, d->timeout_ms, open_for, d->coordinator);
    if (d->partitions.empty()) return;
    std::cout << "\n";
    table t({"TOPIC", "PARTITION"});
    for (const auto& [topic, partition] : d->partitions) t.add({topic, std::to_string(partition)});
    t.print(std::cout, ctx);
  });
}

}  // namespace samsa::cli
