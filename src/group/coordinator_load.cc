// Replaying __consumer_offsets at start, and the timer entry points.
#include <spdlog/spdlog.h>

#include "group/coordinator.h"
#include "group/errors.h"
#include "group/offsets_codec.h"

namespace samsa::group {

namespace {

std::unique_ptr<group_metadata> restore_group(const std::string& id, const group_metadata_value& v,
                                              int64_t now_ms) {
  auto g = std::make_unique<group_metadata>(id, now_ms);
  g->generation_id = v.generation;
  if (!v.protocol_type.empty()) g->protocol_type = v.protocol_type;
  g->protocol_name = v.protocol;
  for (const auto& r : v.members) {
    auto m = std::make_unique<member>();
    m->member_id = r.member_id;
    m->group_instance_id = r.group_instance_id;
    m->client_id = r.client_id;
    m->client_host = r.client_host;
    m->rebalance_timeout_ms = r.rebalance_timeout_ms;
    m->session_timeout_ms = r.session_timeout_ms;
    m->protocol_type = v.protocol_type;
    m->set_protocols({protocol_entry{v.protocol.value_or(""), r.subscription}});
    m->set_assignment(r.assignment);
    g->add(std::move(m));
    if (r.group_instance_id) g->set_static_member(*r.group_instance_id, r.member_id);
  }
  // add() made the first member leader; the record knows the real one.
  if (v.leader && g->has(*v.leader)) g->leader_id = v.leader;
  const int64_t since = v.current_state_timestamp >= 0 ? v.current_state_timestamp : now_ms;
  g->restore_state(v.members.empty() ? group_state::empty : group_state::stable, since);
  return g;
}

}  // namespace

status coordinator::load_record(const bytes& key, const std::optional<bytes>& value, int64_t now_ms) {
  advance(now_ms);
  auto k = decode_record_key(key);
  if (!k.ok()) return k.err();
  if (const auto* ok = std::get_if<offset_commit_key>(&k.value())) {
    topic_partition tp{ok->topic, ok->partition};
    if (!value) {
      const uint64_t write = ++writes_;
      if (group_metadata* g = lookup(ok->group)) {
        g->offsets.erase(tp);
        g->drop_pending_txn_offsets(tp, write);  // as Kafka's replay of a tombstone
      }
      return {};
    }
    auto v = decode_offset_commit_value(*value);
    if (!v.ok()) return v.err();
    get_or_create(ok->group, now_ms)
        .offsets.set(tp, offset_entry{v->offset, v->leader_epoch, v->metadata, v->commit_timestamp,
                                      v->expire_timestamp, ++writes_});
    return {};
  }
  const auto& gk = std::get<group_metadata_key>(k.value());
  // Offsets (committed and pending transactional ones) have their own
  // records and tombstones; the group's metadata record does not touch them.
  offset_table offsets;
  std::map<int64_t, offset_table> pending;
  if (group_metadata* old = lookup(gk.group)) {
    offsets = std::move(old->offsets);
    pending = std::move(old->pending_txn_offsets);
  }
  auto keep_offsets = [&](group_metadata& g) {
    g.offsets = std::move(offsets);
    g.pending_txn_offsets = std::move(pending);
  };
  if (!value) {
    groups_.erase(gk.group);
    if (!offsets.empty() || !pending.empty()) keep_offsets(get_or_create(gk.group, now_ms));
    return {};
  }
  auto v = decode_group_metadata_value(*value);
  if (!v.ok()) {
    if (!offsets.empty() || !pending.empty()) keep_offsets(get_or_create(gk.group, now_ms));
    return v.err();
  }
  auto g = restore_group(gk.group, *v, now_ms);
  g->count_offsets_in(&offset_usage_);
  g->count_members_in(&member_usage_);  // never refused: replay restores what was accepted
  keep_offsets(*g);
  g->observe_transitions(&transition_observer_);
  groups_[gk.group] = std::move(g);
  return {};
}

size_t coordinator::load(const std::vector<log_record>& records, int64_t now_ms) {
  size_t bad = 0;
  for (const auto& r : records) {
    auto s = load_record(r.key, r.value, now_ms);
    if (!s.ok()) {
      ++bad;
      spdlog::warn("group coordinator: skipping a bad __consumer_offsets record: {}", s.err().describe());
    }
  }
  finish_loading(now_ms);
  return bad;
}

void coordinator::finish_loading(int64_t now_ms) {
  answer_scope scope(*this);
  advance(now_ms);
  size_t offsets = 0;
  for (auto it = groups_.begin(); it != groups_.end();) {
    group_metadata& g = *it->second;
    if (g.is(group_state::empty) && !g.protocol_type && g.offsets.empty() && g.pending_txn_offsets.empty()) {
      it = groups_.erase(it);  // only tombstoned offsets were left
      continue;
    }
    offsets += g.offsets.size();
    g.compute_subscribed_topics();
    // Members must heartbeat again within their session timeout.
    for (const auto& m : g.members()) schedule_heartbeat(*m, now_ms, m->session_timeout_ms);
    if (!g.is(group_state::empty)) {
      spdlog::info("group {}: generation {}, members {} — loaded", g.id(), g.generation_id, member_list(g));
    }
    ++it;
  }
  loading_ = false;
  next_retention_check_ms_ = now_ms + config_.offsets_retention_check_interval_ms;
  wake_.scanned(next_deadline());
  spdlog::info("group coordinator: loaded {} groups and {} committed offsets", groups_.size(), offsets);
}

void coordinator::tick(int64_t now_ms) {
  answer_scope scope(*this);
  advance(now_ms);
  if (loading_) return;
  std::vector<std::string> ids;
  for (const auto& [id, _] : groups_) ids.push_back(id);
  for (const auto& id : ids) {
    group_metadata* g = lookup(id);
    if (g == nullptr) continue;
    expire_heartbeats(*g, now_ms);
    if (g->is(group_state::preparing_rebalance) && g->join_deadline_ms <= now_ms) {
      const int64_t initial = config_.initial_rebalance_delay_ms;
      if (g->initial_delay_active && g->new_member_added && g->initial_delay_remaining_ms > 0) {
        // More members arrived during the delay: wait a little longer, but
        // never past the rebalance timeout.
        g->new_member_added = false;
        const int64_t delay = std::min(initial, g->initial_delay_remaining_ms);
        g->initial_delay_remaining_ms = std::max<int64_t>(g->initial_delay_remaining_ms - initial, 0);
        g->join_deadline_ms = note_deadline(now_ms + delay);
      } else {
        complete_join(*g, now_ms);
      }
    }
    expire_pending_sync(*g, now_ms);
  }
  if (now_ms >= next_retention_check_ms_) {
    expire_offsets(now_ms);
    next_retention_check_ms_ = now_ms + config_.offsets_retention_check_interval_ms;
  }
  wake_.scanned(next_deadline());
}

int64_t coordinator::next_deadline() const {
  if (loading_) return no_deadline;
  int64_t next = next_retention_check_ms_;
  for (const auto& [_, g] : groups_) {
    if (g->is(group_state::preparing_rebalance)) next = std::min(next, g->join_deadline_ms);
    next = std::min(next, g->sync_deadline_ms);
    for (const auto& m : g->members()) next = std::min(next, m->heartbeat_deadline_ms);
    for (const auto& [__, deadline] : g->pending_members) next = std::min(next, deadline);
  }
  return next;
}

}  // namespace samsa::group
