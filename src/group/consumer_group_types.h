// Plain types of the KIP-848 consumer group protocol (ConsumerGroupHeartbeat,
// ConsumerGroupDescribe): topic ids, assignments, the topic metadata the
// coordinator assigns from, and the request/result shapes the handlers
// translate to and from. Nothing here knows the wire.
#pragma once

#include "security/principal.h"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "group/bytes_codec.h"

namespace samsa::group {

// A Kafka topic id (16 bytes). The group library does not depend on the
// protocol library, so it keeps its own spelling of the same bytes.
using topic_id = std::array<uint8_t, 16>;

// Partitions per topic id; an empty set never appears (erase the topic).
using cg_assignment = std::map<topic_id, std::set<int32_t>>;

// One topic as the assignors see it.
struct cg_topic {
  topic_id id{};
  std::string name;
  int32_t partitions = 0;
  bool internal = false;
};

// Every topic of the cluster by name: what subscriptions resolve against.
// The broker builds it from its topic registry for each call.
struct cg_topic_metadata {
  std::map<std::string, cg_topic> by_name;
  // Nonzero: equal versions mean equal topics (the broker's topic registry
  // numbers its states); 0: compare the topics themselves.
  uint64_t version = 0;
  const cg_topic* find(const topic_id& id) const {
    for (const auto& [name, t] : by_name) {
      if (t.id == id) return &t;
    }
    return nullptr;
  }
};

// Member epochs with a meaning of their own (KIP-848).
inline constexpr int32_t cg_join_epoch = 0;
inline constexpr int32_t cg_leave_epoch = -1;
inline constexpr int32_t cg_static_leave_epoch = -2;

// Where a member is in reconciling towards its target assignment.
enum class cg_member_state : int8_t {
  stable = 0,                 // has its target assignment at the target epoch
  unrevoked_partitions = 1,   // must give up partitions before it moves on
  unreleased_partitions = 2,  // waits for partitions another member still owns
};
const char* to_string(cg_member_state s);

// group.consumer.migration.policy: whether a classic group whose members use
// the "consumer" embedded protocol may become a consumer-protocol group when a
// ConsumerGroupHeartbeat joins it (upgrade), and a consumer-protocol group left
// with only classic members may become a classic group again (downgrade).
// Classic members may join a non-empty consumer-protocol group whatever the
// policy, as in Kafka: the policy governs only the conversions.
enum class cg_migration_policy { disabled, upgrade, downgrade, bidirectional };
std::optional<cg_migration_policy> parse_migration_policy(const std::string& name);  // case-insensitive
const char* to_string(cg_migration_policy p);
inline bool upgrade_allowed(cg_migration_policy p) {
  return p == cg_migration_policy::upgrade || p == cg_migration_policy::bidirectional;
}
inline bool downgrade_allowed(cg_migration_policy p) {
  return p == cg_migration_policy::downgrade || p == cg_migration_policy::bidirectional;
}

// What a member that joined with JoinGroup (a classic member of a
// consumer-protocol group) said there: its session timeout and its protocols
// in preference order (name, ConsumerProtocolSubscription bytes).
struct cg_classic_protocol {
  std::string name;
  bytes metadata;
  bool operator==(const cg_classic_protocol&) const = default;
};
struct cg_classic_metadata {
  int32_t session_timeout_ms = 0;
  std::vector<cg_classic_protocol> protocols;
  bool operator==(const cg_classic_metadata&) const = default;
};

struct cg_heartbeat_request {
  int16_t api_version = 1;
  std::string group_id;
  std::string member_id;
  int32_t member_epoch = 0;
  std::optional<std::string> instance_id;
  std::optional<std::string> rack_id;
  int32_t rebalance_timeout_ms = -1;
  std::optional<std::vector<std::string>> subscribed_topic_names;
  std::optional<std::string> subscribed_topic_regex;
  std::optional<std::string> server_assignor;
  // The partitions the member owns; null when unchanged since the last heartbeat.
  std::optional<cg_assignment> owned;
  std::string client_id;
  std::string client_host;
  // The connection's principal (regex subscriptions are filtered by what it may DESCRIBE).
  security::principal principal = security::principal::anonymous();
};

struct cg_heartbeat_result {
  int16_t error = 0;
  std::optional<std::string> error_message;
  std::optional<std::string> member_id;
  int32_t member_epoch = 0;
  int32_t heartbeat_interval_ms = 0;
  // Set when the member must learn its (new) assignment.
  std::optional<cg_assignment> assignment;
};

struct cg_member_description {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::optional<std::string> rack_id;
  int32_t member_epoch = 0;
  std::string client_id;
  std::string client_host;
  std::vector<std::string> subscribed_topic_names;
  std::optional<std::string> subscribed_topic_regex;
  cg_assignment assignment;
  cg_assignment target_assignment;
  bool classic = false;  // joined with JoinGroup (KIP-1099 MemberType 0)
};

struct cg_group_description {
  int16_t error = 0;
  std::optional<std::string> error_message;
  std::string group_id;
  std::string state;  // Empty, Assigning, Reconciling, Stable, Dead
  int32_t group_epoch = 0;
  int32_t assignment_epoch = 0;
  std::string assignor_name;
  std::vector<cg_member_description> members;
};

struct cg_group_listing {
  std::string group_id;
  std::string state;
};

}  // namespace samsa::group
