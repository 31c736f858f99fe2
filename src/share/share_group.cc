#include "share/share_group.h"

#include "share/share_assignor.h"

#include <algorithm>
#include <set>

namespace samsa::share {

namespace {

std::vector<std::string> normalized(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace

heartbeat_result share_group::heartbeat(const heartbeat_request& request, const topic_partitions& topics,
                                        const group_settings& settings, int64_t now_ms) {
  heartbeat_result result;
  if (request.member_id.empty()) {
    return {error_code::invalid_request, "MemberId can't be empty.", 0, {}};
  }
  if (request.member_epoch < -1) {
    return {error_code::invalid_request, "MemberEpoch is invalid.", 0, {}};
  }
  auto it = members_.find(request.member_id);
  bool changed = false;
  if (request.member_epoch == -1) {
    if (it == members_.end()) {
      return {error_code::unknown_member_id, "Member " + request.member_id + " is not in group " + id_ + ".", 0, {}};
    }
    members_.erase(it);
    rebalance(topics);
    return {error_code::none, "", -1, {}};
  }
  if (request.member_epoch == 0) {
    if (!request.subscribed || request.subscribed->empty()) {
      return {error_code::invalid_request, "SubscribedTopicNames must be set in first request.", 0, {}};
    }
    if (it == members_.end()) {
      if (static_cast<int32_t>(members_.size()) >= settings.max_size) {
        return {error_code::group_max_size_reached,
                "The share group has reached its maximum capacity of " + std::to_string(settings.max_size) +
                    " members.",
                0,
                {}};
      }
      it = members_.emplace(request.member_id, member{}).first;
      it->second.id = request.member_id;
    }
    changed = true;  // a (re)join always gets a fresh epoch and assignment
  } else {
    if (it == members_.end()) {
      return {error_code::unknown_member_id, "Member " + request.member_id + " is not in group " + id_ + ".", 0, {}};
    }
    if (request.member_epoch != it->second.epoch) {
      return {error_code::fenced_member_epoch,
              "The share group member has a stale member epoch " + std::to_string(request.member_epoch) +
                  "; the current one is " + std::to_string(it->second.epoch) + ".",
              0,
              {}};
    }
  }
  member& m = it->second;
  if (request.subscribed) {
    auto subs = normalized(*request.subscribed);
    if (subs != m.subscribed) {
      m.subscribed = std::move(subs);
      changed = true;
    }
  }
  if (request.rack) m.rack = request.rack;
  m.client_id = request.client_id;
  m.client_host = request.client_host;
  m.session_deadline_ms = now_ms + settings.session_timeout_ms;
  // A subscribed topic that appeared, vanished or grew changes the assignment too.
  topic_partitions now_seen;
  for (const auto& t : subscribed_topics()) {
    auto ti = topics.find(t);
    if (ti != topics.end()) now_seen[t] = ti->second;
  }
  if (changed || now_seen != seen_partitions_) rebalance(topics);
  // The member catches up with the group epoch (and its target assignment).
  m.epoch = group_epoch_;
  result.member_epoch = m.epoch;
  result.assigned = m.assigned;
  return result;
}

void share_group::rebalance(const topic_partitions& topics) {
  ++group_epoch_;
  seen_partitions_.clear();
  for (const auto& t : subscribed_topics()) {
    auto ti = topics.find(t);
    if (ti != topics.end()) seen_partitions_[t] = ti->second;
  }
  auto target = assign(members_, topics);
  for (auto& [id, m] : members_) m.assigned = std::move(target[id]);
  assignment_epoch_ = group_epoch_;
}

std::vector<std::string> share_group::expire_members(int64_t now_ms, const topic_partitions& topics) {
  std::vector<std::string> gone;
  for (auto it = members_.begin(); it != members_.end();) {
    if (it->second.session_deadline_ms <= now_ms) {
      gone.push_back(it->first);
      it = members_.erase(it);
    } else {
      ++it;
    }
  }
  if (!gone.empty()) rebalance(topics);
  return gone;
}

std::optional<int64_t> share_group::next_session_deadline() const {
  std::optional<int64_t> best;
  for (const auto& [id, m] : members_) {
    if (!best || m.session_deadline_ms < *best) best = m.session_deadline_ms;
  }
  return best;
}

std::vector<std::string> share_group::subscribed_topics() const {
  std::set<std::string> all;
  for (const auto& [id, m] : members_) all.insert(m.subscribed.begin(), m.subscribed.end());
  return {all.begin(), all.end()};
}

bool share_group::restore(int32_t group_epoch, std::vector<member> members, const topic_partitions& topics) {
  members_.clear();
  for (auto& m : members) members_[m.id] = std::move(m);
  group_epoch_ = group_epoch;
  seen_partitions_.clear();
  for (const auto& t : subscribed_topics()) {
    auto ti = topics.find(t);
    if (ti != topics.end()) seen_partitions_[t] = ti->second;
  }
  // Members keep their epochs and assignments; the assignor (sticky) leaves
  // a balanced assignment of unchanged topics as it is.
  auto target = assign(members_, topics);
  bool changed = false;
  for (auto& [id, m] : members_) changed |= target[id] != m.assigned;
  if (changed) {
    ++group_epoch_;
    for (auto& [id, m] : members_) m.assigned = std::move(target[id]);
  }
  assignment_epoch_ = group_epoch_;
  return changed;
}

}  // namespace samsa::share
