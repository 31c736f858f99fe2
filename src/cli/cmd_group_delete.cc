// `samsa group delete`: removes an empty group and its committed offsets.
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"

namespace samsa::cli {

void register_group_delete(CLI::App& group, cli_context& ctx) {
  auto ids = std::make_shared<std::vector<std::string>>();
  auto* cmd = group.add_subcommand("delete", "Delete consumer groups (they must have no active members)");
  cmd->add_option("groups", *ids, "Group ids")->required();
  set_example(cmd, "samsa group delete billing");
  cmd->callback([ids, &ctx] {
    auto admin = ctx.make_admin();
    if (!admin) return void(ctx.exit_status = ctx.fail(admin.err()));
    for (const auto& id : *ids) {
      if (auto s = admin->delete_group(id); !s) return void(ctx.exit_status = ctx.fail(s.err()));
      std::cout << fmt::format("deleted group {}\n", id);
    }
  });
}

}  // namespace samsa::cli
