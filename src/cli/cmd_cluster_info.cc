// `samsa cluster info`: brokers, controller and cluster id.
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/table.h"

namespace samsa::cli {

void register_cluster_info(CLI::App& cluster, cli_context& ctx) {
  auto format = std::make_shared<output_format>(output_format::table);
  auto* cmd = cluster.add_subcommand("info", "Show the brokers, the controller and the cluster id");
  add_output_option(cmd, *format);
  set_example(cmd, "samsa cluster info --bootstrap 127.0.0.1:9092 -o json");
  cmd->callback([format, &ctx] {
    auto admin = ctx.make_admin();
    if (!admin) return void(ctx.exit_status = ctx.fail(admin.err()));
    auto info = admin->describe_cluster();
    if (!info) return void(ctx.exit_status = ctx.fail(info.err()));
    if (*format != output_format::table) {
      nlohmann::json j{{"cluster_id", info->cluster_id}, {"controller_id", info->controller_id},
                       {"topic_count", info->topic_count}, {"brokers", nlohmann::json::array()}};
      for (const auto& b : info->brokers) j["brokers"].push_back({{"id", b.id}, {"host", b.host}, {"port", b.port}});
      print_document(std::cout, *format, j);
      return;
    }
    std::cout << fmt::format("cluster id: {}\ncontroller: {}\ntopics:     {}\n\n",
                             info->cluster_id.empty() ? "-" : info->cluster_id, or_dash(info->controller_id),
                             info->topic_count);
    table t({"BROKER", "HOST", "PORT", ""});
    for (const auto& b : info->brokers)
      t.add({std::to_string(b.id), b.host, std::to_string(b.port), b.id == info->controller_id ? "(controller)" : ""});
    t.print(std::cout, ctx);
  });
}

}  // namespace samsa::cli
