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

#include "security/principal.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "group/deadline_hint.h"
#include "group/consumer_group_assignor.h"
#include "group/consumer_group_reconcile.h"
#include "group/consumer_group_records.h"
#include "group/consumer_group_types.h"
#include "group/group_conversion.h"
#include "group/member.h"
#include "group/offset_log.h"
#include "group/subscription_tally.h"
#include "group/types.h"

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
  // group.consumer.migration.policy (Kafka's default: bidirectional).
  cg_migration_policy migration_policy = cg_migration_policy::bidirectional;
  int32_t classic_max_size = INT32_MAX;  // group.max.size: a downgraded group must fit
  // group.max.groups (Samsa's own): these groups plus `other_groups()` (the
  // classic coordinator's) may not pass it; a heartbeat that would create
  // one more gets GROUP_MAX_SIZE_REACHED. Replayed groups are never refused.
  int32_t max_groups = 10000;
  std::function<size_t()> other_groups;
  // group.consumer.member.metadata.max.bytes (Samsa's own): the memory the
  // members of all these groups may hold (member_cost: identity,
  // subscription, current assignment, classic protocols). A heartbeat or
  // classic JoinGroup that would add a member or grow one past it gets
  // GROUP_MAX_SIZE_REACHED and changes nothing; changes that do not grow
  // always pass, assignments the broker's assignor hands out are counted but
  // never refused, and replay and upgrades from classic groups never refuse.
  int64_t member_metadata_max_bytes = 256LL << 20;
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
  // A joining heartbeat (epoch 0) under the id of a classic group with
  // members: adopts the group (adopt_classic_group), then runs the heartbeat.
  // Both happen or neither does: a heartbeat refused after the adoption (the
  // group full, member memory past its bound, an instance id in use) undoes
  // it, so the classic group goes on as it was and nothing is written, as
  // Kafka writes nothing for a refused heartbeat. `upgraded` runs once the
  // member is admitted, before the write: the classic coordinator lets go of
  // the group there. A failed adoption answers GROUP_ID_NOT_FOUND with its reason.
  void upgrade_and_heartbeat(const classic_group_snapshot& classic, cg_heartbeat_request req,
                             const cg_topic_metadata& topics, int64_t now_ms, const std::function<void()>& upgraded,
                             heartbeat_callback done);

  // The request checks Kafka makes before looking at any group (INVALID_REQUEST,
  // INVALID_REGULAR_EXPRESSION, UNSUPPORTED_ASSIGNOR): code and message.
  std::optional<std::pair<int16_t, std::string>> validate_request(const cg_heartbeat_request& req) const;

  // Groups held (group.max.groups counts them with the classic ones).
  size_t group_count() const { return groups_.size(); }
  // Members of all groups and the bytes they hold, as
  // group.consumer.member.metadata.max.bytes counts them (member_cost).
  const member_usage& members_held() const { return member_usage_; }
  // Tests and debugging: walks every member and checks that each counts
  // exactly what it holds now and that members_held() is their sum.
  bool recount_all() const;
  // Tests and debugging: whether every group's subscription tally equals
  // the sum of its members' subscriptions, walked now.
  bool subscriptions_exact() const;

  // --- classic members (consumer_group_classic.cc) ------------------------
  // A group of ours with members takes classic JoinGroup/SyncGroup/Heartbeat/
  // LeaveGroup too (KIP-848's mixed groups): a classic member's subscription
  // comes from its JoinGroup metadata, the server-side assignment is handed
  // out as its SyncGroup assignment, its member epoch is its generation, and
  // a heartbeat answers REBALANCE_IN_PROGRESS while it must rejoin to move on.
  // JoinGroup is answered once the change is durable.
  void classic_join(const join_request& req, const cg_topic_metadata& topics, int64_t now_ms, join_callback done);
  sync_result classic_sync(const sync_request& req, const cg_topic_metadata& topics, int64_t now_ms);
  int16_t classic_heartbeat(const heartbeat_request& req, int64_t now_ms);
  // Removes members (by member id, or by instance id when the member id is
  // empty); answered once durable.
  void classic_leave(const std::string& group_id, const std::vector<leave_member>& members, int64_t now_ms,
                     std::function<void(leave_result)> done);

  // Online upgrade: makes a consumer-protocol group of a classic one (every
  // member keeps its generation as member epoch and its assignment as current
  // and target assignment). Changes nothing and returns the reason when the
  // members' embedded protocol cannot be read or carries assignor user data.
  // The records (with the classic group's tombstone first) are written by the
  // next write of the group, i.e. with the heartbeat that asked for it.
  status adopt_classic_group(const classic_group_snapshot& classic, const cg_topic_metadata& topics,
                             int64_t now_ms);
  // Online downgrade: called with the classic form of a group whose last
  // consumer-protocol member left or was fenced (policy permitting); the
  // group's records are already replaced by a classic GroupMetadata record.
  using downgrade_handler = std::function<void(classic_group_snapshot)>;
  void set_downgrade_handler(downgrade_handler h) { on_downgrade_ = std::move(h); }

  // With an authorizer on: whether a principal (from a host) may DESCRIBE a
  // topic. A member's SubscribedTopicRegex then matches only the topics the
  // principal of its latest heartbeat may describe (as Kafka filters regex
  // resolutions); a member replayed from the log matches none until its
  // next heartbeat says who it is. Unset: every topic (no authorizer).
  using topic_filter = std::function<bool(const security::principal&, const std::string& host, const std::string& topic)>;
  void set_regex_topic_filter(topic_filter f) { regex_filter_ = std::move(f); }
  // With a filter, a group's regex matches are made again at most this often
  // when nothing else changed, so that a new or removed ACL is seen.
  static constexpr int64_t regex_refresh_ms = 10'000;

  // --- admin --------------------------------------------------------------
  bool has_group(const std::string& group_id) const;
  // True when the group exists and has no members.
  bool is_empty_group(const std::string& group_id) const;
  // The topics the group's members subscribe to: every name they list
  // (whether it exists or not) and what their patterns match now, as
  // OffsetDelete asks (GROUP_SUBSCRIBED_TO_TOPIC). Empty for an unknown group.
  std::set<std::string> subscribed_topics(const std::string& group_id, const cg_topic_metadata& topics) const;
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
  // (UNKNOWN_MEMBER_ID). A classic member commits at any version with its
  // generation, which must be its member epoch (ILLEGAL_GENERATION). A
  // consumer-protocol member must commit with OffsetCommit v9+ (UNSUPPORTED_VERSION)
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
  // Earliest time tick() has work to do: exact, a scan of every member.
  int64_t next_deadline() const;
  // A time no later than next_deadline(), without a scan: what the last
  // tick (or the load) found, lowered by every deadline set since. The
  // broker arms its timer with it after every heartbeat (see
  // group::coordinator::wake_by).
  int64_t wake_by() const { return wake_.wake_by(); }

  const consumer_group_config& config() const { return config_; }

 private:
  // What one member counts into members_held(), given back when the member
  // goes (erased from its group, its group erased or replaced). A copy
  // counts nothing until settled; a move takes the count along.
  class charge {
   public:
    charge() = default;
    ~charge() { set(nullptr, 0); }
    charge(const charge&) {}
    charge& operator=(const charge&) { return *this; }  // keeps its own count until settled
    charge(charge&& other) noexcept : usage_(other.usage_), bytes_(other.bytes_) {
      other.usage_ = nullptr;
      other.bytes_ = 0;
    }
    charge& operator=(charge&& other) noexcept;
    void set(member_usage* usage, size_t bytes);
    size_t bytes() const { return bytes_; }
    bool attached() const { return usage_ != nullptr; }

   private:
    member_usage* usage_ = nullptr;
    size_t bytes_ = 0;
  };
  struct member {
    std::string member_id;
    std::optional<std::string> instance_id;
    std::optional<std::string> rack_id;
    std::string client_id;
    std::string client_host;
    int32_t rebalance_timeout_ms = 0;
    std::vector<std::string> topic_names;
    std::optional<std::string> regex;
    // Who the latest heartbeat came from (not persisted): the regex's filter.
    std::optional<std::pair<security::principal, std::string>> heartbeat_from;
    std::optional<std::string> server_assignor;
    cg_member_assignment current;
    int64_t session_deadline = 0;
    int64_t revocation_deadline = 0;  // no_deadline unless revoking
    bool has_metadata = false;        // false only for half-replayed members
    // The member epoch at which each owned partition became the member's.
    std::map<std::pair<topic_id, int32_t>, int32_t> assigned_at;
    // Classic members only: what their JoinGroup said, and the deadlines of
    // the rejoin they were asked for and of the SyncGroup after a join.
    std::optional<cg_classic_metadata> classic;
    int64_t join_deadline = no_deadline;
    int64_t sync_deadline = no_deadline;
    // What this member counts (settle() brings it up to date).
    charge counted;
    // Its part of the group's subscription tally (settle() too).
    subscription_share subscription;
  };
  struct group {
    std::string id;
    int32_t group_epoch = 0;
    int32_t assignment_epoch = 0;
    int64_t metadata_hash = 0;
    // metadata_hash() of what it was last computed from (the members'
    // subscriptions and the cluster's topics, by their signatures): every
    // heartbeat asks for it, and resolving each member's regex against every
    // topic costs members x topics matches.
    struct hash_memo {
      bool valid = false;
      size_t subscriptions = 0;
      size_t topics = 0;
      int64_t computed_ms = 0;
      int64_t value = 0;
    };
    mutable hash_memo metadata_memo;
    // The members' subscriptions summed (subscription_tally.h); declared
    // before `members`, whose shares give their part back as they go.
    subscription_tally subscriptions;
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
    // Set by an upgrade: the classic group's GroupMetadata tombstone leads the next write.
    bool tombstone_classic = false;
  };

  group* find(const std::string& id);
  const group* find(const std::string& id) const;
  cg_heartbeat_result heartbeat_locked(cg_heartbeat_request& req, const cg_topic_metadata& topics, int64_t now_ms,
                                       group*& touched, std::vector<log_record>& downgrade_records);
  // Answers a heartbeat's result once what it changed (`touched`, or the
  // downgrade's records) is durable.
  void answer_when_durable(const std::string& group_id, cg_heartbeat_result result, group* touched,
                           std::vector<log_record> downgrade_records, heartbeat_callback done);
  // The topics a member subscribes to that exist (names, plus regex matches).
  // With `memo`, each distinct (regex, principal, host) is matched against
  // the topics once per memo: a group's members mostly share one pattern.
  using regex_memo = std::map<std::string, std::set<std::string>>;
  // What a member's resolution depends on (names, pattern, the principal and
  // host that filter it), as one string: members with equal keys resolve alike.
  static std::string subscription_key(const member& m);
  std::set<std::string> resolve(const member& m, const cg_topic_metadata& topics, regex_memo* memo = nullptr) const;
  // The hash of the topics the group's members subscribe to (names, ids,
  // partition counts), as it decides whether the target assignment is stale.
  // Computed again only when a subscription, a member's principal or the
  // topics changed, or, for regex members under an authorizer (whose ACLs may
  // have changed), once regex_refresh_ms passed.
  int64_t metadata_hash(const group& g, const cg_topic_metadata& topics, int64_t now_ms) const;
  int64_t compute_metadata_hash(const group& g, const cg_topic_metadata& topics) const;
  std::string preferred_assignor(const group& g) const;
  void bump_epoch(group& g);
  void update_target(group& g, const cg_topic_metadata& topics);
  void reconcile_member(group& g, member& m, const std::optional<cg_assignment>& owned, int64_t now_ms);
  // By value: callers pass the key of the member map node this erases.
  void remove_member(group& g, std::string member_id);
  // What a member holds, as group.consumer.member.metadata.max.bytes counts it.
  static constexpr size_t member_overhead_bytes = 256;
  static constexpr size_t topic_name_overhead_bytes = 32;
  static constexpr size_t assigned_topic_bytes = 96;      // per topic of current or pending revocation
  static constexpr size_t assigned_partition_bytes = 48;  // per partition of current or pending revocation
  static constexpr size_t assigned_at_bytes = 64;         // per assigned_at entry
  static size_t member_cost(const member& m);
  static size_t member_cost(const std::string& member_id, const std::optional<std::string>& instance_id,
                            const std::optional<std::string>& rack_id, const std::string& client_id,
                            const std::string& client_host, const std::vector<std::string>& topic_names,
                            const std::optional<std::string>& regex, const std::optional<std::string>& server_assignor,
                            const cg_member_assignment& current, size_t assigned_at,
                            const std::optional<cg_classic_metadata>& classic);
  // Brings what the member counts (memory, and its part of the group's
  // subscription tally) up to what it holds now; every change of a member
  // ends here, and a heartbeat settles its member before it asks for
  // metadata_hash().
  void settle(group& g, member& m);
  // What a member's subscription adds to its group's tally: its id, topic
  // names and, for a pattern, the pattern and who sent it (the filter).
  static uint64_t subscription_hash(const member& m);
  // The member's ConsumerGroupMemberMetadata record, as written and replayed.
  static cg_member_value stored_value(const member& m);
  // What the member of a heartbeat (or a classic JoinGroup) would hold after
  // it, before any assignment change; nullopt when the request fails for
  // another reason first. Refusal: GROUP_MAX_SIZE_REACHED (logged at most
  // once a minute).
  std::optional<cg_heartbeat_result> refuse_heartbeat_for_memory(const group* g, const cg_heartbeat_request& req,
                                                                 int64_t now_ms);
  bool member_memory_full(size_t before, size_t after, const std::string& group_id, const std::string& client_id,
                          int64_t now_ms);
  // Records the epoch at which newly owned partitions arrived.
  void note_assignment_epochs(member& m);
  std::string state_of(const group& g) const;
  // Writes the group's dirty state; `done` gets the outcome. What a failed
  // write carried is marked dirty again (mark_unwritten).
  void write(group& g, std::function<void(status)> done);
  // The keys a write took from a group's dirty state.
  struct unwritten {
    std::set<std::string> members;
    std::set<std::string> targets;
    std::set<std::string> current;
    std::set<std::string> removed;
    bool group = false;
    bool target_epoch = false;
    bool tombstone_classic = false;
  };
  void mark_unwritten(const std::string& group_id, const unwritten& taken);
  // The records of the group's dirty state; the state moves into `taken`.
  std::vector<log_record> take_records(group& g, unwritten& taken);
  void append(const std::string& group_id, std::vector<log_record> records, std::function<void(status)> done);

  // consumer_group_classic.cc
  void remember_topics(const cg_topic_metadata& topics);
  // Resolves the member's subscription, epoch and assignment changes of a
  // JoinGroup; returns an error code or 0.
  int16_t classic_join_locked(group& g, const join_request& req, const std::string& member_id,
                              const cg_topic_metadata& topics, int64_t now_ms, join_result& out);
  // True when the member must rejoin to move on (REBALANCE_IN_PROGRESS).
  bool classic_must_rejoin(const group& g, const member& m) const;
  // Finds the member a classic request names: UNKNOWN_MEMBER_ID,
  // FENCED_INSTANCE_ID or the member.
  member* classic_member(group& g, const std::string& member_id, const std::optional<std::string>& instance_id,
                         int16_t& error);
  // After members left or were fenced, before the group epoch is bumped for
  // it: when only classic members remain and the policy allows it, converts
  // the group to a classic one whose generation is the group epoch (so the
  // members' next heartbeat answers REBALANCE_IN_PROGRESS, not
  // ILLEGAL_GENERATION, as in Kafka). Returns the records to write (empty: no
  // conversion); the group is gone afterwards.
  std::vector<log_record> maybe_downgrade(const std::string& group_id, int64_t now_ms);
  classic_group_snapshot classic_form(const group& g) const;

  consumer_group_config config_;
  offset_log& log_;
  // Declared before groups_: members give their count back to it when they go.
  member_usage member_usage_;
  int64_t last_member_refusal_log_ms_ = 0;
  std::map<std::string, std::unique_ptr<group>> groups_;
  downgrade_handler on_downgrade_;
  topic_filter regex_filter_;
  // Topic names by id, from the metadata of the latest call: a downgrade on
  // a timer encodes assignments by name without a metadata snapshot.
  std::map<topic_id, std::string> topic_names_;
  uint64_t remembered_topics_version_ = 0;  // of topic_names_ (0: none)
  // wake_by(); every place that sets a deadline passes it through
  // note_deadline.
  deadline_hint wake_;
  int64_t note_deadline(int64_t at) const { return wake_.note(at); }
};

}  // namespace samsa::group
