// One member of a classic group: identity, timeouts, the protocols it offered,
// its assignment, and the JoinGroup/SyncGroup answers it is waiting for.
//
// The memory a member holds is counted into a total shared by every classic
// group of a coordinator (group.classic.member.metadata.max.bytes), as
// offset_table counts offsets: protocols and assignment change only through
// set_protocols() and set_assignment(), a change of identity is followed by
// recount(), and a member gives back what it counted when destroyed, so the
// total is always the sum of what the living members counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "group/types.h"

namespace samsa::group {

inline constexpr int64_t no_deadline = std::numeric_limits<int64_t>::max();

// Classic members attached to it and the bytes they hold, as member::cost()
// counts them.
struct member_usage {
  size_t members = 0;
  size_t bytes = 0;
};

struct member {
  member() = default;
  ~member() { attach(nullptr); }
  member(const member&) = delete;
  member& operator=(const member&) = delete;

  // What a member with these fields costs, as counted: a fixed overhead
  // (the member, its map entries and callbacks, allocator rounding) plus its
  // strings, plus per protocol a fixed overhead and its name and metadata,
  // plus its assignment.
  static constexpr size_t member_overhead_bytes = 256;
  static constexpr size_t protocol_overhead_bytes = 64;
  static size_t cost(const std::string& member_id, const std::optional<std::string>& instance_id,
                     const std::string& client_id, const std::string& client_host, const std::string& protocol_type,
                     const std::vector<protocol_entry>& protocols, size_t assignment_bytes);
  // This member's cost with another member id and protocols.
  size_t cost_with(const std::string& id, const std::vector<protocol_entry>& offered) const;
  // The bytes this member counts (its cost as of its last change).
  size_t counted() const { return bytes_; }
  // Counts this member (and what it holds from now on) into `usage`;
  // nullptr stops counting it.
  void attach(member_usage* usage);
  // Counts again after a change of member_id, client or instance id.
  void recount();

  const std::vector<protocol_entry>& protocols() const { return protocols_; }
  void set_protocols(std::vector<protocol_entry> offered);
  const bytes& assignment() const { return assignment_; }
  void set_assignment(bytes assigned);

  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t rebalance_timeout_ms = 0;
  int32_t session_timeout_ms = 0;
  std::string protocol_type;

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
  bool matches(const std::vector<protocol_entry>& other) const { return protocols_ == other; }

  // The first of this member's protocols (in its preference order) that is a
  // candidate.
  std::optional<std::string> vote(const std::set<std::string>& candidates) const;

 private:
  std::vector<protocol_entry> protocols_;
  bytes assignment_;
  member_usage* usage_ = nullptr;
  size_t bytes_ = 0;
};

}  // namespace samsa::group
