// `samsa offsets TOPIC`: earliest and latest offset of every partition.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/table.h"

namespace samsa::cli {

void register_offsets(CLI::App& app, cli_context& ctx) {
  auto topic = std::make_shared<std::string>();
  auto at = std::make_shared<std::optional<int64_t>>();
  auto format = std::make_shared<output_format>(output_format::table);
  auto* cmd = app.add_subcommand("offsets", "Show the earliest and latest offset of each partition of a topic");
  cmd->add_option("topic", *topic, "Topic name")->required();
  cmd->add_option("--at", *at, "Also show the first offset at or after this timestamp (ms since epoch)");
  add_output_option(cmd, *format);
  set_example(cmd, "samsa offsets orders -o json");
  cmd->callback([topic, at, format, &ctx] {
    auto admin = ctx.make_admin();
    if (!admin) return void(ctx.exit_status = ctx.fail(admin.err()));
    auto offsets = admin->topic_offsets(*topic, *at);
    if (!offsets) return void(ctx.exit_status = ctx.fail(offsets.err()));
    if (*format != output_format::table) {
      auto j = nlohmann::json::array();
      for (const auto& p : *offsets) {
        nlohmann::json row{{"partition", p.partition}, {"earliest", p.earliest}, {"latest", p.latest},
                           {"messages", p.latest - p.earliest}};
        if (p.at_timestamp) row["at_timestamp"] = *p.at_timestamp;
        j.push_back(row);
      }
      print_document(std::cout, *format, j);
      return;
    }
    std::vector<std::string> headers{"PARTITION", "EARLIEST", "LATEST", "MESSAGES"};
    if (*at) headers.push_back("AT-TIMESTAMP");
    table t(headers);
    for (const auto& p : *offsets) {
      std::vector<std::string> row{std::to_string(p.partition), or_dash(p.earliest), or_dash(p.latest),
                                   or_dash(p.latest - p.earliest)};
      if (*at) row.push_back(or_dash(p.at_timestamp.value_or(-1)));
      t.add(row);
    }
    t.print(std::cout, ctx);
  });
}

}  // namespace samsa::cli
