// The broker's side of share groups (KIP-932): share groups and their
// members (share::share_group), the share partitions' delivery state
// (share::share_partition, one per group, topic id and partition), the
// share sessions ShareFetch/ShareAcknowledge keep per member, the groups'
// configs (the GROUP config resource) and the share-state journal that makes
// all of it survive a restart. Runs on the handler thread; it is handed the
// io_context, the topic registry, the fetch waiters (a release wakes parked
// share fetches), the worker pool (journal syncs) and its settings.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "broker/share_journal.h"
#include "broker/topic_registry.h"
#include "broker/worker_pool.h"
#include "share/share_group.h"
#include "share/share_partition.h"
#include "share/state_codec.h"
#include "storage/partition_log.h"

namespace samsa::broker {

struct broker_config;
class fetch_waiters;

// Broker-wide share-group settings (Kafka's group.share.* names and defaults).
struct share_settings {
  int64_t record_lock_duration_ms = 30000;   // group.share.record.lock.duration.ms
  int32_t delivery_count_limit = 5;          // group.share.delivery.count.limit
  int32_t partition_max_record_locks = 2000; // group.share.partition.max.record.locks
  int64_t session_timeout_ms = 45000;        // group.share.session.timeout.ms
  int32_t heartbeat_interval_ms = 5000;      // group.share.heartbeat.interval.ms
  int32_t max_size = 200;                    // group.share.max.size
  int32_t max_groups = 10;                   // group.share.max.groups
  int32_t max_share_sessions = 2000;         // group.share.max.share.sessions
};
share_settings share_settings_from(const broker_config& config);

// The GROUP config resource's share keys (Kafka's GroupConfig names).
inline constexpr const char* share_auto_offset_reset_config = "share.auto.offset.reset";
inline constexpr const char* share_isolation_level_config = "share.isolation.level";
inline constexpr const char* share_record_lock_duration_config = "share.record.lock.duration.ms";
inline constexpr const char* share_session_timeout_config = "share.session.timeout.ms";
inline constexpr const char* share_heartbeat_interval_config = "share.heartbeat.interval.ms";

struct group_config_entry {
  std::string name;
  std::string value;
  bool is_default = true;
  bool is_int = false;
};

// A share session (KIP-932): the partitions one member fetches, and the
// epoch its next request must carry.
struct share_session {
  std::set<std::pair<protocol::uuid, int32_t>> partitions;
  int32_t next_epoch = 1;
};

class share_service {
 public:
  share_service(boost::asio::io_context& io, topic_registry& topics, fetch_waiters& waiters, worker_pool& workers,
                std::string state_dir, share_settings settings);
  ~share_service();

  // Replays the journal (groups, members, partitions, configs) and starts
  // the timer. Before the listeners start.
  status start();
  void stop();

  static int64_t now_ms();
  const share_settings& settings() const { return settings_; }

  // ---- groups and members
  // A new member's id may have at most group::max_member_id_bytes
  // (INVALID_REQUEST). A member joining (epoch 0) under an id that is no
  // share group yet creates one, unless the id is longer than group::max_new_group_id_bytes
  // (INVALID_GROUP_ID) or the broker holds group.share.max.groups share
  // groups (GROUP_MAX_SIZE_REACHED). A heartbeat that creates no group
  // leaves nothing behind for its id.
  share::heartbeat_result heartbeat(const std::string& group_id, const share::heartbeat_request& request);
  const share::share_group* find_group(const std::string& group_id) const;
  // The share groups (is_share_group), for ListGroups.
  std::vector<const share::share_group*> list_groups() const;
  int32_t heartbeat_interval_ms(const std::string& group_id) const;
  // Topic name -> partition count, for every topic (what the assignor sees);
  // built again only when the topic registry's version moved (every
  // ShareGroupHeartbeat asks). Valid until the next call.
  const share::topic_partitions& topic_sizes() const;

  // Why a request other than a join (a share session's opening,
  // AlterShareGroupOffsets, GROUP configs under a new id) may not make
  // `group_id` a share group: the checks a join meets (id length,
  // group.share.max.groups, which counts ids holding GROUP configs too).
  // nullopt when the id already counts or may.
  struct group_refusal {
    protocol::error_code error;
    std::string message;
  };
  std::optional<group_refusal> new_group_refusal(const std::string& group_id) const;

  // ---- share sessions (ShareFetch / ShareAcknowledge)
  struct session_outcome {
    protocol::error_code error = protocol::error_code::none;
    std::string message;
    share_session* session = nullptr;
  };
  // Opens (epoch 0), continues (epoch > 0) or finds for closing (epoch -1)
  // the session of (group, member), checking the epoch. A continued
  // session's epoch moves on. A new session's member id may have at most
  // group::max_member_id_bytes (INVALID_REQUEST), and under an id that is
  // no share group yet it meets new_group_refusal.
  session_outcome use_session(const std::string& group_id, const std::string& member_id, int32_t epoch);
  // The live session of (group, member), or null.
  const share_session* find_session(const std::string& group_id, const std::string& member_id) const;
  // Ends a session: the member's locks on its partitions are released.
  void close_session(const std::string& group_id, const std::string& member_id);

  // ---- share partitions
  // The effective per-partition limits of a group (broker settings, then the group's configs).
  share::partition_settings partition_settings_for(const std::string& group_id) const;
  // share.isolation.level=read_committed: acquire only up to the last stable
  // offset, and never records of aborted transactions.
  bool read_committed(const std::string& group_id) const;
  // The share partition, created at the group's share.auto.offset.reset
  // position on first use. `log` is the topic partition's log.
  share::share_partition& partition(const std::string& group_id, const topic_entry& topic, int32_t index);
  share::share_partition* find_partition(const std::string& group_id, const protocol::uuid& topic, int32_t index);
  // Every share partition of a group (topic id -> partition -> state).
  std::vector<std::pair<share::partition_key, const share::share_partition*>> partitions_of(
      const std::string& group_id) const;
  // Applies acknowledgement batches to one partition, all or none.
  protocol::error_code acknowledge(const std::string& group_id, const std::string& member_id, const topic_entry& topic,
                                   int32_t index, const std::vector<share::ack_batch>& batches, bool renew_allowed);
  // Journal the partition's current state (or its removal).
  void persist_partition(const std::string& group_id, const protocol::uuid& topic, int32_t index);
  // Wakes share fetches parked on the topic partition (records became available).
  void wake(const topic_entry& topic, int32_t index);

  // ---- admin: offsets
  // Sets a partition's start offset (AlterShareGroupOffsets).
  void reset_partition(const std::string& group_id, const topic_entry& topic, int32_t index, int64_t offset);
  // Forgets a group's state of a topic (DeleteShareGroupOffsets); true if any.
  std::vector<int32_t> delete_topic_state(const std::string& group_id, const protocol::uuid& topic);
  // A group that exists as a share group (members, state or configs).
  bool known_group(const std::string& group_id) const;
  // The id belongs to a share group: a member joined it at least once, or it
  // holds share-partition state. Configs alone do not make one (Kafka keeps
  // GROUP configs apart from groups). Such an id is refused to the classic
  // and consumer protocols, as Kafka refuses a group of another type.
  bool is_share_group(const std::string& group_id) const;
  // DeleteGroups of an empty share group; NON_EMPTY_GROUP with members.
  protocol::error_code delete_group(const std::string& group_id);

  // ---- the GROUP config resource
  std::vector<group_config_entry> describe_configs(const std::string& group_id) const;
  // Validates every entry first; applies all or nothing; journals the result.
  // Setting configs under an id that does not count as a share group yet
  // meets new_group_refusal; an id whose last config is deleted and that is
  // no share group is forgotten.
  admin_result alter_configs(const std::string& group_id, const std::map<std::string, std::optional<std::string>>& set,
                             bool validate_only);

  // Bytes appended to the journal so far (a request compares before and
  // after to know whether it must wait for make_durable()).
  uint64_t journal_bytes() const { return journal_appended_; }
  // Makes every journal write so far durable (fdatasync on the worker
  // pool). KAFKA_STORAGE_ERROR when a write or the sync failed.
  boost::asio::awaitable<protocol::error_code> make_durable();

 private:
  mutable share::topic_partitions sizes_view_;  // topic_sizes()
  mutable uint64_t sizes_version_ = 0;
  struct group_entry {
    std::unique_ptr<share::share_group> group;
    std::map<std::string, std::string> configs;
  };
  group_entry& group_of(const std::string& group_id);
  // Why a join may not make a share group of `group_id`, or nullopt.
  std::optional<share::heartbeat_result> creation_refusal(const std::string& group_id) const;
  // INVALID_REQUEST for a member id longer than group::max_member_id_bytes.
  static std::optional<share::heartbeat_result> member_id_refusal(const std::string& member_id);
  // Ids that are share groups (is_share_group) or hold GROUP configs, as
  // group.share.max.groups counts them.
  size_t share_group_count() const;
  bool counts_as_share_group(const std::string& group_id) const;
  void persist_group(const std::string& group_id);
  void append(const share::journal_record& record);
  void member_gone(const std::string& group_id, const std::string& member_id);
  void tick();
  void arm();
  share::group_settings group_settings_for(const std::string& group_id) const;
  std::optional<int64_t> group_config_int(const std::string& group_id, const char* name) const;
  std::string group_config(const std::string& group_id, const char* name, const char* fallback) const;
  // Where a new share partition starts (share.auto.offset.reset).
  int64_t initial_start_offset(const std::string& group_id, const storage::partition_log& log,
                               const storage::stable_offsets& offsets) const;
  void maybe_compact();
  std::vector<share::journal_record> live_state() const;

  boost::asio::io_context& io_;
  topic_registry& topics_;
  fetch_waiters& waiters_;
  worker_pool& workers_;
  share_settings settings_;
  share_journal journal_;
  bool journal_failed_ = false;
  uint64_t journal_appended_ = 0;
  int syncs_in_flight_ = 0;
  std::map<std::string, group_entry> groups_;
  std::map<share::partition_key, share::share_partition> partitions_;
  std::map<std::pair<std::string, std::string>, share_session> sessions_;  // (group, member)
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
};

// share::topic_id <-> protocol::uuid
inline share::topic_id to_share_id(const protocol::uuid& u) { return u.bytes; }

}  // namespace samsa::broker
