// `samsa topic add-partitions`: grows a topic (partitions are never removed).
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"

namespace samsa::cli {

void register_topic_add_partitions(CLI::App& topic, cli_context& ctx) {
  auto name = std::make_shared<std::string>();
  auto total = std::make_shared<int>(0);
  auto add = std::make_shared<int>(0);
  auto* cmd = topic.add_subcommand("add-partitions", "Add partitions to a topic");
  cmd->add_option("name", *name, "Topic name")->required();
  auto* to = cmd->add_option("--to", *total, "New total number of partitions");
  auto* by = cmd->add_option("-n,--num", *add, "Number of partitions to add");
  to->excludes(by);
  set_example(cmd, "samsa topic add-partitions orders --num 2");
  cmd->callback([name, total, add, to, &ctx] {
    auto admin = ctx.make_admin();
    if (!admin) return void(ctx.exit_status = ctx.fail(admin.err()));
    auto info = admin->describe_topic(*name, false);
    if (!info) return void(ctx.exit_status = ctx.fail(info.err()));
    int current = static_cast<int>(info->partitions.size());
    int wanted = to->count() > 0 ? *total : current + *add;
    if (wanted <= current) {
      std::cerr << fmt::format("error: {} already has {} partitions — give --to N with N > {} or --num N > 0\n", *name,
                               current, current);
      return void(ctx.exit_status = exit_usage);
    }
    auto s = admin->add_partitions(*name, wanted);
    if (!s) return void(ctx.exit_status = ctx.fail(s.err()));
    std::cout << fmt::format("topic {} now has {} partitions (was {})\n", *name, wanted, current);
  });
}

}  // namespace samsa::cli
