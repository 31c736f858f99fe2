#include "broker/fetch_sessions.h"

#include <limits>

namespace samsa::broker {

int32_t next_session_epoch(int32_t epoch) {
  if (epoch < 0) return final_session_epoch;
  if (epoch == std::numeric_limits<int32_t>::max()) return 1;
  return epoch + 1;
}

fetch_session::fetch_session(int32_t id, bool uses_topic_ids, std::string owner,
                             std::chrono::steady_clock::time_point now)
    : id_(id),
      epoch_(next_session_epoch(initial_session_epoch)),
      uses_topic_ids_(uses_topic_ids),
      owner_(std::move(owner)),
      last_used_(now) {}

bool fetch_session::upsert(const session_partition_key& key, const session_partition_request& request) {
  if (auto it = index_.find(key); it != index_.end()) {
    it->second->request = request;
    return false;
  }
  order_.push_back({key, request, {}});
  index_.emplace(key, std::prev(order_.end()));
  return true;
}

bool fetch_session::forget(const session_partition_key& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return false;
  order_.erase(it->second);
  index_.erase(it);
  return true;
}

void fetch_session::answered(const session_partition_key& key, const session_partition_answer& told,
                             bool had_records) {
  auto it = index_.find(key);
  if (it == index_.end()) return;
  it->second->answered = told;
  if (had_records) order_.splice(order_.end(), order_, it->second);
}

fetch_session_cache::fetch_session_cache(fetch_session_settings settings, uint64_t seed)
    : settings_(settings), ids_(static_cast<std::mt19937::result_type>(seed)) {}

int32_t fetch_session_cache::fresh_id() {
  // Random, so a client cannot guess another's session from its own, and
  // never 0 (which means "no session").
  std::uniform_int_distribution<int32_t> pick(1, std::numeric_limits<int32_t>::max());
  while (true) {
    int32_t id = pick(ids_);
    if (!sessions_.contains(id)) return id;
  }
}

bool fetch_session_cache::make_room(size_t size, std::chrono::steady_clock::time_point now) {
  auto fits = [&] {
    return static_cast<int64_t>(sessions_.size()) < settings_.slots &&
           partitions_ + static_cast<int64_t>(size) <= settings_.max_partitions;
  };
  while (!fits()) {
    if (sessions_.empty()) return false;  // larger than the whole bound
    // First a session idle for long enough: its client has likely gone.
    auto stalest = sessions_.end();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (stalest == sessions_.end() || it->second.last_used() < stalest->second.last_used()) stalest = it;
    }
    if (now - stalest->second.last_used() > settings_.idle_eviction) {
      remove(stalest->first);
      ++evictions_;
      continue;
    }
    // Else the smallest session, when the new one is larger: it saves more.
    auto smallest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second.size() < smallest->second.size()) smallest = it;
    }
    if (smallest->second.size() >= size) return false;
    remove(smallest->first);
    ++evictions_;
  }
  return true;
}

int32_t fetch_session_cache::create(bool uses_topic_ids, std::string owner, std::vector<session_partition> partitions,
                                    std::chrono::steady_clock::time_point now) {
  if (settings_.slots <= 0 || partitions.empty()) return 0;
  if (!make_room(partitions.size(), now)) return 0;
  int32_t id = fresh_id();
  fetch_session& s = sessions_.emplace(id, fetch_session(id, uses_topic_ids, std::move(owner), now)).first->second;
  for (auto& p : partitions) {
    s.upsert(p.key, p.request);
    s.answered(p.key, p.answered, false);
  }
  partitions_ += static_cast<int64_t>(s.size());
  return id;
}

fetch_session* fetch_session_cache::find(int32_t id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

void fetch_session_cache::remove(int32_t id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  partitions_ -= static_cast<int64_t>(it->second.size());
  sessions_.erase(it);
}

bool fetch_session_cache::update(fetch_session& s,
                                 const std::vector<std::pair<session_partition_key, session_partition_request>>& named,
                                 const std::vector<session_partition_key>& forgotten) {
  int64_t added = 0;
  for (const auto& [key, request] : named) added += s.contains(key) ? 0 : 1;
  if (partitions_ + added > settings_.max_partitions) return false;
  const int64_t before = static_cast<int64_t>(s.size());
  for (const auto& [key, request] : named) s.upsert(key, request);
  for (const auto& key : forgotten) s.forget(key);
  partitions_ += static_cast<int64_t>(s.size()) - before;
  return true;
}

}  // namespace samsa::broker
