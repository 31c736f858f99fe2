// SyncGroup, Heartbeat, LeaveGroup, assignment propagation and the timers
// (session expiry, join and sync deadlines) driven by tick().
#include <spdlog/spdlog.h>

#include "group/coordinator.h"
#include "group/errors.h"

namespace samsa::group {

namespace {

sync_result sync_error(int16_t error) { return sync_result{error, std::nullopt, std::nullopt, {}}; }

std::string who(const std::string& member_id, const std::optional<std::string>& instance_id) {
  return instance_id ? *instance_id : member_id;
}

}  // namespace

void coordinator::sync(sync_request req, int64_t now_ms, sync_callback done) {
  answer_scope scope(*this);
  advance(now_ms);
  if (auto err = validate_status(req.group_id, false)) {
    // After a reload the rebalance state is gone: send the member back to
    // JoinGroup rather than an error older clients do not expect here.
    return done(sync_error(*err == errc::coordinator_load_in_progress ? errc::rebalance_in_progress : *err));
  }
  group_metadata* g = lookup(req.group_id);
  if (g == nullptr) return done(sync_error(errc::unknown_member_id));
  if (g->is(group_state::dead)) return done(sync_error(errc::coordinator_not_available));
  if (auto err = validate_current_member(*g, req.member_id, req.group_instance_id)) return done(sync_error(*err));
  if (req.generation_id != g->generation_id) return done(sync_error(errc::illegal_generation));
  if ((req.protocol_type && g->protocol_type != req.protocol_type) ||
      (req.protocol_name && g->protocol_name != req.protocol_name)) {
    return done(sync_error(errc::inconsistent_group_protocol));
  }
  member& m = *g->get(req.member_id);
  switch (g->state()) {
    case group_state::empty:
      return done(sync_error(errc::unknown_member_id));
    case group_state::preparing_rebalance:
      return done(sync_error(errc::rebalance_in_progress));
    case group_state::stable:
      g->pending_sync_members.erase(m.member_id);
      if (g->pending_sync_members.empty()) g->sync_deadline_ms = no_deadline;
      done(sync_result{errc::none, g->protocol_type, g->protocol_name, m.assignment()});
      schedule_heartbeat(m, now_ms, m.session_timeout_ms);
      return;
    case group_state::dead:
      return done(sync_error(errc::coordinator_not_available));
    case group_state::completing_rebalance:
      break;
  }
  answer_sync(m, sync_error(errc::rebalance_in_progress));  // a repeated SyncGroup replaces the first
  m.awaiting_sync = std::move(done);
  g->pending_sync_members.erase(m.member_id);
  if (g->pending_sync_members.empty()) g->sync_deadline_ms = no_deadline;
  if (!g->is_leader(m.member_id)) return;  // followers wait for the leader

  std::map<std::string, bytes> assignment;
  for (auto& [id, data] : req.assignments) {
    if (g->has(id)) assignment[id] = std::move(data);
  }
  std::string missing;
  for (const auto& mm : g->members()) {
    if (assignment.emplace(mm->member_id, bytes{}).second) missing += (missing.empty() ? "" : ",") + mm->member_id;
  }
  if (!missing.empty()) {
    spdlog::warn("group {}: leader gave no assignment to {} in generation {}; they get an empty one", g->id(),
                 missing, g->generation_id);
  }
  // The new assignments replace the members' current ones (those of the
  // previous generation, or none): only growth counts against
  // group.classic.member.metadata.max.bytes, so a group whose assignments
  // keep their size always becomes stable, at the bound too. The bound is
  // mostly enforced at JoinGroup, but an assignment is the leader's to make
  // and can be large, so a sync that would take the members past the bound
  // fails as if storing it had failed: every member gets
  // UNKNOWN_SERVER_ERROR (what Kafka answers for an assignment too large to
  // store; its clients report it rather than rejoin in a loop, as they would
  // on REBALANCE_IN_PROGRESS), the old assignments are dropped and the
  // group rebalances. Growth being stored is counted as held until applied.
  int64_t growth = 0;
  for (const auto& mm : g->members()) {
    growth += static_cast<int64_t>(assignment[mm->member_id].size()) -
              static_cast<int64_t>(mm->assignment().size());
  }
  if (growth > 0 && member_memory_full(0, static_cast<size_t>(growth), g->id(), m.client_id, "an assignment")) {
    reset_and_propagate_assignment_error(*g, errc::unknown_server_error, now_ms);
    maybe_prepare_rebalance(*g, now_ms, "the leader's assignment would pass group.classic.member.metadata.max.bytes");
    return;
  }
  growth = std::max<int64_t>(growth, 0);
  assignments_in_flight_ += growth;
  const std::string gid = g->id();
  const int32_t generation = g->generation_id;
  store_group(*g, &assignment, [this, gid, generation, assignment, growth](int16_t err) {
    answer_scope scope(*this);
    assignments_in_flight_ -= growth;
    group_metadata* grp = lookup(gid);
    // The group may have moved on while the write was in flight.
    if (grp == nullptr || !grp->is(group_state::completing_rebalance) || grp->generation_id != generation) return;
    if (err != errc::none) {
      reset_and_propagate_assignment_error(*grp, err, now_ms_);
      maybe_prepare_rebalance(*grp, now_ms_, std::string("storing the assignment failed: ") +
                                                 std::string(errc::name(err)));
      return;
    }
    for (const auto& mm : grp->members()) {
      auto it = assignment.find(mm->member_id);
      mm->set_assignment(it == assignment.end() ? bytes{} : it->second);
    }
    propagate_assignment(*grp, errc::none, now_ms_);
    grp->transition_to(group_state::stable, now_ms_);
    spdlog::info("group {}: generation {}, members {} — stable, assignments sent", gid, generation,
                 member_list(*grp));
  });
}

void coordinator::reset_and_propagate_assignment_error(group_metadata& g, int16_t error, int64_t now_ms) {
  for (const auto& m : g.members()) m->set_assignment({});
  propagate_assignment(g, error, now_ms);
}

void coordinator::propagate_assignment(group_metadata& g, int16_t error, int64_t now_ms) {
  for (const auto& m : g.members()) {
    if (!m->awaiting_sync) continue;
    answer_sync(*m, error == errc::none ? sync_result{errc::none, g.protocol_type, g.protocol_name, m->assignment()}
                                        : sync_error(error));
    // Expiry is suspended while a member waits; restart its session clock.
    schedule_heartbeat(*m, now_ms, m->session_timeout_ms);
  }
}

int16_t coordinator::heartbeat(const heartbeat_request& req, int64_t now_ms) {
  advance(now_ms);
  if (auto err = validate_status(req.group_id, false)) {
    // While loading the coordinator knows nothing to object to.
    return *err == errc::coordinator_load_in_progress ? errc::none : *err;
  }
  group_metadata* g = lookup(req.group_id);
  if (g == nullptr) return errc::unknown_member_id;
  if (g->is(group_state::dead)) return errc::coordinator_not_available;
  if (g->is_static_member_fenced(req.group_instance_id, req.member_id)) return errc::fenced_instance_id;
  member* m = g->get(req.member_id);
  if (m == nullptr) return errc::unknown_member_id;
  if (req.generation_id != g->generation_id) return errc::illegal_generation;
  switch (g->state()) {
    case group_state::empty:
    case group_state::dead:
      return errc::unknown_member_id;
    case group_state::completing_rebalance:
    case group_state::stable:
      schedule_heartbeat(*m, now_ms, m->session_timeout_ms);
      return errc::none;
    case group_state::preparing_rebalance:
      schedule_heartbeat(*m, now_ms, m->session_timeout_ms);
      return errc::rebalance_in_progress;
  }
  return errc::unknown_server_error;
}

leave_result coordinator::leave(const std::string& group_id, const std::vector<leave_member>& members,
                                int64_t now_ms) {
  answer_scope scope(*this);
  advance(now_ms);
  leave_result r;
  if (auto err = validate_status(group_id, false)) {
    r.error = *err;
    return r;
  }
  group_metadata* g = lookup(group_id);
  if (g != nullptr && g->is(group_state::dead)) {
    r.error = errc::coordinator_not_available;
    return r;
  }
  for (const auto& lm : members) {
    leave_member_result mr{lm.member_id, lm.group_instance_id, errc::none};
    const std::string name = who(lm.member_id, lm.group_instance_id);
    const std::string reason = name + " left" + (lm.reason ? " (" + *lm.reason + ")" : "");
    if (g == nullptr) {
      mr.error = errc::unknown_member_id;
    } else if (lm.member_id.empty()) {
      // Removal by instance id alone (admin tools, v3+).
      auto current = lm.group_instance_id ? g->static_member_id(*lm.group_instance_id) : std::nullopt;
      if (current) {
        remove_member_and_update_group(*g, *current, now_ms, reason);
      } else {
        mr.error = errc::unknown_member_id;
      }
    } else if (g->is_pending_member(lm.member_id)) {
      spdlog::debug("group {}: pending member {} left", g->id(), lm.member_id);
      remove_pending_member_and_update_group(*g, lm.member_id, now_ms);
    } else if (auto err = validate_current_member(*g, lm.member_id, lm.group_instance_id)) {
      mr.error = *err;
    } else {
      remove_member_and_update_group(*g, lm.member_id, now_ms, reason);
    }
    r.members.push_back(std::move(mr));
  }
  return r;
}

void coordinator::expire_heartbeats(group_metadata& g, int64_t now_ms) {
  std::vector<std::string> expired;
  for (const auto& m : g.members()) {
    if (m->heartbeat_deadline_ms > now_ms) continue;
    // Members waiting in a rebalance count as alive; the rebalance and sync
    // deadlines bound them instead. New members cannot heartbeat at all.
    if (m->is_new || !(m->is_awaiting_join() || m->is_awaiting_sync())) {
      expired.push_back(m->member_id);
    } else {
      m->heartbeat_deadline_ms = no_deadline;
    }
  }
  for (const auto& id : expired) {
    const member* m = g.get(id);
    if (m == nullptr) continue;
    const std::string name = who(id, m->group_instance_id);
    spdlog::info("group {}: member {} failed: no heartbeat within its session timeout", g.id(), id);
    remove_member_and_update_group(g, id, now_ms, name + "'s session expired");
  }
  std::vector<std::string> pending_expired;
  for (const auto& [id, deadline] : g.pending_members) {
    if (deadline <= now_ms) pending_expired.push_back(id);
  }
  for (const auto& id : pending_expired) {
    spdlog::debug("group {}: pending member {} never rejoined; dropped", g.id(), id);
    remove_pending_member_and_update_group(g, id, now_ms);
  }
}

void coordinator::expire_pending_sync(group_metadata& g, int64_t now_ms) {
  if (g.sync_deadline_ms > now_ms) return;
  g.sync_deadline_ms = no_deadline;
  if (!(g.is(group_state::completing_rebalance) || g.is(group_state::stable)) || g.pending_sync_members.empty()) {
    return;
  }
  std::string ids;
  const std::vector<std::string> late(g.pending_sync_members.begin(), g.pending_sync_members.end());
  for (const auto& id : late) {
    ids += (ids.empty() ? "" : ",") + id;
    g.remove(id);
  }
  prepare_rebalance(g, now_ms, "members " + ids + " did not send SyncGroup in time");
}

}  // namespace samsa::group
