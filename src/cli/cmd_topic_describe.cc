// `samsa topic describe`: partitions (leader, replicas, offsets) and configs.
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/table.h"

namespace samsa::cli {

void register_topic_describe(CLI::App& topic, cli_context& ctx) {
  auto format = std::make_shared<output_format>(output_format::table);
  auto name = std::make_shared<std::string>();
  auto all_configs = std::make_shared<bool>(false);
  auto* cmd = topic.add_subcommand("describe", "Show a topic's partitions, offsets and configs");
  cmd->add_option("name", *name, "Topic name")->required();
  add_output_option(cmd, *format);
  cmd->add_flag("-a,--all-configs", *all_configs, "Also list configs left at their default");
  set_example(cmd, "samsa topic describe orders");
  cmd->callback([format, name, all_configs, &ctx] {
    auto admin = ctx.make_admin();
    if (!admin) return void(ctx.exit_status = ctx.fail(admin.err()));
    auto info = admin->describe_topic(*name);
    if (!info) return void(ctx.exit_status = ctx.fail(info.err()));
    // Configs are optional: older brokers may not serve DescribeConfigs.
    auto configs = admin->describe_topic_config(*name);
    if (*format != output_format::table) {
      nlohmann::json j{{"name", info->name}, {"partitions", nlohmann::json::array()}};
      for (const auto& p : info->partitions)
        j["partitions"].push_back({{"partition", p.id}, {"leader", p.leader}, {"replicas", p.replicas},
                                   {"isr", p.in_sync}, {"earliest", p.earliest}, {"latest", p.latest},
                                   {"messages", p.latest - p.earliest}});
      if (configs) {
        j["configs"] = nlohmann::json::object();
        for (const auto& c : *configs) {
          if (*all_configs || !c.is_default) j["configs"][c.name] = c.value ? nlohmann::json(*c.value) : nullptr;
        }
      }
      print_document(std::cout, *format, j);
      return;
    }
    std::cout << fmt::format("{} {}  partitions: {}  replication factor: {}\n\n", bold(ctx, "topic"), info->name,
                             info->partitions.size(), info->replication_factor());
    table t({"PARTITION", "LEADER", "REPLICAS", "IN-SYNC", "EARLIEST", "LATEST", "MESSAGES"});
    for (const auto& p : info->partitions)
      t.add({std::to_string(p.id), or_dash(p.leader), join_ints(p.replicas), join_ints(p.in_sync), or_dash(p.earliest),
             or_dash(p.latest), or_dash(p.latest >= 0 && p.earliest >= 0 ? p.latest - p.earliest : -1)});
    t.print(std::cout, ctx);
    if (!configs) {
      std::cout << "\n" << dim(ctx, "configs: not available (" + configs.err().message + ")") << "\n";
      return;
    }
    table c({"CONFIG", "VALUE", "SOURCE"});
    for (const auto& e : *configs) {
      if (*all_configs || !e.is_default) c.add({e.name, e.sensitive ? "(hidden)" : e.value.value_or("-"), e.source});
    }
    std::cout << "\n";
    if (c.empty()) {
      std::cout << dim(ctx, "all configs at their defaults (show them with --all-configs)") << "\n";
    } else {
      c.print(std::cout, ctx);
    }
  });
}

}  // namespace samsa::cli
