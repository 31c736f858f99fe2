#include "cli/tour.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <set>

#include <fmt/format.h>

#include "cli/broker_probe.h"
#include "cli/key_hash.h"
#include "cli/local_broker.h"
#include "cli/share_client.h"
#include "cli/table.h"
#include "cli/tour_group.h"
#include "client/admin.h"
#include "client/kafka_error.h"
#include "client/mock_cluster.h"
#include "client/producer.h"

namespace samsa::cli {
namespace {

using namespace std::chrono_literals;

constexpr int kPartitions = 3;
const std::vector<std::string> kUsers{"alice", "bob", "carol", "dave"};

// Everything a step needs: the live cluster, clients and what happened so far.
struct tour_state {
  cli_context& ctx;
  const tour_options& options;
  client::client_config config;
  std::optional<client::admin> admin;
  std::optional<client::producer> producer;
  std::optional<client::mock_cluster> mock;
  std::string topic;
  std::string billing;  // first group
  std::string audit;    // second group
  std::string queue;    // the share-group chapter's topic
  std::string workers;  // its share group
  std::string console;  // URL of the broker's console page, when known
  int round = 0;        // payment rounds produced so far
  std::set<std::pair<int32_t, int64_t>> produced;
  std::vector<std::unique_ptr<group_member_thread>> members;
};

std::string parts(const std::set<int32_t>& p) {
  std::string out;
  for (int32_t id : p) out += (out.empty() ? "" : ", ") + std::to_string(id);
  return "[" + out + "]";
}

// What to look at in the console page during a step (only when the tour knows
// where the page is: the broker it started itself).
void look(const tour_state& t, const std::string& what);

void header(tour_state& t, int n, const std::string& title) {
  std::cout << "\n" << bold(t.ctx, fmt::format("Step {}/7 — {}", n, title)) << "\n";
}

constexpr size_t kWidth = 80;  // an 80x24 terminal must never wrap a word in two

size_t columns(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// Prints `text` indented by 2, wrapped at spaces to kWidth columns; the
// continuation lines are indented by 4 so they read as one sentence.
void say(const std::string& text) {
  std::string line = "  ";
  size_t i = 0;
  size_t lead = text.find_first_not_of(' ');
  if (lead != std::string::npos && lead > 0) {  // keep a deliberate indent ("    samsa ...")
    line += text.substr(0, lead);
    i = lead;
  }
  bool first_word = true;
  while (i < text.size()) {
    size_t end = text.find(' ', i);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(i, end - i);
    i = end + 1;
    if (word.empty()) {
      if (!first_word) line += ' ';
      continue;
    }
    std::string candidate = first_word ? line + word : line + " " + word;
    if (!first_word && columns(candidate) > kWidth) {
      std::cout << line << "\n";
      line = "    " + word;
    } else {
      line = candidate;
    }
    first_word = false;
  }
  std::cout << line << "\n";
}

void pause(tour_state& t) {
  if (t.options.yes || ::isatty(STDIN_FILENO) != 1) return;
  std::cout << dim(t.ctx, "  (press Enter to continue)") << std::flush;
  std::string ignored;
  std::getline(std::cin, ignored);
}

// Sends one round of payments (one per user) and prints where each landed.
status produce_round(tour_state& t, bool print) {
  ++t.round;
  for (const auto& user : kUsers) {
    std::string value = fmt::format("{} payment #{}: {}.00 EUR", user, t.round, 5 * t.round + user.size());
    auto r = t.producer->send({t.topic, user, value, {}, {}, {}}).get();
    if (!r) return r.err();
    t.produced.insert({r->partition, r->offset});
    if (print)
      say(fmt::format("{:<6} -> partition {}  offset {}   (murmur2(\"{}\") % {} = {})", user, r->partition, r->offset,
                      user, kPartitions, partition_for_key(user, kPartitions)));
  }
  return {};
}

std::vector<group_member_thread*> running(tour_state& t) {
  std::vector<group_member_thread*> out;
  for (auto& m : t.members)
    if (m) out.push_back(m.get());
  return out;
}

void print_assignment(const std::vector<group_member_thread*>& members) {
  for (const auto* m : members) say(fmt::format("{}: partitions {}", m->name(), parts(m->assignment())));
}

status print_lag(tour_state& t, const std::vector<std::string>& groups) {
  table lag({"GROUP", "PARTITION", "COMMITTED", "LOG-END", "LAG"});
  for (const auto& g : groups) {
    auto rows = t.admin->group_lag(g, {t.topic});
    if (!rows) return rows.err();
    int64_t total = 0;
    for (const auto& r : *rows) {
      lag.add({g, std::to_string(r.partition), or_dash(r.committed), or_dash(r.log_end), or_dash(r.lag)});
      total += std::max<int64_t>(r.lag, 0);
    }
    say(fmt::format("group {} total lag: {}", g, total));
  }
  std::cout << "\n";
  lag.print(std::cout, t.ctx);
  return {};
}

void look(const tour_state& t, const std::string& what) {
  if (!t.console.empty()) say("In the console: " + what);
}

status step_topic(tour_state& t) {
  header(t, 1, "Topics, partitions and offsets");
  say("A topic is a named stream of events. It is split into partitions: independent, ordered logs.");
  say("Each event in a partition gets the next offset (0, 1, 2, ...); offsets never change.");
  status created = t.mock ? t.mock->create_topic(t.topic, kPartitions)
                          : t.admin->create_topic({t.topic, kPartitions, -1, {}});
  if (!created) return created;
  auto info = t.admin->describe_topic(t.topic);
  if (!info) return info.err();
  say(fmt::format("created topic {} with {} partitions (replication factor {})", t.topic, info->partitions.size(),
                  info->replication_factor()));
  std::cout << "\n";
  table p({"PARTITION", "LEADER", "NEXT-OFFSET"});
  for (const auto& part : info->partitions) p.add({std::to_string(part.id), or_dash(part.leader), or_dash(part.latest)});
  p.print(std::cout, t.ctx);
  look(t, fmt::format("Topics -> {} draws each partition as a log; it grows as events arrive.", t.topic));
  pause(t);
  return {};
}

status step_keys(tour_state& t) {
  header(t, 2, "Keys choose the partition");
  say("The producer hashes each event's key (murmur2, as every Kafka client does) modulo the partition count,");
  say("so all events with the same key go to the same partition and stay in the order they were sent.");
  std::cout << "\n";
  for (int i = 0; i < 3; ++i) {
    if (auto s = produce_round(t, true); !s) return s;
  }
  if (auto s = t.producer->flush(10s); !s) return s;
  std::cout << "\n";
  // Read the partitions back to show the per-key order from the log itself.
  auto c = client::consumer::create(t.config, {});
  if (!c) return c.err();
  std::vector<client::topic_partition> all;
  for (int p = 0; p < kPartitions; ++p) all.push_back({t.topic, p, client::offset_beginning});
  if (auto s = c->assign(all); !s) return s;
  std::map<std::string, std::vector<std::string>> seen;  // key -> "p:offset"
  std::map<std::string, std::set<int32_t>> key_partitions;
  size_t read = 0;
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (read < t.produced.size() && std::chrono::steady_clock::now() < deadline) {
    auto ev = c->poll(200ms);
    if (!ev) continue;
    if (auto* m = std::get_if<client::consumed_message>(&*ev)) {
      ++read;
      seen[m->key.value_or("")].push_back(fmt::format("{}", m->offset));
      key_partitions[m->key.value_or("")].insert(m->partition);
    }
  }
  (void)c->close();
  for (const auto& user : kUsers) {
    say(fmt::format("{:<6} partition {}  offsets {}  — payments #1, #2, #3 in order", user,
                    parts(key_partitions[user]), fmt::join(seen[user], ", ")));
  }
  bool one_each = std::all_of(kUsers.begin(), kUsers.end(), [&](const auto& u) { return key_partitions[u].size() == 1; });
  say(fmt::format("{} events written; every key stayed in {} partition", t.produced.size(),
                  one_each ? "exactly one" : "MORE THAN ONE (unexpected)"));
  look(t, "open a partition's messages; \"why partition N?\" beside a keyed record shows the hash step by step.");
  pause(t);
  return {};
}

status add_member(tour_state& t, const std::string& group, const std::string& name) {
  auto m = group_member_thread::start(t.config, group, name, t.topic);
  if (!m) return m.err();
  t.members.push_back(std::move(*m));
  return {};
}

status step_group(tour_state& t) {
  header(t, 3, "A consumer group shares the partitions");
  say(fmt::format("Consumers that join the same group ({}) split the partitions between them;", t.billing));
  say("each partition is read by exactly one member. Every join triggers a rebalance.");
  for (int i = 1; i <= 3; ++i) {
    std::string name = fmt::format("consumer-{}", i);
    if (auto s = add_member(t, t.billing, name); !s) return s;
    std::cout << "\n";
    say(fmt::format("{} joined the group; assignment after the rebalance:", name));
    if (!wait_for_stable_assignment(running(t), kPartitions, 60s))
      return client::make_usage_error("tour step 3", "the group did not settle within 60s",
                                      "check the broker's consumer-group support (`samsa group describe`)");
    print_assignment(running(t));
  }
  if (!wait_for_records(running(t), t.produced.size(), 30s))
    return client::make_usage_error("tour step 3", "the group did not read every event within 30s");
  std::cout << "\n";
  for (const auto* m : running(t)) say(fmt::format("{} processed {} events", m->name(), m->records().size()));
  say(fmt::format("the group processed {} of {} events and committed its offsets after each one",
                  t.produced.size(), t.produced.size()));
  // The uneven split surprises learners: explain it from what happened.
  std::map<std::string, size_t> counts;
  for (const auto* m : running(t)) counts[m->name()] = m->records().size();
  if (counts["consumer-1"] == t.produced.size()) {
    say("Why did consumer-1 do all the work? It joined first and owned every partition until the others "
        "arrived, and the events were already waiting, so it read them all at once. A member only reads the "
        "partitions it owns: events produced from now on are shared by partition.");
  } else {
    say("Each member processed the events of the partitions it owned at the time, so the split follows the "
        "keys' partitions and the moment each member joined.");
  }
  look(t, fmt::format("Consumer groups -> {} shows the members, their partitions, the lag and the group's state.",
                      t.billing));
  pause(t);
  return {};
}

status step_failover(tour_state& t) {
  header(t, 4, "A member stops: its partitions move, nothing is lost or repeated");
  say("When a member leaves (or crashes and misses heartbeats), the group rebalances and the others");
  say("take over its partitions, starting from the last committed offset.");
  auto& leaving = t.members.back();
  auto had = leaving->assignment();
  std::string name = leaving->name();
  std::vector<processed_record> before;
  for (const auto* m : running(t)) {
    auto r = m->records();
    before.insert(before.end(), r.begin(), r.end());
  }
  leaving->stop();
  std::vector<processed_record> history = leaving->records();
  leaving.reset();
  std::cout << "\n";
  say(fmt::format("stopped {} (it owned partitions {})", name, parts(had)));
  if (!wait_for_stable_assignment(running(t), kPartitions, 60s))
    return client::make_usage_error("tour step 4", "the group did not settle within 60s");
  print_assignment(running(t));
  for (int i = 0; i < 2; ++i) {
    if (auto s = produce_round(t, false); !s) return s;
  }
  say(fmt::format("produced {} more events ({} in total)", 2 * kUsers.size(), t.produced.size()));
  // Count what every member processed, including the stopped one.
  auto all_records = [&] {
    std::vector<processed_record> out = history;
    for (const auto* m : running(t)) {
      auto r = m->records();
      out.insert(out.end(), r.begin(), r.end());
    }
    return out;
  };
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (all_records().size() < t.produced.size() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  auto records = all_records();
  std::set<std::pair<int32_t, int64_t>> unique;
  size_t twice = 0;
  for (const auto& r : records)
    if (!unique.insert({r.partition, r.offset}).second) ++twice;
  size_t lost = 0;
  for (const auto& p : t.produced) lost += unique.count(p) == 0 ? 1 : 0;
  say(fmt::format("{} events produced, {} processed: {} lost, {} processed twice", t.produced.size(), unique.size(),
                  lost, twice));
  if (auto s = print_lag(t, {t.billing}); !s) return s;
  look(t, fmt::format("Consumer groups -> {}: the stopped member is gone and the others own its partitions.",
                      t.billing));
  pause(t);
  return {};
}

status step_second_group(tour_state& t) {
  header(t, 5, "A second group reads everything independently");
  say(fmt::format("Group {} has its own committed offsets, so it starts from the beginning of the topic", t.audit));
  say(fmt::format("without taking anything away from {}. Lag = log-end offset - committed offset.", t.billing));
  auto m = group_member_thread::start(t.config, t.audit, "auditor-1", t.topic);
  if (!m) return m.err();
  if (!wait_for_records({m->get()}, t.produced.size(), 60s))
    return client::make_usage_error("tour step 5", "the second group did not read every event within 60s");
  (*m)->stop();
  std::cout << "\n";
  say(fmt::format("{} read all {} events from offset 0, then stopped", t.audit, (*m)->records().size()));
  if (auto s = produce_round(t, false); !s) return s;
  say(fmt::format("produced {} more events: {} is still running and reads them; {} is stopped", kUsers.size(),
                  t.billing, t.audit));
  if (!wait_for_records(running(t), 0, 1s)) return client::make_usage_error("tour step 5", "members disappeared");
  // Give the running group time to catch up before measuring.
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto rows = t.admin->group_lag(t.billing, {t.topic});
    if (!rows) return rows.err();
    if (std::all_of(rows->begin(), rows->end(), [](const auto& r) { return r.lag == 0; })) break;
    std::this_thread::sleep_for(200ms);
  }
  if (auto s = print_lag(t, {t.billing, t.audit}); !s) return s;
  look(t, "Consumer groups lists both groups, each with its own committed offsets and lag.");
  pause(t);
  return {};
}

// Queues (KIP-932): three members of one share group read ONE partition;
// each record is locked for one member and acknowledged on its own. The
// members speak the protocol through share_client (librdkafka 2.0.2 has no
// share consumer).
status step_queue(tour_state& t) {
  header(t, 6, "Queues: share groups");
  say("A consumer group gives each partition to one member. A share group (KIP-932, \"queues for Kafka\") "
      "lets several members read the SAME partition: the broker locks each record for one member until it is "
      "acknowledged: ACCEPT (done), RELEASE (give it back: another member gets it, its delivery count goes up) or "
      "REJECT (never delivered again).");
  if (t.mock) {
    say("(the mock cluster has no share groups: skipped)");
    return {};
  }
  if (auto s = t.admin->create_topic({t.queue, 1, -1, {}}); !s) return s;
  const std::string bootstrap = t.config.bootstrap_servers();
  const auto timeout = std::chrono::milliseconds(t.ctx.timeout_ms);
  if (auto s = set_group_config(bootstrap, t.workers, "share.auto.offset.reset", "earliest", timeout); !s) return s;
  constexpr int kJobs = 6;
  for (int i = 1; i <= kJobs; ++i) {
    auto r = t.producer->send({t.queue, std::nullopt, fmt::format("job #{}", i), {}, 0, {}}).get();
    if (!r) return r.err();
  }
  say(fmt::format("created topic {} with 1 partition and put {} jobs in it", t.queue, kJobs));
  std::vector<std::unique_ptr<share_member>> members;
  for (int i = 1; i <= 3; ++i) {
    auto m = share_member::join(bootstrap, t.workers, fmt::format("worker-{}", i), {t.queue}, timeout);
    if (!m) return m.err();
    members.push_back(std::move(*m));
  }
  for (auto& m : members) {
    if (auto s = m->heartbeat(); !s) return s;  // everyone sees the final assignment
    std::set<int32_t> p;
    for (const auto& [topic, partition] : m->assignment()) p.insert(partition);
    say(fmt::format("{} joined share group {}: partitions {}", m->id(), t.workers, parts(p)));
  }
  std::cout << "\n";
  // Each worker asks for one record in turn. Job #2 is released on its first
  // delivery (so the next worker gets it, delivery count 2); job #5 is rejected.
  int finished = 0;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  std::map<std::string, std::string> first_holder;
  while (finished < kJobs && std::chrono::steady_clock::now() < deadline) {
    for (auto& m : members) {
      auto got = m->fetch(1, 500);
      if (!got) return got.err();
      for (const auto& r : *got) {
        share_ack type = share_ack::accept;
        std::string why = "done";
        if (r.value == "job #2" && r.delivery_count == 1) {
          type = share_ack::release;
          why = "cannot do it now: back to the queue";
          first_holder[r.value] = m->id();
        } else if (r.value == "job #5") {
          type = share_ack::reject;
          why = "malformed: never delivered again";
          ++finished;
        } else {
          ++finished;
          if (r.delivery_count > 1) why = fmt::format("done; {} had released it", first_holder[r.value]);
        }
        say(fmt::format("{} got {} (offset {}, delivery {}) -> {} ({})", m->id(), r.value, r.offset, r.delivery_count,
                        type == share_ack::accept ? "ACCEPT" : type == share_ack::release ? "RELEASE" : "REJECT", why));
        if (auto s = m->acknowledge(r, type); !s) return s;
      }
    }
  }
  if (finished < kJobs) return client::make_usage_error("tour step 6", "the share group did not finish every job in 60s");
  auto view = describe_share_group(bootstrap, t.workers, timeout);
  if (!view) return view.err();
  if (*view) {
    for (const auto& p : (*view)->partitions) {
      say(fmt::format("share group {}: {} members, partition {}: start offset {} (every job before it is "
                      "finished), lag {}", t.workers, (*view)->members.size(), p.partition, p.start_offset, p.lag));
    }
  }
  for (auto& m : members) {
    if (auto s = m->leave(); !s) return s;
  }
  std::cout << "\n";
  say("See a share group's members, partitions and start offsets while it runs:");
  say(fmt::format("  samsa group describe {}", t.workers));
  pause(t);
  return {};
}

status step_cluster(tour_state& t) {
  header(t, 7, "On a real cluster");
  auto info = t.admin->describe_cluster();
  if (!info) return info.err();
  say(fmt::format("This cluster has {} broker{}, so each partition has 1 copy: its leader.", info->brokers.size(),
                  info->brokers.size() == 1 ? "" : "s"));
  say("On a multi-broker cluster (Kafka, Redpanda) each partition is replicated to several brokers; one is the");
  say("leader that serves reads and writes, the followers take over if it fails (replication factor 3 is usual).");
  say("Point the same tools and examples at it by changing only the bootstrap address:");
  say("  samsa --bootstrap broker1:9092,broker2:9092 topic list");
  say("  SAMSA_BOOTSTRAP_SERVERS=broker1:9092 samsa group describe " + t.billing);
  std::cout << "\n";
  say("Explore this run yourself:");
  say(fmt::format("  samsa --bootstrap {} topic describe {}", t.config.bootstrap_servers(), t.topic));
  return {};
}

}  // namespace

int run_tour(cli_context& ctx, const tour_options& options) {
  // A lesson run live: each line shows when its step gets there, also when
  // the output goes to a pipe (`| tee`, the quick start's log), where stdout
  // would otherwise be held in 4 KiB blocks until seconds later.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::optional<local_broker> broker;
  std::optional<client::mock_cluster> mock;
  client::client_flags flags = ctx.flags;
  std::string suffix;
  if (options.mock) {
    auto m = client::mock_cluster::start(1);
    if (!m) return ctx.fail(m.err());
    mock.emplace(std::move(*m));
    flags.bootstrap_servers = mock->bootstrap();
    std::cout << "Using an in-process mock cluster at " << mock->bootstrap() << "\n";
  } else if (flags.bootstrap_servers) {
    // Someone else's broker: use fresh names so reruns never collide.
    suffix = fmt::format("-{:04x}", std::random_device{}() & 0xffff);
    std::cout << "Using the broker at " << *flags.bootstrap_servers << "\n";
  } else {
    std::cout << "Starting a broker for the tour (samsa serve) in a temporary folder...\n";
    auto b = local_broker::start(ctx.self_exe);
    if (!b) return ctx.fail(b.err());
    broker.emplace(std::move(*b));
    flags.bootstrap_servers = broker->bootstrap();
    std::cout << "Broker listening on " << broker->bootstrap() << " (data in " << broker->directory() << ")\n";
    if (!broker->console_url().empty())
      std::cout << "Watch each step in a browser: " << broker->console_url() << "\n";
  }
  auto config = client::load_client_config(flags);
  if (!config) return ctx.fail(config.err());
  // Someone else's broker may be down: say so at once, as every other command does.
  if (ctx.flags.bootstrap_servers && !options.mock)
    if (auto s = probe_bootstrap(config->bootstrap_servers(), std::chrono::milliseconds(ctx.timeout_ms)); !s)
      return ctx.fail(s.err());
  tour_state t{ctx, options, *config};
  t.mock = std::move(mock);
  if (broker) t.console = broker->console_url();
  t.topic = options.topic_given ? options.topic : options.topic + suffix;  // a name asked for is used as given
  t.billing = "tour-billing" + suffix;
  t.audit = "tour-audit" + suffix;
  t.queue = (options.topic_given ? options.topic : options.topic + suffix) + "-queue";
  t.workers = "tour-workers" + suffix;
  auto admin = client::admin::create(*config, std::chrono::milliseconds(ctx.timeout_ms));
  if (!admin) return ctx.fail(admin.err());
  t.admin.emplace(std::move(*admin));
  auto producer = client::producer::create(*config, {.acks = "all"});
  if (!producer) return ctx.fail(producer.err());
  t.producer.emplace(std::move(*producer));

  for (auto step : {step_topic, step_keys, step_group, step_failover, step_second_group, step_queue, step_cluster}) {
    if (auto s = step(t); !s) {
      t.members.clear();
      return ctx.fail(s.err());
    }
  }
  t.members.clear();  // members leave their group before the broker stops
  std::cout << "\n" << green(ctx, "Tour complete.") << "\n";
  return exit_ok;
}

}  // namespace samsa::cli
