// `samsa group list`: groups, their type (classic, consumer, share) and state.
// librdkafka 2.0.2 lists consumer groups only; share groups and every
// group's type come from a ListGroups v5 of our own (share_client).
#include <algorithm>
#include <iostream>
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/share_client.h"
#include "cli/table.h"

namespace samsa::cli {

void register_group_list(CLI::App& group, cli_context& ctx) {
  auto format = std::make_shared<output_format>(output_format::table);
  auto* cmd = group.add_subcommand("list", "List consumer groups");
  cmd->alias("ls");
  add_output_option(cmd, *format);
  set_example(cmd, "samsa group list");
  cmd->callback([format, &ctx] {
    auto admin = ctx.make_admin();
    if (!admin) return void(ctx.exit_status = ctx.fail(admin.err()));
    auto groups = admin->list_groups();
    if (!groups) return void(ctx.exit_status = ctx.fail(groups.err()));
    // Types (and the share groups librdkafka leaves out); without them the
    // type shows as "-".
    std::map<std::string, listed_group_type> types;
    if (auto config = ctx.config()) {
      if (auto t = list_group_types(config->bootstrap_servers(), std::chrono::milliseconds(ctx.timeout_ms))) {
        types = std::move(*t);
      }
    }
    struct row {
      std::string id, state, type;
      bool simple;
    };
    std::vector<row> rows;
    for (const auto& g : *groups) {
      auto it = types.find(g.group_id);
      rows.push_back({g.group_id, g.state, it == types.end() || it->second.type.empty() ? "-" : it->second.type,
                      g.simple});
    }
    for (const auto& [id, t] : types) {
      if (t.type == "share") rows.push_back({id, t.state, t.type, false});
    }
    std::sort(rows.begin(), rows.end(), [](const row& a, const row& b) { return a.id < b.id; });
    if (*format != output_format::table) {
      auto j = nlohmann::json::array();
      for (const auto& r : rows) j.push_back({{"group", r.id}, {"state", r.state}, {"type", r.type}, {"simple", r.simple}});
      print_document(std::cout, *format, j);
      return;
    }
    table t({"GROUP", "TYPE", "STATE"});
    for (const auto& r : rows) t.add({r.id, r.type, r.state});
    t.print(std::cout, ctx);
  });
}

}  // namespace samsa::cli
