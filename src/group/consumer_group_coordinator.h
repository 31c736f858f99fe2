// The KIP-848 consumer group coordinator: groups whose members speak
// ConsumerGroupHeartbeat. The coordinator owns membership, the group epoch,
// the target assignment (computed by a server-side assignor when the group
// epoch moves past the assignment epoch) and each member's reconciliation
// towards it (consumer_group_reconcile.h). Committed offsets stay with the
// classic coordinator; this one only answers whether a commit's member id
// and epoch are current.
//
// Threading and time as the classic coordinator: one thread, now_ms passed
// in, tick(now_ms) at next_deadline(). A heartbeat is answered once the
// records its change produced are durable in the offset log (our record
// kinds, consumer_group_records.h); a group's records go to the same
// __consumer_offsets partition as its offsets.
//
// The group epoch moves when a member joins, leaves or is fenced, when a
// subscription or the preferred assignor changes, and when the subscribed
// topics change in the metadata (created, deleted, grown, or newly matching
// a regex), seen as a different hash of (name, id, partitions) on the next
// heartbeat of any member.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "group/consumer_group_assignor.h"
#include "group/consumer_group_reconcile.h"
#include "group/consumer_group_types.h"
#include "group/offset_log.h"

namespace samsa::group {

struct consumer_group_config {
  int32_t session_timeout_ms = 45000;     // group.consumer.session.timeout.ms
  int32_t heartbeat_interval_ms = 5000;   // group.consumer.heartbeat.interval.ms
  int32_t max_size = INT32_MAX;           // group.consumer.max.size
  // group.consumer.assignors: the first is the default.
  std::vector<std::string> assignors = {"uniform", "range"};
  int32_t offsets_topic_partitions = 50;
  // Member ids for v0 joins (v1 clients make their own); default: random UUID text.
  std::function<std::string()> make_member_id;
};

// What an OffsetCommit/OffsetFetch's member id and epoch mean for a group.
enum class cg_offset_check { not_consumer_group, ok };

class consumer_group_coordinator {
 public:
  using heartbeat_callback = std::function<void(cg_heartbeat_result)>;

  consumer_group_coordinator(consumer_group_config config, offset_log& log);
  ~consumer_group_coordinator();
  consumer_group_coordinator(const consumer_group_coordinator&) = delete;
  consumer_group_coordinator& operator=(const consumer_group_coordinator&) = delete;

  // --- loading --------------------------------------------------------
  // Replays one of our records (is_consumer_group_record(key)) in log order.
  status load_record(const bytes& key, const std::optional<bytes>& value);
  // Starts every loaded member's session clock at now_ms.
  void finish_loading(int64_t now_ms);

  // --- ConsumerGroupHeartbeat --------------------------------------------
  // `topics` is the cluster's topics now. `done` runs exactly once.
  void heartbeat(cg_heartbeat_request req, const cg_topic_metadata& topics, int64_t now_ms, heartbeat_callback done);

  // --- admin --------------------------------------------------------------
  bool has_group(const std::string& group_id) const;
  // True when the group exists and has no members.
  bool is_empty_group(const std::string& group_id) const;
  // For ConsumerGroupDescribe: unknown ids get GROUP_ID_NOT_FOUND.
  std::vector<cg_group_description> describe(const std::vector<std::string>& group_ids,
                                             const cg_topic_metadata& topics) const;
  std::vector<cg_group_listing> list() const;
  // Removes a group without members (DeleteGroups, or a classic JoinGroup
  // taking the id over); writes its tombstones. False when not empty/absent.
  bool remove_empty_group(const std::string& group_id);

  // --- offsets --------------------------------------------------------
  // OffsetCommit: a commit with epoch < 0 is allowed only while the group is
  // empty (admin or non-group consumers); otherwise the member must be known
  // (UNKNOWN_MEMBER_ID), commit with OffsetCommit v9+ (UNSUPPORTED_VERSION)
  // and not be ahead of its epoch (STALE_MEMBER_EPOCH). An older epoch is
  // accepted for partitions the member still owns and already owned at that
  // epoch (a commit racing the heartbeat that moved the member on), as
  // Kafka's per-partition assignment epochs allow; otherwise it is
  // STALE_MEMBER_EPOCH. `partitions` are the committed ones (topic id,
  // partition). Returns the error code, or nullopt when the group is not ours.
  std::optional<int16_t> validate_offset_commit(const std::string& group_id, const std::string& member_id,
                                                int32_t member_epoch, int16_t api_version,
                                                const std::vector<std::pair<topic_id, int32_t>>& partitions = {}) const;
  // OffsetFetch v9+ with a member: unknown member UNKNOWN_MEMBER_ID, any
  // other epoch STALE_MEMBER_EPOCH. nullopt when the group is not ours.
  std::optional<int16_t> validate_offset_fetch(const std::string& group_id, const std::string& member_id,
                                               int32_t member_epoch) const;

  // --- timers -----------------------------------------------------------
  void tick(int64_t now_ms);
  int64_t next_deadline() const;

  const consumer_group_config& config() const { return config_; }

 private:
  struct member {
    std::string member_id;
    std::optional<std::string> instance_id;
    std::optional<std::string> rack_id;
    std::string client_id;
    std::string client_host;
    int32_t rebalance_timeout_ms = 0;
    std::vector<std::string> topic_names;
    std::optional<std::string> regex;
    std::optional<std::string> server_assignor;
    cg_member_assignment current;
    int64_t session_deadline = 0;
    int64_t revocation_deadline = 0;  // no_deadline unless revoking
    bool has_metadata = false;        // false only for half-replayed members
    // The member epoch at which each owned partition became the member's.
    std::map<std::pair<topic_id, int32_t>, int32_t> assigned_at;
  };
  struct group {
    std::string id;
    int32_t group_epoch = 0;
    int32_t assignment_epoch = 0;
    int64_t metadata_hash = 0;
    std::map<std::string, member> members;
    std::map<std::string, cg_assignment> target;
    std::map<std::string, std::string> static_members;  // instance id -> member id
    // What the next write must carry.
    bool dirty_group = false;
    bool dirty_target_epoch = false;
    std::set<std::string> dirty_members;
    std::set<std::string> dirty_targets;
    std::set<std::string> dirty_current;
    std::set<std::string> removed_members;
  };

  group* find(const std::string& id);
  const group* find(const std::string& id) const;
  std::optional<std::pair<int16_t, std::string>> validate_request(const cg_heartbeat_request& req) const;
  cg_heartbeat_result heartbeat_locked(cg_heartbeat_request& req, const cg_topic_metadata& topics, int64_t now_ms,
                                       group*& touched);
  // The topics a member subscribes to that exist (names, plus regex matches).
  std::set<std::string> resolve(const member& m, const cg_topic_metadata& topics) const;
  int64_t metadata_hash(const group& g, const cg_topic_metadata& topics) const;
  std::string preferred_assignor(const group& g) const;
  void bump_epoch(group& g);
  void update_target(group& g, const cg_topic_metadata& topics);
  void reconcile_member(group& g, member& m, const std::optional<cg_assignment>& owned, int64_t now_ms);
  void remove_member(group& g, const std::string& member_id);
  // Records the epoch at which newly owned partitions arrived.
  void note_assignment_epochs(member& m);
  std::string state_of(const group& g) const;
  // Writes the group's dirty state; `done` gets the outcome.
  void write(group& g, std::function<void(status)> done);
  std::vector<log_record> take_records(group& g);

  consumer_group_config config_;
  offset_log& log_;
  std::map<std::string, std::unique_ptr<group>> groups_;
};

}  // namespace samsa::group
