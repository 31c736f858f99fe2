#include "http/group_history.h"

#include <algorithm>

#include "group/member.h"
#include "http/consumer_assignment.h"

namespace samsa::http {

using group::group_state;

group_history::group_record& group_history::record_for(const std::string& id, int64_t now_ms) {
  auto it = groups_.find(id);
  if (it == groups_.end()) {
    if (groups_.size() >= limits_.groups) {
      // Full: forget the group that changed longest ago.
      auto oldest = std::min_element(groups_.begin(), groups_.end(), [](const auto& a, const auto& b) {
        return a.second.touched_ms < b.second.touched_ms;
      });
      forget(oldest);
    }
    it = groups_.emplace(id, group_record{}).first;
  }
  it->second.touched_ms = now_ms;
  return it->second;
}

void group_history::forget(std::map<std::string, group_record>::iterator it) {
  series_ -= it->second.partition_lag.size();
  groups_.erase(it);
}

void group_history::push(group_record& r, rebalance_entry e) {
  r.rebalances.push_back(std::move(e));
  while (r.rebalances.size() > limits_.rebalances_per_group) r.rebalances.pop_front();
}

namespace {

std::vector<std::string> difference(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::set<std::string> in_b(b.begin(), b.end());
  std::vector<std::string> out;
  for (const auto& x : a)
    if (!in_b.count(x)) out.push_back(x);
  return out;
}

}  // namespace

void group_history::on_transition(const group::group_metadata& g, group_state from, int64_t now_ms) {
  const group_state to = g.state();
  if (to == group_state::dead) {
    if (auto it = groups_.find(g.id()); it != groups_.end()) forget(it);
    return;
  }
  group_record& r = record_for(g.id(), now_ms);
  auto open_entry = [&r, &g]() -> rebalance_entry* {
    if (r.rebalances.empty()) return nullptr;
    auto& last = r.rebalances.back();
    return last.generation == g.generation_id && !last.ended_ms ? &last : nullptr;
  };

  if (to == group_state::preparing_rebalance) {
    if (from == group_state::completing_rebalance) {
      // A member joined or left before everyone synced: this generation
      // never became stable.
      if (auto* e = open_entry()) {
        e->ended_ms = now_ms;
        e->outcome = "restarted";
      }
    }
    if (!r.rebalance_started_ms) r.rebalance_started_ms = now_ms;
    ++r.rebalances_total;
    return;
  }

  if (to == group_state::completing_rebalance || (to == group_state::empty && from == group_state::preparing_rebalance)) {
    rebalance_entry e;
    e.generation = g.generation_id;
    e.started_ms = r.rebalance_started_ms.value_or(now_ms);
    e.joined_ms = now_ms;
    for (const auto& m : g.members()) e.members.push_back(m->member_id);
    std::sort(e.members.begin(), e.members.end());
    e.joined = difference(e.members, r.last_members);
    e.left = difference(r.last_members, e.members);
    r.last_members = e.members;
    r.rebalance_started_ms.reset();
    if (to == group_state::empty) {
      e.ended_ms = now_ms;
      e.outcome = "empty";
      for (const auto& [tp, owner] : r.last_owner) e.moved.push_back({tp, owner, ""});
      r.last_owner.clear();
    }
    push(r, std::move(e));
    return;
  }

  if (to == group_state::stable && from == group_state::completing_rebalance) {
    rebalance_entry* e = open_entry();
    if (!e) return;  // history began mid-rebalance (or was trimmed)
    std::map<group::topic_partition, std::string> owner;
    for (const auto& m : g.members()) {
      auto decoded = decode_consumer_assignment(m->assignment());
      if (!decoded) continue;  // not the consumer protocol: no partitions to show
      auto& mine = e->assignment[m->member_id];
      for (const auto& t : *decoded) {
        for (int32_t p : t.partitions) {
          group::topic_partition tp{t.topic, p};
          mine.push_back(tp);
          owner[tp] = m->member_id;
        }
      }
    }
    for (const auto& [tp, to_member] : owner) {
      auto before = r.last_owner.find(tp);
      std::string from_member = before == r.last_owner.end() ? "" : before->second;
      if (from_member != to_member) e->moved.push_back({tp, from_member, to_member});
    }
    for (const auto& [tp, from_member] : r.last_owner)
      if (!owner.count(tp)) e->moved.push_back({tp, from_member, ""});
    r.last_owner = std::move(owner);
    e->ended_ms = now_ms;
    e->outcome = "stable";
  }
}

void group_history::observe_epoch(const std::string& group_id, int64_t now_ms, int32_t group_epoch,
                                  const std::map<std::string, std::vector<group::topic_partition>>& assignment,
                                  bool reconciled) {
  group_record& r = record_for(group_id, now_ms);
  std::vector<std::string> members;
  for (const auto& [m, _] : assignment) members.push_back(m);  // sorted: a map's keys
  if (r.seen_epoch != group_epoch) {
    // A new epoch: the one before, if still open, was overtaken.
    if (!r.rebalances.empty() && !r.rebalances.back().ended_ms) {
      r.rebalances.back().ended_ms = now_ms;
      r.rebalances.back().outcome = "restarted";
    }
    r.seen_epoch = group_epoch;
    ++r.rebalances_total;
    rebalance_entry e;
    e.generation = group_epoch;
    e.started_ms = now_ms;
    e.members = members;
    e.joined = difference(members, r.last_members);
    e.left = difference(r.last_members, members);
    r.last_members = members;
    push(r, std::move(e));
  }
  if (r.rebalances.empty()) return;
  rebalance_entry& open = r.rebalances.back();
  if (open.ended_ms || !reconciled) return;
  open.ended_ms = now_ms;
  open.members = members;
  open.outcome = members.empty() ? "empty" : "stable";
  std::map<group::topic_partition, std::string> owner;
  for (const auto& [m, tps] : assignment)
    for (const auto& tp : tps) owner[tp] = m;
  for (const auto& [tp, m] : owner) {
    auto before = r.last_owner.find(tp);
    if (before == r.last_owner.end() || before->second != m)
      open.moved.push_back({tp, before == r.last_owner.end() ? "" : before->second, m});
  }
  for (const auto& [tp, m] : r.last_owner)
    if (!owner.count(tp)) open.moved.push_back({tp, m, ""});
  open.assignment = assignment;
  r.last_owner = std::move(owner);
}

void group_history::sample_lag(const std::string& group_id, int64_t time_ms,
                               const std::vector<partition_lag_point>& partitions) {
  group_record& r = record_for(group_id, time_ms);
  // A partition the group no longer has (its topic deleted) stops being drawn.
  for (auto it = r.partition_lag.begin(); it != r.partition_lag.end();) {
    bool present = std::any_of(partitions.begin(), partitions.end(),
                               [&](const partition_lag_point& p) { return p.partition == it->first; });
    if (present) {
      ++it;
    } else {
      it = r.partition_lag.erase(it);
      --series_;
    }
  }
  lag_sample total{time_ms, 0, 0};
  for (const auto& p : partitions) {
    total.lag += p.lag;
    total.lag_seconds = std::max(total.lag_seconds, p.lag_seconds);
    auto it = r.partition_lag.find(p.partition);
    if (it == r.partition_lag.end()) {
      if (series_ >= limits_.partition_series) continue;  // the total still counts it
      it = r.partition_lag.emplace(p.partition, std::deque<lag_sample>{}).first;
      ++series_;
    }
    it->second.push_back({time_ms, p.lag, p.lag_seconds});
    while (it->second.size() > limits_.samples_per_group) it->second.pop_front();
  }
  r.last_partition_lag = partitions;
  r.lag.push_back(total);
  while (r.lag.size() > limits_.samples_per_group) r.lag.pop_front();
}

void group_history::keep_only(const std::set<std::string>& existing) {
  for (auto it = groups_.begin(); it != groups_.end();) {
    auto here = it++;
    if (!existing.count(here->first)) forget(here);
  }
}

const group_history::partition_series* group_history::partition_lag(const std::string& group_id) const {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : &it->second.partition_lag;
}

const std::vector<partition_lag_point>* group_history::last_partition_lag(const std::string& group_id) const {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : &it->second.last_partition_lag;
}

int64_t group_history::rebalances_total(const std::string& group_id) const {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? 0 : it->second.rebalances_total;
}

const std::deque<rebalance_entry>* group_history::rebalances(const std::string& group_id) const {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : &it->second.rebalances;
}

const std::deque<lag_sample>* group_history::lag(const std::string& group_id) const {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : &it->second.lag;
}

}  // namespace samsa::http
