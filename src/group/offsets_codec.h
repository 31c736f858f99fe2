// Keys and values of the __consumer_offsets log, in Kafka's record formats:
// OffsetCommitKey v1 / OffsetCommitValue v3 for committed offsets and
// GroupMetadataKey v2 / GroupMetadataValue v3 for group state. Older value
// versions are decoded too, so logs written by older writers replay.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"
#include "group/bytes_codec.h"

namespace samsa::group {

struct offset_commit_key {
  std::string group;
  std::string topic;
  int32_t partition = 0;
};

struct group_metadata_key {
  std::string group;
};

struct offset_commit_value {
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::string metadata;
  int64_t commit_timestamp = -1;
  std::optional<int64_t> expire_timestamp;  // only value version 1 carries it
};

struct member_record {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t rebalance_timeout_ms = 0;
  int32_t session_timeout_ms = 0;
  bytes subscription;
  bytes assignment;
};

struct group_metadata_value {
  std::string protocol_type;
  int32_t generation = 0;
  std::optional<std::string> protocol;
  std::optional<std::string> leader;
  int64_t current_state_timestamp = -1;
  std::vector<member_record> members;
};

using record_key = std::variant<offset_commit_key, group_metadata_key>;

bytes encode_offset_commit_key(const offset_commit_key& key);
bytes encode_offset_commit_value(const offset_commit_value& value);
bytes encode_group_metadata_key(std::string_view group);
bytes encode_group_metadata_value(const group_metadata_value& value);

// Key versions 0-1 are offset commits, 2 is group metadata; anything else is
// an error (newer record kinds this coordinator does not keep).
result<record_key> decode_record_key(const bytes& key);
result<offset_commit_value> decode_offset_commit_value(const bytes& value);
result<group_metadata_value> decode_group_metadata_value(const bytes& value);

// Java's String.hashCode over the UTF-16 form of a UTF-8 string.
int32_t java_string_hash(std::string_view utf8);

// The __consumer_offsets partition that owns a group:
// abs(hashCode(group_id)) % partitions, with abs(INT_MIN) = 0 as in Kafka.
int32_t offsets_partition_for(std::string_view group_id, int32_t partitions = 50);

}  // namespace samsa::group
