// `samsa topic list`: every topic with its partition count.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/table.h"

namespace samsa::cli {

void register_topic_list(CLI::App& topic, cli_context& ctx) {
  auto format = std::make_shared<output_format>(output_format::table);
  auto internal = std::make_shared<bool>(false);
  auto* cmd = topic.add_subcommand("list", "List topics");
  cmd->alias("ls");
  add_output_option(cmd, *format);
  cmd->add_flag("-i,--internal", *internal, "Include internal topics (names starting with __)");
  set_example(cmd, "samsa topic list -o json");
  cmd->callback([format, internal, &ctx] {
    auto admin = ctx.make_admin();
    if (!admin) return void(ctx.exit_status = ctx.fail(admin.err()));
    auto topics = admin->list_topics(*internal);
    if (!topics) return void(ctx.exit_status = ctx.fail(topics.err()));
    if (*format != output_format::table) {
      auto j = nlohmann::json::array();
      for (const auto& t : *topics)
        j.push_back({{"name", t.name},
                     {"partitions", t.partitions.size()},
                     {"replication_factor", t.replication_factor()}});
      print_document(std::cout, *format, j);
      return;
    }
    table t({"NAME", "PARTITIONS", "REPLICAS"});
    for (const auto& topic : *topics)
      t.add({topic.name, std::to_string(topic.partitions.size()), std::to_string(topic.replication_factor())});
    t.print(std::cout, ctx);
  });
}

}  // namespace samsa::cli
