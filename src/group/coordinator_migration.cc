// The classic coordinator's side of KIP-848's online migration: handing a
// group over to the consumer group coordinator (upgrade) and taking one back
// (downgrade). See group_conversion.h.
#include <spdlog/spdlog.h>

#include "group/coordinator.h"
#include "group/errors.h"

namespace samsa::group {

std::optional<classic_group_snapshot> coordinator::snapshot_for_upgrade(const std::string& group_id) const {
  const group_metadata* g = lookup(group_id);
  if (g == nullptr || g->size() == 0) return std::nullopt;
  classic_group_snapshot out;
  out.group_id = group_id;
  out.generation = g->generation_id;
  out.protocol_name = g->protocol_name;
  for (const auto& m : g->members()) {
    classic_member_snapshot cm;
    cm.member_id = m->member_id;
    cm.instance_id = m->group_instance_id;
    cm.client_id = m->client_id;
    cm.client_host = m->client_host;
    cm.rebalance_timeout_ms = m->rebalance_timeout_ms;
    cm.session_timeout_ms = m->session_timeout_ms;
    cm.protocols = m->protocols();
    cm.assignment = m->assignment();
    out.members.push_back(std::move(cm));
  }
  return out;
}

void coordinator::hand_over(const std::string& group_id, int64_t now_ms) {
  answer_scope scope(*this);
  advance(now_ms);
  group_metadata* g = lookup(group_id);
  if (g == nullptr) return;
  std::vector<std::string> ids;
  for (const auto& m : g->members()) {
    // A rebalance in progress is over: these members rejoin the consumer group.
    join_result r;
    r.error = errc::rebalance_in_progress;
    r.member_id = m->member_id;
    answer_join(*m, std::move(r));
    answer_sync(*m, sync_result{errc::rebalance_in_progress, std::nullopt, std::nullopt, {}});
    ids.push_back(m->member_id);
  }
  for (const auto& id : ids) g->remove(id);
  g->pending_members.clear();
  g->pending_sync_members.clear();
  g->protocol_type.reset();
  g->protocol_name.reset();
  g->leader_id.reset();
  g->join_deadline_ms = no_deadline;
  g->sync_deadline_ms = no_deadline;
  g->initial_delay_active = false;
  g->restore_state(group_state::empty, now_ms);
  g->compute_subscribed_topics();
  spdlog::info("group {}: handed over to the consumer group coordinator (online upgrade)", group_id);
  if (g->offsets.empty() && g->pending_txn_offsets.empty()) groups_.erase(group_id);
}

void coordinator::adopt(const classic_group_snapshot& downgraded, int64_t now_ms) {
  answer_scope scope(*this);
  advance(now_ms);
  group_metadata& g = get_or_create(downgraded.group_id, now_ms);
  std::vector<std::string> stale;
  for (const auto& m : g.members()) stale.push_back(m->member_id);
  for (const auto& id : stale) g.remove(id);
  g.generation_id = downgraded.generation;
  g.protocol_type = "consumer";
  g.protocol_name = downgraded.protocol_name;
  for (const auto& cm : downgraded.members) {
    auto m = std::make_unique<member>();
    m->member_id = cm.member_id;
    m->group_instance_id = cm.instance_id;
    m->client_id = cm.client_id;
    m->client_host = cm.client_host;
    m->rebalance_timeout_ms = cm.rebalance_timeout_ms;
    m->session_timeout_ms = cm.session_timeout_ms;
    m->protocol_type = "consumer";
    // Never refused: the members were already held (by the consumer group
    // coordinator), and refusing would lose the group.
    m->set_protocols(cm.protocols);
    m->set_assignment(cm.assignment);
    member& added = g.add(std::move(m));
    if (cm.instance_id) g.set_static_member(*cm.instance_id, cm.member_id);
    schedule_heartbeat(added, now_ms, added.session_timeout_ms);
  }
  g.restore_state(group_state::stable, now_ms);
  g.compute_subscribed_topics();
  // Every member learns of the change at its next heartbeat and rejoins.
  prepare_rebalance(g, now_ms, "downgraded from a consumer-protocol group");
}

}  // namespace samsa::group
