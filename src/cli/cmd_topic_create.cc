// `samsa topic create`: a new topic with N partitions.
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/config_args.h"

namespace samsa::cli {

namespace {
namespace file_cmd_topic_create {
struct args {
  std::string name;
  int partitions = 1;
  int replication_factor = -1;
  std::vector<std::string> configs;
  bool if_not_exists = false;
};
}  // namespace file_cmd_topic_create
}  // namespace

void register_topic_create(CLI::App& topic, cli_context& ctx) {
  using namespace file_cmd_topic_create;
  auto a = std::make_shared<args>();
  auto* cmd = topic.add_subcommand("create", "Create a topic");
  cmd->add_option("name", a->name, "Topic name")->required();
  cmd->add_option("-p,--partitions", a->partitions, "Number of partitions")->default_val(1);
  cmd->add_option("-r,--replication-factor", a->replication_factor, "Copies of each partition (-1: broker default)")
      ->default_val(-1);
  cmd->add_option("-c,--config", a->configs, "Topic config name=value (repeatable)");
  cmd->add_flag("--if-not-exists", a->if_not_exists, "Succeed if the topic already exists");
  set_example(cmd, "samsa topic create orders --partitions 3 -c retention.ms=86400000");
  cmd->callback([a, &ctx] {
    auto configs = parse_assignments(a->configs, "--config");
    if (!configs) return void(ctx.exit_status = ctx.fail(configs.err()));
    auto admin = ctx.make_admin();
    if (!admin) return void(ctx.exit_status = ctx.fail(admin.err()));
    auto s = admin->create_topic({a->name, a->partitions, a->replication_factor, *configs});
    if (!s) {
      if (a->if_not_exists && s.err().message.find("TOPIC_ALREADY_EXISTS") != std::string::npos) {
        std::cout << fmt::format("topic {} already exists\n", a->name);
        return;
      }
      return void(ctx.exit_status = ctx.fail(s.err()));
    }
    std::cout << fmt::format("created topic {} with {} partition{}\n", a->name, a->partitions,
                             a->partitions == 1 ? "" : "s");
  });
}

}  // namespace samsa::cli
