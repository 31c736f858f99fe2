// `samsa group reset-offsets`: moves a group's committed offsets (dry run
// unless --execute), like kafka-consumer-groups.sh --reset-offsets.
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/table.h"

namespace samsa::cli {
namespace {
namespace file_cmd_group_reset_offsets {

struct args {
  std::string group;
  std::string topic;
  std::vector<int32_t> partitions;
  bool to_earliest = false;
  bool to_latest = false;
  std::optional<int64_t> to_offset;
  std::optional<int64_t> shift_by;
  std::optional<int64_t> to_timestamp;
  bool execute = false;
  output_format output = output_format::table;
};

int run(const args& a, cli_context& ctx) {
  int modes = int(a.to_earliest) + int(a.to_latest) + int(a.to_offset.has_value()) + int(a.shift_by.has_value()) +
              int(a.to_timestamp.has_value());
  if (modes != 1) {
    std::cerr << "error: give exactly one of --to-earliest, --to-latest, --to-offset N, --shift-by N, "
                 "--to-timestamp MS\n";
    return exit_usage;
  }
  auto admin = ctx.make_admin();
  if (!admin) return ctx.fail(admin.err());
  auto offsets = admin->topic_offsets(a.topic, a.to_timestamp);
  if (!offsets) return ctx.fail(offsets.err());
  auto lag = admin->group_lag(a.group);
  std::map<int32_t, int64_t> committed;
  if (lag) {
    for (const auto& r : *lag)
      if (r.topic == a.topic) committed[r.partition] = r.committed;
  }
  std::vector<client::topic_partition> plan;
  table t({"TOPIC", "PARTITION", "CURRENT", "NEW", "EARLIEST", "LATEST"});
  auto j = nlohmann::json::array();
  for (const auto& p : *offsets) {
    if (!a.partitions.empty() && std::find(a.partitions.begin(), a.partitions.end(), p.partition) == a.partitions.end())
      continue;
    int64_t current = committed.count(p.partition) ? committed[p.partition] : -1;
    int64_t target = 0;
    if (a.to_earliest) target = p.earliest;
    if (a.to_latest) target = p.latest;
    if (a.to_offset) target = *a.to_offset;
    if (a.shift_by) target = (current >= 0 ? current : p.latest) + *a.shift_by;
    if (a.to_timestamp) target = p.at_timestamp.value_or(-1) >= 0 ? *p.at_timestamp : p.latest;
    target = std::clamp(target, p.earliest, p.latest);  // never point outside the log
    plan.push_back({a.topic, p.partition, target});
    t.add({a.topic, std::to_string(p.partition), or_dash(current), std::to_string(target), std::to_string(p.earliest),
           std::to_string(p.latest)});
    j.push_back({{"topic", a.topic}, {"partition", p.partition}, {"current", current}, {"new", target}});
  }
  if (a.execute) {
    if (auto s = admin->alter_group_offsets(a.group, plan); !s) return ctx.fail(s.err());
  }
  if (a.output != output_format::table) {
    print_document(std::cout, a.output, nlohmann::json{{"group", a.group}, {"executed", a.execute}, {"partitions", j}});
    return exit_ok;
  }
  t.print(std::cout, ctx);
  std::cout << (a.execute ? fmt::format("\ncommitted offsets of group {} reset\n", a.group)
                          : "\n" + yellow(ctx, "dry run: nothing changed — add --execute to apply") + "\n");
  return exit_ok;
}

}  // namespace file_cmd_group_reset_offsets
}  // namespace

void register_group_reset_offsets(CLI::App& group, cli_context& ctx) {
  using namespace file_cmd_group_reset_offsets;
  auto a = std::make_shared<args>();
  auto* cmd = group.add_subcommand("reset-offsets", "Move a group's committed offsets (stop its consumers first)");
  cmd->add_option("group", a->group, "Group id")->required();
  cmd->add_option("-t,--topic", a->topic, "Topic whose offsets to move")->required();
  cmd->add_option("-p,--partition", a->partitions, "Only these partitions (default: all)");
  cmd->add_flag("--to-earliest", a->to_earliest, "Re-read everything still in the log");
  cmd->add_flag("--to-latest", a->to_latest, "Skip to the end");
  cmd->add_option("--to-offset", a->to_offset, "Go to this offset");
  cmd->add_option("--shift-by", a->shift_by, "Move by N (negative: re-read N records)");
  cmd->add_option("--to-timestamp", a->to_timestamp, "Go to the first record at or after this time (ms since epoch)");
  cmd->add_flag("--execute", a->execute, "Apply the change (default: only show the plan)");
  add_output_option(cmd, a->output);
  set_example(cmd, "samsa group reset-offsets billing --topic orders --to-earliest --execute");
  cmd->callback([a, &ctx] { ctx.exit_status = run(*a, ctx); });
}

}  // namespace samsa::cli
