// `samsa consume TOPIC`: prints records, alone or as a member of a group.
#include <atomic>
#include <csignal>
#include <iostream>
#include <set>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/record_format.h"
#include "client/consumer.h"
#include "client/kafka_error.h"

namespace samsa::cli {
namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

struct args {
  std::string topic;
  std::string group;
  std::string from = "beginning";
  std::vector<int32_t> partitions;
  int64_t count = 0;
  std::string format = "{value}\\n";
  output_format output = output_format::table;
  bool exit_at_end = false;
  bool quiet = false;
};

// Where to start: a special offset, an absolute offset or a timestamp.
struct start_point {
  int64_t offset = client::offset_beginning;
  std::optional<int64_t> timestamp_ms;
};

result<start_point> parse_from(const std::string& from) {
  auto bad = [&] {
    return client::make_usage_error("--from", "\"" + from + "\" is not a start position",
                                    "use beginning, end, an offset (42) or @TIMESTAMP_MS (@1700000000000)");
  };
  if (from == "beginning" || from == "earliest") return start_point{client::offset_beginning, {}};
  if (from == "end" || from == "latest") return start_point{client::offset_end, {}};
  try {
    size_t used = 0;
    if (!from.empty() && from[0] == '@') {
      int64_t ts = std::stoll(from.substr(1), &used);
      if (used + 1 != from.size() || ts < 0) return bad();
      return start_point{client::offset_end, ts};
    }
    int64_t off = std::stoll(from, &used);
    if (used != from.size() || off < 0) return bad();
    return start_point{off, {}};
  } catch (const std::exception&) {
    return bad();
  }
}

// Resolves the start offset of each partition (timestamps need a lookup).
result<std::vector<client::topic_partition>> start_offsets(cli_context& ctx, const args& a, const start_point& start) {
  auto admin = ctx.make_admin();
  if (!admin) return admin.err();
  auto offsets = admin->topic_offsets(a.topic, start.timestamp_ms);
  if (!offsets) return offsets.err();
  std::vector<client::topic_partition> out;
  for (const auto& p : *offsets) {
    if (!a.partitions.empty() &&
        std::find(a.partitions.begin(), a.partitions.end(), p.partition) == a.partitions.end())
      continue;
    int64_t offset = start.offset;
    if (start.timestamp_ms) offset = p.at_timestamp.value_or(-1) >= 0 ? *p.at_timestamp : client::offset_end;
    out.push_back({a.topic, p.partition, offset});
  }
  if (out.empty())
    return client::make_usage_error(fmt::format("consume {}", a.topic), "none of the given partitions exist",
                                    fmt::format("see `samsa topic describe {}`", a.topic));
  return out;
}

std::string describe(const std::vector<client::topic_partition>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + fmt::format("{}[{}]", p.topic, p.partition);
  return out.empty() ? "(none)" : out;
}

int run(const args& a, cli_context& ctx) {
  if (auto s = check_record_format(a.format); !s) return ctx.fail(s.err());
  auto start = parse_from(a.from);
  if (!start) return ctx.fail(start.err());
  bool in_group = !a.group.empty();
  // Without a group, or with an explicit offset/timestamp, work out where each partition starts.
  std::vector<client::topic_partition> initial;
  bool explicit_start = start->timestamp_ms || start->offset >= 0;
  if (!in_group || explicit_start) {
    auto offsets = start_offsets(ctx, a, *start);
    if (!offsets) return ctx.fail(offsets.err());
    initial = std::move(*offsets);
  }
  auto config = ctx.config();
  if (!config) return ctx.fail(config.err());
  client::consumer_options options;
  options.group_id = a.group;
  options.auto_offset_reset = start->offset == client::offset_end ? "latest" : "earliest";
  options.report_partition_end = a.exit_at_end;
  auto consumer = client::consumer::create(*config, options);
  if (!consumer) return ctx.fail(consumer.err());
  if (in_group) {
    if (!a.partitions.empty()) {
      std::cerr << "error: --partition cannot be combined with --group (the group assigns partitions)\n";
      return exit_usage;
    }
    if (auto s = consumer->subscribe({a.topic}); !s) return ctx.fail(s.err());
  } else if (auto s = consumer->assign(initial); !s) {
    return ctx.fail(s.err());
  }

  g_stop = false;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::set<int32_t> owned;
  std::set<int32_t> at_end;
  if (!in_group)
    for (const auto& p : initial) owned.insert(p.partition);
  int64_t printed = 0;
  auto last_commit = std::chrono::steady_clock::now();
  int code = exit_ok;
  while (!g_stop && (a.count == 0 || printed < a.count)) {
    auto event = consumer->poll(std::chrono::milliseconds(200));
    if (!event) {
      // Broker hiccups are retried by librdkafka; only stop on errors that will not heal.
      if (client::is_not_found_error(event.err()) || event.err().code == std::errc::invalid_argument) {
        code = ctx.fail(event.err());
        break;
      }
      if (!a.quiet) std::cerr << "warning: " << event.err().message << "\n";
      continue;
    }
    if (auto* r = std::get_if<client::rebalance_event>(&*event)) {
      bool assigned = r->what == client::rebalance_event::kind::assigned;
      if (!a.quiet)
        std::cerr << fmt::format("% group {}: {} {}\n", a.group, assigned ? "assigned" : "revoked", describe(r->partitions));
      for (const auto& p : r->partitions) {
        if (assigned) {
          owned.insert(p.partition);
        } else {
          owned.erase(p.partition);
          at_end.erase(p.partition);
        }
      }
      if (assigned && explicit_start) {
        for (const auto& p : initial) {
          if (owned.count(p.partition))
            if (auto s = consumer->seek(p, std::chrono::milliseconds(ctx.timeout_ms)); !s && !a.quiet)
              std::cerr << "warning: " << s.err().message << "\n";
        }
      }
    } else if (auto* m = std::get_if<client::consumed_message>(&*event)) {
      at_end.erase(m->partition);
      if (a.output == output_format::json) {
        std::cout << record_json(*m) << "\n";
      } else {
        std::cout << render_record(a.format, *m);
      }
      std::cout.flush();
      ++printed;
    } else if (auto* e = std::get_if<client::end_of_partition>(&*event)) {
      at_end.insert(e->position.partition);
    }
    if (a.exit_at_end && !owned.empty() && at_end.size() >= owned.size()) break;
    if (in_group && std::chrono::steady_clock::now() - last_commit > std::chrono::seconds(1)) {
      (void)consumer->commit_async();
      last_commit = std::chrono::steady_clock::now();
    }
  }
  // Ctrl-C, --count or --exit-at-end: commit what was printed, then leave the group.
  if (in_group) {
    if (auto s = consumer->commit(); !s && code == exit_ok) code = ctx.fail(s.err());
  }
  if (auto s = consumer->close(); !s && code == exit_ok) code = ctx.fail(s.err());
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  return code;
}

}  // namespace

void register_consume(CLI::App& app, cli_context& ctx) {
  auto a = std::make_shared<args>();
  auto* cmd = app.add_subcommand("consume", "Print records of a topic (Ctrl-C stops after committing)");
  cmd->add_option("topic", a->topic, "Topic name")->required();
  cmd->add_option("-g,--group", a->group, "Join this consumer group (offsets are committed)");
  cmd->add_option("--from", a->from, "Start at beginning, end, an OFFSET or @TIMESTAMP_MS")->default_val("beginning");
  cmd->add_option("-p,--partition", a->partitions, "Only these partitions (without --group)");
  cmd->add_option("-n,--count", a->count, "Stop after N records");
  cmd->add_option("-f,--format", a->format,
                  "Template: {topic} {partition} {offset} {key} {value} {timestamp} {headers}, \\n \\t")
      ->default_str("{value}\\n");
  add_output_option(cmd, a->output);
  cmd->add_flag("-e,--exit-at-end", a->exit_at_end, "Stop once every partition has been read to its end");
  cmd->add_flag("-q,--quiet", a->quiet, "No assignment notes on stderr");
  set_example(cmd, "samsa consume orders --group billing --format '{partition}:{offset} {key}={value}\\n'");
  cmd->callback([a, &ctx] { ctx.exit_status = run(*a, ctx); });
}

}  // namespace samsa::cli
