// `samsa consume TOPIC`: prints records, alone or as a member of a group.
#include <atomic>
#include <chrono>
#include <csignal>
#include <algorithm>
#include <iostream>
#include <regex>
#include <set>
#include <span>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "cli/record_explain.h"
#include "cli/record_format.h"
#include "cli/start_position.h"
#include "client/consumer.h"
#include "client/kafka_error.h"
#include "registry/schema_codec.h"

namespace samsa::cli {
namespace {
namespace file_cmd_consume {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

struct args {
  std::vector<std::string> patterns;  // names, or regexes starting with ^ (as kcat -G and librdkafka)
  std::vector<std::string> topics;    // the names they matched, filled in run()
  std::string topic;                  // the topic being resolved (for messages)
  std::string group;
  std::string from = "beginning";
  bool from_given = false;  // set from the option's count: the default must not override commits
  bool reset = false;
  std::optional<std::string> until;
  std::vector<int32_t> partitions;
  std::optional<int64_t> count;
  std::string format = "{value}\\n";
  output_format output = output_format::table;
  bool exit_at_end = false;
  bool quiet = false;
  bool explain = false;
  bool decode = false;   // values in the Schema Registry's wire format -> JSON
  std::string registry;  // its URL (default $SAMSA_SCHEMA_REGISTRY_URL or http://127.0.0.1:8081)
};

// --decode: the value becomes its JSON; a value that does not decode is
// printed as it is, with the reason on stderr (nothing is dropped).
void decode_value(registry::schema_codec& codec, client::consumed_message& m) {
  if (!m.value) return;
  auto bytes = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(m.value->data()), m.value->size());
  auto decoded = codec.decode(bytes);
  if (!decoded) {
    std::cerr << fmt::format("% {}/{}@{}: not decoded: {}\n", m.topic, m.partition, m.offset, decoded.err().message);
    return;
  }
  m.value = std::move(*decoded);
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Errors of the lookups consume makes are about `consume TOPIC`, not the admin call inside.
samsa::error as_consume_error(const samsa::error& e, const std::string& topic) {
  if (!client::is_not_found_error(e)) return e;
  return client::make_kafka_error(fmt::format("consume {}", topic), e.code.value(),
                                  fmt::format("no topic named \"{}\"", topic));
}

// Resolves the start offset of each wanted partition.
result<std::vector<client::topic_partition>> start_offsets(client::admin& admin, args a, const start_spec& spec);

// Every matched topic, one after the other.
result<std::vector<client::topic_partition>> all_start_offsets(client::admin& admin, const args& a,
                                                               const start_spec& spec) {
  std::vector<client::topic_partition> out;
  for (const auto& t : a.topics) {
    args one = a;
    one.topic = t;
    auto parts = start_offsets(admin, one, spec);
    if (!parts) return parts.err();
    out.insert(out.end(), parts->begin(), parts->end());
  }
  if (out.empty())
    return client::make_usage_error(fmt::format("consume {}", fmt::join(a.topics, " ")),
                                    "none of the given partitions exist",
                                    fmt::format("see `samsa topic describe {}`", a.topics.front()));
  return out;
}

result<std::vector<client::topic_partition>> start_offsets(client::admin& admin, args a, const start_spec& spec) {
  std::set<int64_t> times;
  if (spec.all && spec.all->what == start_position::kind::timestamp) times.insert(spec.all->value);
  for (const auto& [p, pos] : spec.per_partition)
    if (pos.what == start_position::kind::timestamp) times.insert(pos.value);
  auto offsets = admin.topic_offsets(a.topic);
  if (!offsets) return as_consume_error(offsets.err(), a.topic);
  std::map<int64_t, std::vector<client::partition_offsets>> at_time;
  for (int64_t ts : times) {
    auto found = admin.topic_offsets(a.topic, ts);
    if (!found) return as_consume_error(found.err(), a.topic);
    at_time[ts] = std::move(*found);
  }
  std::vector<client::topic_partition> out;
  for (const auto& p : *offsets) {
    if (!a.partitions.empty() &&
        std::find(a.partitions.begin(), a.partitions.end(), p.partition) == a.partitions.end())
      continue;
    std::optional<start_position> pos = spec.all;
    if (auto it = spec.per_partition.find(p.partition); it != spec.per_partition.end()) pos = it->second;
    if (!pos) continue;
    client::partition_offsets with_time = p;
    if (pos->what == start_position::kind::timestamp)
      for (const auto& q : at_time[pos->value])
        if (q.partition == p.partition) with_time.at_timestamp = q.at_timestamp;
    auto r = resolve_start(*pos, with_time);
    if (!r.note.empty() && !a.quiet) std::cerr << "note: " << r.note << "\n";
    out.push_back({a.topic, p.partition, r.offset});
  }
  return out;
}

std::string describe(const std::vector<client::topic_partition>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + fmt::format("{}[{}]", p.topic, p.partition);
  return out.empty() ? "(none)" : out;
}

// "orders[0] offset 5 (committed), orders[1] offset 0 (log start: nothing committed)"
std::string start_note(client::consumer& consumer, cli_context& ctx, const args& a,
                       const std::vector<client::topic_partition>& assigned,
                       const std::vector<client::topic_partition>& initial) {
  std::string out;
  auto committed = consumer.committed(assigned, std::chrono::milliseconds(ctx.timeout_ms));
  for (const auto& p : assigned) {
    std::string where;
    for (const auto& i : initial)
      if (i.partition == p.partition && i.topic == p.topic) where = fmt::format("offset {} (--from {})", i.offset, a.from);
    if (where.empty() && committed) {
      for (const auto& c : *committed) {
        if (c.partition != p.partition || c.topic != p.topic) continue;
        where = c.offset >= 0 ? fmt::format("offset {} (committed)", c.offset)
                              : "the log start (nothing committed yet)";
      }
    }
    if (where.empty()) where = "the log start";
    out += (out.empty() ? "" : ", ") + fmt::format("{}[{}] at {}", p.topic, p.partition, where);
  }
  return out;
}

// --from with a group that already committed would silently skip or re-read
// records; Kafka's tools make that an explicit reset, and so does samsa.
status check_reset(client::admin& admin, const args& a) {
  auto lag = admin.group_lag(a.group, a.topics);
  if (!lag) return as_consume_error(lag.err(), a.topics.front());
  std::string committed;
  for (const auto& r : *lag)
    if (r.committed >= 0) committed += (committed.empty() ? "" : ", ") + fmt::format("{}[{}] at {}", r.topic, r.partition, r.committed);
  if (committed.empty() || a.reset) return {};
  return client::make_usage_error(
      fmt::format("consume {} --group {} --from {}", fmt::join(a.topics, " "), a.group, a.from),
      fmt::format("the group already committed offsets ({})", committed),
      "add --reset to start from --from anyway (the group's commits move there), or drop --from to continue");
}

void print_record(const args& a, const client::consumed_message& m, const explain_context* why) {
  std::optional<record_explanation> e;
  if (why) e = explain_record(m, *why);
  if (a.output == output_format::json || a.output == output_format::yaml) {
    auto doc = record_document(m);
    if (e) doc["explain"] = explanation_json(*e);
    if (a.output == output_format::json) std::cout << doc.dump() << "\n";
    else std::cout << "---\n" << to_yaml(doc);
  } else {
    std::cout << render_record(a.format, m);
    if (e) std::cout << explanation_text(*e);
  }
  std::cout.flush();
}

// Names stay as given (a missing one is reported as not found); ^regexes
// expand to the matching topics (none matching is an error too).
status match_topics(client::admin& admin, args& a) {
  a.topics.clear();
  std::optional<std::vector<client::topic_info>> all;
  for (const auto& p : a.patterns) {
    if (p.empty() || p[0] != '^') {
      a.topics.push_back(p);
      continue;
    }
    if (!all) {
      auto listed = admin.list_topics(false);
      if (!listed) return listed.err();
      all = std::move(*listed);
    }
    std::regex re;
    try {
      re = std::regex(p, std::regex::extended);
    } catch (const std::regex_error& e) {
      return client::make_usage_error("consume", fmt::format("\"{}\" is not a regular expression: {}", p, e.what()));
    }
    size_t before = a.topics.size();
    for (const auto& t : *all)
      if (std::regex_search(t.name, re)) a.topics.push_back(t.name);
    if (a.topics.size() == before)
      return client::make_kafka_error(fmt::format("consume {}", p), 3 /* UNKNOWN_TOPIC_OR_PART */,
                                      "no topic matches this pattern");
  }
  std::sort(a.topics.begin(), a.topics.end());
  a.topics.erase(std::unique(a.topics.begin(), a.topics.end()), a.topics.end());
  return {};
}

int run(args a, cli_context& ctx) {
  if (auto s = check_record_format(a.format); !s) return ctx.fail(s.err());
  std::unique_ptr<registry::schema_codec> codec;
  if (a.decode) {
    std::string url = a.registry;
    if (url.empty()) {
      const char* env = std::getenv("SAMSA_SCHEMA_REGISTRY_URL");
      url = env && *env ? env : "http://127.0.0.1:8081";
    }
    codec = std::make_unique<registry::schema_codec>(url, std::chrono::milliseconds(ctx.timeout_ms));
  }
  auto spec = parse_start(a.from, now_ms());
  if (!spec) return ctx.fail(spec.err());
  std::optional<int64_t> until;
  if (a.until) {
    auto t = parse_time(*a.until, now_ms());
    if (!t) return ctx.fail(t.err());
    until = *t;
  }
  bool in_group = !a.group.empty();
  if (in_group && !a.partitions.empty()) {
    std::cerr << "error: --partition cannot be combined with --group (the group assigns partitions)\n";
    return exit_usage;
  }
  if (a.reset && !(in_group && a.from_given)) {
    std::cerr << "error: --reset only applies with --group and --from (it moves the group's start)\n";
    return exit_usage;
  }
  if (!spec->per_partition.empty() && in_group) {
    std::cerr << "error: per-partition --from cannot be combined with --group (the group assigns partitions)\n";
    return exit_usage;
  }
  auto admin = ctx.make_admin();
  if (!admin) return ctx.fail(admin.err());
  if (auto s = match_topics(*admin, a); !s) return ctx.fail(s.err());
  // Without a group, or with an explicit --from, work out where each partition starts.
  std::vector<client::topic_partition> initial;
  if (!in_group || a.from_given) {
    if (in_group)
      if (auto s = check_reset(*admin, a); !s) return ctx.fail(s.err());
    auto offsets = all_start_offsets(*admin, a, *spec);
    if (!offsets) return ctx.fail(offsets.err());
    initial = std::move(*offsets);
  } else {
    for (const auto& t : a.topics)
      if (auto info = admin->describe_topic(t, false); !info) return ctx.fail(as_consume_error(info.err(), t));
  }
  // --explain needs each topic's partition count to redo the producer's modulo.
  std::optional<explain_context> why;
  if (a.explain) {
    why.emplace();
    why->group = a.group;
    for (const auto& t : a.topics) {
      auto info = admin->describe_topic(t, false);
      if (!info) return ctx.fail(as_consume_error(info.err(), t));
      why->partition_counts[t] = static_cast<int32_t>(info->partitions.size());
    }
  }
  auto config = ctx.config();
  if (!config) return ctx.fail(config.err());
  client::consumer_options options;
  options.group_id = a.group;
  options.auto_offset_reset = "earliest";
  options.report_partition_end = a.exit_at_end;
  auto consumer = client::consumer::create(*config, options);
  if (!consumer) return ctx.fail(consumer.err());
  if (in_group) {
    if (auto s = consumer->subscribe(a.topics); !s) return ctx.fail(s.err());
  } else if (auto s = consumer->assign(initial); !s) {
    return ctx.fail(s.err());
  }

  g_stop = false;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  using key = std::pair<std::string, int32_t>;
  std::set<key> owned;
  std::set<key> at_end;
  std::set<key> past_until;  // partitions that reached --until
  if (!in_group)
    for (const auto& p : initial) owned.insert({p.topic, p.partition});
  int64_t printed = 0;
  auto last_commit = std::chrono::steady_clock::now();
  int code = exit_ok;
  auto done = [&] {
    std::set<key> finished = past_until;
    if (a.exit_at_end) finished.insert(at_end.begin(), at_end.end());
    if (owned.empty() || (!a.exit_at_end && !until)) return false;
    for (const auto& p : owned)
      if (!finished.count(p)) return false;
    return true;
  };
  while (!g_stop && (!a.count || printed < *a.count)) {
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
      if (why) why->member_id = consumer->member_id();
      for (const auto& p : r->partitions) {
        if (assigned) {
          owned.insert({p.topic, p.partition});
        } else {
          owned.erase({p.topic, p.partition});
          at_end.erase({p.topic, p.partition});
        }
      }
      if (assigned) {
        for (const auto& p : initial) {
          if (owned.count({p.topic, p.partition}))
            if (auto s = consumer->seek(p, std::chrono::milliseconds(ctx.timeout_ms)); !s && !a.quiet)
              std::cerr << "warning: " << s.err().message << "\n";
        }
        if (!a.quiet) std::cerr << "% starting " << start_note(*consumer, ctx, a, r->partitions, initial) << "\n";
      }
    } else if (auto* m = std::get_if<client::consumed_message>(&*event)) {
      key where{m->topic, m->partition};
      at_end.erase(where);
      if (until && m->timestamp_ms >= *until) {
        // --until: this partition is done; stop fetching it.
        if (past_until.insert(where).second)
          (void)consumer->pause({{m->topic, m->partition, client::offset_invalid}});
      } else if (!past_until.count(where)) {
        if (codec) decode_value(*codec, *m);
        print_record(a, *m, why ? &*why : nullptr);
        ++printed;
      }
    } else if (auto* e = std::get_if<client::end_of_partition>(&*event)) {
      at_end.insert({e->position.topic, e->position.partition});
    }
    if (done()) break;
    if (in_group && std::chrono::steady_clock::now() - last_commit > std::chrono::seconds(1)) {
      (void)consumer->commit_async();
      last_commit = std::chrono::steady_clock::now();
    }
  }
  // Ctrl-C, --count or --exit-at-end: commit what was printed, say so, then leave the group.
  if (in_group) {
    std::vector<client::topic_partition> mine;
    for (const auto& [t, p] : owned) mine.push_back({t, p, client::offset_invalid});
    if (auto s = consumer->commit(); !s) {
      if (code == exit_ok) code = ctx.fail(s.err());
    } else if (!a.quiet && !mine.empty()) {
      std::string where;
      if (auto pos = consumer->position(mine))
        for (const auto& p : *pos)
          if (p.offset >= 0) where += (where.empty() ? "" : ", ") + fmt::format("{}[{}] at {}", p.topic, p.partition, p.offset);
      std::cerr << fmt::format("% group {}: committed {}\n", a.group, where.empty() ? "(nothing new)" : where);
    }
  }
  if (auto s = consumer->close(); !s && code == exit_ok) code = ctx.fail(s.err());
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  return code;
}

}  // namespace file_cmd_consume
}  // namespace

void register_consume(CLI::App& app, cli_context& ctx) {
  using namespace file_cmd_consume;
  auto a = std::make_shared<args>();
  auto* cmd = app.add_subcommand("consume", "Print records of topics (Ctrl-C stops after committing)");
  cmd->add_option("topics", a->patterns, "Topic names, or regular expressions starting with ^ (kcat -G, rpk -r)")
      ->required();
  cmd->add_option("-g,--group", a->group, "Join this consumer group (offsets are committed)");
  auto* from = cmd->add_option("--from", a->from,
                               "Start at beginning, end, OFFSET, +N (after the start), -N (before the end), "
                               "@TIME (@MS, @2026-12-03T10:00 UTC, @-1h) or per partition 0=5,1=end")
                   ->default_val("beginning");
  cmd->add_flag("--reset", a->reset, "With --group: let --from override offsets the group already committed");
  cmd->add_option("--until", a->until, "Stop each partition at the first record at or after @TIME (kcat e@)");
  cmd->add_option("-p,--partition", a->partitions, "Only these partitions (without --group)");
  cmd->add_option("-n,--count", a->count, "Stop after N records (N >= 1)")->check(CLI::PositiveNumber);
  cmd->add_option("-f,--format", a->format,
                  "Template: {topic} {partition} {offset} {key} {value} {timestamp} {headers} {key_length} "
                  "{value_length}; {value:base64|hex} {timestamp:iso|unix}; \\n \\t {{ }}")
      ->default_str("{value}\\n");
  add_output_option(cmd, a->output);
  cmd->add_flag("-e,--exit-at-end", a->exit_at_end, "Stop once every partition has been read to its end");
  cmd->add_flag("-q,--quiet", a->quiet, "No assignment or start-position notes on stderr");
  cmd->add_flag("--explain", a->explain,
                "After each record, why it is in its partition (murmur2 of the key modulo the partition count) and "
                "which group member reads it");
  cmd->add_flag("--decode", a->decode,
                "Values in the Schema Registry's wire format (Avro, JSON Schema, Protobuf) are printed as JSON");
  cmd->add_option("--registry", a->registry,
                  "Schema Registry URL for --decode (default $SAMSA_SCHEMA_REGISTRY_URL or http://127.0.0.1:8081; put USER:PASSWORD@ before the host for credentials)");
  set_example(cmd, "samsa consume orders --group billing --format '{partition}:{offset} {key}={value}\\n'");
  cmd->callback([a, from, &ctx] {
    a->from_given = from->count() > 0;
    ctx.exit_status = run(*a, ctx);  // a copy: run() fills in the matched topics
  });
}

}  // namespace samsa::cli
