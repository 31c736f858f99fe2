// Plain request/result types of the group coordinator API. Handlers translate
// Kafka message structs to and from these; nothing here knows the wire.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "group/bytes_codec.h"

namespace samsa::group {

struct topic_partition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const topic_partition&) const = default;
};

// One (name, metadata) entry of a JoinGroup request, in preference order.
struct protocol_entry {
  std::string name;
  bytes metadata;
  bool operator==(const protocol_entry&) const = default;
};

struct join_request {
  std::string group_id;
  std::string member_id;  // "" on a first join
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;  // v0 callers pass the session timeout
  std::string protocol_type;
  std::vector<protocol_entry> protocols;
  // True for JoinGroup v4+: an unknown member first gets MEMBER_ID_REQUIRED.
  bool require_known_member_id = false;
  // True for JoinGroup v9+: a static leader rejoining a stable group is told
  // to skip the assignment instead of being hidden from leadership.
  bool supports_skip_assignment = false;
  std::optional<std::string> reason;
};

struct join_member {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  bytes metadata;
};

struct join_result {
  int16_t error = 0;
  int32_t generation_id = -1;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::string leader_id;
  std::string member_id;
  // Set when a static leader rejoined a stable group: the members are sent for
  // information only and the leader must not compute a new assignment (v9+).
  bool skip_assignment = false;
  std::vector<join_member> members;  // only for the leader
};

struct sync_request {
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::optional<std::string> protocol_type;  // v5+
  std::optional<std::string> protocol_name;  // v5+
  std::vector<std::pair<std::string, bytes>> assignments;  // leader only
};

struct sync_result {
  int16_t error = 0;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  bytes assignment;
};

using join_callback = std::function<void(join_result)>;
using sync_callback = std::function<void(sync_result)>;

struct heartbeat_request {
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
};

struct leave_member {
  std::string member_id;  // may be "" when removing by instance id (v3+)
  std::optional<std::string> group_instance_id;
  std::optional<std::string> reason;
};

struct leave_member_result {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  int16_t error = 0;
};

// v0-2 handlers send the single member's error as the top-level error when
// the top-level error is NONE.
struct leave_result {
  int16_t error = 0;
  std::vector<leave_member_result> members;
};

struct member_description {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  bytes metadata;    // only while Stable
  bytes assignment;  // only while Stable
};

struct group_description {
  int16_t error = 0;
  std::string group_id;
  bool exists = false;  // false: Kafka answers state "Dead" (or GROUP_ID_NOT_FOUND in newer versions)
  std::string state;    // "Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead"
  std::string protocol_type;
  std::string protocol;  // selected protocol, only while Stable
  std::vector<member_description> members;
};

struct listed_group {
  std::string group_id;
  std::string protocol_type;
  std::string state;
  std::string group_type = "classic";
};

struct list_result {
  int16_t error = 0;
  std::vector<listed_group> groups;
};

struct group_error {
  std::string group_id;
  int16_t error = 0;
};

struct offset_commit_partition {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int32_t leader_epoch = -1;
  std::optional<std::string> metadata;
  // OffsetCommit v1 lets the client set the commit time (-1 = now), which
  // offset expiry then counts from; v2-4's retention_time sets an explicit
  // expiry time instead (stored in the value v1 record, as Kafka does).
  int64_t commit_timestamp = -1;
  std::optional<int64_t> expire_timestamp;
};

struct offset_commit_request {
  std::string group_id;
  int32_t generation_id = -1;  // -1 with member_id "" = a group without coordination
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::vector<offset_commit_partition> partitions;
};

// TxnOffsetCommit: offsets a transactional producer commits as part of its
// transaction. They stay pending (invisible to OffsetFetch) until the
// transaction's COMMIT marker reaches the group's __consumer_offsets
// partition, and are dropped by its ABORT marker.
struct txn_offset_commit_request {
  std::string transactional_id;
  std::string group_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  // v3+ (KIP-447): checked against the group like OffsetCommit's; the
  // defaults (older versions) skip the membership checks.
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::vector<offset_commit_partition> partitions;
};

struct partition_error {
  std::string topic;
  int32_t partition = 0;
  int16_t error = 0;
};

struct committed_offset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = -1;  // -1: nothing committed
  int32_t leader_epoch = -1;
  std::optional<std::string> metadata;
  int16_t error = 0;
};

struct offset_fetch_result {
  int16_t error = 0;  // group-level error
  std::vector<committed_offset> partitions;
};

struct offset_delete_result {
  int16_t error = 0;  // group-level error; partitions is empty when set
  std::vector<partition_error> partitions;
};

using commit_callback = std::function<void(std::vector<partition_error>)>;
using delete_groups_callback = std::function<void(std::vector<group_error>)>;
using offset_delete_callback = std::function<void(offset_delete_result)>;

}  // namespace samsa::group
