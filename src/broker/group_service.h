// The broker's side of consumer groups: the group coordinator, its offset log
// over the compacted __consumer_offsets topic, and the timer that drives its
// timeouts. Runs on the handler thread's io_context. It is handed only what
// it uses (that context, the topic registry and its group settings), not the
// whole broker_state. Every offsets.retention.check.interval.ms the timer
// also removes the consumer-protocol groups that are Empty and hold no
// committed or pending transactional offsets (as Kafka's offset cleanup
// does), so that groups every member left do not stay forever and count
// against group.max.groups.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "broker/internal_topic.h"
#include "broker/topic_registry.h"
#include "group/consumer_group_coordinator.h"
#include "group/coordinator.h"
#include "group/offset_log.h"
#include "record/record.h"

namespace samsa::broker {

struct broker_config;

inline constexpr const char* offsets_topic_name = "__consumer_offsets";

// The broker settings consumer groups depend on, taken from broker_config by
// group_settings_from (a copy: the service never reads the rest of the
// configuration, and the defaults live in broker_config only).
struct group_settings {
  int32_t offsets_topic_num_partitions = 0;
  int32_t min_session_timeout_ms = 0;
  int32_t max_session_timeout_ms = 0;
  int32_t initial_rebalance_delay_ms = 0;
  int32_t max_group_size = INT32_MAX;
  int32_t offset_metadata_max_bytes = 4096;
  int32_t max_groups = 10000;
  int32_t max_pending_members = 10000;
  int64_t offsets_max_memory_bytes = 256LL << 20;
  int64_t member_metadata_max_bytes = 256LL << 20;
  int64_t consumer_member_metadata_max_bytes = 256LL << 20;
  int64_t offsets_retention_ms = 0;
  int64_t offsets_retention_check_interval_ms = 600000;
  // KIP-848 consumer groups.
  int32_t consumer_session_timeout_ms = 45000;
  int32_t consumer_heartbeat_interval_ms = 5000;
  int32_t consumer_max_size = INT32_MAX;
  std::vector<std::string> consumer_assignors = {"uniform", "range"};
  group::cg_migration_policy consumer_migration_policy = group::cg_migration_policy::bidirectional;
};
group_settings group_settings_from(const broker_config& config);

// group::offset_log over the partitions of __consumer_offsets: one record
// batch per append, answered once the batch is flushed to disk.
class group_offset_log final : public group::offset_log {
 public:
  // `io` runs the completions; the topic is created on first use with
  // `offsets_topic_partitions` partitions (on the worker pool once
  // topic().set_workers() gave it one).
  group_offset_log(boost::asio::io_context& io, topic_registry& topics, int32_t offsets_topic_partitions);
  ~group_offset_log() override;
  void append(int32_t partition, std::vector<group::log_record> records,
              std::function<void(status)> done) override;
  void append_transactional(int32_t partition, group::txn_producer producer, std::vector<group::log_record> records,
                            std::function<void(status)> done) override;
  // Called after every completion, to re-arm the coordinator's timer.
  void set_after_completion(std::function<void()> fn) { after_completion_ = std::move(fn); }
  internal_topic& topic() { return topic_; }

 private:
  void append_batch(int32_t partition, std::optional<group::txn_producer> producer,
                    std::vector<group::log_record> records, std::function<void(status)> done);
  void write_batch(int32_t partition, const std::optional<group::txn_producer>& producer,
                   const std::vector<group::log_record>& records, std::function<void(status)> done);

  boost::asio::io_context& io_;
  topic_registry& topics_;
  internal_topic topic_;
  // Completions posted after shutdown must not touch a destroyed service.
  std::shared_ptr<bool> alive_;
  std::function<void()> after_completion_;
};

class group_service {
 public:
  // `topics` must outlive the service; `io` is the handler thread's context.
  group_service(boost::asio::io_context& io, topic_registry& topics, group_settings settings);
  ~group_service();

  // Replays __consumer_offsets into the coordinator when it exists and
  // starts the timer. Runs before the listeners start. A new broker creates
  // the topic on the first write of a group instead (as Kafka does on first
  // use), so an empty broker starts without creating its partitions.
  status start();
  void stop();

  group::coordinator& coordinator() { return *coordinator_; }
  // KIP-848 consumer groups (ConsumerGroupHeartbeat); offsets stay with coordinator().
  group::consumer_group_coordinator& consumer_groups() { return *consumer_groups_; }
  // The cluster's topics as the consumer group assignors see them.
  // The topics as the consumer groups see them: built again only when the
  // registry's version moved (every ConsumerGroupHeartbeat asks for it, and a
  // broker may hold 100,000 topics). Valid until the next call.
  const group::cg_topic_metadata& consumer_group_topics() const;
  // ConsumerGroupHeartbeat. A joining member may find a classic group with
  // members under the id: with group.consumer.migration.policy upgrade or
  // bidirectional and every member on the "consumer" embedded protocol, the
  // group becomes a consumer-protocol group keeping its classic members
  // (online upgrade); otherwise GROUP_ID_NOT_FOUND, as Kafka answers.
  void consumer_group_heartbeat(group::cg_heartbeat_request req,
                                std::function<void(group::cg_heartbeat_result)> done);
  const group_settings& settings() const { return settings_; }
  // ensure_offsets_topic() with this broker's partition count, in place.
  admin_result ensure_offsets_topic();
  // __consumer_offsets as requests meet it: made on the worker pool at its
  // first use once set_workers() was called (the broker does; unit
  // harnesses without a pool make it in place).
  internal_topic& offsets_topic() { return log_.topic(); }
  void set_workers(worker_pool* workers) { log_.topic().set_workers(workers); }
  // Wall-clock milliseconds: commit timestamps are stored in the log.
  static int64_t now_ms();
  // Re-arms the timer to the coordinator's next deadline; call after every
  // coordinator call.
  void rearm();

  // Called by the transaction coordinator once a COMMIT or ABORT marker of
  // `producer_id` is durable in partition `offsets_partition` of
  // __consumer_offsets: the transactional offset commits that producer left
  // pending there become visible (commit) or are dropped (abort).
  void on_transaction_marker(int32_t offsets_partition, int64_t producer_id, bool commit);

  // Hook for the transaction coordinator (KIP-890 verification): answers
  // whether `transactional_id` with (producer_id, producer_epoch) has the
  // group `group_id` in its ongoing transaction (AddOffsetsToTxn, or added
  // implicitly for TxnOffsetCommit v5 under transactions v2), as the Kafka
  // error code to answer every partition with (0 = go ahead). The code must
  // suit `api_version`, as Kafka's verification does: v5 adds the group's
  // partition to the transaction implicitly, v0-3 get INVALID_TXN_STATE
  // where v4+ get TRANSACTION_ABORTABLE, and PRODUCER_FENCED is answered as
  // INVALID_PRODUCER_EPOCH. Runs on the handler thread. Unset (until the
  // coordinator installs one) every TxnOffsetCommit is accepted, as Kafka
  // did before KIP-890.
  using txn_offset_verifier = std::function<int16_t(const std::string& transactional_id, int64_t producer_id,
                                                    int16_t producer_epoch, const std::string& group_id,
                                                    int16_t api_version)>;
  void set_txn_offset_verifier(txn_offset_verifier v) { verifier_ = std::move(v); }
  // What the TxnOffsetCommit handler asks before committing: the verifier's
  // answer, or 0 without one. An empty group id is not verified (Kafka
  // answers INVALID_GROUP_ID first; the coordinator does).
  int16_t verify_txn_offsets(const std::string& transactional_id, int64_t producer_id, int16_t producer_epoch,
                             const std::string& group_id, int16_t api_version) const;

 private:
  mutable group::cg_topic_metadata topics_view_;  // consumer_group_topics()
  status replay(int32_t partitions);
  // Applies the COMMIT/ABORT markers of one control batch read during replay.
  void replay_control(int32_t partition, int64_t producer_id, const std::vector<record::record>& records);
  // Removes each Empty consumer-protocol group whose id holds no committed
  // and no pending transactional offsets, tombstoning it as DeleteGroups does.
  void remove_empty_consumer_groups(int64_t now_ms);
  // Ids both coordinators hold (a consumer group with committed offsets),
  // which group.max.groups counts once.
  size_t groups_in_both() const;

  topic_registry& topics_;
  group_settings settings_;
  group_offset_log log_;
  std::unique_ptr<group::coordinator> coordinator_;
  std::unique_ptr<group::consumer_group_coordinator> consumer_groups_;
  boost::asio::steady_timer timer_;
  int64_t armed_for_ = group::no_deadline;
  // When remove_empty_consumer_groups runs next (the retention check's cadence).
  int64_t next_empty_group_check_ms_ = group::no_deadline;
  bool stopped_ = false;
  txn_offset_verifier verifier_;
};

}  // namespace samsa::broker
