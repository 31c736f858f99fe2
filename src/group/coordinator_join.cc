// JoinGroup and the rebalance machinery: new, pending, static and current
// members joining; preparing and completing a rebalance; removing members.
#include <spdlog/spdlog.h>

#include <cstdint>

#include "group/coordinator.h"
#include "group/errors.h"
#include "group/id_bounds.h"

namespace samsa::group {

namespace {

join_result join_error(int16_t error, std::string member_id) {
  join_result r;
  r.error = error;
  r.member_id = std::move(member_id);
  return r;
}

bool accept_joining_member(const group_metadata& g, const std::string& member_id, int32_t max_size) {
  const auto limit = static_cast<size_t>(max_size);
  switch (g.state()) {
    case group_state::empty:
    case group_state::dead:
      return true;
    case group_state::preparing_rebalance: {
      const member* m = g.get(member_id);
      return (m != nullptr && m->is_awaiting_join()) || g.members_awaiting_join() < limit;
    }
    case group_state::completing_rebalance:
    case group_state::stable:
      return g.has(member_id) || g.size() < limit;
  }
  return false;
}

}  // namespace

void coordinator::join(join_request req, int64_t now_ms, join_callback done) {
  answer_scope scope(*this);
  advance(now_ms);
  if (auto err = validate_status(req.group_id, false)) return done(join_error(*err, req.member_id));
  if (req.session_timeout_ms < config_.min_session_timeout_ms ||
      req.session_timeout_ms > config_.max_session_timeout_ms) {
    return done(join_error(errc::invalid_session_timeout, req.member_id));
  }
  const bool unknown_member = req.member_id.empty();
  group_metadata* g = lookup(req.group_id);
  if (g == nullptr) {
    // Only a new member may create a group; a known id means the group was lost.
    if (!unknown_member) return done(join_error(errc::unknown_member_id, req.member_id));
    if (auto refused = creation_refusal(req.group_id, req.client_id)) return done(join_error(*refused, req.member_id));
    g = &get_or_create(req.group_id, now_ms);
  }
  if (!accept_joining_member(*g, req.member_id, config_.max_group_size)) {
    spdlog::info("group {}: refusing member {}: group is at its maximum size {}", g->id(),
                 unknown_member ? req.client_id : req.member_id, config_.max_group_size);
    return done(join_error(errc::group_max_size_reached, req.member_id));
  }
  if (unknown_member) {
    new_member_join(*g, req, now_ms, done);
  } else {
    current_member_join(*g, req, now_ms, done);
  }
  // A member refused for memory may have left a group holding nothing,
  // which is then forgotten (forget_if_bare): look it up again.
  g = lookup(req.group_id);
  if (g != nullptr && g->is(group_state::preparing_rebalance)) maybe_complete_join(*g, now_ms);
}

bool coordinator::member_memory_full(size_t before, size_t after, const std::string& group_id,
                                     const std::string& client_id, const char* what) {
  if (after <= before) return false;
  const int64_t more = static_cast<int64_t>(after - before);
  if (static_cast<int64_t>(member_usage_.bytes) + assignments_in_flight_ + more <= config_.member_metadata_max_bytes) {
    return false;
  }
  // One line per minute at most, as for offsets.
  if (now_ms_ - last_member_refusal_log_ms_ >= 60000 || last_member_refusal_log_ms_ == 0) {
    last_member_refusal_log_ms_ = now_ms_;
    spdlog::warn("group {}: refusing {} of client {} that would hold {} more bytes: {} classic members hold "
                 "{} bytes, group.classic.member.metadata.max.bytes is {}",
                 utf8_prefix(group_id, max_logged_id_bytes), what, utf8_prefix(client_id, max_logged_id_bytes), more,
                 member_usage_.members, member_usage_.bytes, config_.member_metadata_max_bytes);
  }
  return true;
}

void coordinator::new_member_join(group_metadata& g, join_request& req, int64_t now_ms, join_callback& done) {
  if (g.is(group_state::dead)) return done(join_error(errc::coordinator_not_available, ""));
  if (!g.supports_protocols(req.protocol_type, req.protocols)) {
    return done(join_error(errc::inconsistent_group_protocol, ""));
  }
  const std::string new_id = new_member_id(req.client_id);
  if (req.group_instance_id) return static_member_join(g, req, new_id, now_ms, done);
  if (req.require_known_member_id) {
    if (pending_member_count() >= static_cast<size_t>(config_.max_pending_members)) {
      spdlog::info("group {}: refusing a new member of client {}: {} members are waiting to rejoin "
                   "(group.max.pending.members)",
                   utf8_prefix(g.id(), max_logged_id_bytes), utf8_prefix(req.client_id, max_logged_id_bytes), config_.max_pending_members);
      return done(join_error(errc::group_max_size_reached, ""));
    }
    // The client must come back with this id; until then it is only pending,
    // which holds up a rebalance in progress but is not a member yet.
    g.pending_members[new_id] = note_deadline(now_ms + req.session_timeout_ms);
    spdlog::debug("group {}: new member {} must rejoin with its assigned id", g.id(), new_id);
    return done(join_error(errc::member_id_required, new_id));
  }
  add_member_and_rebalance(g, req, new_id, now_ms, std::move(done), "member " + new_id + " joined");
}

void coordinator::static_member_join(group_metadata& g, join_request& req, const std::string& new_id,
                                     int64_t now_ms, join_callback& done) {
  const std::string& instance = *req.group_instance_id;
  const auto old_id = g.static_member_id(instance);
  if (!old_id || g.get(*old_id) == nullptr) {
    add_member_and_rebalance(g, req, new_id, now_ms, std::move(done), "static member " + instance + " joined");
    return;
  }
  spdlog::info("group {}: static member {} rejoined; member id {} replaces {}", g.id(), instance, new_id, *old_id);
  const std::string old_leader = g.leader_id.value_or("");
  member* m = g.get(*old_id);
  if (member_memory_full(m->counted(), m->cost_with(new_id, req.protocols), g.id(), req.client_id)) {
    return done(join_error(errc::group_max_size_reached, ""));  // the old member stays as it was
  }
  const auto old_protocols = m->protocols();
  const int32_t old_rebalance_timeout = m->rebalance_timeout_ms;
  const int32_t old_session_timeout = m->session_timeout_ms;
  fence(g, instance, *old_id, new_id);
  m->set_protocols(req.protocols);
  m->rebalance_timeout_ms = req.rebalance_timeout_ms;
  m->session_timeout_ms = req.session_timeout_ms;
  m->awaiting_join = std::move(done);
  // The old id's session is over; the new one starts now.
  schedule_heartbeat(*m, now_ms, m->session_timeout_ms);

  switch (g.state()) {
    case group_state::stable: {
      if (g.protocol_name && g.select_protocol() == *g.protocol_name) {
        // Nothing the assignment depends on changed: persist the new member id
        // and hand back the current generation without a rebalance.
        const std::string gid = g.id();
        const bool skip = req.supports_skip_assignment;
        const std::string old = *old_id;
        store_group(g, nullptr, [this, gid, instance, old, new_id, old_protocols, old_rebalance_timeout,
                                 old_session_timeout, old_leader, skip](int16_t err) {
          answer_scope scope(*this);
          group_metadata* grp = lookup(gid);
          if (grp == nullptr) return;
          member* mm = grp->get(new_id);
          if (mm == nullptr) return;
          if (err != errc::none) {
            spdlog::warn("group {}: could not persist static member {}: {}; reverting", gid, instance,
                         errc::name(err));
            join_result r = join_error(err, "");
            r.generation_id = grp->generation_id;
            r.protocol_type = grp->protocol_type;
            r.protocol_name = grp->protocol_name;
            r.leader_id = old_leader;
            answer_join(*mm, std::move(r));
            mm->set_protocols(old_protocols);
            mm->rebalance_timeout_ms = old_rebalance_timeout;
            mm->session_timeout_ms = old_session_timeout;
            fence(*grp, instance, new_id, old);
            schedule_heartbeat(*mm, now_ms_, mm->session_timeout_ms);
            return;
          }
          const bool leader = grp->is_leader(new_id);
          join_result r = current_generation_result(*grp, *mm, skip && leader);
          if (skip) {
            r.skip_assignment = leader;
          } else {
            // Older clients would run the assignor and their new assignment
            // would be ignored by a stable group: keep them from leading.
            r.leader_id = old_leader;
          }
          answer_join(*mm, std::move(r));
        });
      } else {
        maybe_prepare_rebalance(g, now_ms, "static member " + instance + " rejoined with different protocols");
      }
      break;
    }
    case group_state::completing_rebalance:
      // The leader may already be assigning for the old member id.
      prepare_rebalance(g, now_ms, "static member " + instance + " rejoined during the assignment");
      break;
    case group_state::preparing_rebalance:
    case group_state::empty:
    case group_state::dead:
      break;
  }
}

void coordinator::current_member_join(group_metadata& g, join_request& req, int64_t now_ms, join_callback& done) {
  if (g.is(group_state::dead)) return done(join_error(errc::coordinator_not_available, req.member_id));
  if (!g.supports_protocols(req.protocol_type, req.protocols)) {
    return done(join_error(errc::inconsistent_group_protocol, req.member_id));
  }
  if (g.is_pending_member(req.member_id)) {
    const std::string id = req.member_id;
    add_member_and_rebalance(g, req, id, now_ms, std::move(done), "member " + id + " joined");
    return;
  }
  if (auto err = validate_current_member(g, req.member_id, req.group_instance_id)) {
    return done(join_error(*err, req.member_id));
  }
  member& m = *g.get(req.member_id);
  const std::string who = m.group_instance_id.value_or(m.member_id);
  switch (g.state()) {
    case group_state::preparing_rebalance:
      update_member_and_rebalance(g, m, req, now_ms, std::move(done), "member " + who + " rejoined");
      break;
    case group_state::completing_rebalance:
      if (m.matches(req.protocols)) {
        done(current_generation_result(g, m, g.is_leader(m.member_id)));
      } else {
        update_member_and_rebalance(g, m, req, now_ms, std::move(done),
                                    "member " + who + " changed its protocols");
      }
      break;
    case group_state::stable:
      if (g.is_leader(m.member_id) || !m.matches(req.protocols)) {
        const bool leader = g.is_leader(m.member_id);
        update_member_and_rebalance(g, m, req, now_ms, std::move(done),
                                    leader ? "leader " + who + " rejoined" : "member " + who + " changed its protocols");
      } else {
        done(current_generation_result(g, m, false));
      }
      break;
    case group_state::empty:
    case group_state::dead:
      done(join_error(errc::unknown_member_id, req.member_id));
      break;
  }
}

join_result coordinator::current_generation_result(const group_metadata& g, const member& m,
                                                   bool with_members) const {
  join_result r;
  r.member_id = m.member_id;
  r.generation_id = g.generation_id;
  r.protocol_type = g.protocol_type;
  r.protocol_name = g.protocol_name;
  r.leader_id = g.leader_id.value_or("");
  if (with_members) r.members = g.current_member_metadata();
  return r;
}

void coordinator::add_member_and_rebalance(group_metadata& g, const join_request& req, const std::string& member_id,
                                           int64_t now_ms, join_callback done, const std::string& reason) {
  const size_t cost = member::cost(member_id, req.group_instance_id, req.client_id, req.client_host,
                                   req.protocol_type, req.protocols, 0);
  if (member_memory_full(0, cost, g.id(), req.client_id)) {
    // A refused pending member is dropped (it would otherwise hold up a
    // rebalance until its session ends); a group this leaves holding nothing
    // (one the refused member's first join made) is forgotten.
    const bool pending = g.is_pending_member(member_id);
    if (pending) remove_pending_member_and_update_group(g, member_id, now_ms);
    done(join_error(errc::group_max_size_reached, pending ? member_id : ""));
    forget_if_bare(g.id());  // g may be gone from here on
    return;
  }
  auto m = std::make_unique<member>();
  m->member_id = member_id;
  m->group_instance_id = req.group_instance_id;
  m->client_id = req.client_id;
  m->client_host = req.client_host;
  m->rebalance_timeout_ms = req.rebalance_timeout_ms;
  m->session_timeout_ms = req.session_timeout_ms;
  m->protocol_type = req.protocol_type;
  m->set_protocols(req.protocols);
  m->awaiting_join = std::move(done);
  m->is_new = true;
  if (g.is(group_state::preparing_rebalance) && g.generation_id == 0) g.new_member_added = true;
  member& added = g.add(std::move(m));
  if (req.group_instance_id) g.set_static_member(*req.group_instance_id, member_id);
  // A new member cannot heartbeat until its join completes; bound how long a
  // vanished one can hold up the rebalance.
  schedule_heartbeat(added, now_ms, config_.new_member_join_timeout_ms);
  maybe_prepare_rebalance(g, now_ms, reason);
}

void coordinator::update_member_and_rebalance(group_metadata& g, member& m, const join_request& req,
                                              int64_t now_ms, join_callback done, const std::string& reason) {
  if (member_memory_full(m.counted(), m.cost_with(m.member_id, req.protocols), g.id(), req.client_id)) {
    // The member keeps what it offered before, and any JoinGroup it has
    // waiting; this one is refused.
    return done(join_error(errc::group_max_size_reached, m.member_id));
  }
  // A second JoinGroup from the same member supersedes the first; answer the
  // first so its connection is not left waiting.
  answer_join(m, join_error(errc::rebalance_in_progress, m.member_id));
  m.set_protocols(req.protocols);
  m.rebalance_timeout_ms = req.rebalance_timeout_ms;
  m.session_timeout_ms = req.session_timeout_ms;
  m.awaiting_join = std::move(done);
  maybe_prepare_rebalance(g, now_ms, reason);
}

void coordinator::maybe_prepare_rebalance(group_metadata& g, int64_t now_ms, const std::string& reason) {
  if (g.is(group_state::stable) || g.is(group_state::completing_rebalance) || g.is(group_state::empty)) {
    prepare_rebalance(g, now_ms, reason);
  }
}

void coordinator::prepare_rebalance(group_metadata& g, int64_t now_ms, const std::string& reason) {
  if (g.is(group_state::completing_rebalance)) {
    reset_and_propagate_assignment_error(g, errc::rebalance_in_progress, now_ms);
  }
  g.sync_deadline_ms = no_deadline;
  const bool was_empty = g.is(group_state::empty);
  if (!g.transition_to(group_state::preparing_rebalance, now_ms)) return;
  spdlog::info("group {}: generation {}, members {} — rebalance because {}", g.id(), g.generation_id,
               member_list(g), reason);
  if (was_empty && config_.initial_rebalance_delay_ms > 0) {
    // Give the other consumers of a freshly started application a moment to
    // join, so the first generation does not get rebalanced at once.
    const int64_t delay = config_.initial_rebalance_delay_ms;
    g.initial_delay_active = true;
    g.join_deadline_ms = note_deadline(now_ms + delay);
    g.initial_delay_remaining_ms = std::max<int64_t>(g.rebalance_timeout_ms() - delay, 0);
    return;
  }
  g.initial_delay_active = false;
  g.join_deadline_ms = note_deadline(now_ms + g.rebalance_timeout_ms());
  maybe_complete_join(g, now_ms);
}

void coordinator::maybe_complete_join(group_metadata& g, int64_t now_ms) {
  if (g.is(group_state::preparing_rebalance) && !g.initial_delay_active && g.all_members_joined()) {
    complete_join(g, now_ms);
  }
}

void coordinator::complete_join(group_metadata& g, int64_t now_ms) {
  g.join_deadline_ms = no_deadline;
  g.initial_delay_active = false;
  std::vector<std::string> dropped;
  for (const auto& id : g.not_yet_rejoined_members()) {
    member* m = g.get(id);
    if (m->is_static()) continue;  // a restarting static member keeps its place
    dropped.push_back(id);
    answer_sync(*m, sync_result{errc::unknown_member_id, std::nullopt, std::nullopt, {}});
    g.remove(id);
  }
  if (!dropped.empty()) {
    std::string ids;
    for (const auto& d : dropped) ids += (ids.empty() ? "" : ",") + d;
    spdlog::info("group {}: removed members that did not rejoin in time: {}", g.id(), ids);
  }
  if (g.is(group_state::dead)) return;
  if (!g.maybe_elect_new_joined_leader() && g.size() > 0) {
    // Only static members that have not come back: wait another round for
    // them to return or for their sessions to expire.
    spdlog::warn("group {}: no member rejoined; waiting another rebalance timeout", g.id());
    g.join_deadline_ms = note_deadline(now_ms + g.rebalance_timeout_ms());
    return;
  }
  // A generation stored at INT32_MAX (a replayed record can hold any value)
  // starts again at 1 rather than overflowing (found by group_codec_fuzz).
  g.generation_id = g.generation_id == INT32_MAX ? 1 : g.generation_id + 1;
  g.pending_sync_members.clear();
  if (g.size() == 0) {
    g.protocol_name.reset();
    g.compute_subscribed_topics();
    g.transition_to(group_state::empty, now_ms);
    spdlog::info("group {}: generation {}, no members — group is empty", g.id(), g.generation_id);
    const std::string gid = g.id();
    store_group(g, nullptr, [gid](int16_t err) {
      if (err != errc::none) spdlog::warn("group {}: could not persist empty generation: {}", gid, errc::name(err));
    });
    return;
  }
  g.protocol_name = g.select_protocol();
  g.compute_subscribed_topics();
  g.transition_to(group_state::completing_rebalance, now_ms);
  spdlog::info("group {}: generation {}, members {} — joined; leader {}, protocol {}", g.id(), g.generation_id,
               member_list(g), g.leader_id.value_or(""), g.protocol_name.value_or(""));
  for (const auto& m : g.members()) {
    answer_join(*m, current_generation_result(g, *m, g.is_leader(m->member_id)));
    schedule_heartbeat(*m, now_ms, m->session_timeout_ms);
    m->is_new = false;
    g.pending_sync_members.insert(m->member_id);
  }
  g.sync_deadline_ms = note_deadline(now_ms + g.rebalance_timeout_ms());
}

void coordinator::remove_member_and_update_group(group_metadata& g, const std::string& member_id, int64_t now_ms,
                                                 const std::string& reason) {
  member* m = g.get(member_id);
  if (m == nullptr) return;
  // A new member may time out while its JoinGroup waits; tell it to start over.
  answer_join(*m, join_error(errc::unknown_member_id, ""));
  answer_sync(*m, sync_result{errc::unknown_member_id, std::nullopt, std::nullopt, {}});
  g.remove(member_id);
  switch (g.state()) {
    case group_state::stable:
    case group_state::completing_rebalance:
      maybe_prepare_rebalance(g, now_ms, reason);
      break;
    case group_state::preparing_rebalance:
      maybe_complete_join(g, now_ms);
      break;
    case group_state::empty:
    case group_state::dead:
      break;
  }
}

void coordinator::remove_pending_member_and_update_group(group_metadata& g, const std::string& member_id,
                                                         int64_t now_ms) {
  g.pending_members.erase(member_id);
  maybe_complete_join(g, now_ms);
}

void coordinator::fence(group_metadata& g, const std::string& instance, const std::string& old_id,
                        const std::string& new_id) {
  if (member* m = g.get(old_id)) {
    // Whoever still waits under the old id is a duplicate of this instance.
    answer_join(*m, join_error(errc::fenced_instance_id, old_id));
    answer_sync(*m, sync_result{errc::fenced_instance_id, std::nullopt, std::nullopt, {}});
  }
  g.replace_static_member(instance, old_id, new_id);
}

void coordinator::schedule_heartbeat(member& m, int64_t now_ms, int64_t timeout_ms) const {
  m.heartbeat_deadline_ms = note_deadline(now_ms + timeout_ms);
}

}  // namespace samsa::group
