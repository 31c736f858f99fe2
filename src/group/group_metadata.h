// The state of one group: members, generation, leader, selected protocol,
// static-member and pending-member bookkeeping, committed offsets and the
// deadlines the coordinator drives. Pure data plus invariant-keeping helpers;
// the rules about when to rebalance live in the coordinator.
#pragma once

#include <functional>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "group/group_state.h"
#include "group/member.h"
#include "group/offset_table.h"
#include "group/types.h"

namespace samsa::group {

class group_metadata;
// Told after every state change of a classic group (the console's rebalance
// history); runs on the handler thread inside the coordinator's call, so it
// must only read the group and return.
using transition_observer = std::function<void(const group_metadata&, group_state from, int64_t now_ms)>;

class group_metadata {
 public:
  group_metadata(std::string id, int64_t now_ms);

  const std::string& id() const { return id_; }
  group_state state() const { return state_; }
  bool is(group_state s) const { return state_ == s; }
  int64_t state_timestamp_ms() const { return state_timestamp_ms_; }
  // Returns false (and changes nothing) for an illegal transition.
  bool transition_to(group_state next, int64_t now_ms);
  // Used when replaying the log: sets state without transition checks.
  void restore_state(group_state s, int64_t state_timestamp_ms);
  // The coordinator's observer slot (may hold no function); not owned.
  void observe_transitions(const transition_observer* slot) { observer_ = slot; }

  int32_t generation_id = 0;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::optional<std::string> leader_id;

  // Members, in the order they joined.
  const std::vector<std::unique_ptr<member>>& members() const { return members_; }
  size_t size() const { return members_.size(); }
  bool has(const std::string& member_id) const { return get(member_id) != nullptr; }
  member* get(const std::string& member_id) const;
  bool is_leader(const std::string& member_id) const { return leader_id && *leader_id == member_id; }
  // Adds a member; the first member fixes the protocol type and leads. The
  // member is counted where count_members_in() said.
  member& add(std::unique_ptr<member> m);
  // Counts this group's members (and those added later) into `usage`.
  void count_members_in(member_usage* usage);
  // Removes a member (and its static/pending/pending-sync entries); a new
  // leader is the earliest remaining member.
  void remove(const std::string& member_id);

  // Kafka's rule: an empty group takes any non-empty offer; otherwise the
  // type must match and some offered protocol must be supported by everyone.
  bool supports_protocols(const std::string& type, const std::vector<protocol_entry>& protocols) const;
  // Vote among the protocols every member supports; ties go to the protocol
  // listed first by the earliest member.
  std::string select_protocol() const;
  std::vector<join_member> current_member_metadata() const;
  int32_t rebalance_timeout_ms() const;

  bool all_members_joined() const;
  size_t members_awaiting_join() const;
  std::vector<std::string> not_yet_rejoined_members() const;
  // Keeps the leader if it rejoined, else promotes a member that did.
  bool maybe_elect_new_joined_leader();

  // Static membership: instance id -> current member id.
  std::optional<std::string> static_member_id(const std::string& instance_id) const;
  void set_static_member(const std::string& instance_id, const std::string& member_id);
  bool is_static_member_fenced(const std::optional<std::string>& instance_id, const std::string& member_id) const;
  // Moves a static member to a new member id (the caller answers whatever the
  // old id was waiting for).
  void replace_static_member(const std::string& instance_id, const std::string& old_id, const std::string& new_id);
  size_t static_member_count() const { return static_members_.size(); }

  // Pending members: got a member id via MEMBER_ID_REQUIRED, not joined yet.
  std::map<std::string, int64_t> pending_members;  // member id -> expiry
  bool is_pending_member(const std::string& id) const { return pending_members.count(id) != 0; }

  // Members that must send SyncGroup in this generation.
  std::set<std::string> pending_sync_members;

  // Topics the members subscribe to (consumer protocol only); nullopt when
  // unknown, in which case every topic counts as subscribed.
  std::optional<std::set<std::string>> subscribed_topics;
  void compute_subscribed_topics();
  bool is_subscribed_to(const std::string& topic) const;
  bool is_consumer_group() const { return protocol_type && *protocol_type == "consumer"; }

  // Committed offsets; pending_commits counts appends in flight per partition.
  offset_table offsets;
  std::map<topic_partition, int> pending_commits;
  // Offset-log writes are numbered by the coordinator in append order. For a
  // partition with writes in flight: the number of the write whose result
  // `offsets` shows, so a slower, older write (a commit that was in flight
  // when its offset was deleted) never overrides a newer one.
  std::map<topic_partition, uint64_t> applied_write;
  // Transactional offsets written but not yet decided, per producer id:
  // invisible to OffsetFetch until the COMMIT marker, gone at ABORT.
  std::map<int64_t, offset_table> pending_txn_offsets;
  // The pending table of `producer_id`, made (and counted) when missing.
  offset_table& pending_offsets_of(int64_t producer_id);
  // Counts this group's offsets, committed and pending, into `usage`.
  void count_offsets_in(offset_usage* usage);
  bool has_pending_txn_offset(const topic_partition& tp) const;
  // Drops pending transactional offsets of `tp` written before `write` (a
  // tombstone for the partition removes them, as Kafka's replay does).
  void drop_pending_txn_offsets(const topic_partition& tp, uint64_t before_write);
  // Partitions with a committed or a pending transactional offset.
  std::set<topic_partition> partitions_with_offsets() const;

  // Writes numbered at or below this were made for an earlier group of the
  // same id (deleted since) and do not apply to this one.
  uint64_t born_after_write = 0;

  // Deadlines driven by coordinator::tick().
  int64_t join_deadline_ms = no_deadline;
  bool initial_delay_active = false;
  int64_t initial_delay_remaining_ms = 0;
  bool new_member_added = false;
  int64_t sync_deadline_ms = no_deadline;

 private:
  std::string id_;
  group_state state_ = group_state::empty;
  int64_t state_timestamp_ms_;
  const transition_observer* observer_ = nullptr;
  offset_usage* usage_ = nullptr;  // where this group's offsets are counted
  member_usage* member_usage_ = nullptr;  // where this group's members are counted
  std::vector<std::unique_ptr<member>> members_;
  std::map<std::string, std::string> static_members_;
};

}  // namespace samsa::group
