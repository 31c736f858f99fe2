// The broker's view of its topics: names, ids, configs and the partition logs
// behind them. Changes go to the metadata log first (so a crash leaves a
// topic either fully created or absent), then to the partition logs.
// Used on the network thread only.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

class topic_registry {
 public:
  topic_registry(storage::log_manager& logs, storage::metadata_store& metadata,
                 std::map<std::string, std::string> broker_settings);

  // Loads topics from the metadata log and opens their partition logs.
  status load();

  const topic_entry* find(std::string_view name) const;
  const topic_entry* find(const protocol::uuid& id) const;
  // Every topic, sorted by name.
  std::vector<const topic_entry*> list() const;
  // A partition's log, or null when the topic or partition does not exist.
  std::shared_ptr<storage::partition_log> partition(std::string_view topic, int32_t partition) const;

  // Checks name, partition count, replication factor and configs as Kafka does.
  admin_result check_new_topic(std::string_view name, int32_t partitions, int16_t replication_factor,
                               const std::map<std::string, std::string>& configs) const;
  admin_result create(const std::string& name, int32_t partitions, int16_t replication_factor,
                      const std::map<std::string, std::string>& configs, bool internal = false);
  admin_result remove(std::string_view name);
  admin_result add_partitions(std::string_view name, int32_t new_total, bool validate_only);
  // Replaces the topic's overrides (after validating every entry) and applies them live.
  admin_result set_overrides(std::string_view name, const std::map<std::string, std::string>& overrides,
                             bool validate_only);

  const std::map<std::string, std::string>& broker_settings() const { return broker_settings_; }

 private:
  status open_partitions(topic_entry& topic, int32_t from, int32_t to);

  storage::log_manager& logs_;
  storage::metadata_store& metadata_;
  std::map<std::string, std::string> broker_settings_;
  std::map<std::string, std::unique_ptr<topic_entry>, std::less<>> topics_;
};

}  // namespace samsa::broker
