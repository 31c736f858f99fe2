#include "group/consumer_group_coordinator.h"

#include <fmt/format.h>
#include <re2/re2.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <utility>

#include "base/refusal_log.h"
#include "group/consumer_group_records.h"
#include "group/errors.h"
#include "group/id_bounds.h"
#include "group/member.h"
#include "group/offsets_codec.h"

namespace samsa::group {

namespace {

// Kafka's member ids are 22 characters of URL-safe base64 (a random Uuid).
std::string random_member_id() {
  static std::mt19937_64 rng{std::random_device{}()};
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  for (int i = 0; i < 22; ++i) out.push_back(alphabet[rng() % 64]);
  return out;
}


// FNV-1a, 64 bit: a stable hash of the subscribed topics' metadata.
struct fnv {
  uint64_t h = 1469598103934665603ULL;
  void add(const void* data, size_t n) {
    const auto* p = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < n; ++i) {
      h ^= p[i];
      h *= 1099511628211ULL;
    }
  }
};

std::optional<std::string> regex_error(const std::string& pattern) {
  re2::RE2 re(pattern, re2::RE2::Quiet);
  if (re.ok()) return std::nullopt;
  return re.error();
}

cg_heartbeat_result fail(int16_t code, std::string message = {}) {
  cg_heartbeat_result r;
  r.error = code;
  if (!message.empty()) r.error_message = std::move(message);
  return r;
}

}  // namespace

std::optional<cg_migration_policy> parse_migration_policy(const std::string& name) {
  std::string lower;
  for (char c : name) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  for (auto p : {cg_migration_policy::disabled, cg_migration_policy::upgrade, cg_migration_policy::downgrade,
                 cg_migration_policy::bidirectional}) {
    if (lower == to_string(p)) return p;
  }
  return std::nullopt;
}

const char* to_string(cg_migration_policy p) {
  switch (p) {
    case cg_migration_policy::disabled:
      return "disabled";
    case cg_migration_policy::upgrade:
      return "upgrade";
    case cg_migration_policy::downgrade:
      return "downgrade";
    case cg_migration_policy::bidirectional:
      return "bidirectional";
  }
  return "disabled";
}

consumer_group_coordinator::consumer_group_coordinator(consumer_group_config config, offset_log& log)
    : config_(std::move(config)), log_(log) {
  if (!config_.make_member_id) config_.make_member_id = random_member_id;
  if (config_.assignors.empty()) config_.assignors = {"uniform", "range"};
}

consumer_group_coordinator::~consumer_group_coordinator() = default;

consumer_group_coordinator::group* consumer_group_coordinator::find(const std::string& id) {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : it->second.get();
}

const consumer_group_coordinator::group* consumer_group_coordinator::find(const std::string& id) const {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : it->second.get();
}

bool consumer_group_coordinator::has_group(const std::string& group_id) const { return find(group_id) != nullptr; }

bool consumer_group_coordinator::is_empty_group(const std::string& group_id) const {
  const group* g = find(group_id);
  return g && g->members.empty();
}

std::set<std::string> consumer_group_coordinator::subscribed_topics(const std::string& group_id,
                                                                    const cg_topic_metadata& topics) const {
  std::set<std::string> out;
  const group* g = find(group_id);
  if (g == nullptr) return out;
  regex_memo memo;  // members mostly share one pattern: matched once
  for (const auto& [id, m] : g->members) {
    out.insert(m.topic_names.begin(), m.topic_names.end());
    if (m.regex) out.merge(resolve(m, topics, &memo));
  }
  return out;
}

// --- request checks (as Kafka's, before any state is looked at) -------------

std::optional<std::pair<int16_t, std::string>> consumer_group_coordinator::validate_request(
    const cg_heartbeat_request& req) const {
  auto invalid = [](std::string m) { return std::make_pair(errc::invalid_request, std::move(m)); };
  if (req.group_id.empty()) return invalid("GroupId can't be empty.");
  if (req.instance_id && req.instance_id->empty()) return invalid("InstanceId can't be empty.");
  if (req.rack_id && req.rack_id->empty()) return invalid("RackId can't be empty.");
  // KIP-1082: from v1 the consumer makes its own member id.
  if (req.api_version >= 1 && req.member_id.empty()) return invalid("MemberId can't be empty.");
  // Samsa's own bounds (group/id_bounds.h): every member keeps its ids.
  if (req.member_id.size() > max_member_id_bytes) {
    return invalid(fmt::format("MemberId is longer than {} bytes.", max_member_id_bytes));
  }
  if (req.instance_id && req.instance_id->size() > max_member_id_bytes) {
    return invalid(fmt::format("InstanceId is longer than {} bytes.", max_member_id_bytes));
  }
  if (req.member_epoch == cg_join_epoch) {
    if (req.rebalance_timeout_ms == -1) return invalid("RebalanceTimeoutMs must be provided in first request.");
    if (!req.owned || !req.owned->empty()) return invalid("TopicPartitions must be empty when (re-)joining.");
    bool names = req.subscribed_topic_names && !req.subscribed_topic_names->empty();
    bool regex = req.subscribed_topic_regex && !req.subscribed_topic_regex->empty();
    if (!names && !regex) return invalid("SubscribedTopicNames or SubscribedTopicRegex must be set in first request.");
  } else if (req.member_epoch == cg_static_leave_epoch) {
    if (!req.instance_id) return invalid("InstanceId can't be null.");
  } else if (req.member_epoch < cg_static_leave_epoch) {
    return invalid("MemberEpoch is invalid.");
  }
  if (req.subscribed_topic_regex && !req.subscribed_topic_regex->empty()) {
    if (auto e = regex_error(*req.subscribed_topic_regex)) {
      return std::make_pair(errc::invalid_regular_expression,
                            fmt::format("SubscribedTopicRegex `{}` is not a valid regular expression: {}.",
                                        *req.subscribed_topic_regex, *e));
    }
  }
  if (req.server_assignor && !is_known_assignor(*req.server_assignor)) {
    return std::make_pair(errc::unsupported_assignor,
                          fmt::format("ServerAssignor {} is not supported. Supported assignors: uniform, range.",
                                      *req.server_assignor));
  }
  if (req.server_assignor &&
      std::find(config_.assignors.begin(), config_.assignors.end(), *req.server_assignor) == config_.assignors.end()) {
    return std::make_pair(errc::unsupported_assignor,
                          fmt::format("ServerAssignor {} is not enabled by group.consumer.assignors.",
                                      *req.server_assignor));
  }
  return std::nullopt;
}

// --- heartbeat ------------------------------------------------------------------

void consumer_group_coordinator::heartbeat(cg_heartbeat_request req, const cg_topic_metadata& topics,
                                           int64_t now_ms, heartbeat_callback done) {
  if (auto bad = validate_request(req)) {
    done(fail(bad->first, bad->second));
    return;
  }
  remember_topics(topics);
  group* touched = nullptr;
  std::vector<log_record> downgrade_records;
  const std::string group_id = req.group_id;
  auto result = heartbeat_locked(req, topics, now_ms, touched, downgrade_records);
  answer_when_durable(group_id, std::move(result), touched, std::move(downgrade_records), std::move(done));
}

void consumer_group_coordinator::upgrade_and_heartbeat(const classic_group_snapshot& classic,
                                                       cg_heartbeat_request req, const cg_topic_metadata& topics,
                                                       int64_t now_ms, const std::function<void()>& upgraded,
                                                       heartbeat_callback done) {
  if (auto bad = validate_request(req)) {
    done(fail(bad->first, bad->second));
    return;
  }
  const std::string group_id = classic.group_id;
  // An empty group of ours under the id is replaced by the adoption; kept
  // aside so that a refusal puts it back as it was.
  std::unique_ptr<group> displaced;
  if (auto it = groups_.find(group_id); it != groups_.end() && it->second->members.empty()) {
    displaced = std::move(it->second);
    groups_.erase(it);
  }
  // A failed adoption changed nothing (a group of ours with members keeps
  // its place); a refused heartbeat leaves the adopted group to take away.
  auto put_back = [&](bool adopted) {
    if (adopted) groups_.erase(group_id);
    if (displaced) groups_.emplace(group_id, std::move(displaced));
  };
  if (auto s = adopt_classic_group(classic, topics, now_ms); !s) {
    put_back(false);
    done(fail(errc::group_id_not_found, s.err().message));
    return;
  }
  group* touched = nullptr;
  std::vector<log_record> downgrade_records;
  auto result = heartbeat_locked(req, topics, now_ms, touched, downgrade_records);
  if (result.error != errc::none) {
    // Destroying the adopted members gives their bytes back to member_usage_.
    spdlog::info("consumer group {}: upgrade from a classic group undone, the joining member was refused: {}",
                 utf8_prefix(group_id, max_logged_id_bytes), result.error_message.value_or(""));
    put_back(true);
    done(std::move(result));
    return;
  }
  upgraded();
  answer_when_durable(group_id, std::move(result), touched, std::move(downgrade_records), std::move(done));
}

void consumer_group_coordinator::answer_when_durable(const std::string& group_id, cg_heartbeat_result result,
                                                     group* touched, std::vector<log_record> downgrade_records,
                                                     heartbeat_callback done) {
  auto answer = [done = std::move(done), result = std::move(result)](status s) mutable {
    if (!s) {
      spdlog::warn("consumer group write failed: {}", s.err().describe());
      done(fail(errc::coordinator_not_available, "The group's state could not be written."));
      return;
    }
    done(std::move(result));
  };
  if (!downgrade_records.empty()) {
    // The leave turned the group into a classic one: answer once that is durable.
    append(group_id, std::move(downgrade_records), std::move(answer));
    return;
  }
  if (!touched) {
    answer({});
    return;
  }
  // Answer once what the heartbeat changed is durable.
  write(*touched, [done = std::move(answer)](status s) mutable { done(std::move(s)); });
}

void consumer_group_coordinator::append(const std::string& group_id, std::vector<log_record> records,
                                        std::function<void(status)> done) {
  log_.append(offsets_partition_for(group_id, config_.offsets_topic_partitions), std::move(records), std::move(done));
}

cg_heartbeat_result consumer_group_coordinator::heartbeat_locked(cg_heartbeat_request& req,
                                                                 const cg_topic_metadata& topics, int64_t now_ms,
                                                                 group*& touched,
                                                                 std::vector<log_record>& downgrade_records) {
  // Sorted and without duplicates, as the member keeps them (and counts them).
  if (req.subscribed_topic_names) {
    auto& names = *req.subscribed_topic_names;
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
  }
  group* g = find(req.group_id);
  if (!g) {
    if (req.member_epoch != cg_join_epoch) {
      return fail(errc::group_id_not_found,
                  fmt::format("Group {} not found.", utf8_prefix(req.group_id, max_logged_id_bytes)));
    }
    if (req.group_id.size() > max_new_group_id_bytes) {
      return fail(errc::invalid_group_id, fmt::format("A new group's id may have at most {} bytes; this one has {}.",
                                                      max_new_group_id_bytes, req.group_id.size()));
    }
    const size_t others = config_.other_groups ? config_.other_groups() : 0;
    if (groups_.size() + others >= static_cast<size_t>(config_.max_groups)) {
      log_refusal(refusal::group_limit,
                  fmt::format("refusing to create consumer group '{}': the broker holds group.max.groups={} groups",
                              utf8_prefix(req.group_id, max_logged_id_bytes), config_.max_groups));
      return fail(errc::group_max_size_reached,
                  fmt::format("The broker holds its maximum number of groups ({}, group.max.groups).",
                              config_.max_groups));
    }
    // A member refused for memory leaves no group behind: check before making it.
    if (req.member_id.empty()) req.member_id = config_.make_member_id();
    if (auto refused = refuse_heartbeat_for_memory(nullptr, req, now_ms)) return *refused;
    auto made = std::make_unique<group>();
    made->id = req.group_id;
    made->dirty_group = true;
    g = made.get();
    groups_.emplace(req.group_id, std::move(made));
  } else if (req.member_epoch == cg_join_epoch) {
    if (req.member_id.empty()) req.member_id = config_.make_member_id();
    if (auto refused = refuse_heartbeat_for_memory(g, req, now_ms)) return *refused;
  }
  touched = g;

  // Leaving.
  if (req.member_epoch == cg_leave_epoch || req.member_epoch == cg_static_leave_epoch) {
    auto it = g->members.find(req.member_id);
    if (it == g->members.end()) {
      return fail(errc::unknown_member_id, fmt::format("Member {} is not a member of group {}.", req.member_id, g->id));
    }
    cg_heartbeat_result r;
    r.member_id = req.member_id;
    r.member_epoch = req.member_epoch;
    if (req.member_epoch == cg_static_leave_epoch && it->second.instance_id) {
      // A static member leaving for a while keeps its partitions until its
      // session times out or it comes back under the same instance id.
      member& m = it->second;
      if (m.current.member_epoch != cg_static_leave_epoch) m.current.previous_member_epoch = m.current.member_epoch;
      m.current.member_epoch = cg_static_leave_epoch;
      m.session_deadline = note_deadline(now_ms + config_.session_timeout_ms);
      m.revocation_deadline = no_deadline;
      g->dirty_current.insert(m.member_id);
      settle(*g, m);
    } else {
      remove_member(*g, req.member_id);
      // A downgrade keeps the epoch as the classic generation, so the
      // classic members' heartbeats are told to rejoin, not fenced.
      downgrade_records = maybe_downgrade(g->id, now_ms);
      if (!downgrade_records.empty()) {
        touched = nullptr;  // the group is classic now
      } else {
        bump_epoch(*g);
      }
    }
    return r;
  }

  bool changed_membership = false;
  member* m = nullptr;
  if (req.member_epoch == cg_join_epoch) {
    if (req.member_id.empty()) req.member_id = config_.make_member_id();
    if (req.instance_id) {
      auto st = g->static_members.find(*req.instance_id);
      if (st != g->static_members.end() && st->second != req.member_id) {
        auto old = g->members.find(st->second);
        if (old != g->members.end() && old->second.current.member_epoch != cg_static_leave_epoch) {
          return fail(errc::unreleased_instance_id,
                      fmt::format("Static member {} with instance id {} is present in the group.", st->second,
                                  *req.instance_id));
        }
        if (old != g->members.end()) {
          // The new incarnation takes over the old one's place: same epoch,
          // same partitions, same target; no rebalance.
          member replacement = old->second;
          replacement.member_id = req.member_id;
          replacement.current.member_epoch = old->second.current.previous_member_epoch;
          auto target = g->target[old->first];
          remove_member(*g, old->first);
          g->target[req.member_id] = std::move(target);
          g->dirty_targets.insert(req.member_id);
          g->static_members[*req.instance_id] = req.member_id;
          m = &g->members.emplace(req.member_id, std::move(replacement)).first->second;
          g->dirty_members.insert(req.member_id);
          g->dirty_current.insert(req.member_id);
        }
      }
    }
    if (!m) {
      auto it = g->members.find(req.member_id);
      if (it == g->members.end()) {
        if (static_cast<int64_t>(g->members.size()) >= config_.max_size) {
          return fail(errc::group_max_size_reached,
                      fmt::format("The consumer group has reached its maximum capacity of {} members.",
                                  config_.max_size));
        }
        member fresh;
        fresh.member_id = req.member_id;
        fresh.revocation_deadline = no_deadline;
        fresh.has_metadata = true;
        m = &g->members.emplace(req.member_id, std::move(fresh)).first->second;
        changed_membership = true;
      } else {
        // A known member joining again owns nothing any more (it said so).
        m = &it->second;
        m->current = cg_member_assignment{};
        m->assigned_at.clear();
        m->revocation_deadline = no_deadline;
        g->dirty_current.insert(m->member_id);
      }
      if (req.instance_id) g->static_members[*req.instance_id] = req.member_id;
    }
  } else {
    auto it = g->members.find(req.member_id);
    if (it == g->members.end()) {
      return fail(errc::unknown_member_id, fmt::format("Member {} is not a member of group {}.", req.member_id, g->id));
    }
    m = &it->second;
    const int32_t have = m->current.member_epoch;
    if (req.member_epoch > have) {
      return fail(errc::fenced_member_epoch, fmt::format("The consumer group member has a greater member epoch ({}) "
                                                       "than the one known by the group coordinator ({}).",
                                                       req.member_epoch, have));
    }
    if (req.member_epoch < have) {
      // A lost answer: the member may still be at its previous epoch as long
      // as it does not claim partitions it no longer has.
      bool lost_answer = req.member_epoch == m->current.previous_member_epoch && req.owned &&
                         is_subset(*req.owned, m->current.assigned);
      if (!lost_answer) {
        return fail(errc::fenced_member_epoch, fmt::format("The consumer group member has a smaller member epoch ({}) "
                                                         "than the one known by the group coordinator ({}).",
                                                         req.member_epoch, have));
      }
    }
    if (auto refused = refuse_heartbeat_for_memory(g, req, now_ms)) return *refused;
  }

  // Identity and subscription: fields sent as null keep their last value.
  member& mm = *m;
  // The member's record as stored before this heartbeat (none for a new member).
  const std::optional<cg_member_value> stored_before =
      changed_membership ? std::nullopt : std::optional<cg_member_value>(stored_value(mm));
  bool subscription_changed = changed_membership;
  if (req.instance_id) mm.instance_id = req.instance_id;
  if (req.rack_id && mm.rack_id != req.rack_id) mm.rack_id = req.rack_id;
  if (req.rebalance_timeout_ms != -1) mm.rebalance_timeout_ms = req.rebalance_timeout_ms;
  if (mm.client_id != req.client_id || mm.client_host != req.client_host) {
    mm.client_id = req.client_id;
    mm.client_host = req.client_host;
  }
  mm.heartbeat_from = std::pair{req.principal, req.client_host};
  if (req.subscribed_topic_names) {
    auto& names = *req.subscribed_topic_names;  // sorted and unique (above)
    if (names != mm.topic_names) {
      mm.topic_names = std::move(names);
      subscription_changed = true;
    }
  }
  if (req.subscribed_topic_regex) {
    std::optional<std::string> regex;
    if (!req.subscribed_topic_regex->empty()) regex = *req.subscribed_topic_regex;
    if (regex != mm.regex) {
      mm.regex = std::move(regex);
      subscription_changed = true;
    }
  }
  if (req.server_assignor && req.server_assignor != mm.server_assignor) {
    mm.server_assignor = req.server_assignor;
    subscription_changed = true;
  }
  mm.has_metadata = true;
  // A member of the consumer protocol (again): no classic metadata.
  if (mm.classic) {
    mm.classic.reset();
    mm.join_deadline = mm.sync_deadline = no_deadline;
  }
  // Its record is written only when it changed, as Kafka does: a heartbeat
  // that changes nothing writes nothing and is answered at once, instead of
  // each one waiting for a write (and its sync) of __consumer_offsets.
  if (!stored_before || *stored_before != stored_value(mm)) g->dirty_members.insert(mm.member_id);
  if (subscription_changed) bump_epoch(*g);
  settle(*g, mm);  // its subscription in the group's tally before the hash looks
  // Topics created, deleted or grown since the target was computed.
  if (int64_t h = metadata_hash(*g, topics, now_ms); h != g->metadata_hash) {
    g->metadata_hash = h;
    g->dirty_group = true;
    if (g->group_epoch == g->assignment_epoch) bump_epoch(*g);
  }
  if (g->group_epoch > g->assignment_epoch) update_target(*g, topics);

  const cg_assignment before = mm.current.assigned;
  reconcile_member(*g, mm, req.owned, now_ms);
  mm.session_deadline = note_deadline(now_ms + config_.session_timeout_ms);
  settle(*g, mm);

  cg_heartbeat_result r;
  r.member_id = mm.member_id;
  r.member_epoch = mm.current.member_epoch;
  r.heartbeat_interval_ms = config_.heartbeat_interval_ms;
  if (req.member_epoch == cg_join_epoch || mm.current.assigned != before ||
      (req.owned && *req.owned != mm.current.assigned)) {
    r.assignment = mm.current.assigned;
  }
  return r;
}

namespace {

// Each part with its length in front, so that no two different lists of
// parts (client-chosen names may hold any byte) make the same key.
void append_part(std::string& key, std::string_view part) {
  key.append(std::to_string(part.size())).push_back(':');
  key.append(part);
}

// What a regex's matches depend on: the pattern and, under an authorizer,
// who asked.
std::string regex_key(const std::string& regex,
                      const std::optional<std::pair<security::principal, std::string>>& from) {
  std::string key;
  append_part(key, regex);
  if (from) {
    append_part(key, from->first.type);
    append_part(key, from->first.name);
    append_part(key, from->second);
  }
  return key;
}

}  // namespace

std::string consumer_group_coordinator::subscription_key(const member& m) {
  std::string key = std::to_string(m.topic_names.size()) + ";";
  for (const auto& n : m.topic_names) append_part(key, n);
  if (m.regex) key.append("r").append(regex_key(*m.regex, m.heartbeat_from));
  return key;
}

std::set<std::string> consumer_group_coordinator::resolve(const member& m, const cg_topic_metadata& topics,
                                                          regex_memo* memo) const {
  std::set<std::string> out;
  for (const auto& n : m.topic_names) {
    if (topics.by_name.count(n)) out.insert(n);
  }
  if (!m.regex) return out;
  std::string key;
  if (memo) {
    key = regex_key(*m.regex, m.heartbeat_from);
    if (auto hit = memo->find(key); hit != memo->end()) {
      out.insert(hit->second.begin(), hit->second.end());
      return out;
    }
  }
  std::set<std::string> matched;
  re2::RE2 re(*m.regex, re2::RE2::Quiet);
  if (re.ok()) {
    for (const auto& [name, t] : topics.by_name) {
      // Internal topics are not matched by patterns, as in Kafka.
      if (t.internal || !re2::RE2::FullMatch(name, re)) continue;
      // Only what the member's principal may DESCRIBE (none before it is known).
      if (regex_filter_ &&
          (!m.heartbeat_from || !regex_filter_(m.heartbeat_from->first, m.heartbeat_from->second, name)))
        continue;
      matched.insert(name);
    }
  }
  out.insert(matched.begin(), matched.end());
  if (memo) memo->emplace(std::move(key), std::move(matched));
  return out;
}

namespace {

// Signatures of what metadata_hash depends on: equal inputs give equal
// signatures. The subscriptions' one is the group's tally, kept as members
// settle; the topics' one is the metadata's version (or one pass over the
// topics). Neither allocates, where the hash itself resolves every regex.
void mix(size_t& into, size_t value) { into ^= value + 0x9e3779b97f4a7c15ULL + (into << 6) + (into >> 2); }
size_t text_hash(std::string_view s) { return std::hash<std::string_view>{}(s); }

}  // namespace

uint64_t consumer_group_coordinator::subscription_hash(const member& m) {
  size_t h = text_hash(m.member_id);
  mix(h, m.topic_names.size());
  for (const auto& n : m.topic_names) mix(h, text_hash(n));
  if (m.regex) {
    mix(h, text_hash(*m.regex) + 1);
    if (m.heartbeat_from) {
      mix(h, text_hash(m.heartbeat_from->first.type));
      mix(h, text_hash(m.heartbeat_from->first.name));
      mix(h, text_hash(m.heartbeat_from->second));
    }
  }
  return h;
}

bool consumer_group_coordinator::subscriptions_exact() const {
  for (const auto& [gid, g] : groups_) {
    subscription_tally walked;
    for (const auto& [mid, m] : g->members) {
      if (!m.subscription.attached_to(&g->subscriptions)) return false;
      walked.sum += subscription_hash(m);
      ++walked.members;
      if (m.regex) ++walked.regex_members;
    }
    if (!(walked == g->subscriptions)) return false;
  }
  return true;
}

int64_t consumer_group_coordinator::metadata_hash(const group& g, const cg_topic_metadata& topics,
                                                  int64_t now_ms) const {
  // The tally stands for every member's subscription (settled members only:
  // callers settle theirs first).
  size_t subscriptions = g.subscriptions.members;
  mix(subscriptions, g.subscriptions.sum);
  mix(subscriptions, g.subscriptions.regex_members);
  const bool any_regex = g.subscriptions.regex_members > 0;
  size_t topic_signature = topics.by_name.size();
  if (topics.version != 0) {
    mix(topic_signature, static_cast<size_t>(topics.version));
  } else {
    for (const auto& [name, t] : topics.by_name) {
      mix(topic_signature, text_hash(name));
      mix(topic_signature, text_hash(std::string_view(reinterpret_cast<const char*>(t.id.data()), t.id.size())));
      mix(topic_signature, static_cast<size_t>(t.partitions) * 2 + (t.internal ? 1 : 0));
    }
  }
  auto& memo = g.metadata_memo;
  const bool acls_may_have_moved = any_regex && regex_filter_ && now_ms - memo.computed_ms >= regex_refresh_ms;
  if (memo.valid && memo.subscriptions == subscriptions && memo.topics == topic_signature && !acls_may_have_moved) {
    return memo.value;
  }
  memo = group::hash_memo{true, subscriptions, topic_signature, now_ms, compute_metadata_hash(g, topics)};
  return memo.value;
}

int64_t consumer_group_coordinator::compute_metadata_hash(const group& g, const cg_topic_metadata& topics) const {
  std::set<std::string> names;
  regex_memo memo;
  std::set<std::string> seen;  // subscriptions already resolved
  for (const auto& [id, m] : g.members) {
    if (!seen.insert(subscription_key(m)).second) continue;
    auto r = resolve(m, topics, &memo);
    names.insert(r.begin(), r.end());
  }
  fnv f;
  for (const auto& n : names) {
    const cg_topic& t = topics.by_name.at(n);
    f.add(n.data(), n.size());
    f.add(t.id.data(), t.id.size());
    f.add(&t.partitions, sizeof t.partitions);
  }
  return static_cast<int64_t>(f.h);
}

std::string consumer_group_coordinator::preferred_assignor(const group& g) const {
  // The assignor most members ask for; none asked: the broker's default.
  std::map<std::string, int> votes;
  for (const auto& [id, m] : g.members) {
    if (m.server_assignor) ++votes[*m.server_assignor];
  }
  std::string best = config_.assignors.front();
  int most = 0;
  for (const auto& [name, n] : votes) {
    if (n > most) {
      best = name;
      most = n;
    }
  }
  return best;
}

void consumer_group_coordinator::bump_epoch(group& g) {
  ++g.group_epoch;
  g.dirty_group = true;
}

void consumer_group_coordinator::update_target(group& g, const cg_topic_metadata& topics) {
  std::vector<cg_assignor_member> in;
  cg_partition_counts counts;
  regex_memo memo;
  // Members mostly share one subscription: each distinct one (names, pattern
  // and the principal that filters it) is turned into topic ids once.
  std::map<std::string, std::set<topic_id>> by_subscription;
  for (const auto& [id, m] : g.members) {
    cg_assignor_member a;
    a.member_id = id;
    std::string key = subscription_key(m);
    auto known = by_subscription.find(key);
    if (known == by_subscription.end()) {
      std::set<topic_id> ids;
      for (const auto& n : resolve(m, topics, &memo)) {
        const cg_topic& t = topics.by_name.at(n);
        ids.insert(t.id);
        counts[t.id] = t.partitions;
      }
      known = by_subscription.emplace(std::move(key), std::move(ids)).first;
    }
    a.subscribed = known->second;
    if (auto it = g.target.find(id); it != g.target.end()) a.previous_target = it->second;
    in.push_back(std::move(a));
  }
  auto target = run_assignor(preferred_assignor(g), in, counts);
  if (!target) target = assign_uniform(in, counts);  // names are validated on the way in
  for (auto& [id, a] : *target) {
    auto& slot = g.target[id];
    if (slot != a) {
      slot = std::move(a);
      g.dirty_targets.insert(id);
    }
  }
  g.assignment_epoch = g.group_epoch;
  g.dirty_target_epoch = true;
}

void consumer_group_coordinator::reconcile_member(group& g, member& m, const std::optional<cg_assignment>& owned,
                                                  int64_t now_ms) {
  auto owned_elsewhere = [&](const topic_id& t, int32_t p) {
    for (const auto& [id, other] : g.members) {
      if (id == m.member_id) continue;
      for (const auto* a : {&other.current.assigned, &other.current.pending_revocation}) {
        auto it = a->find(t);
        if (it != a->end() && it->second.count(p)) return true;
      }
    }
    return false;
  };
  const auto& target = g.target[m.member_id];
  auto next = reconcile(m.current, g.assignment_epoch, target, owned, owned_elsewhere);
  if (next.state == cg_member_state::unrevoked_partitions) {
    // The rebalance timeout bounds how long the member may take to revoke.
    if (m.current.state != cg_member_state::unrevoked_partitions || m.revocation_deadline == no_deadline) {
      m.revocation_deadline = note_deadline(now_ms + m.rebalance_timeout_ms);
    }
  } else {
    m.revocation_deadline = no_deadline;
  }
  if (next != m.current) {
    m.current = std::move(next);
    g.dirty_current.insert(m.member_id);
    note_assignment_epochs(m);
  }
  settle(g, m);
}

void consumer_group_coordinator::note_assignment_epochs(member& m) {
  std::map<std::pair<topic_id, int32_t>, int32_t> at;
  for (const auto* a : {&m.current.assigned, &m.current.pending_revocation}) {
    for (const auto& [t, ps] : *a) {
      for (int32_t p : ps) {
        auto old = m.assigned_at.find({t, p});
        at[{t, p}] = old != m.assigned_at.end() ? old->second : m.current.member_epoch;
      }
    }
  }
  m.assigned_at = std::move(at);
}

void consumer_group_coordinator::remove_member(group& g, std::string member_id) {
  auto it = g.members.find(member_id);
  if (it == g.members.end()) return;
  if (it->second.instance_id) {
    auto st = g.static_members.find(*it->second.instance_id);
    if (st != g.static_members.end() && st->second == member_id) g.static_members.erase(st);
  }
  g.members.erase(it);
  g.target.erase(member_id);
  g.dirty_members.erase(member_id);
  g.dirty_targets.erase(member_id);
  g.dirty_current.erase(member_id);
  g.removed_members.insert(member_id);
}

// --- memory held by members -------------------------------------------------------

consumer_group_coordinator::charge& consumer_group_coordinator::charge::operator=(charge&& other) noexcept {
  if (this != &other) {
    set(nullptr, 0);
    usage_ = other.usage_;
    bytes_ = other.bytes_;
    other.usage_ = nullptr;
    other.bytes_ = 0;
  }
  return *this;
}

void consumer_group_coordinator::charge::set(member_usage* usage, size_t bytes) {
  if (usage_ != nullptr) {
    usage_->bytes -= bytes_;
    --usage_->members;
  }
  usage_ = usage;
  bytes_ = usage != nullptr ? bytes : 0;
  if (usage_ != nullptr) {
    usage_->bytes += bytes_;
    ++usage_->members;
  }
}

size_t consumer_group_coordinator::member_cost(
    const std::string& member_id, const std::optional<std::string>& instance_id,
    const std::optional<std::string>& rack_id, const std::string& client_id, const std::string& client_host,
    const std::vector<std::string>& topic_names, const std::optional<std::string>& regex,
    const std::optional<std::string>& server_assignor, const cg_member_assignment& current, size_t assigned_at,
    const std::optional<cg_classic_metadata>& classic) {
  auto size = [](const std::optional<std::string>& s) { return s ? s->size() : 0; };
  size_t n = member_overhead_bytes + member_id.size() + size(instance_id) + size(rack_id) + client_id.size() +
             client_host.size() + size(regex) + size(server_assignor);
  for (const auto& name : topic_names) n += topic_name_overhead_bytes + name.size();
  for (const auto* a : {&current.assigned, &current.pending_revocation}) {
    for (const auto& [t, ps] : *a) n += assigned_topic_bytes + ps.size() * assigned_partition_bytes;
  }
  n += assigned_at * assigned_at_bytes;
  if (classic) {
    // As a classic member counts its protocols (member.h).
    for (const auto& p : classic->protocols) {
      n += samsa::group::member::protocol_overhead_bytes + p.name.size() + p.metadata.size();
    }
  }
  return n;
}

size_t consumer_group_coordinator::member_cost(const member& m) {
  return member_cost(m.member_id, m.instance_id, m.rack_id, m.client_id, m.client_host, m.topic_names, m.regex,
                     m.server_assignor, m.current, m.assigned_at.size(), m.classic);
}

void consumer_group_coordinator::settle(group& g, member& m) {
  m.counted.set(&member_usage_, member_cost(m));
  m.subscription.set(&g.subscriptions, subscription_hash(m), m.regex.has_value());
}

bool consumer_group_coordinator::recount_all() const {
  member_usage walked;
  bool exact = true;
  for (const auto& [gid, g] : groups_) {
    for (const auto& [mid, m] : g->members) {
      ++walked.members;
      walked.bytes += member_cost(m);
      if (!m.counted.attached() || m.counted.bytes() != member_cost(m)) {
        spdlog::error("consumer group {}: member {} counts {} bytes ({}), holds {}", gid, mid, m.counted.bytes(),
                      m.counted.attached() ? "attached" : "not attached", member_cost(m));
        exact = false;
      }
    }
  }
  if (walked.members != member_usage_.members || walked.bytes != member_usage_.bytes) {
    spdlog::error("consumer groups: {} members hold {} bytes, counted {} members and {} bytes", walked.members,
                  walked.bytes, member_usage_.members, member_usage_.bytes);
    exact = false;
  }
  return exact;
}

bool consumer_group_coordinator::member_memory_full(size_t before, size_t after, const std::string& group_id,
                                                    const std::string& client_id, int64_t now_ms) {
  if (after <= before) return false;
  const size_t more = after - before;
  const auto bound = static_cast<size_t>(std::max<int64_t>(config_.member_metadata_max_bytes, 0));
  if (member_usage_.bytes + more <= bound) return false;
  // One line per minute at most, as for classic members.
  if (now_ms - last_member_refusal_log_ms_ >= 60000 || last_member_refusal_log_ms_ == 0) {
    last_member_refusal_log_ms_ = now_ms;
    spdlog::warn("consumer group {}: refusing a member of client {} that would hold {} more bytes: {} consumer group "
                 "members hold {} bytes, group.consumer.member.metadata.max.bytes is {}",
                 utf8_prefix(group_id, max_logged_id_bytes), utf8_prefix(client_id, max_logged_id_bytes), more,
                 member_usage_.members, member_usage_.bytes, config_.member_metadata_max_bytes);
  }
  return true;
}

std::optional<cg_heartbeat_result> consumer_group_coordinator::refuse_heartbeat_for_memory(
    const group* g, const cg_heartbeat_request& req, int64_t now_ms) {
  static const std::optional<std::string> none;
  static const std::vector<std::string> no_names;
  static const cg_member_assignment nothing{};
  // The member the heartbeat changes (nullptr: a new one), and whether it
  // keeps its assignment (a rejoin at epoch 0 gives it up).
  const member* base = nullptr;
  bool keeps_assignment = req.member_epoch != cg_join_epoch;
  if (g && req.member_epoch == cg_join_epoch && req.instance_id) {
    auto st = g->static_members.find(*req.instance_id);
    if (st != g->static_members.end() && st->second != req.member_id) {
      auto old = g->members.find(st->second);
      if (old != g->members.end()) {
        if (old->second.current.member_epoch != cg_static_leave_epoch) return std::nullopt;  // UNRELEASED_INSTANCE_ID
        base = &old->second;  // replaced by the new incarnation, partitions and all
        keeps_assignment = true;
      }
    }
  }
  if (!base && g) {
    auto it = g->members.find(req.member_id);
    if (it != g->members.end()) base = &it->second;
  }
  if (!base && req.member_epoch != cg_join_epoch) return std::nullopt;  // UNKNOWN_MEMBER_ID
  // Fields sent as null keep their last value (heartbeat_locked).
  const auto& instance = req.instance_id ? req.instance_id : base ? base->instance_id : none;
  const auto& rack = req.rack_id ? req.rack_id : base ? base->rack_id : none;
  const auto& names = req.subscribed_topic_names ? *req.subscribed_topic_names : base ? base->topic_names : no_names;
  std::optional<std::string> regex_copy;
  const std::optional<std::string>* regex = base ? &base->regex : &none;
  if (req.subscribed_topic_regex) {
    if (!req.subscribed_topic_regex->empty()) regex_copy = *req.subscribed_topic_regex;
    regex = &regex_copy;
  }
  const auto& assignor = req.server_assignor ? req.server_assignor : base ? base->server_assignor : none;
  const bool keep = base && keeps_assignment;
  const size_t after = member_cost(req.member_id, instance, rack, req.client_id, req.client_host, names, *regex,
                                   assignor, keep ? base->current : nothing, keep ? base->assigned_at.size() : 0,
                                   std::nullopt);
  const size_t before = base ? base->counted.bytes() : 0;
  if (!member_memory_full(before, after, req.group_id, req.client_id, now_ms)) return std::nullopt;
  return fail(errc::group_max_size_reached,
              fmt::format("The members of the broker's consumer groups hold {} bytes; this member would take them "
                          "past group.consumer.member.metadata.max.bytes ({}).",
                          member_usage_.bytes, config_.member_metadata_max_bytes));
}

// --- views ---------------------------------------------------------------------

std::string consumer_group_coordinator::state_of(const group& g) const {
  if (g.members.empty()) return "Empty";
  if (g.group_epoch > g.assignment_epoch) return "Assigning";
  for (const auto& [id, m] : g.members) {
    if (m.current.member_epoch == cg_static_leave_epoch) continue;
    if (m.current.member_epoch != g.assignment_epoch || m.current.state != cg_member_state::stable) {
      return "Reconciling";
    }
  }
  return "Stable";
}

std::vector<cg_group_description> consumer_group_coordinator::describe(const std::vector<std::string>& group_ids,
                                                                       const cg_topic_metadata&) const {
  std::vector<cg_group_description> out;
  for (const auto& id : group_ids) {
    auto& d = out.emplace_back();
    d.group_id = id;
    const group* g = find(id);
    if (!g) {
      d.error = errc::group_id_not_found;
      d.error_message = fmt::format("Group {} not found.", id);
      d.state = "Dead";
      continue;
    }
    d.state = state_of(*g);
    d.group_epoch = g->group_epoch;
    d.assignment_epoch = g->assignment_epoch;
    d.assignor_name = preferred_assignor(*g);
    for (const auto& [mid, m] : g->members) {
      auto& md = d.members.emplace_back();
      md.member_id = mid;
      md.instance_id = m.instance_id;
      md.rack_id = m.rack_id;
      md.member_epoch = m.current.member_epoch;
      md.client_id = m.client_id;
      md.client_host = m.client_host;
      md.subscribed_topic_names = m.topic_names;
      md.subscribed_topic_regex = m.regex;
      md.assignment = m.current.assigned;
      if (auto it = g->target.find(mid); it != g->target.end()) md.target_assignment = it->second;
      md.classic = m.classic.has_value();
    }
  }
  return out;
}

std::vector<cg_group_listing> consumer_group_coordinator::list() const {
  std::vector<cg_group_listing> out;
  for (const auto& [id, g] : groups_) out.push_back({id, state_of(*g)});
  return out;
}

bool consumer_group_coordinator::remove_empty_group(const std::string& group_id) {
  auto it = groups_.find(group_id);
  if (it == groups_.end() || !it->second->members.empty()) return false;
  std::vector<log_record> records;
  for (auto kind : {cg_record_kind::group, cg_record_kind::target_epoch}) {
    records.push_back({encode_cg_key({kind, group_id, {}}), std::nullopt});
  }
  for (const auto& mid : it->second->removed_members) {
    for (auto kind : {cg_record_kind::member, cg_record_kind::target_member, cg_record_kind::current_member}) {
      records.push_back({encode_cg_key({kind, group_id, mid}), std::nullopt});
    }
  }
  groups_.erase(it);
  log_.append(offsets_partition_for(group_id, config_.offsets_topic_partitions), std::move(records),
              [group_id](status s) {
                if (!s) spdlog::warn("removing consumer group {}: {}", group_id, s.err().describe());
              });
  return true;
}

// --- offsets ---------------------------------------------------------------------

std::optional<int16_t> consumer_group_coordinator::validate_offset_commit(const std::string& group_id,
                                                                          const std::string& member_id,
                                                                          int32_t member_epoch,
                                                                          int16_t api_version,
                                                                          const std::vector<std::pair<topic_id, int32_t>>&
                                                                              partitions) const {
  const group* g = find(group_id);
  if (!g) return std::nullopt;
  // Admin clients and consumers without group management commit with
  // epoch -1; that is allowed only while nobody consumes.
  if (member_epoch < 0 && g->members.empty()) return errc::none;
  auto it = g->members.find(member_id);
  if (it == g->members.end()) return errc::unknown_member_id;
  const member& m = it->second;
  // A classic member commits with the generation its JoinGroup gave it.
  if (m.classic) return member_epoch == m.current.member_epoch ? errc::none : errc::illegal_generation;
  if (api_version < 9) return errc::unsupported_version;
  const int32_t have = m.current.member_epoch;
  if (member_epoch > have) return errc::stale_member_epoch;
  if (member_epoch < have) {
    for (const auto& tp : partitions) {
      auto at = m.assigned_at.find(tp);
      if (at == m.assigned_at.end() || at->second > member_epoch) return errc::stale_member_epoch;
    }
  }
  return errc::none;
}

std::optional<int16_t> consumer_group_coordinator::validate_offset_fetch(const std::string& group_id,
                                                                         const std::string& member_id,
                                                                         int32_t member_epoch) const {
  const group* g = find(group_id);
  if (!g) return std::nullopt;
  auto it = g->members.find(member_id);
  if (it == g->members.end()) return errc::unknown_member_id;
  if (member_epoch != it->second.current.member_epoch) return errc::stale_member_epoch;
  return errc::none;
}

// --- timers ------------------------------------------------------------------------

void consumer_group_coordinator::tick(int64_t now_ms) {
  std::vector<std::string> changed;
  for (auto& [gid, g] : groups_) {
    std::vector<std::string> expired;
    for (const auto& [mid, m] : g->members) {
      if (m.session_deadline <= now_ms) {
        spdlog::info("consumer group {}: member {} session timed out", gid, mid);
        expired.push_back(mid);
      } else if (m.revocation_deadline <= now_ms) {
        spdlog::info("consumer group {}: member {} did not revoke its partitions within its rebalance timeout", gid,
                     mid);
        expired.push_back(mid);
      } else if (m.join_deadline <= now_ms) {
        spdlog::info("consumer group {}: classic member {} did not rejoin within its rebalance timeout", gid, mid);
        expired.push_back(mid);
      } else if (m.sync_deadline <= now_ms) {
        spdlog::info("consumer group {}: classic member {} did not send SyncGroup within its rebalance timeout", gid,
                     mid);
        expired.push_back(mid);
      }
    }
    if (expired.empty()) continue;
    for (const auto& mid : expired) remove_member(*g, mid);
    changed.push_back(gid);
  }
  for (const auto& gid : changed) {
    auto done = [gid](status s) {
      if (!s) spdlog::warn("consumer group {}: writing a timeout: {}", gid, s.err().describe());
    };
    if (auto records = maybe_downgrade(gid, now_ms); !records.empty()) {
      append(gid, std::move(records), done);
      continue;
    }
    group* g = find(gid);
    bump_epoch(*g);
    write(*g, done);
  }
  wake_.scanned(next_deadline());
}

int64_t consumer_group_coordinator::next_deadline() const {
  int64_t next = no_deadline;
  for (const auto& [gid, g] : groups_) {
    for (const auto& [mid, m] : g->members) {
      next = std::min({next, m.session_deadline, m.revocation_deadline, m.join_deadline, m.sync_deadline});
    }
  }
  return next;
}

// --- durability ---------------------------------------------------------------------

std::vector<log_record> consumer_group_coordinator::take_records(group& g, unwritten& taken) {
  std::vector<log_record> out;
  auto key = [&](cg_record_kind kind, const std::string& mid = {}) { return encode_cg_key({kind, g.id, mid}); };
  if (g.tombstone_classic) {
    // An upgrade: the classic group's record goes first, in the same batch
    // as the consumer group that replaces it.
    out.push_back({encode_group_metadata_key(g.id), std::nullopt});
    g.tombstone_classic = false;
    taken.tombstone_classic = true;
  }
  for (const auto& mid : g.removed_members) {
    if (g.members.count(mid)) continue;  // removed and back in the same change
    for (auto kind : {cg_record_kind::current_member, cg_record_kind::target_member, cg_record_kind::member}) {
      out.push_back({key(kind, mid), std::nullopt});
    }
  }
  // Subscriptions first, then the group epoch, then the target, then where
  // each member is: replaying a prefix never shows a target newer than the
  // group epoch it was computed for.
  for (const auto& mid : g.dirty_members) {
    out.push_back({key(cg_record_kind::member, mid), encode_cg_member_value(stored_value(g.members.at(mid)))});
  }
  if (g.dirty_group) {
    out.push_back({key(cg_record_kind::group), encode_cg_group_value({g.group_epoch, g.metadata_hash})});
  }
  for (const auto& mid : g.dirty_targets) {
    out.push_back({key(cg_record_kind::target_member, mid), encode_cg_assignment_value(g.target.at(mid))});
  }
  if (g.dirty_target_epoch) {
    out.push_back({key(cg_record_kind::target_epoch), encode_cg_target_epoch_value(g.assignment_epoch)});
  }
  for (const auto& mid : g.dirty_current) {
    out.push_back({key(cg_record_kind::current_member, mid), encode_cg_current_value(g.members.at(mid).current)});
  }
  taken.members = std::exchange(g.dirty_members, {});
  taken.targets = std::exchange(g.dirty_targets, {});
  taken.current = std::exchange(g.dirty_current, {});
  taken.removed = std::exchange(g.removed_members, {});
  taken.group = std::exchange(g.dirty_group, false);
  taken.target_epoch = std::exchange(g.dirty_target_epoch, false);
  return out;
}

cg_member_value consumer_group_coordinator::stored_value(const member& m) {
  return cg_member_value{m.instance_id, m.rack_id, m.client_id, m.client_host, m.rebalance_timeout_ms,
                         m.topic_names, m.regex, m.server_assignor, m.classic};
}

void consumer_group_coordinator::write(group& g, std::function<void(status)> done) {
  unwritten taken;
  auto records = take_records(g, taken);
  if (records.empty()) {
    done({});
    return;
  }
  log_.append(offsets_partition_for(g.id, config_.offsets_topic_partitions), std::move(records),
              [this, id = g.id, taken = std::move(taken), done = std::move(done)](status s) mutable {
                if (!s) mark_unwritten(id, taken);
                done(std::move(s));
              });
}

void consumer_group_coordinator::mark_unwritten(const std::string& group_id, const unwritten& taken) {
  // The change stays in memory (the members may already act on it), so what
  // the failed batch carried goes with the group's next write, with the
  // values of that moment. Without this the log would lack it until those
  // members changed again, and a restart would bring back the older state.
  group* g = find(group_id);
  if (!g) return;  // removed since; its removal wrote what it had to
  for (const auto& mid : taken.members) {
    if (g->members.count(mid)) g->dirty_members.insert(mid);
  }
  for (const auto& mid : taken.targets) {
    if (g->target.count(mid)) g->dirty_targets.insert(mid);
  }
  for (const auto& mid : taken.current) {
    if (g->members.count(mid)) g->dirty_current.insert(mid);
  }
  for (const auto& mid : taken.removed) {
    if (!g->members.count(mid)) g->removed_members.insert(mid);
  }
  g->dirty_group = g->dirty_group || taken.group;
  g->dirty_target_epoch = g->dirty_target_epoch || taken.target_epoch;
  g->tombstone_classic = g->tombstone_classic || taken.tombstone_classic;
}

status consumer_group_coordinator::load_record(const bytes& key_bytes, const std::optional<bytes>& value) {
  auto key = decode_cg_key(key_bytes);
  if (!key) return key.err();
  // A tombstone of a group already gone must not bring it back.
  if (!value && !groups_.count(key->group_id)) return {};
  auto& slot = groups_[key->group_id];
  if (!slot) {
    slot = std::make_unique<group>();
    slot->id = key->group_id;
  }
  group& g = *slot;
  auto member_slot = [&]() -> member& {
    auto [it, fresh] = g.members.try_emplace(key->member_id);
    if (fresh) {
      it->second.member_id = key->member_id;
      it->second.revocation_deadline = no_deadline;
    }
    return it->second;
  };
  switch (key->kind) {
    case cg_record_kind::group: {
      if (!value) {
        groups_.erase(key->group_id);
        return {};
      }
      auto v = decode_cg_group_value(*value);
      if (!v) return v.err();
      g.group_epoch = v->group_epoch;
      g.metadata_hash = v->metadata_hash;
      return {};
    }
    case cg_record_kind::target_epoch: {
      if (!value) return {};
      auto v = decode_cg_target_epoch_value(*value);
      if (!v) return v.err();
      g.assignment_epoch = *v;
      return {};
    }
    case cg_record_kind::member: {
      if (!value) {
        remove_member(g, key->member_id);
        g.removed_members.clear();
        return {};
      }
      auto v = decode_cg_member_value(*value);
      if (!v) return v.err();
      member& m = member_slot();
      m.instance_id = v->instance_id;
      m.rack_id = v->rack_id;
      m.client_id = v->client_id;
      m.client_host = v->client_host;
      m.rebalance_timeout_ms = v->rebalance_timeout_ms;
      m.topic_names = v->subscribed_topic_names;
      m.regex = v->subscribed_topic_regex;
      m.server_assignor = v->server_assignor;
      m.classic = v->classic;
      m.has_metadata = true;
      if (m.instance_id) g.static_members[*m.instance_id] = m.member_id;
      settle(g, m);  // replay counts, never refuses
      return {};
    }
    case cg_record_kind::target_member: {
      if (!value) {
        g.target.erase(key->member_id);
        return {};
      }
      auto v = decode_cg_assignment_value(*value);
      if (!v) return v.err();
      g.target[key->member_id] = std::move(*v);
      return {};
    }
    case cg_record_kind::current_member: {
      if (!value) return {};
      auto v = decode_cg_current_value(*value);
      if (!v) return v.err();
      member& m = member_slot();
      m.current = std::move(*v);
      settle(g, m);
      return {};
    }
  }
  return {};
}

void consumer_group_coordinator::finish_loading(int64_t now_ms) {
  for (auto& [gid, g] : groups_) {
    // A member whose subscription record was deleted is gone, whatever
    // pieces of it came later.
    for (auto it = g->members.begin(); it != g->members.end();) {
      if (!it->second.has_metadata) {
        g->target.erase(it->first);
        it = g->members.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [mid, m] : g->members) {
      // Assignment epochs are not stored: an older-epoch commit right after
      // a restart gets STALE_MEMBER_EPOCH and is retried at the current one.
      note_assignment_epochs(m);
      settle(*g, m);
      m.session_deadline = now_ms + (m.classic ? m.classic->session_timeout_ms : config_.session_timeout_ms);
      m.revocation_deadline =
          m.current.state == cg_member_state::unrevoked_partitions ? now_ms + m.rebalance_timeout_ms : no_deadline;
    }
  }
  wake_.scanned(next_deadline());
}

}  // namespace samsa::group
