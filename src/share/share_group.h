// Membership of one share group (KIP-932): members join, heartbeat and leave
// with ShareGroupHeartbeat; the group epoch moves whenever the members,
// their subscriptions or the subscribed topics' partition counts change, and
// then every member's target assignment is computed again at once (share
// groups have no revocation step: a partition may be read by several
// members). A member learns its new assignment and epoch on its next
// heartbeat, which must carry the epoch it was last given (anything else is
// FENCED_MEMBER_EPOCH).
// Pure: time and topic metadata are passed in.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "share/types.h"

namespace samsa::share {

// topic name -> partitions; absent topics are not in the map.
using topic_partitions = std::map<std::string, int32_t>;
// topic name -> assigned partition indexes (sorted)
using assignment = std::map<std::string, std::vector<int32_t>>;

struct member {
  std::string id;
  int32_t epoch = 0;  // the epoch this member was last given
  std::optional<std::string> rack;
  std::string client_id;
  std::string client_host;
  std::vector<std::string> subscribed;  // sorted, unique
  int64_t session_deadline_ms = 0;
  assignment assigned;
};

struct heartbeat_request {
  std::string member_id;
  int32_t member_epoch = 0;
  std::optional<std::string> rack;
  std::optional<std::vector<std::string>> subscribed;  // null: unchanged
  std::string client_id;
  std::string client_host;
};

struct heartbeat_result {
  error_code error = error_code::none;
  std::string message;
  int32_t member_epoch = 0;
  assignment assigned;
};

struct group_settings {
  int64_t session_timeout_ms = 45000;  // group.share.session.timeout.ms
  int32_t max_size = 200;              // group.share.max.size
};

class share_group {
 public:
  explicit share_group(std::string id) : id_(std::move(id)) {}

  const std::string& id() const { return id_; }
  int32_t group_epoch() const { return group_epoch_; }
  int32_t assignment_epoch() const { return assignment_epoch_; }
  const std::map<std::string, member>& members() const { return members_; }
  // "Empty" or "Stable" (Kafka's share group states we reach).
  std::string state() const { return members_.empty() ? "Empty" : "Stable"; }

  // One heartbeat; `topics` is the broker's current view of every topic.
  heartbeat_result heartbeat(const heartbeat_request& request, const topic_partitions& topics,
                             const group_settings& settings, int64_t now_ms);
  // Removes members whose session ran out; returns their ids.
  std::vector<std::string> expire_members(int64_t now_ms, const topic_partitions& topics);
  std::optional<int64_t> next_session_deadline() const;
  // Every topic some member subscribes to.
  std::vector<std::string> subscribed_topics() const;

  // Restores durable membership after a restart (deadline set by the
  // caller), each member with its journaled assignment. If the assignor
  // would now assign otherwise (topics changed meanwhile, or the journal had
  // no assignments), the group epoch moves on; returns true then.
  bool restore(int32_t group_epoch, std::vector<member> members, const topic_partitions& topics);

 private:
  void rebalance(const topic_partitions& topics);

  std::string id_;
  int32_t group_epoch_ = 0;
  int32_t assignment_epoch_ = 0;
  std::map<std::string, member> members_;
  topic_partitions seen_partitions_;  // subscribed topics' sizes at the last assignment
};

// The assignor is share/share_assignor.h.

}  // namespace samsa::share
