// `samsa topic alter-config`: sets or removes topic-level configs.
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/config_args.h"

namespace samsa::cli {

void register_topic_alter_config(CLI::App& topic, cli_context& ctx) {
  auto name = std::make_shared<std::string>();
  auto set = std::make_shared<std::vector<std::string>>();
  auto remove = std::make_shared<std::vector<std::string>>();
  auto* cmd = topic.add_subcommand("alter-config", "Set or remove topic configs");
  cmd->add_option("name", *name, "Topic name")->required();
  cmd->add_option("-s,--set", *set, "Config name=value to set (repeatable)");
  cmd->add_option("-d,--delete", *remove, "Config name to reset to the default (repeatable)");
  set_example(cmd, "samsa topic alter-config orders --set retention.ms=3600000 --delete cleanup.policy");
  cmd->callback([name, set, remove, &ctx] {
    if (set->empty() && remove->empty()) {
      std::cerr << "error: nothing to change — give --set name=value or --delete name\n";
      return void(ctx.exit_status = exit_usage);
    }
    auto assignments = parse_assignments(*set, "--set");
    if (!assignments) return void(ctx.exit_status = ctx.fail(assignments.err()));
    auto admin = ctx.make_admin();
    if (!admin) return void(ctx.exit_status = ctx.fail(admin.err()));
    auto s = admin->alter_topic_config(*name, *assignments, *remove);
    if (!s) return void(ctx.exit_status = ctx.fail(s.err()));
    for (const auto& [k, v] : *assignments) std::cout << fmt::format("{}: set {}={}\n", *name, k, v);
    for (const auto& k : *remove) std::cout << fmt::format("{}: reset {} to its default\n", *name, k);
  });
}

}  // namespace samsa::cli
