// `samsa topic trim-prefix`: deletes the oldest records of partitions
// (DeleteRecords), like rpk topic trim-prefix and kafka-delete-records.sh.
// A dry run unless --execute, as group reset-offsets: it cannot be undone.
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/start_position.h"
#include "cli/table.h"
#include "client/kafka_error.h"

namespace samsa::cli {
namespace {
namespace file_cmd_topic_trim_prefix {

struct args {
  std::string topic;
  std::string to;
  std::vector<int32_t> partitions;
  bool execute = false;
  output_format output = output_format::table;
};

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int run(const args& a, cli_context& ctx) {
  auto spec = parse_start(a.to, now_ms());
  if (!spec) return ctx.fail(client::make_usage_error("--to", spec.err().message));
  auto admin = ctx.make_admin();
  if (!admin) return ctx.fail(admin.err());
  std::optional<int64_t> ts;
  if (spec->all && spec->all->what == start_position::kind::timestamp) ts = spec->all->value;
  for (const auto& [p, pos] : spec->per_partition)
    if (pos.what == start_position::kind::timestamp) ts = pos.value;
  auto offsets = admin->topic_offsets(a.topic, ts);
  if (!offsets) return ctx.fail(offsets.err());
  std::vector<client::topic_partition> plan;
  table t({"PARTITION", "EARLIEST", "NEW-EARLIEST", "LATEST", "RECORDS-DELETED"});
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& p : *offsets) {
    if (!a.partitions.empty() &&
        std::find(a.partitions.begin(), a.partitions.end(), p.partition) == a.partitions.end())
      continue;
    std::optional<start_position> pos = spec->all;
    if (auto it = spec->per_partition.find(p.partition); it != spec->per_partition.end()) pos = it->second;
    if (!pos) continue;
    int64_t target = std::max(resolve_start(*pos, p).offset, p.earliest);  // never backwards
    plan.push_back({a.topic, p.partition, target});
    t.add({std::to_string(p.partition), std::to_string(p.earliest), std::to_string(target), std::to_string(p.latest),
           std::to_string(target - p.earliest)});
    rows.push_back({{"partition", p.partition}, {"earliest", p.earliest}, {"new_earliest", target},
                    {"latest", p.latest}, {"deleted", target - p.earliest}});
  }
  if (plan.empty())
    return ctx.fail(client::make_usage_error(fmt::format("trim {}", a.topic), "none of the given partitions exist",
                                             fmt::format("see `samsa topic describe {}`", a.topic)));
  if (a.execute) {
    auto done = admin->delete_records(plan);
    if (!done) return ctx.fail(done.err());
    for (auto& row : rows)
      for (const auto& d : *done)
        if (d.partition == row["partition"]) row["new_earliest"] = d.offset;
  }
  if (a.output != output_format::table) {
    print_document(std::cout, a.output, nlohmann::json{{"topic", a.topic}, {"executed", a.execute}, {"partitions", rows}});
    return exit_ok;
  }
  t.print(std::cout, ctx);
  std::cout << "\n"
            << (a.execute ? "records deleted\n"
                          : dim(ctx, "dry run: nothing was deleted; add --execute to delete (cannot be undone)") + "\n");
  return exit_ok;
}

}  // namespace file_cmd_topic_trim_prefix
}  // namespace

void register_topic_trim_prefix(CLI::App& topic, cli_context& ctx) {
  using namespace file_cmd_topic_trim_prefix;
  auto a = std::make_shared<args>();
  auto* cmd = topic.add_subcommand("trim-prefix", "Delete the oldest records of a topic (dry run unless --execute)");
  cmd->add_option("topic", a->topic, "Topic name")->required();
  cmd->add_option("--to", a->to,
                  "New first offset: OFFSET, end (delete everything), -N (keep the last N), +N, @TIME, "
                  "or per partition 0=5,1=end")
      ->required();
  cmd->add_option("-p,--partition", a->partitions, "Only these partitions");
  cmd->add_flag("--execute", a->execute, "Really delete (without it, only show the plan)");
  add_output_option(cmd, a->output);
  set_example(cmd, "samsa topic trim-prefix orders --to -100 --execute   # keep the last 100 records per partition");
  cmd->callback([a, &ctx] { ctx.exit_status = run(*a, ctx); });
}

}  // namespace samsa::cli
