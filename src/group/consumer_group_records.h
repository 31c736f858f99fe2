// Samsa's own __consumer_offsets record kinds for KIP-848 consumer groups
// (documented in docs/formats/consumer-group-records.md). Key versions
// 100-104 keep clear of Kafka's 0-8 (offsets, classic groups and its own
// consumer-group kinds), so no Kafka tool mistakes ours for its layouts.
// Every value starts with an int16 value version: 0, and 1 for a member
// record of a classic member (its JoinGroup session timeout and protocols).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/result.h"
#include "group/bytes_codec.h"
#include "group/consumer_group_reconcile.h"
#include "group/consumer_group_types.h"

namespace samsa::group {

enum class cg_record_kind : int16_t {
  group = 100,          // key: group id; value: group epoch, metadata hash
  member = 101,         // key: group id, member id; value: the member's subscription and identity
  target_epoch = 102,   // key: group id; value: the epoch of the target assignment
  target_member = 103,  // key: group id, member id; value: the member's target assignment
  current_member = 104, // key: group id, member id; value: epochs, state, assigned and revoking partitions
};

struct cg_record_key {
  cg_record_kind kind = cg_record_kind::group;
  std::string group_id;
  std::string member_id;  // empty for group and target_epoch
};

struct cg_group_value {
  int32_t group_epoch = 0;
  int64_t metadata_hash = 0;
};

struct cg_member_value {
  std::optional<std::string> instance_id;
  std::optional<std::string> rack_id;
  std::string client_id;
  std::string client_host;
  int32_t rebalance_timeout_ms = 0;
  std::vector<std::string> subscribed_topic_names;
  std::optional<std::string> subscribed_topic_regex;
  std::optional<std::string> server_assignor;
  // Set for a member that joined with JoinGroup; written as value version 1.
  std::optional<cg_classic_metadata> classic;
  bool operator==(const cg_member_value&) const = default;
};

// True when the key's version is one of ours (100-104).
bool is_consumer_group_record(const bytes& key);

bytes encode_cg_key(const cg_record_key& key);
result<cg_record_key> decode_cg_key(const bytes& key);

bytes encode_cg_group_value(const cg_group_value& v);
result<cg_group_value> decode_cg_group_value(const bytes& b);
bytes encode_cg_member_value(const cg_member_value& v);
result<cg_member_value> decode_cg_member_value(const bytes& b);
bytes encode_cg_target_epoch_value(int32_t epoch);
result<int32_t> decode_cg_target_epoch_value(const bytes& b);
bytes encode_cg_assignment_value(const cg_assignment& a);
result<cg_assignment> decode_cg_assignment_value(const bytes& b);
bytes encode_cg_current_value(const cg_member_assignment& a);
result<cg_member_assignment> decode_cg_current_value(const bytes& b);

}  // namespace samsa::group
