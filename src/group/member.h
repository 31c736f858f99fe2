// One member of a classic group: identity, timeouts, the protocols it offered,
// its assignment, and the JoinGroup/SyncGroup answers it is waiting for.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "group/types.h"

namespace samsa::group {

inline constexpr int64_t no_deadline = std::numeric_limits<int64_t>::max();

struct member {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t rebalance_timeout_ms = 0;
  int32_t session_timeout_ms = 0;
  std::string protocol_type;
  std::vector<protocol_entry> protocols;
  bytes assignment;

  // Pending answers; an empty function means "not waiting".
  join_callback awaiting_join;
  sync_callback awaiting_sync;

  // A member that has never completed a join: it cannot heartbeat yet, so its
  // expiry uses the coordinator's new-member timeout instead.
  bool is_new = false;
  int64_t heartbeat_deadline_ms = no_deadline;

  bool is_static() const { return group_instance_id.has_value(); }
  bool is_awaiting_join() const { return static_cast<bool>(awaiting_join); }
  bool is_awaiting_sync() const { return static_cast<bool>(awaiting_sync); }

  // Metadata offered for `protocol`, or nullptr when not offered.
  const bytes* metadata_for(const std::string& protocol) const;

  // Same protocols, same order, same metadata.
  bool matches(const std::vector<protocol_entry>& other) const { return protocols == other; }

  // The first of this member's protocols (in its preference order) that is a
  // candidate.
  std::optional<std::string> vote(const std::set<std::string>& candidates) const;
};

}  // namespace samsa::group
