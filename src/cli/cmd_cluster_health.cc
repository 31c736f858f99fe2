// `samsa cluster health`: is every partition led and fully replicated?
// (rpk cluster health). Exit 0 when healthy, 1 when not, 3 when unreachable.
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"

namespace samsa::cli {

void register_cluster_health(CLI::App& cluster, cli_context& ctx) {
  auto format = std::make_shared<output_format>(output_format::table);
  auto* cmd = cluster.add_subcommand("health", "Check that every partition has a leader and all its replicas in sync");
  add_output_option(cmd, *format);
  set_example(cmd, "samsa cluster health && echo ok");
  cmd->callback([format, &ctx] {
    auto admin = ctx.make_admin();
    if (!admin) return void(ctx.exit_status = ctx.fail(admin.err()));
    auto info = admin->describe_cluster();
    if (!info) return void(ctx.exit_status = ctx.fail(info.err()));
    auto topics = admin->list_topics(true);
    if (!topics) return void(ctx.exit_status = ctx.fail(topics.err()));
    std::vector<std::string> leaderless;
    std::vector<std::string> under_replicated;
    size_t partitions = 0;
    for (const auto& t : *topics) {
      for (const auto& p : t.partitions) {
        ++partitions;
        std::string id = fmt::format("{}[{}]", t.name, p.id);
        if (p.leader < 0) leaderless.push_back(id);
        if (p.in_sync.size() < p.replicas.size()) under_replicated.push_back(id);
      }
    }
    bool healthy = leaderless.empty() && under_replicated.empty() && !info->brokers.empty();
    if (*format != output_format::table) {
      print_document(std::cout, *format,
                     {{"healthy", healthy}, {"brokers", info->brokers.size()}, {"controller", info->controller_id},
                      {"partitions", partitions}, {"leaderless_partitions", leaderless},
                      {"under_replicated_partitions", under_replicated}});
    } else {
      auto list = [](const std::vector<std::string>& v) {
        std::string out;
        for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
        return v.empty() ? std::string("none") : out;
      };
      std::cout << fmt::format("healthy: {}\nbrokers: {}  controller: {}  partitions: {}\n", healthy ? "yes" : "NO",
                               info->brokers.size(), info->controller_id, partitions)
                << "leaderless partitions: " << list(leaderless) << "\n"
                << "under-replicated partitions: " << list(under_replicated) << "\n";
    }
    ctx.exit_status = healthy ? exit_ok : exit_failure;
  });
}

}  // namespace samsa::cli
