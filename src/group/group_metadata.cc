#include "group/group_metadata.h"

#include <algorithm>

#include "group/subscription.h"

namespace samsa::group {

group_metadata::group_metadata(std::string id, int64_t now_ms)
    : id_(std::move(id)), state_timestamp_ms_(now_ms) {}

bool group_metadata::transition_to(group_state next, int64_t now_ms) {
  if (!valid_transition(state_, next)) return false;
  group_state from = state_;
  state_ = next;
  state_timestamp_ms_ = now_ms;
  if (observer_ && *observer_) (*observer_)(*this, from, now_ms);
  return true;
}

void group_metadata::restore_state(group_state s, int64_t state_timestamp_ms) {
  state_ = s;
  state_timestamp_ms_ = state_timestamp_ms;
}

member* group_metadata::get(const std::string& member_id) const {
  for (const auto& m : members_) {
    if (m->member_id == member_id) return m.get();
  }
  return nullptr;
}

member& group_metadata::add(std::unique_ptr<member> m) {
  if (members_.empty()) protocol_type = m->protocol_type;
  if (!leader_id) leader_id = m->member_id;
  pending_members.erase(m->member_id);
  m->attach(member_usage_);
  members_.push_back(std::move(m));
  return *members_.back();
}

void group_metadata::count_members_in(member_usage* usage) {
  member_usage_ = usage;
  for (auto& m : members_) m->attach(usage);
}

void group_metadata::remove(const std::string& member_id) {
  auto it = std::find_if(members_.begin(), members_.end(),
                         [&](const auto& m) { return m->member_id == member_id; });
  if (it == members_.end()) return;
  if ((*it)->group_instance_id) static_members_.erase(*(*it)->group_instance_id);
  members_.erase(it);
  pending_members.erase(member_id);
  pending_sync_members.erase(member_id);
  if (is_leader(member_id)) {
    leader_id.reset();
    if (!members_.empty()) leader_id = members_.front()->member_id;
  }
}

bool group_metadata::supports_protocols(const std::string& type,
                                        const std::vector<protocol_entry>& protocols) const {
  if (members_.empty()) return !type.empty() && !protocols.empty();
  if (!protocol_type || *protocol_type != type) return false;
  for (const auto& p : protocols) {
    const bool everyone = std::all_of(members_.begin(), members_.end(),
                                      [&](const auto& m) { return m->metadata_for(p.name) != nullptr; });
    if (everyone) return true;
  }
  return false;
}

std::string group_metadata::select_protocol() const {
  if (members_.empty()) return {};
  std::set<std::string> candidates;
  for (const auto& p : members_.front()->protocols()) {
    const bool everyone = std::all_of(members_.begin(), members_.end(),
                                      [&](const auto& m) { return m->metadata_for(p.name) != nullptr; });
    if (everyone) candidates.insert(p.name);
  }
  std::map<std::string, int> votes;
  for (const auto& m : members_) {
    if (auto v = m->vote(candidates)) ++votes[*v];
  }
  // Iterate in the first member's preference order so ties are deterministic.
  std::string best;
  int best_votes = -1;
  for (const auto& p : members_.front()->protocols()) {
    auto it = votes.find(p.name);
    if (it != votes.end() && it->second > best_votes) {
      best = p.name;
      best_votes = it->second;
    }
  }
  return best;
}

std::vector<join_member> group_metadata::current_member_metadata() const {
  std::vector<join_member> out;
  const std::string proto = protocol_name.value_or("");
  for (const auto& m : members_) {
    const bytes* md = m->metadata_for(proto);
    out.push_back(join_member{m->member_id, m->group_instance_id, md ? *md : bytes{}});
  }
  return out;
}

int32_t group_metadata::rebalance_timeout_ms() const {
  int32_t t = 0;
  for (const auto& m : members_) t = std::max(t, m->rebalance_timeout_ms);
  return t;
}

size_t group_metadata::members_awaiting_join() const {
  return static_cast<size_t>(
      std::count_if(members_.begin(), members_.end(), [](const auto& m) { return m->is_awaiting_join(); }));
}

bool group_metadata::all_members_joined() const {
  return members_awaiting_join() == members_.size() && pending_members.empty();
}

std::vector<std::string> group_metadata::not_yet_rejoined_members() const {
  std::vector<std::string> out;
  for (const auto& m : members_) {
    if (!m->is_awaiting_join()) out.push_back(m->member_id);
  }
  return out;
}

bool group_metadata::maybe_elect_new_joined_leader() {
  if (!leader_id) return false;
  const member* leader = get(*leader_id);
  if (leader && leader->is_awaiting_join()) return true;
  for (const auto& m : members_) {
    if (m->is_awaiting_join()) {
      leader_id = m->member_id;
      return true;
    }
  }
  return false;
}

std::optional<std::string> group_metadata::static_member_id(const std::string& instance_id) const {
  auto it = static_members_.find(instance_id);
  if (it == static_members_.end()) return std::nullopt;
  return it->second;
}

void group_metadata::set_static_member(const std::string& instance_id, const std::string& member_id) {
  static_members_[instance_id] = member_id;
}

bool group_metadata::is_static_member_fenced(const std::optional<std::string>& instance_id,
                                             const std::string& member_id) const {
  if (!instance_id) return false;
  auto current = static_member_id(*instance_id);
  return current && *current != member_id;
}

void group_metadata::replace_static_member(const std::string& instance_id, const std::string& old_id,
                                           const std::string& new_id) {
  member* m = get(old_id);
  if (m == nullptr) return;
  m->member_id = new_id;
  m->recount();
  if (is_leader(old_id)) leader_id = new_id;
  if (pending_sync_members.erase(old_id) != 0) pending_sync_members.insert(new_id);
  static_members_[instance_id] = new_id;
}

void group_metadata::compute_subscribed_topics() {
  subscribed_topics.reset();
  if (!is_consumer_group()) return;
  if (members_.empty()) {
    subscribed_topics.emplace();
    return;
  }
  if (!protocol_name) return;
  std::set<std::string> topics;
  for (const auto& m : members_) {
    const bytes* md = m->metadata_for(*protocol_name);
    if (md == nullptr) return;
    auto sub = decode_consumer_subscription(*md);
    if (!sub.ok()) return;
    topics.insert(sub->topics.begin(), sub->topics.end());
  }
  subscribed_topics = std::move(topics);
}

bool group_metadata::is_subscribed_to(const std::string& topic) const {
  if (!subscribed_topics) return true;
  return subscribed_topics->count(topic) != 0;
}

offset_table& group_metadata::pending_offsets_of(int64_t producer_id) {
  auto it = pending_txn_offsets.find(producer_id);
  if (it == pending_txn_offsets.end()) it = pending_txn_offsets.emplace(producer_id, offset_table(usage_)).first;
  return it->second;
}

void group_metadata::count_offsets_in(offset_usage* usage) {
  usage_ = usage;
  offsets.attach(usage);
  for (auto& [_, pending] : pending_txn_offsets) pending.attach(usage);
}

bool group_metadata::has_pending_txn_offset(const topic_partition& tp) const {
  for (const auto& [_, offsets] : pending_txn_offsets) {
    if (offsets.count(tp) != 0) return true;
  }
  return false;
}

void group_metadata::drop_pending_txn_offsets(const topic_partition& tp, uint64_t before_write) {
  for (auto it = pending_txn_offsets.begin(); it != pending_txn_offsets.end();) {
    auto found = it->second.find(tp);
    if (found != it->second.end() && found->second.write < before_write) it->second.erase(found);
    it = it->second.empty() ? pending_txn_offsets.erase(it) : std::next(it);
  }
}

std::set<topic_partition> group_metadata::partitions_with_offsets() const {
  std::set<topic_partition> out;
  for (const auto& [tp, _] : offsets) out.insert(tp);
  for (const auto& [_, pending] : pending_txn_offsets) {
    for (const auto& [tp, __] : pending) out.insert(tp);
  }
  return out;
}

}  // namespace samsa::group
