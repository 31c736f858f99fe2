// `samsa group watch G`: a live view of a group — members, who owns which
// partition, lag and how fast it is read, and every rebalance as it happens.
// On a terminal the screen is redrawn in place; otherwise (a pipe, a log) it
// prints the first view, then one timestamped line per change.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <ctime>
#include <deque>
#include <map>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/consumer_group_admin.h"
#include "cli/group_watch.h"
#include "cli/table.h"
#include "client/kafka_error.h"

namespace samsa::cli {
namespace {
namespace file_cmd_group_watch {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string clock_time(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  return fmt::format("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int64_t total_lag(const group_snapshot& s) {
  int64_t total = 0;
  for (const auto& r : s.lag) total += std::max<int64_t>(r.lag, 0);
  return total;
}

void render(std::ostream& out, const cli_context& ctx, const group_snapshot& now, const group_snapshot* before,
            const std::deque<std::string>& events, int interval_ms) {
  out << fmt::format("{} {}  state: {}  members: {}  total lag: {}   ({}, every {} ms; Ctrl-C stops)\n\n",
                     bold(ctx, "group"), now.info.group_id, now.info.state, now.info.members.size(), total_lag(now),
                     clock_time(now.at_ms), interval_ms);
  std::map<std::string, std::string> label;
  for (const auto& m : now.info.members) label[m.member_id] = member_label(m);
  if (!now.info.members.empty()) {
    table members({"MEMBER", "HOST", "PARTITIONS"});
    for (const auto& m : now.info.members) {
      std::string parts;
      for (const auto& p : m.assignment) parts += (parts.empty() ? "" : " ") + fmt::format("{}[{}]", p.topic, p.partition);
      members.add({member_label(m), m.host, parts.empty() ? "-" : parts});
    }
    members.print(out, ctx);
    out << "\n";
  }
  auto rates = before ? commit_rates(*before, now) : std::map<std::pair<std::string, int32_t>, double>{};
  table t({"TOPIC", "PARTITION", "OWNER", "COMMITTED", "LOG-END", "LAG", "READ/S"});
  for (const auto& r : now.lag) {
    auto rate = rates.find({r.topic, r.partition});
    auto owner = label.find(r.member_id);
    t.add({r.topic, std::to_string(r.partition), owner == label.end() ? "-" : owner->second, or_dash(r.committed),
           or_dash(r.log_end), or_dash(r.lag), rate == rates.end() ? "-" : fmt::format("{:.1f}", rate->second)});
  }
  if (!t.empty()) t.print(out, ctx);
  if (!events.empty()) {
    out << "\n" << bold(ctx, "recent changes") << "\n";
    for (const auto& e : events) out << "  " << e << "\n";
  }
  out.flush();
}

// A KIP-848 group as the classic view shows groups: its state, and each
// member with its current assignment.
client::group_info classic_view(const cg_group_view& g) {
  client::group_info info;
  info.group_id = g.group_id;
  info.state = g.state;
  info.assignor = g.assignor;
  for (const auto& m : g.members) {
    client::group_member member;
    member.member_id = m.member_id;
    member.client_id = m.client_id;
    member.host = m.client_host;
    member.instance_id = m.instance_id.value_or("");
    for (const auto& t : m.assignment)
      for (int32_t p : t.partitions) member.assignment.push_back({t.topic, p, client::offset_invalid});
    info.members.push_back(std::move(member));
  }
  return info;
}

result<group_snapshot> look(client::admin& admin, const cli_context& ctx, const client::client_config& config,
                            const std::string& group) {
  group_snapshot s;
  s.at_ms = now_ms();
  // The classic DescribeGroups does not see a consumer-protocol (KIP-848)
  // group (not found, or Dead): ConsumerGroupDescribe does, with its owners.
  auto info = admin.describe_group(group);
  if (!info && !client::is_not_found_error(info.err())) return info.err();
  if (!info || info->state == "Dead") {
    auto cg = describe_consumer_group(config.bootstrap_servers(), config.get("client.id").value_or("samsa"),
                                      std::chrono::milliseconds(ctx.timeout_ms), group);
    if (cg && *cg) {
      s.info = classic_view(**cg);
    } else if (!info) {
      return info.err();
    } else {
      s.info = std::move(*info);
    }
  } else {
    s.info = std::move(*info);
  }
  auto lag = admin.group_lag(group);
  if (!lag) return lag.err();
  s.lag = std::move(*lag);
  std::map<std::pair<std::string, int32_t>, std::string> owner;
  for (const auto& m : s.info.members)
    for (const auto& p : m.assignment) owner[{p.topic, p.partition}] = m.member_id;
  for (auto& r : s.lag)
    if (r.member_id.empty())
      if (auto it = owner.find({r.topic, r.partition}); it != owner.end()) r.member_id = it->second;
  return s;
}

struct args {
  std::string group;
  int interval_ms = 1000;
  int count = 0;
};

int run(const args& a, cli_context& ctx) {
  auto admin = ctx.make_admin();
  if (!admin) return ctx.fail(admin.err());
  auto config = ctx.config();
  if (!config) return ctx.fail(config.err());
  auto first = look(*admin, ctx, *config, a.group);
  if (!first) return ctx.fail(first.err());
  if (first->info.state == "Dead" && first->lag.empty())
    return ctx.fail(client::make_kafka_error(fmt::format("group watch {}", a.group), 69 /* GROUP_ID_NOT_FOUND */,
                                             "no group with this id", "see `samsa group list`"));
  bool terminal = ::isatty(STDOUT_FILENO) == 1;
  g_stop = false;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::deque<std::string> events;
  group_snapshot previous = *first;
  if (terminal) std::cout << "\x1b[H\x1b[2J";
  render(std::cout, ctx, previous, nullptr, events, a.interval_ms);
  for (int shown = 1; !g_stop && (a.count == 0 || shown < a.count); ++shown) {
    auto wake = std::chrono::steady_clock::now() + std::chrono::milliseconds(a.interval_ms);
    while (!g_stop && std::chrono::steady_clock::now() < wake) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (g_stop) break;
    auto now = look(*admin, ctx, *config, a.group);
    if (!now) {
      // The broker may be restarting: say so and keep watching.
      std::string line = fmt::format("{} cannot look at the group: {}", clock_time(now_ms()), now.err().message);
      if (terminal) events.push_back(line);
      else std::cout << line << std::endl;
      continue;
    }
    auto changes = group_changes(previous, *now);
    if (total_lag(*now) != total_lag(previous) && !terminal)
      changes.push_back(fmt::format("total lag {} (was {})", total_lag(*now), total_lag(previous)));
    for (auto& c : changes) {
      std::string line = clock_time(now->at_ms) + " " + c;
      if (terminal) {
        events.push_back(std::move(line));
        while (events.size() > 10) events.pop_front();
      } else {
        std::cout << line << "\n";
      }
    }
    if (terminal) {
      std::cout << "\x1b[H\x1b[2J";
      render(std::cout, ctx, *now, &previous, events, a.interval_ms);
    } else {
      std::cout.flush();
    }
    previous = std::move(*now);
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  return exit_ok;
}

}  // namespace file_cmd_group_watch
}  // namespace

void register_group_watch(CLI::App& group, cli_context& ctx) {
  using namespace file_cmd_group_watch;
  auto a = std::make_shared<args>();
  auto* cmd = group.add_subcommand("watch", "Watch a group live: members, assignments, lag and rebalances as they happen");
  cmd->add_option("group", a->group, "Group id")->required();
  cmd->add_option("--interval-ms", a->interval_ms, "Time between looks")->check(CLI::Range(100, 3600000))->default_val(1000);
  cmd->add_option("-n,--count", a->count, "Stop after N looks (default: until Ctrl-C)")->check(CLI::NonNegativeNumber);
  set_example(cmd, "samsa group watch billing --interval-ms 500");
  cmd->callback([a, &ctx] { ctx.exit_status = run(*a, ctx); });
}

}  // namespace samsa::cli
