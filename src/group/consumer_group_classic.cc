// Classic members of consumer-protocol groups (KIP-848's mixed groups) and
// the online upgrade and downgrade between the two protocols
// (group.consumer.migration.policy). A classic member is an ordinary member
// of the group for the assignor and the reconciliation rules; only the way it
// learns its assignment differs: JoinGroup reports what it owns and gives it
// its member epoch as generation, SyncGroup hands out its current assignment
// as a ConsumerProtocolAssignment, and Heartbeat answers
// REBALANCE_IN_PROGRESS whenever it has to rejoin to move on.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "group/consumer_group_coordinator.h"
#include "group/consumer_group_records.h"
#include "group/errors.h"
#include "group/offsets_codec.h"
#include "group/subscription.h"

namespace samsa::group {

namespace {

constexpr const char* consumer_protocol_type = "consumer";

join_result join_fail(int16_t error, std::string member_id) {
  join_result r;
  r.error = error;
  r.member_id = std::move(member_id);
  return r;
}

sync_result sync_fail(int16_t error) { return sync_result{error, std::nullopt, std::nullopt, {}}; }

int16_t subscription_version(const bytes& metadata) {
  auto s = decode_consumer_subscription(metadata);
  return s ? s->version : 0;
}

std::vector<cg_classic_protocol> to_classic(const std::vector<protocol_entry>& protocols) {
  std::vector<cg_classic_protocol> out;
  for (const auto& p : protocols) out.push_back({p.name, p.metadata});
  return out;
}

std::vector<protocol_entry> to_entries(const std::vector<cg_classic_protocol>& protocols) {
  std::vector<protocol_entry> out;
  for (const auto& p : protocols) out.push_back({p.name, p.metadata});
  return out;
}

const cg_classic_protocol* find_protocol(const cg_classic_metadata& c, const std::string& name) {
  for (const auto& p : c.protocols) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// The classic vote (as group_metadata::select_protocol): among the protocols
// every member offers, each member votes for the first it prefers; ties go to
// the first member's preference order.
std::string select_common_protocol(const std::vector<const cg_classic_metadata*>& members) {
  if (members.empty()) return {};
  auto offered_by_all = [&](const std::string& name) {
    return std::all_of(members.begin(), members.end(), [&](const auto* m) { return find_protocol(*m, name); });
  };
  std::map<std::string, int> votes;
  for (const auto* m : members) {
    for (const auto& p : m->protocols) {
      if (offered_by_all(p.name)) {
        ++votes[p.name];
        break;
      }
    }
  }
  std::string best;
  int most = -1;
  for (const auto& p : members.front()->protocols) {
    auto it = votes.find(p.name);
    if (it != votes.end() && it->second > most) {
      best = p.name;
      most = it->second;
    }
  }
  return best;
}

}  // namespace

void consumer_group_coordinator::remember_topics(const cg_topic_metadata& topics) {
  // Every heartbeat hands the topics in; a versioned view seen already is not copied again.
  if (topics.version != 0 && topics.version == remembered_topics_version_) return;
  remembered_topics_version_ = topics.version;
  topic_names_.clear();
  for (const auto& [name, t] : topics.by_name) topic_names_[t.id] = name;
}

consumer_group_coordinator::member* consumer_group_coordinator::classic_member(
    group& g, const std::string& member_id, const std::optional<std::string>& instance_id, int16_t& error) {
  if (instance_id) {
    auto st = g.static_members.find(*instance_id);
    if (st == g.static_members.end()) {
      error = errc::unknown_member_id;
      return nullptr;
    }
    if (st->second != member_id) {
      spdlog::info("consumer group {}: static member {} with instance id {} was replaced by {}", g.id, member_id,
                   *instance_id, st->second);
      error = errc::fenced_instance_id;
      return nullptr;
    }
  }
  auto it = g.members.find(member_id);
  if (it == g.members.end()) {
    error = errc::unknown_member_id;
    return nullptr;
  }
  return &it->second;
}

bool consumer_group_coordinator::classic_must_rejoin(const group& g, const member& m) const {
  // A newer group epoch, partitions to give up, or partitions it waited for
  // that are free now: each takes a JoinGroup to reconcile.
  if (m.current.member_epoch < g.group_epoch) return true;
  if (m.current.state == cg_member_state::unrevoked_partitions) return true;
  if (m.current.state != cg_member_state::unreleased_partitions) return false;
  auto target = g.target.find(m.member_id);
  if (target == g.target.end()) return false;
  for (const auto& [t, ps] : target->second) {
    auto mine = m.current.assigned.find(t);
    for (int32_t p : ps) {
      if (mine != m.current.assigned.end() && mine->second.count(p)) continue;
      for (const auto& [id, other] : g.members) {
        if (id == m.member_id) continue;
        for (const auto* a : {&other.current.assigned, &other.current.pending_revocation}) {
          auto it = a->find(t);
          if (it != a->end() && it->second.count(p)) return false;  // still waiting
        }
      }
    }
  }
  return true;
}

// --- JoinGroup -----------------------------------------------------------------

void consumer_group_coordinator::classic_join(const join_request& req, const cg_topic_metadata& topics,
                                              int64_t now_ms, join_callback done) {
  remember_topics(topics);
  group* g = find(req.group_id);
  if (!g || g->members.empty()) return done(join_fail(errc::unknown_member_id, req.member_id));
  const bool unknown = req.member_id.empty();
  const std::string member_id = unknown ? config_.make_member_id() : req.member_id;
  if (static_cast<int64_t>(g->members.size()) >= config_.max_size && !g->members.count(member_id)) {
    return done(join_fail(errc::group_max_size_reached, req.member_id));
  }
  // The embedded protocol must be "consumer" and share a protocol with every
  // classic member already in the group.
  bool supported = req.protocol_type == consumer_protocol_type && !req.protocols.empty();
  if (supported) {
    bool any_classic = false;
    bool common = false;
    for (const auto& p : req.protocols) {
      bool everyone = true;
      for (const auto& [id, m] : g->members) {
        if (!m.classic || id == member_id) continue;
        any_classic = true;
        if (!find_protocol(*m.classic, p.name)) everyone = false;
      }
      if (everyone) common = true;
    }
    supported = !any_classic || common;
  }
  if (!supported) {
    spdlog::info("consumer group {}: member {}'s protocols are not supported (type '{}')", g->id, member_id,
                 req.protocol_type);
    return done(join_fail(errc::inconsistent_group_protocol, req.member_id));
  }
  if (req.require_known_member_id && unknown && !req.group_instance_id) {
    // As for a classic group: the client comes back with this id.
    return done(join_fail(errc::member_id_required, member_id));
  }
  join_result out;
  if (int16_t e = classic_join_locked(*g, req, member_id, topics, now_ms, out); e != errc::none) {
    write(*g, [](status) {});  // whatever changed before the refusal stays consistent
    return done(join_fail(e, req.member_id));
  }
  write(*g, [done = std::move(done), out = std::move(out)](status s) mutable {
    if (!s) {
      spdlog::warn("consumer group write failed: {}", s.err().describe());
      return done(join_fail(errc::coordinator_not_available, out.member_id));
    }
    done(std::move(out));
  });
}

int16_t consumer_group_coordinator::classic_join_locked(group& g, const join_request& req,
                                                        const std::string& member_id,
                                                        const cg_topic_metadata& topics, int64_t now_ms,
                                                        join_result& out) {
  // Every protocol carries the same subscription; the first one is read.
  auto sub = decode_consumer_subscription(req.protocols.front().metadata);
  if (!sub) {
    spdlog::info("consumer group {}: member {} sent an unreadable subscription: {}", g.id, member_id,
                 sub.err().describe());
    return errc::inconsistent_group_protocol;
  }
  // Sorted and without duplicates, as the member keeps them (and counts them).
  std::sort(sub->topics.begin(), sub->topics.end());
  sub->topics.erase(std::unique(sub->topics.begin(), sub->topics.end()), sub->topics.end());
  auto classic = cg_classic_metadata{req.session_timeout_ms, to_classic(req.protocols)};
  // Whether the member (`base`, or a new one) would take what members hold
  // past group.consumer.member.metadata.max.bytes with what this join says.
  auto memory_full = [&](const member* base) {
    static const std::optional<std::string> none;
    static const cg_member_assignment nothing{};
    const auto& instance = req.group_instance_id ? req.group_instance_id : base ? base->instance_id : none;
    const auto& rack = sub->rack_id ? sub->rack_id : base ? base->rack_id : none;
    const size_t after =
        member_cost(member_id, instance, rack, req.client_id, req.client_host, sub->topics,
                    base ? base->regex : none, base ? base->server_assignor : none, base ? base->current : nothing,
                    base ? base->assigned_at.size() : 0, classic);
    return member_memory_full(base ? base->counted.bytes() : 0, after, g.id, req.client_id, now_ms);
  };
  const bool unknown = req.member_id.empty();
  bool changed_membership = false;
  member* m = nullptr;
  if (req.group_instance_id) {
    auto st = g.static_members.find(*req.group_instance_id);
    if (st != g.static_members.end() && st->second != member_id) {
      if (!unknown) return errc::fenced_instance_id;
      // A new incarnation of a static member takes the old one's place and
      // partitions, and reconciles from there.
      auto old = g.members.find(st->second);
      if (old != g.members.end()) {
        if (memory_full(&old->second)) return errc::group_max_size_reached;
        member replacement = old->second;
        replacement.member_id = member_id;
        replacement.current.member_epoch = 0;
        replacement.current.previous_member_epoch = 0;
        auto target = g.target[old->first];
        remove_member(g, old->first);
        g.target[member_id] = std::move(target);
        g.dirty_targets.insert(member_id);
        m = &g.members.emplace(member_id, std::move(replacement)).first->second;
        g.dirty_current.insert(member_id);
      }
    } else if (st == g.static_members.end() && !unknown && !g.members.count(member_id)) {
      return errc::unknown_member_id;
    }
  }
  if (!m) {
    auto it = g.members.find(member_id);
    if (memory_full(it == g.members.end() ? nullptr : &it->second)) return errc::group_max_size_reached;
    if (it == g.members.end()) {
      member fresh;
      fresh.member_id = member_id;
      fresh.revocation_deadline = no_deadline;
      m = &g.members.emplace(member_id, std::move(fresh)).first->second;
      changed_membership = true;
    } else {
      m = &it->second;
    }
  }
  if (req.group_instance_id) g.static_members[*req.group_instance_id] = member_id;

  member& mm = *m;
  bool subscription_changed = changed_membership;
  if (req.group_instance_id) mm.instance_id = req.group_instance_id;
  if (sub->rack_id) mm.rack_id = sub->rack_id;
  if (req.rebalance_timeout_ms > 0) mm.rebalance_timeout_ms = req.rebalance_timeout_ms;
  mm.client_id = req.client_id;
  mm.client_host = req.client_host;
  auto& names = sub->topics;  // sorted and unique (above)
  if (names != mm.topic_names) {
    mm.topic_names = std::move(names);
    subscription_changed = true;
  }
  mm.classic = std::move(classic);
  mm.has_metadata = true;
  g.dirty_members.insert(member_id);
  if (subscription_changed) bump_epoch(g);
  settle(g, mm);  // its subscription in the group's tally before the hash looks
  if (int64_t h = metadata_hash(g, topics, now_ms); h != g.metadata_hash) {
    g.metadata_hash = h;
    g.dirty_group = true;
    if (g.group_epoch == g.assignment_epoch) bump_epoch(g);
  }
  if (g.group_epoch > g.assignment_epoch) update_target(g, topics);

  // What it owns as it rejoins (subscription v1+; an eager client owns
  // nothing by now) says whether it has given up what it must.
  cg_assignment owned;
  for (const auto& [topic, ps] : sub->owned) {
    auto t = topics.by_name.find(topic);
    if (t != topics.by_name.end()) owned[t->second.id].insert(ps.begin(), ps.end());
  }
  reconcile_member(g, mm, owned, now_ms);
  mm.session_deadline = note_deadline(now_ms + req.session_timeout_ms);
  mm.join_deadline = no_deadline;
  // The SyncGroup that fetches the assignment must follow within the rebalance timeout.
  mm.sync_deadline = note_deadline(now_ms + std::max(mm.rebalance_timeout_ms, 1));
  settle(g, mm);

  out.member_id = member_id;
  out.generation_id = mm.current.member_epoch;
  out.protocol_type = consumer_protocol_type;
  out.protocol_name = req.protocols.front().name;
  out.leader_id.clear();  // no member leads: the coordinator assigns
  return errc::none;
}

// --- SyncGroup, Heartbeat, LeaveGroup ---------------------------------------

sync_result consumer_group_coordinator::classic_sync(const sync_request& req, const cg_topic_metadata& topics,
                                                     int64_t now_ms) {
  remember_topics(topics);
  group* g = find(req.group_id);
  if (!g || g->members.empty()) return sync_fail(errc::unknown_member_id);
  int16_t error = errc::none;
  member* m = classic_member(*g, req.member_id, req.group_instance_id, error);
  if (!m) return sync_fail(error);
  if (!m->classic) return sync_fail(errc::unknown_member_id);
  if (req.generation_id != m->current.member_epoch) return sync_fail(errc::illegal_generation);
  const std::string& name = m->classic->protocols.front().name;
  if ((req.protocol_type && *req.protocol_type != consumer_protocol_type) ||
      (req.protocol_name && *req.protocol_name != name)) {
    return sync_fail(errc::inconsistent_group_protocol);
  }
  if (g->group_epoch > m->current.member_epoch && m->current.state != cg_member_state::unrevoked_partitions) {
    if (m->join_deadline == no_deadline) m->join_deadline = note_deadline(now_ms + m->rebalance_timeout_ms);
    return sync_fail(errc::rebalance_in_progress);
  }
  m->sync_deadline = no_deadline;
  m->session_deadline = note_deadline(now_ms + m->classic->session_timeout_ms);
  named_partitions named;
  for (const auto& [t, ps] : m->current.assigned) {
    if (const cg_topic* topic = topics.find(t)) named[topic->name] = ps;
  }
  return sync_result{errc::none, std::string(consumer_protocol_type), name,
                     encode_consumer_assignment(subscription_version(m->classic->protocols.front().metadata), named)};
}

int16_t consumer_group_coordinator::classic_heartbeat(const heartbeat_request& req, int64_t now_ms) {
  group* g = find(req.group_id);
  if (!g) return errc::unknown_member_id;
  int16_t error = errc::none;
  member* m = classic_member(*g, req.member_id, req.group_instance_id, error);
  if (!m) return error;
  if (!m->classic) return errc::unknown_member_id;
  if (req.generation_id != m->current.member_epoch) return errc::illegal_generation;
  m->session_deadline = note_deadline(now_ms + m->classic->session_timeout_ms);
  if (classic_must_rejoin(*g, *m)) {
    if (m->join_deadline == no_deadline) m->join_deadline = note_deadline(now_ms + m->rebalance_timeout_ms);
    return errc::rebalance_in_progress;
  }
  return errc::none;
}

void consumer_group_coordinator::classic_leave(const std::string& group_id, const std::vector<leave_member>& members,
                                               int64_t now_ms, std::function<void(leave_result)> done) {
  leave_result r;
  group* g = find(group_id);
  bool removed = false;
  for (const auto& lm : members) {
    leave_member_result mr{lm.member_id, lm.group_instance_id, errc::none};
    std::string id;
    if (!g) {
      mr.error = errc::unknown_member_id;
    } else if (lm.member_id.empty()) {
      // By instance id alone (admin tools): any static member.
      auto st = lm.group_instance_id ? g->static_members.find(*lm.group_instance_id) : g->static_members.end();
      if (st == g->static_members.end()) {
        mr.error = errc::unknown_member_id;
      } else {
        id = st->second;
      }
    } else if (member* m = classic_member(*g, lm.member_id, lm.group_instance_id, mr.error)) {
      id = m->member_id;
    }
    if (!id.empty()) {
      spdlog::info("consumer group {}: member {} left through LeaveGroup{}", group_id, id,
                   lm.reason ? " (" + *lm.reason + ")" : "");
      remove_member(*g, id);
      removed = true;
    }
    r.members.push_back(std::move(mr));
  }
  if (!removed) return done(std::move(r));
  auto answer = [done = std::move(done), r = std::move(r)](status s) mutable {
    if (!s) {
      spdlog::warn("consumer group write failed: {}", s.err().describe());
      r.error = errc::coordinator_not_available;
      r.members.clear();
    }
    done(std::move(r));
  };
  if (auto records = maybe_downgrade(group_id, now_ms); !records.empty()) {
    append(group_id, std::move(records), std::move(answer));
    return;
  }
  bump_epoch(*g);
  write(*g, std::move(answer));
}

// --- upgrade ---------------------------------------------------------------------

status consumer_group_coordinator::adopt_classic_group(const classic_group_snapshot& classic,
                                                       const cg_topic_metadata& topics, int64_t now_ms) {
  remember_topics(topics);
  auto refuse = [&](const std::string& why) {
    return error(std::make_error_code(std::errc::invalid_argument),
                 fmt::format("Cannot upgrade classic group {} to consumer group because {}.", classic.group_id, why));
  };
  if (const group* existing = find(classic.group_id); existing && !existing->members.empty()) {
    return refuse("a consumer group with members has its id");
  }
  auto g = std::make_unique<group>();
  g->id = classic.group_id;
  g->group_epoch = classic.generation;
  g->assignment_epoch = classic.generation;
  for (const auto& cm : classic.members) {
    const protocol_entry* chosen = cm.protocols.empty() ? nullptr : &cm.protocols.front();
    for (const auto& p : cm.protocols) {
      if (classic.protocol_name && p.name == *classic.protocol_name) chosen = &p;
    }
    if (!chosen) return refuse("a member offers no protocol");
    auto sub = decode_consumer_subscription(chosen->metadata);
    if (!sub) return refuse("the embedded consumer protocol is malformed");
    cg_assignment assigned;
    if (!cm.assignment.empty()) {
      auto a = decode_consumer_assignment(cm.assignment);
      if (!a) return refuse("the embedded consumer protocol is malformed");
      if (a->user_data && !a->user_data->empty()) {
        return refuse("an unsupported custom assignor is in use (its user data would be lost)");
      }
      for (const auto& [name, ps] : a->partitions) {
        auto t = topics.by_name.find(name);
        if (t == topics.by_name.end()) continue;  // deleted since: nothing to keep
        for (int32_t p : ps) {
          if (p < t->second.partitions) assigned[t->second.id].insert(p);
        }
      }
    }
    member m;
    m.member_id = cm.member_id;
    m.instance_id = cm.instance_id;
    m.rack_id = sub->rack_id;
    m.client_id = cm.client_id;
    m.client_host = cm.client_host;
    m.rebalance_timeout_ms = cm.rebalance_timeout_ms;
    m.topic_names = sub->topics;
    std::sort(m.topic_names.begin(), m.topic_names.end());
    m.topic_names.erase(std::unique(m.topic_names.begin(), m.topic_names.end()), m.topic_names.end());
    m.classic = cg_classic_metadata{cm.session_timeout_ms, to_classic(cm.protocols)};
    m.current = cg_member_assignment{classic.generation, classic.generation, cg_member_state::stable, assigned, {}};
    m.session_deadline = note_deadline(now_ms + cm.session_timeout_ms);
    m.revocation_deadline = no_deadline;
    m.has_metadata = true;
    note_assignment_epochs(m);
    if (m.instance_id) g->static_members[*m.instance_id] = m.member_id;
    g->target[m.member_id] = std::move(assigned);
    g->dirty_members.insert(m.member_id);
    g->dirty_targets.insert(m.member_id);
    g->dirty_current.insert(m.member_id);
    // Counted, never refused: the members move over from the classic
    // coordinator's count.
    settle(*g, g->members.emplace(m.member_id, std::move(m)).first->second);
  }
  g->metadata_hash = metadata_hash(*g, topics, now_ms);
  g->dirty_group = true;
  g->dirty_target_epoch = true;
  g->tombstone_classic = true;
  spdlog::info("consumer group {}: upgraded from a classic group at generation {} with {} member(s)",
               classic.group_id, classic.generation, classic.members.size());
  groups_[classic.group_id] = std::move(g);
  return {};
}

// --- downgrade -------------------------------------------------------------------

classic_group_snapshot consumer_group_coordinator::classic_form(const group& g) const {
  classic_group_snapshot out;
  out.group_id = g.id;
  out.generation = g.group_epoch;
  std::vector<const cg_classic_metadata*> metadata;
  for (const auto& [id, m] : g.members) metadata.push_back(&*m.classic);
  out.protocol_name = select_common_protocol(metadata);
  for (const auto& [id, m] : g.members) {
    classic_member_snapshot cm;
    cm.member_id = id;
    cm.instance_id = m.instance_id;
    cm.client_id = m.client_id;
    cm.client_host = m.client_host;
    cm.rebalance_timeout_ms = m.rebalance_timeout_ms;
    cm.session_timeout_ms = m.classic->session_timeout_ms;
    cm.protocols = to_entries(m.classic->protocols);
    // The target assignment, in the subscription version of the protocol chosen.
    named_partitions named;
    if (auto t = g.target.find(id); t != g.target.end()) {
      for (const auto& [topic, ps] : t->second) {
        if (auto n = topic_names_.find(topic); n != topic_names_.end()) named[n->second] = ps;
      }
    }
    const cg_classic_protocol* p = find_protocol(*m.classic, *out.protocol_name);
    cm.assignment = encode_consumer_assignment(p ? subscription_version(p->metadata) : 0, named);
    out.members.push_back(std::move(cm));
  }
  return out;
}

std::vector<log_record> consumer_group_coordinator::maybe_downgrade(const std::string& group_id, int64_t now_ms) {
  group* g = find(group_id);
  if (!g || g->members.empty()) return {};
  for (const auto& [id, m] : g->members) {
    if (!m.classic) return {};
  }
  if (!downgrade_allowed(config_.migration_policy)) {
    spdlog::info("consumer group {}: only classic members are left; the group stays a consumer group "
                 "(group.consumer.migration.policy={})", group_id, to_string(config_.migration_policy));
    return {};
  }
  if (static_cast<int64_t>(g->members.size()) > config_.classic_max_size) {
    spdlog::info("consumer group {}: only classic members are left, more than group.max.size; no downgrade",
                 group_id);
    return {};
  }
  classic_group_snapshot snapshot = classic_form(*g);
  if (snapshot.protocol_name->empty()) {
    spdlog::info("consumer group {}: its classic members share no protocol; no downgrade", group_id);
    return {};
  }
  std::vector<log_record> records;
  auto tombstones = [&](const std::string& mid) {
    for (auto kind : {cg_record_kind::current_member, cg_record_kind::target_member, cg_record_kind::member}) {
      records.push_back({encode_cg_key({kind, group_id, mid}), std::nullopt});
    }
  };
  for (const auto& mid : g->removed_members) {
    if (!g->members.count(mid)) tombstones(mid);
  }
  for (const auto& [mid, m] : g->members) tombstones(mid);
  for (auto kind : {cg_record_kind::group, cg_record_kind::target_epoch}) {
    records.push_back({encode_cg_key({kind, group_id, {}}), std::nullopt});
  }
  group_metadata_value v;
  v.protocol_type = consumer_protocol_type;
  v.generation = snapshot.generation;
  v.protocol = snapshot.protocol_name;
  v.leader = snapshot.members.front().member_id;
  v.current_state_timestamp = now_ms;
  for (const auto& cm : snapshot.members) {
    member_record r;
    r.member_id = cm.member_id;
    r.group_instance_id = cm.instance_id;
    r.client_id = cm.client_id;
    r.client_host = cm.client_host;
    r.rebalance_timeout_ms = cm.rebalance_timeout_ms;
    r.session_timeout_ms = cm.session_timeout_ms;
    for (const auto& p : cm.protocols) {
      if (p.name == *snapshot.protocol_name) r.subscription = p.metadata;
    }
    r.assignment = cm.assignment;
    v.members.push_back(std::move(r));
  }
  records.push_back({encode_group_metadata_key(group_id), encode_group_metadata_value(v)});
  spdlog::info("consumer group {}: its last consumer-protocol member is gone; downgraded to a classic group at "
               "generation {} with {} member(s)", group_id, snapshot.generation, snapshot.members.size());
  groups_.erase(group_id);
  if (on_downgrade_) on_downgrade_(std::move(snapshot));
  return records;
}

}  // namespace samsa::group
