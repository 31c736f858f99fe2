// `samsa group describe`: members, their partitions and the lag of each partition.
// A consumer-protocol (KIP-848) group shows its epochs, assignor and each
// member's epoch, current and target assignment (consumer_group_admin.h).
#include <chrono>
#include <iostream>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/consumer_group_admin.h"
#include "cli/share_client.h"
#include "cli/table.h"

namespace samsa::cli {
namespace {
namespace file_cmd_group_describe {

// A share group (KIP-932): members, their partitions, and each share
// partition's start offset and lag. False when `id` is not a share group.
bool describe_share(cli_context& ctx, const std::string& id, output_format format) {
  auto config = ctx.config();
  if (!config) return false;
  auto view = describe_share_group(config->bootstrap_servers(), id, std::chrono::milliseconds(ctx.timeout_ms));
  if (!view || !*view) return false;
  const share_group_view& g = **view;
  if (format != output_format::table) {
    nlohmann::json j{{"group", g.group_id}, {"type", "share"}, {"state", g.state}, {"assignor", g.assignor},
                     {"epoch", g.epoch}, {"members", nlohmann::json::array()}, {"partitions", nlohmann::json::array()}};
    for (const auto& m : g.members) {
      auto parts = nlohmann::json::array();
      for (const auto& [topic, p] : m.assignment) parts.push_back({{"topic", topic}, {"partition", p}});
      j["members"].push_back({{"member_id", m.member_id}, {"client_id", m.client_id}, {"host", m.host},
                              {"epoch", m.epoch}, {"assignment", parts}});
    }
    for (const auto& p : g.partitions)
      j["partitions"].push_back({{"topic", p.topic}, {"partition", p.partition}, {"start_offset", p.start_offset},
                                 {"lag", p.lag}});
    print_document(std::cout, format, j);
    return true;
  }
  std::cout << fmt::format("{} {}  type: share  state: {}  assignor: {}  epoch: {}  members: {}\n\n",
                           bold(ctx, "group"), g.group_id, g.state, g.assignor, g.epoch, g.members.size());
  if (!g.members.empty()) {
    table members({"MEMBER", "CLIENT-ID", "HOST", "EPOCH", "PARTITIONS"});
    for (const auto& m : g.members) {
      std::string parts;
      for (const auto& [topic, p] : m.assignment) parts += (parts.empty() ? "" : " ") + fmt::format("{}[{}]", topic, p);
      members.add({m.member_id, m.client_id, m.host, std::to_string(m.epoch), parts.empty() ? "-" : parts});
    }
    members.print(std::cout, ctx);
    std::cout << "\n";
  }
  table t({"TOPIC", "PARTITION", "START-OFFSET", "LAG"});
  for (const auto& p : g.partitions) t.add({p.topic, std::to_string(p.partition), or_dash(p.start_offset), or_dash(p.lag)});
  t.print(std::cout, ctx);
  return true;
}

// Where the lag of a row is counted from (a column, so the total is explained).
std::string lag_from(const client::partition_lag& r) {
  if (r.topic_deleted) return "topic-deleted";
  return r.lag_from_log_start ? "log-start" : "committed";
}

std::string partitions_text(const std::vector<cg_partitions>& parts) {
  std::string out;
  for (const auto& tp : parts) {
    for (int32_t p : tp.partitions) out += (out.empty() ? "" : " ") + fmt::format("{}[{}]", tp.topic, p);
  }
  return out.empty() ? "-" : out;
}

nlohmann::json partitions_json(const std::vector<cg_partitions>& parts) {
  auto out = nlohmann::json::array();
  for (const auto& tp : parts) {
    for (int32_t p : tp.partitions) out.push_back({{"topic", tp.topic}, {"partition", p}});
  }
  return out;
}

// A KIP-848 group: the consumer protocol's view, then the same lag table.
void print_consumer_group(cli_context& ctx, output_format format, const cg_group_view& g,
                          const std::vector<client::partition_lag>& lag) {
  int64_t total_lag = 0;
  for (const auto& row : lag) total_lag += std::max<int64_t>(row.lag, 0);
  if (format != output_format::table) {
    nlohmann::json j{{"group", g.group_id}, {"type", "consumer"}, {"state", g.state},
                     {"group_epoch", g.group_epoch}, {"assignment_epoch", g.assignment_epoch},
                     {"assignor", g.assignor}, {"total_lag", total_lag},
                     {"members", nlohmann::json::array()}, {"partitions", nlohmann::json::array()}};
    for (const auto& m : g.members) {
      j["members"].push_back({{"member_id", m.member_id}, {"member_epoch", m.member_epoch},
                              {"instance_id", m.instance_id ? nlohmann::json(*m.instance_id) : nlohmann::json()},
                              {"client_id", m.client_id}, {"host", m.client_host},
                              {"subscribed_topics", m.subscribed_topics},
                              {"subscribed_regex", m.subscribed_regex ? nlohmann::json(*m.subscribed_regex)
                                                                      : nlohmann::json()},
                              {"assignment", partitions_json(m.assignment)},
                              {"target_assignment", partitions_json(m.target)}});
    }
    for (const auto& r : lag)
      j["partitions"].push_back({{"topic", r.topic}, {"partition", r.partition}, {"committed", r.committed},
                                 {"log_end", r.log_end}, {"lag", r.lag}, {"lag_from", lag_from(r)}});
    print_document(std::cout, format, j);
    return;
  }
  std::cout << fmt::format("{} {} (consumer protocol)  state: {}  epoch: {}  assignment epoch: {}  assignor: {}  "
                           "members: {}  total lag: {}\n\n",
                           bold(ctx, "group"), g.group_id, g.state, g.group_epoch, g.assignment_epoch,
                           g.assignor.empty() ? "-" : g.assignor, g.members.size(), total_lag);
  if (!g.members.empty()) {
    table members({"MEMBER", "EPOCH", "CLIENT-ID", "HOST", "PARTITIONS", "TARGET"});
    for (const auto& m : g.members) {
      members.add({m.member_id, std::to_string(m.member_epoch), m.client_id, m.client_host,
                   partitions_text(m.assignment), partitions_text(m.target)});
    }
    members.print(std::cout, ctx);
    std::cout << "\n";
  }
  table t({"TOPIC", "PARTITION", "COMMITTED", "LOG-END", "LAG", "LAG-FROM"});
  for (const auto& r : lag) {
    t.add({r.topic, std::to_string(r.partition), or_dash(r.committed), or_dash(r.log_end), or_dash(r.lag),
           lag_from(r)});
  }
  t.print(std::cout, ctx);
}

}  // namespace file_cmd_group_describe
}  // namespace

void register_group_describe(CLI::App& group, cli_context& ctx) {
  using namespace file_cmd_group_describe;
  auto format = std::make_shared<output_format>(output_format::table);
  auto id = std::make_shared<std::string>();
  auto* cmd = group.add_subcommand("describe", "Show a group's members, assignments and per-partition lag");
  cmd->add_option("group", *id, "Group id")->required();
  add_output_option(cmd, *format);
  set_example(cmd, "samsa group describe billing -o json");
  cmd->callback([format, id, &ctx] {
    // Share groups first: librdkafka 2.0.2 cannot describe them.
    if (describe_share(ctx, *id, *format)) return;
    auto admin = ctx.make_admin();
    if (!admin) return void(ctx.exit_status = ctx.fail(admin.err()));
    auto config = ctx.config();
    if (!config) return void(ctx.exit_status = ctx.fail(config.err()));
    auto consumer_group = describe_consumer_group(config->bootstrap_servers(),
                                                  config->get("client.id").value_or("samsa"),
                                                  std::chrono::milliseconds(ctx.timeout_ms), *id);
    if (!consumer_group) return void(ctx.exit_status = ctx.fail(consumer_group.err()));
    if (*consumer_group) {
      auto lag = admin->group_lag(*id);
      if (!lag) return void(ctx.exit_status = ctx.fail(lag.err()));
      print_consumer_group(ctx, *format, **consumer_group, *lag);
      return;
    }
    auto info = admin->describe_group(*id);
    if (!info) return void(ctx.exit_status = ctx.fail(info.err()));
    auto lag = admin->group_lag(*id);
    if (!lag) return void(ctx.exit_status = ctx.fail(lag.err()));
    std::map<std::string, const client::group_member*> by_id;
    for (const auto& m : info->members) by_id[m.member_id] = &m;
    int64_t total_lag = 0;
    for (const auto& row : *lag) total_lag += std::max<int64_t>(row.lag, 0);

    if (*format != output_format::table) {
      nlohmann::json j{{"group", info->group_id}, {"state", info->state}, {"assignor", info->assignor},
                       {"coordinator", info->coordinator}, {"total_lag", total_lag},
                       {"members", nlohmann::json::array()}, {"partitions", nlohmann::json::array()}};
      for (const auto& m : info->members) {
        auto parts = nlohmann::json::array();
        for (const auto& p : m.assignment) parts.push_back({{"topic", p.topic}, {"partition", p.partition}});
        j["members"].push_back({{"member_id", m.member_id}, {"client_id", m.client_id}, {"host", m.host},
                                {"assignment", parts}});
      }
      for (const auto& r : *lag)
        j["partitions"].push_back({{"topic", r.topic}, {"partition", r.partition},
                                   {"committed", r.committed}, {"log_start", r.log_start}, {"log_end", r.log_end},
                                   {"lag", r.lag}, {"lag_from", lag_from(r)}, {"topic_deleted", r.topic_deleted},
                                   {"member_id", r.member_id}});
      print_document(std::cout, *format, j);
      return;
    }
    std::cout << fmt::format("{} {}  state: {}  assignor: {}  members: {}  total lag: {}\n\n", bold(ctx, "group"),
                             info->group_id, info->state, info->assignor.empty() ? "-" : info->assignor,
                             info->members.size(), total_lag);
    if (!info->members.empty()) {
      table members({"MEMBER", "CLIENT-ID", "HOST", "PARTITIONS"});
      for (const auto& m : info->members) {
        std::string parts;
        for (const auto& p : m.assignment) parts += (parts.empty() ? "" : " ") + fmt::format("{}[{}]", p.topic, p.partition);
        members.add({m.member_id, m.client_id, m.host, parts.empty() ? "-" : parts});
      }
      members.print(std::cout, ctx);
      std::cout << "\n";
    }
    table t({"TOPIC", "PARTITION", "COMMITTED", "LOG-END", "LAG", "LAG-FROM", "CLIENT-ID"});
    bool any_from_start = false;
    for (const auto& r : *lag) {
      auto it = by_id.find(r.member_id);
      any_from_start = any_from_start || r.lag_from_log_start;
      t.add({r.topic, std::to_string(r.partition), or_dash(r.committed), or_dash(r.log_end), or_dash(r.lag), lag_from(r),
             it == by_id.end() ? "-" : it->second->client_id});
    }
    t.print(std::cout, ctx);
    if (any_from_start)
      std::cout << "\n" << dim(ctx, "LAG-FROM log-start: nothing committed there yet, so every record from the log "
                                      "start is still to read") << "\n";
  });
}

}  // namespace samsa::cli
