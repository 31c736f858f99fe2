// `samsa topic delete`: removes a topic and its data.
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "client/kafka_error.h"

namespace samsa::cli {

void register_topic_delete(CLI::App& topic, cli_context& ctx) {
  auto names = std::make_shared<std::vector<std::string>>();
  auto if_exists = std::make_shared<bool>(false);
  auto* cmd = topic.add_subcommand("delete", "Delete topics and all their messages");
  cmd->add_option("names", *names, "Topic names")->required();
  cmd->add_flag("--if-exists", *if_exists, "Succeed if a topic does not exist");
  set_example(cmd, "samsa topic delete orders");
  cmd->callback([names, if_exists, &ctx] {
    auto admin = ctx.make_admin();
    if (!admin) return void(ctx.exit_status = ctx.fail(admin.err()));
    for (const auto& name : *names) {
      auto s = admin->delete_topic(name);
      if (!s && !(*if_exists && client::is_not_found_error(s.err()))) return void(ctx.exit_status = ctx.fail(s.err()));
      std::cout << (s ? fmt::format("deleted topic {}\n", name) : fmt::format("topic {} does not exist\n", name));
    }
  });
}

}  // namespace samsa::cli
