// The broker's view of its topics: names, ids, configs and the partition logs
// behind them. Each change runs in three steps: check (no side effects),
// file-system work, commit to the metadata log. A creation makes the
// partition directories first and commits last, removing what it made if any
// step fails, so a topic is either fully created or absent (a crash before
// the commit leaves directories of an unknown topic, which start-up clears).
// A deletion commits first, then removes the files.
// Changed and read on the control thread; the *_async forms run their
// file-system work on the worker pool, one change at a time (each checked
// when its turn comes), while the control thread goes on serving other
// requests. The request handler threads (Produce, Fetch) read the
// published() copies instead: each change publishes an immutable copy of
// the topic's entry under a short lock, and a reader's pointer keeps the
// copy it got alive, so a topic deleted or grown meanwhile never changes
// under it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "broker/append_turns.h"
#include "broker/worker_pool.h"
#include "protocol/error_code.h"
#include "protocol/uuid.h"
#include "storage/log_config.h"
#include "storage/log_manager.h"
#include "storage/metadata_store.h"
#include "storage/partition_log.h"

namespace samsa::broker {

struct topic_entry {
  std::string name;
  protocol::uuid id;
  bool internal = false;
  std::map<std::string, std::string> overrides;  // topic-level configs as set by users
  storage::log_config config;                    // effective: defaults + broker + overrides
  std::vector<std::shared_ptr<storage::partition_log>> partitions;
};

// The log of `partition` of `topic`, or null when the topic is null or has no
// such partition. The one bounds check every per-partition handler needs.
inline storage::partition_log* partition_log_of(const topic_entry* topic, int32_t partition) {
  if (!topic || partition < 0 || partition >= static_cast<int32_t>(topic->partitions.size())) return nullptr;
  return topic->partitions[static_cast<size_t>(partition)].get();
}

// The outcome of an admin operation: a Kafka error code and a message for the client.
struct admin_result {
  protocol::error_code code = protocol::error_code::none;
  std::string message;
  bool ok() const { return code == protocol::error_code::none; }
  static admin_result fail(protocol::error_code c, std::string m) { return {c, std::move(m)}; }
};

// Kafka 4.0's bound on the partitions one CreateTopics or CreatePartitions
// request may add (over all its topics); more is POLICY_VIOLATION.
constexpr int64_t max_new_partitions_per_request = 10000;

class topic_registry {
 public:
  // `max_broker_partitions` bounds the partitions of all topics together
  // (max.broker.partitions).
  topic_registry(storage::log_manager& logs, storage::metadata_store& metadata,
                 std::map<std::string, std::string> broker_settings, int32_t max_broker_partitions = 100000);

  // Loads topics from the metadata log and opens their partition logs.
  status load();

  // Control thread only.
  const topic_entry* find(std::string_view name) const;
  const topic_entry* find(const protocol::uuid& id) const;
  // Any thread: the topic as of its last change (null if none has the
  // name or id).
  std::shared_ptr<const topic_entry> published(std::string_view name) const;
  std::shared_ptr<const topic_entry> published(const protocol::uuid& id) const;
  std::shared_ptr<storage::partition_log> published_partition(std::string_view topic, int32_t partition) const;
  // Every topic, sorted by name.
  std::vector<const topic_entry*> list() const;
  // Moves whenever a topic is added or removed or gains partitions: views
  // built from the topics (the consumer groups' one) are rebuilt only then.
  uint64_t version() const { return version_; }
  // A partition's log, or null when the topic or partition does not exist.
  std::shared_ptr<storage::partition_log> partition(std::string_view topic, int32_t partition) const;

  // Partitions of every topic together.
  int64_t partition_total() const;
  // POLICY_VIOLATION when `added` more partitions would pass max.broker.partitions.
  admin_result check_partition_budget(int64_t added) const;

  // Checks name (also against the internal topics' names, which are reserved
  // before those topics exist), partition count, replication factor and
  // configs as Kafka does, and the partition and metadata-record bounds.
  admin_result check_new_topic(std::string_view name, int32_t partitions, int16_t replication_factor,
                               const std::map<std::string, std::string>& configs) const;
  // Synchronous forms (start-up and the broker's own topics).
  admin_result create(const std::string& name, int32_t partitions, int16_t replication_factor,
                      const std::map<std::string, std::string>& configs, bool internal = false);
  // What client requests (and the broker's own topics on first use) use: the
  // same, with the file-system work on `workers`.
  boost::asio::awaitable<admin_result> create_async(worker_pool& workers, std::string name, int32_t partitions,
                                                    int16_t replication_factor,
                                                    std::map<std::string, std::string> configs,
                                                    bool internal = false);
  boost::asio::awaitable<admin_result> remove_async(worker_pool& workers, std::string name);
  boost::asio::awaitable<admin_result> add_partitions_async(worker_pool& workers, std::string name,
                                                            int32_t new_total, bool validate_only);
  // KAFKA_STORAGE_ERROR when the files could not all be removed: the topic is
  // gone, but its name stays blocked until a restart clears the leftovers.
  admin_result remove(std::string_view name);
  // Internal topics keep their partition count (groups are mapped to
  // partitions by it): INVALID_REQUEST.
  admin_result add_partitions(std::string_view name, int32_t new_total, bool validate_only);
  // Changes a topic's overrides when its turn comes: `edit` gets them as they
  // are then (a failure it returns is the answer), every entry is validated,
  // the metadata record is written on `workers` and the result applies live.
  // An internal topic must stay compacted (and only compacted).
  using overrides_edit = std::function<admin_result(std::map<std::string, std::string>&)>;
  boost::asio::awaitable<admin_result> set_overrides_async(worker_pool& workers, std::string name,
                                                           overrides_edit edit, bool validate_only);

  const std::map<std::string, std::string>& broker_settings() const { return broker_settings_; }

 private:
  uint64_t version_ = 1;
  struct removal {
    bool recorded = true;  // the metadata log has the deletion
    admin_result outcome;
  };
  // The steps of each change. Those named *_files and build_topic touch only
  // the log manager and the metadata log (both thread-safe) and the entry
  // they are given, so they may run on a worker thread.
  std::unique_ptr<topic_entry> new_entry(const std::string& name, const std::map<std::string, std::string>& configs,
                                         bool internal) const;
  admin_result build_topic(topic_entry& topic, int32_t partitions);
  void install(std::unique_ptr<topic_entry> topic);
  void install_back(std::unique_ptr<topic_entry> topic);
  // Replaces the published copy of `topic` (after any change to it), or
  // takes it away.
  void publish(const topic_entry& topic);
  void unpublish(const topic_entry& topic);
  std::unique_ptr<topic_entry> detach(std::string_view name);
  removal remove_files(const topic_entry& topic);
  admin_result finish_removal(std::unique_ptr<topic_entry> topic, const removal& done);
  admin_result check_add_partitions(std::string_view name, int32_t new_total) const;
  result<std::vector<std::shared_ptr<storage::partition_log>>> grow_files(const topic_entry& topic, int32_t current,
                                                                         int32_t new_total);
  void append_partitions(topic_entry& topic, std::vector<std::shared_ptr<storage::partition_log>> made);

  status open_partitions(topic_entry& topic, int32_t from, int32_t to);
  // Creates partitions [from, to) of a topic not yet committed at that size;
  // on failure removes every one it made (and the failed one's directory).
  result<std::vector<std::shared_ptr<storage::partition_log>>> make_partitions(const topic_entry& topic, int32_t from,
                                                                              int32_t to);
  void abandon_partitions(const std::string& topic, int32_t from, int32_t to);
  admin_result check_record_size(const std::string& name, int32_t partitions,
                                 const std::map<std::string, std::string>& configs) const;

  storage::log_manager& logs_;
  storage::metadata_store& metadata_;
  std::map<std::string, std::string> broker_settings_;
  int64_t max_broker_partitions_;
  std::map<std::string, std::unique_ptr<topic_entry>, std::less<>> topics_;
  // Fetch v13+ and DeleteTopics by id look topics up here.
  std::map<protocol::uuid, topic_entry*> by_id_;
  // The copies the request handler threads read (published()).
  mutable std::shared_mutex published_mu_;
  std::map<std::string, std::shared_ptr<const topic_entry>, std::less<>> published_;
  std::map<protocol::uuid, std::shared_ptr<const topic_entry>> published_by_id_;
  // Admin changes wait here for their turn: one at a time, in arrival order.
  std::shared_ptr<append_turns> changes_ = std::make_shared<append_turns>();
  // Deleted topics whose files could not all be removed: their names cannot
  // be reused before a restart (the old data would come back).
  std::set<std::string, std::less<>> leftover_names_;
};

}  // namespace samsa::broker
