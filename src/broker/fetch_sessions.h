// Incremental fetch sessions (KIP-227). A consumer that fetches many
// partitions opens a session with a full fetch; after that it names only the
// partitions whose position it changed (and the ones it stops fetching), and
// the broker answers only the partitions that have something new: records,
// an error, or a moved high watermark, last stable offset or log start. The
// broker keeps, per session, what the client last asked for each partition
// and what it was last told.
//
// This file is the cache and its rules, free of broker types (the handler is
// handlers/fetch.cc). It lives on the handler thread, so it takes no locks.
// Handlers hold no pointer into it across a suspension: a session may be
// evicted or changed by another fetch meanwhile, so they look it up again by id.
//
// Bounds: at most `slots` sessions and `max_partitions` partitions in all of
// them. When the cache is full, a new session may take the place of one that
// has been idle longer than `idle_eviction`, or else of the smallest one if
// it is larger itself (a large session saves the most bytes); otherwise the
// client is told session 0 and goes on with full fetches. A session whose
// incremental growth would pass the partition bound is closed and the
// request answered FETCH_SESSION_ID_NOT_FOUND, so its client starts again
// with a full fetch.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "protocol/uuid.h"

namespace samsa::broker {

struct fetch_session_settings {
  int32_t slots = 1000;                             // max.incremental.fetch.session.cache.slots (0: none)
  int64_t max_partitions = 1'000'000;               // fetch.session.cache.max.partitions
  std::chrono::milliseconds idle_eviction{120000};  // min.incremental.fetch.session.eviction.ms
};

// One partition by name (Fetch v7-12) or by topic id (v13+).
struct session_partition_key {
  std::string topic;
  protocol::uuid topic_id;
  int32_t partition = 0;
  auto operator<=>(const session_partition_key&) const = default;
};

// What the client asked for last (an incremental request names only what changed).
struct session_partition_request {
  int64_t fetch_offset = 0;
  int32_t partition_max_bytes = 0;
  int32_t current_leader_epoch = -1;
  int32_t last_fetched_epoch = -1;
  int64_t log_start_offset = -1;
};

// What the client was last told; an incremental answer carries the partition
// again only when one of these moved (or it has records or an error).
struct session_partition_answer {
  int64_t high_watermark = -1;  // -1: never answered, so the next answer includes it
  int64_t last_stable_offset = -1;
  int64_t log_start_offset = -1;
  bool operator==(const session_partition_answer&) const = default;
};

struct session_partition {
  session_partition_key key;
  session_partition_request request;
  session_partition_answer answered;
};

// The epochs of KIP-227: 0 opens a session, -1 asks for none (or closes one).
constexpr int32_t initial_session_epoch = 0;
constexpr int32_t final_session_epoch = -1;
// The epoch after `epoch` (1 after the largest, never 0 or -1 again).
int32_t next_session_epoch(int32_t epoch);

class fetch_session {
 public:
  fetch_session(int32_t id, bool uses_topic_ids, std::string owner, std::chrono::steady_clock::time_point now);

  int32_t id() const { return id_; }
  // The epoch the client's next incremental request must carry.
  int32_t expected_epoch() const { return epoch_; }
  bool uses_topic_ids() const { return uses_topic_ids_; }
  const std::string& owner() const { return owner_; }
  size_t size() const { return order_.size(); }
  std::chrono::steady_clock::time_point last_used() const { return last_used_; }

  // The session's partitions in the order they are read (those answered with
  // records last move to the back, so a budget-limited answer rotates fairly).
  const std::list<session_partition>& partitions() const { return order_; }

  bool contains(const session_partition_key& key) const { return index_.contains(key); }
  const session_partition* find(const session_partition_key& key) const {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &*it->second;
  }
  // Adds a partition (at the back, never answered yet) or updates what the
  // client asks for it; returns true when it was new.
  bool upsert(const session_partition_key& key, const session_partition_request& request);
  // Returns true when it was there.
  bool forget(const session_partition_key& key);
  // After an answer: remembers what the client was told about `key`, and moves
  // it to the back when it carried records. No-op for a partition no longer here.
  void answered(const session_partition_key& key, const session_partition_answer& told, bool had_records);

  void advance_epoch() { epoch_ = next_session_epoch(epoch_); }
  void touch(std::chrono::steady_clock::time_point now) { last_used_ = now; }

 private:
  int32_t id_;
  int32_t epoch_;
  bool uses_topic_ids_;
  std::string owner_;
  std::chrono::steady_clock::time_point last_used_;
  std::list<session_partition> order_;
  std::map<session_partition_key, std::list<session_partition>::iterator> index_;
};

class fetch_session_cache {
 public:
  explicit fetch_session_cache(fetch_session_settings settings, uint64_t seed = std::random_device{}());

  // Fetch requests run on several request handler threads: the cache and
  // its sessions are used only while this lock is held (never across a
  // suspension).
  std::unique_lock<std::mutex> hold() { return std::unique_lock(mu_); }

  // A new session holding `partitions` (in order), or 0 when none can be made
  // (sessions off, or the cache full of sessions worth keeping).
  int32_t create(bool uses_topic_ids, std::string owner, std::vector<session_partition> partitions,
                 std::chrono::steady_clock::time_point now);
  fetch_session* find(int32_t id);
  void remove(int32_t id);

  // Applies an incremental request to session `s` (one of this cache's): the
  // partitions it names are added or updated, then the forgotten ones
  // removed (Kafka's order). False, and nothing changed, when the additions
  // would pass the bound of all sessions' partitions.
  bool update(fetch_session& s, const std::vector<std::pair<session_partition_key, session_partition_request>>& named,
              const std::vector<session_partition_key>& forgotten);

  size_t sessions() const { return sessions_.size(); }
  int64_t partitions() const { return partitions_; }
  uint64_t evictions() const { return evictions_; }
  const fetch_session_settings& settings() const { return settings_; }

 private:
  // Frees room for a session of `size` partitions; false when it may not.
  bool make_room(size_t size, std::chrono::steady_clock::time_point now);
  int32_t fresh_id();

  std::mutex mu_;
  fetch_session_settings settings_;
  std::mt19937 ids_;
  std::map<int32_t, fetch_session> sessions_;
  int64_t partitions_ = 0;
  uint64_t evictions_ = 0;
};

}  // namespace samsa::broker
