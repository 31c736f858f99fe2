// The classic consumer-group coordinator (JoinGroup/SyncGroup/Heartbeat/
// LeaveGroup, offsets, admin views), following Kafka's GroupCoordinator.
//
// Threading: single-threaded. Every call, every offset_log completion and
// tick() must run on the same thread (the broker's coordinator strand).
// Time is injected: each call takes now_ms and the owner calls tick(now_ms)
// at next_deadline() (or periodically) to fire timeouts. Deferred answers
// (JoinGroup waiting for a rebalance, SyncGroup followers waiting for the
// leader, commits waiting for the log) are delivered through the callbacks
// given to the call, exactly once each. Answers are delivered after the
// coordinator's state is consistent again (at the end of the call that
// produced them), so a callback may call back into the coordinator.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "group/deadline_hint.h"
#include "group/group_conversion.h"
#include "group/group_metadata.h"
#include "group/offset_log.h"
#include "group/types.h"

namespace samsa::group {

struct coordinator_config {
  int32_t min_session_timeout_ms = 6000;       // group.min.session.timeout.ms
  int32_t max_session_timeout_ms = 1800000;    // group.max.session.timeout.ms
  // group.initial.rebalance.delay.ms: Kafka uses 3000; a learner's first
  // consumer should not wait that long, so the default is 100.
  int32_t initial_rebalance_delay_ms = 100;
  int32_t max_group_size = INT32_MAX;          // group.max.size
  // group.max.groups (Samsa's own): classic groups plus `other_groups()` (the
  // consumer groups of the KIP-848 coordinator) may not pass it; a request
  // that would create one more gets GROUP_MAX_SIZE_REACHED. Groups replayed
  // from the log are never refused.
  int32_t max_groups = 10000;
  std::function<size_t()> other_groups;
  // group.max.pending.members (Samsa's own): members that were told
  // MEMBER_ID_REQUIRED and have not rejoined yet, over all groups. Each costs
  // memory until its session timeout, and nothing else bounds them (Kafka's
  // group.max.size does not count them).
  int32_t max_pending_members = 10000;
  int32_t new_member_join_timeout_ms = 300000;
  int64_t offsets_retention_ms = 7LL * 24 * 60 * 60 * 1000;  // offsets.retention.minutes
  int64_t offsets_retention_check_interval_ms = 600000;      // offsets.retention.check.interval.ms
  int32_t offset_metadata_max_bytes = 4096;                  // offset.metadata.max.bytes
  // offsets.max.memory.bytes (Samsa's own): the memory the committed and
  // pending transactional offsets of all groups may hold (offset_table
  // counts it). A commit that would add a partition, or grow one, past it
  // gets INVALID_COMMIT_OFFSET_SIZE for that partition; commits that do not
  // grow (a consumer moving on) always pass, and replay never refuses.
  int64_t offsets_max_memory_bytes = 256LL << 20;
  // group.classic.member.metadata.max.bytes (Samsa's own): the memory the
  // members of all classic groups may hold (member::cost: identity, offered
  // protocols and their metadata, assignment). A JoinGroup that would add a
  // member or grow one past it gets GROUP_MAX_SIZE_REACHED and changes
  // nothing; a SyncGroup whose assignments would grow past it fails as a
  // store of the assignment does (UNKNOWN_SERVER_ERROR, then a rebalance);
  // rejoins that do not grow always pass, and replay and groups taken back
  // from the consumer group coordinator are never refused.
  int64_t member_metadata_max_bytes = 256LL << 20;
  int32_t offsets_topic_partitions = 50;                     // offsets.topic.num.partitions
  // Member id suffix source; default: random UUID v4 text.
  std::function<std::string()> make_uuid;
};

class coordinator {
 public:
  // `log` must outlive the coordinator. The coordinator starts loading:
  // everything answers COORDINATOR_LOAD_IN_PROGRESS (per Kafka's rules) until
  // finish_loading().
  coordinator(coordinator_config config, offset_log& log);
  ~coordinator();
  coordinator(const coordinator&) = delete;
  coordinator& operator=(const coordinator&) = delete;

  // --- loading from __consumer_offsets ---------------------------------
  // Replays one record (in log order; value nullopt = tombstone). Bad records
  // are skipped and reported.
  status load_record(const bytes& key, const std::optional<bytes>& value, int64_t now_ms);
  // Loads a batch then finishes loading; returns the number of bad records.
  size_t load(const std::vector<log_record>& records, int64_t now_ms);
  void finish_loading(int64_t now_ms);
  bool loading() const { return loading_; }
  // Replays one record of a transactional batch of `producer_id`: an offset
  // stays pending until that producer's marker is replayed (or arrives live
  // through on_transaction_marker); a transaction that never ended stays
  // pending after the restart.
  status load_transactional_record(int64_t producer_id, const bytes& key, const std::optional<bytes>& value,
                                   int64_t now_ms);

  // --- membership -------------------------------------------------------
  void join(join_request req, int64_t now_ms, join_callback done);
  void sync(sync_request req, int64_t now_ms, sync_callback done);
  int16_t heartbeat(const heartbeat_request& req, int64_t now_ms);
  leave_result leave(const std::string& group_id, const std::vector<leave_member>& members, int64_t now_ms);

  // --- admin --------------------------------------------------------------
  std::vector<group_description> describe_groups(const std::vector<std::string>& group_ids) const;
  // Empty filters match everything; states compare case-insensitively.
  list_result list_groups(const std::vector<std::string>& states_filter = {},
                          const std::vector<std::string>& types_filter = {}) const;
  void delete_groups(const std::vector<std::string>& group_ids, int64_t now_ms, delete_groups_callback done);

  // --- offsets ------------------------------------------------------------
  void commit_offsets(offset_commit_request req, int64_t now_ms, commit_callback done);
  // nullopt partitions = every committed partition of the group.
  offset_fetch_result fetch_offsets(const std::string& group_id,
                                    const std::optional<std::vector<topic_partition>>& partitions,
                                    bool require_stable = false) const;
  void offset_delete(const std::string& group_id, const std::vector<topic_partition>& partitions,
                     int64_t now_ms, offset_delete_callback done);

  // --- transactional offsets (KIP-98, KIP-447) ---------------------------
  // TxnOffsetCommit: validated like OffsetCommit (member, generation,
  // instance id when given) but never REBALANCE_IN_PROGRESS, and written as a
  // transactional batch; answered once durable. The offsets stay pending.
  void commit_txn_offsets(txn_offset_commit_request req, int64_t now_ms, commit_callback done);
  // A COMMIT (commit=true) or ABORT marker of `producer_id` is durable in
  // partition `offsets_partition` of __consumer_offsets (live, or read while
  // replaying): that producer's pending offsets of the groups stored in that
  // partition become committed (unless a later-written commit already shows)
  // or are dropped.
  void on_transaction_marker(int32_t offsets_partition, int64_t producer_id, bool commit);

  // --- protocol migration (coordinator_migration.cc, group_conversion.h) --
  // The classic form of a group with members, for an online upgrade; nullopt
  // when the group is unknown or has no members. Changes nothing.
  std::optional<classic_group_snapshot> snapshot_for_upgrade(const std::string& group_id) const;
  // Gives the group's membership up to the consumer group coordinator after
  // it adopted the snapshot: waiting JoinGroup/SyncGroup calls answer
  // REBALANCE_IN_PROGRESS and the members are dropped; committed offsets stay
  // here. Writes nothing: the consumer group's records carry the classic
  // group's tombstone.
  void hand_over(const std::string& group_id, int64_t now_ms);
  // Takes a group downgraded by the consumer group coordinator (whose
  // GroupMetadata record is already written): Stable at its generation with
  // the members' assignments, then a rebalance every member must rejoin.
  void adopt(const classic_group_snapshot& downgraded, int64_t now_ms);

  // --- timers -------------------------------------------------------------
  void tick(int64_t now_ms);
  // Earliest time tick() has work to do (no_deadline when idle): exact, a
  // scan of every group and member.
  int64_t next_deadline() const;
  // A time no later than next_deadline(), without a scan (deadline_hint):
  // the broker arms its timer with it after every group request.
  int64_t wake_by() const { return loading_ ? no_deadline : wake_.wake_by(); }

  // The __consumer_offsets partition for a group under this configuration.
  int32_t partition_for(const std::string& group_id) const;
  const coordinator_config& config() const { return config_; }
  // Offsets held by all groups, as offsets.max.memory.bytes counts them.
  const offset_usage& offsets_held() const { return offset_usage_; }
  // Classic members of all groups, as group.classic.member.metadata.max.bytes
  // counts them.
  const member_usage& members_held() const { return member_usage_; }
  // Groups held (group.max.groups counts them with the consumer groups).
  size_t group_count() const { return groups_.size(); }
  // For views and tests; nullptr when unknown.
  const group_metadata* find_group(const std::string& group_id) const;
  // One observer of every classic group's state changes (the console's
  // rebalance history); an empty function removes it.
  void set_transition_observer(transition_observer o) { transition_observer_ = std::move(o); }

 private:
  // coordinator.cc
  std::optional<int16_t> validate_status(const std::string& group_id, bool allow_empty_id) const;
  group_metadata* lookup(const std::string& group_id) const;
  group_metadata& get_or_create(const std::string& group_id, int64_t now_ms);
  std::string new_member_id(const std::string& client_id);
  // Why a request may not create `group_id` (its id is too long, or the
  // broker holds group.max.groups), or nullopt when it may (coordinator.cc).
  std::optional<int16_t> creation_refusal(const std::string& group_id, const std::string& client_id) const;
  size_t pending_member_count() const;
  std::string member_list(const group_metadata& g) const;
  void advance(int64_t now_ms) { now_ms_ = std::max(now_ms_, now_ms); }

  // Answers produced while the state changes are queued and run when the
  // outermost entry point (or log completion) returns.
  struct answer_scope {
    explicit answer_scope(coordinator& c) : c_(c) { ++c_.scope_depth_; }
    ~answer_scope() {
      if (--c_.scope_depth_ == 0) c_.run_answers();
    }
    answer_scope(const answer_scope&) = delete;
    answer_scope& operator=(const answer_scope&) = delete;
    coordinator& c_;
  };
  void defer(std::function<void()> fn) { answers_.push_back(std::move(fn)); }
  void run_answers();
  // Take the member's pending callback (if any) and queue its answer.
  void answer_join(member& m, join_result r);
  void answer_sync(member& m, sync_result r);
  std::optional<int16_t> validate_current_member(const group_metadata& g, const std::string& member_id,
                                                 const std::optional<std::string>& instance_id) const;

  // coordinator_join.cc
  void new_member_join(group_metadata& g, join_request& req, int64_t now_ms, join_callback& done);
  void static_member_join(group_metadata& g, join_request& req, const std::string& new_id, int64_t now_ms,
                          join_callback& done);
  void current_member_join(group_metadata& g, join_request& req, int64_t now_ms, join_callback& done);
  void add_member_and_rebalance(group_metadata& g, const join_request& req, const std::string& member_id,
                                int64_t now_ms, join_callback done, const std::string& reason);
  void update_member_and_rebalance(group_metadata& g, member& m, const join_request& req, int64_t now_ms,
                                   join_callback done, const std::string& reason);
  join_result current_generation_result(const group_metadata& g, const member& m, bool with_members) const;
  void maybe_prepare_rebalance(group_metadata& g, int64_t now_ms, const std::string& reason);
  void prepare_rebalance(group_metadata& g, int64_t now_ms, const std::string& reason);
  void maybe_complete_join(group_metadata& g, int64_t now_ms);
  void complete_join(group_metadata& g, int64_t now_ms);
  void remove_member_and_update_group(group_metadata& g, const std::string& member_id, int64_t now_ms,
                                      const std::string& reason);
  void remove_pending_member_and_update_group(group_metadata& g, const std::string& member_id, int64_t now_ms);
  // Whether a member growing from `before` to `after` bytes (a new member
  // from 0) would take the members held, with assignments being stored,
  // past group.classic.member.metadata.max.bytes; logs a refusal at most once
  // a minute.
  bool member_memory_full(size_t before, size_t after, const std::string& group_id, const std::string& client_id,
                          const char* what = "a member");
  void reset_and_propagate_assignment_error(group_metadata& g, int16_t error, int64_t now_ms);
  void propagate_assignment(group_metadata& g, int16_t error, int64_t now_ms);
  void schedule_heartbeat(member& m, int64_t now_ms, int64_t timeout_ms) const;
  void fence(group_metadata& g, const std::string& instance, const std::string& old_id, const std::string& new_id);
  void expire_heartbeats(group_metadata& g, int64_t now_ms);
  void expire_pending_sync(group_metadata& g, int64_t now_ms);

  // coordinator_offsets.cc
  // Persists the group; `assignment` overrides the members' current ones.
  void store_group(group_metadata& g, const std::map<std::string, bytes>* assignment,
                   std::function<void(int16_t)> done);
  void store_offsets(group_metadata& g, const offset_commit_request& req, int64_t now_ms, commit_callback done);
  std::optional<int16_t> validate_offset_commit(const group_metadata& g, const offset_commit_request& req) const;
  void append_tombstones(group_metadata& g, const std::vector<topic_partition>& removed, bool group_too,
                         std::function<void(int16_t)> done);
  // Makes a durable write numbered `write` to `tp` visible (nullopt: the
  // offset was deleted) unless a newer write already is.
  void apply_offset_write(const std::string& group_id, const topic_partition& tp, uint64_t write,
                          const std::optional<offset_entry>& entry);
  void expire_offsets(int64_t now_ms);
  // Whether storing `metadata` for `tp` in `table` would take the offsets
  // held past offsets.max.memory.bytes, counting `growth` already let
  // through for the same request (which this adds to when it says no).
  // Drops a group that holds nothing (Empty, no protocol, no offsets, no
  // writes in flight): what a commit refused in full leaves behind. Such a
  // group has no record of its own in the log, so nothing is written.
  void forget_if_bare(const std::string& group_id);
  bool offset_memory_full(const offset_table& table, const topic_partition& tp, const std::string& metadata,
                          int64_t& growth);
  void store_txn_offsets(group_metadata& g, const txn_offset_commit_request& req, int64_t now_ms,
                         commit_callback done);

  coordinator_config config_;
  offset_log& log_;
  bool loading_ = true;
  // Latest time seen; used by log completions that arrive without a clock.
  int64_t now_ms_ = 0;
  // Declared before groups_: the groups' offset tables give their share
  // back to it when they go.
  offset_usage offset_usage_;
  // Likewise for the groups' members.
  member_usage member_usage_;
  std::map<std::string, std::unique_ptr<group_metadata>> groups_;
  int64_t last_memory_refusal_log_ms_ = 0;
  int64_t last_member_refusal_log_ms_ = 0;
  // Growth of the members' assignments accepted by SyncGroup and not yet
  // applied (their store to the log is in flight); counted against the
  // bound so concurrent syncs cannot pass it together.
  int64_t assignments_in_flight_ = 0;
  transition_observer transition_observer_;  // groups point at this slot
  uint64_t writes_ = 0;  // offset-log writes numbered so far (see group_metadata::applied_write)
  int64_t next_retention_check_ms_ = no_deadline;
  // wake_by(); every place that sets a deadline passes it through
  // note_deadline.
  deadline_hint wake_;
  int64_t note_deadline(int64_t at) const { return wake_.note(at); }
  // Producer id -> groups it left pending transactional offsets in (entries
  // may be stale: the group's own pending_txn_offsets is the truth).
  std::map<int64_t, std::set<std::string>> txn_groups_;
  std::deque<std::function<void()>> answers_;
  int scope_depth_ = 0;
};

}  // namespace samsa::group
