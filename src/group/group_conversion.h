// What moves between the classic coordinator and the consumer group
// coordinator when a group changes protocol (KIP-848's online migration,
// group.consumer.migration.policy): the classic view of the group's
// membership. Upgrade: the classic coordinator hands its group over
// (coordinator::hand_over) and the consumer group coordinator adopts it.
// Downgrade: the consumer group coordinator builds one from its classic
// members, with their target assignments encoded as classic assignments, and
// the classic coordinator adopts it (coordinator::adopt) and rebalances.
// Committed offsets never move: they stay with the classic coordinator under
// the group id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "group/types.h"

namespace samsa::group {

struct classic_member_snapshot {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  int32_t rebalance_timeout_ms = 0;
  int32_t session_timeout_ms = 0;
  std::vector<protocol_entry> protocols;  // preference order
  bytes assignment;                       // ConsumerProtocolAssignment; empty when never synced
};

struct classic_group_snapshot {
  std::string group_id;
  int32_t generation = 0;
  std::optional<std::string> protocol_name;  // the selected protocol, when the group had one
  std::vector<classic_member_snapshot> members;
};

}  // namespace samsa::group
