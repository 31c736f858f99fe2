// `samsa group list`: consumer groups and their state.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/table.h"

namespace samsa::cli {

void register_group_list(CLI::App& group, cli_context& ctx) {
  auto format = std::make_shared<output_format>(output_format::table);
  auto* cmd = group.add_subcommand("list", "List consumer groups");
  cmd->alias("ls");
  add_output_option(cmd, *format);
  set_example(cmd, "samsa group list");
  cmd->callback([format, &ctx] {
    auto admin = ctx.make_admin();
    if (!admin) return void(ctx.exit_status = ctx.fail(admin.err()));
    auto groups = admin->list_groups();
    if (!groups) return void(ctx.exit_status = ctx.fail(groups.err()));
    if (*format != output_format::table) {
      auto j = nlohmann::json::array();
      for (const auto& g : *groups) j.push_back({{"group", g.group_id}, {"state", g.state}, {"simple", g.simple}});
      print_document(std::cout, *format, j);
      return;
    }
    table t({"GROUP", "STATE"});
    for (const auto& g : *groups) t.add({g.group_id, g.state});
    t.print(std::cout, ctx);
  });
}

}  // namespace samsa::cli
