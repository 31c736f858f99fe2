#include "broker/topic_registry.h"

#include <spdlog/spdlog.h>

#include <set>

#include "broker/topic_names.h"
#include "storage/errc.h"

namespace samsa::broker {

using protocol::error_code;

namespace {

admin_result storage_failure(const error& e, const std::string& what) {
  return admin_result::fail(error_code::kafka_storage_error, what + ": " + e.describe());
}

}  // namespace

topic_registry::topic_registry(storage::log_manager& logs, storage::metadata_store& metadata,
                               std::map<std::string, std::string> broker_settings)
    : logs_(logs), metadata_(metadata), broker_settings_(std::move(broker_settings)) {}

status topic_registry::load() {
  for (const auto& meta : metadata_.topics()) {
    auto topic = std::make_unique<topic_entry>();
    topic->name = meta.name;
    topic->id.bytes = meta.topic_id;
    topic->internal = is_internal_topic_name(meta.name);
    topic->overrides = meta.configs;
    auto config = storage::resolve(meta.configs, broker_settings_);
    if (!config) {
      // A config that was valid when stored but not now (e.g. after an
      // upgrade): keep the topic usable with defaults and say so.
      spdlog::warn("topic {}: stored configs no longer valid ({}); using defaults", meta.name,
                   config.err().describe());
      config = storage::resolve({}, broker_settings_);
      if (!config) return config.err();
    }
    topic->config = *config;
    if (auto s = open_partitions(*topic, 0, meta.partition_count); !s) return s;
    topics_.emplace(meta.name, std::move(topic));
  }
  return {};
}

status topic_registry::open_partitions(topic_entry& topic, int32_t from, int32_t to) {
  for (int32_t p = from; p < to; ++p) {
    auto log = logs_.create_partition(topic.name, p, topic.id.bytes, topic.config);
    if (!log) return log.err();
    topic.partitions.push_back(*log);
  }
  return {};
}

const topic_entry* topic_registry::find(std::string_view name) const {
  auto it = topics_.find(name);
  return it == topics_.end() ? nullptr : it->second.get();
}

const topic_entry* topic_registry::find(const protocol::uuid& id) const {
  if (id.is_zero()) return nullptr;
  for (const auto& [name, topic] : topics_) {
    if (topic->id == id) return topic.get();
  }
  return nullptr;
}

std::vector<const topic_entry*> topic_registry::list() const {
  std::vector<const topic_entry*> out;
  out.reserve(topics_.size());
  for (const auto& [name, topic] : topics_) out.push_back(topic.get());
  return out;
}

std::shared_ptr<storage::partition_log> topic_registry::partition(std::string_view topic, int32_t partition) const {
  const topic_entry* t = find(topic);
  return partition_log_of(t, partition) ? t->partitions[static_cast<size_t>(partition)] : nullptr;
}

admin_result topic_registry::check_new_topic(std::string_view name, int32_t partitions, int16_t replication_factor,
                                             const std::map<std::string, std::string>& configs) const {
  if (auto problem = topic_name_problem(name)) {
    return admin_result::fail(error_code::invalid_topic_exception, *problem);
  }
  if (find(name)) {
    return admin_result::fail(error_code::topic_already_exists, "topic '" + std::string(name) + "' already exists");
  }
  std::string key = topic_collision_key(name);
  for (const auto& [existing, topic] : topics_) {
    if (topic_collision_key(existing) == key) {
      return admin_result::fail(error_code::invalid_topic_exception,
                                "topic '" + std::string(name) + "' collides with existing topic '" + existing +
                                    "' ('.' and '_' are treated alike)");
    }
  }
  if (partitions <= 0) {
    return admin_result::fail(error_code::invalid_partitions,
                              "number of partitions must be at least 1, got " + std::to_string(partitions));
  }
  if (replication_factor != 1) {
    return admin_result::fail(error_code::invalid_replication_factor,
                              "replication factor " + std::to_string(replication_factor) +
                                  " is impossible: this is a single-broker cluster, so use 1 (or -1 for the default)");
  }
  for (const auto& [config_name, value] : configs) {
    if (auto s = storage::validate_topic_config(config_name, value); !s) {
      return admin_result::fail(error_code::invalid_config, s.err().message);
    }
  }
  if (auto resolved = storage::resolve(configs, broker_settings_); !resolved) {
    return admin_result::fail(error_code::invalid_config, resolved.err().message);
  }
  return {};
}

admin_result topic_registry::create(const std::string& name, int32_t partitions, int16_t replication_factor,
                                    const std::map<std::string, std::string>& configs, bool internal) {
  if (admin_result check = check_new_topic(name, partitions, replication_factor, configs); !check.ok()) return check;
  auto topic = std::make_unique<topic_entry>();
  topic->name = name;
  topic->id = protocol::uuid::random();
  topic->internal = internal;
  topic->overrides = configs;
  topic->config = *storage::resolve(configs, broker_settings_);

  // The metadata record is the commit point: partition directories created
  // before it are harmless leftovers after a crash and are reused or removed.
  storage::topic_metadata meta{name, topic->id.bytes, partitions, configs};
  if (auto s = metadata_.create_topic(meta); !s) return storage_failure(s.err(), "cannot record topic " + name);
  if (auto s = open_partitions(*topic, 0, partitions); !s) {
    return storage_failure(s.err(), "cannot create partitions of " + name);
  }
  spdlog::info("created topic {} with {} partition(s), id {}", name, partitions, topic->id.to_string());
  topics_.emplace(name, std::move(topic));
  return {};
}

admin_result topic_registry::remove(std::string_view name) {
  auto it = topics_.find(name);
  if (it == topics_.end()) {
    return admin_result::fail(error_code::unknown_topic_or_partition, "topic '" + std::string(name) + "' does not exist");
  }
  std::string topic_name = it->first;
  if (auto s = metadata_.delete_topic(topic_name); !s) {
    return storage_failure(s.err(), "cannot record deletion of " + topic_name);
  }
  auto s = logs_.remove_topic(topic_name);
  topics_.erase(it);
  if (!s) spdlog::warn("topic {} deleted, but its files could not all be removed: {}", topic_name, s.err().describe());
  spdlog::info("deleted topic {}", topic_name);
  return {};
}

admin_result topic_registry::add_partitions(std::string_view name, int32_t new_total, bool validate_only) {
  auto it = topics_.find(name);
  if (it == topics_.end()) {
    return admin_result::fail(error_code::unknown_topic_or_partition, "topic '" + std::string(name) + "' does not exist");
  }
  topic_entry& topic = *it->second;
  int32_t current = static_cast<int32_t>(topic.partitions.size());
  if (new_total <= current) {
    return admin_result::fail(error_code::invalid_partitions,
                              "topic '" + topic.name + "' has " + std::to_string(current) +
                                  " partitions; the count can only grow, and " + std::to_string(new_total) +
                                  " is not more");
  }
  if (validate_only) return {};
  if (auto s = metadata_.set_partition_count(topic.name, new_total); !s) {
    return storage_failure(s.err(), "cannot record new partition count of " + topic.name);
  }
  if (auto s = open_partitions(topic, current, new_total); !s) {
    return storage_failure(s.err(), "cannot create new partitions of " + topic.name);
  }
  spdlog::info("topic {}: partitions {} -> {}", topic.name, current, new_total);
  return {};
}

admin_result topic_registry::set_overrides(std::string_view name, const std::map<std::string, std::string>& overrides,
                                           bool validate_only) {
  auto it = topics_.find(name);
  if (it == topics_.end()) {
    return admin_result::fail(error_code::unknown_topic_or_partition, "topic '" + std::string(name) + "' does not exist");
  }
  for (const auto& [config_name, value] : overrides) {
    if (auto s = storage::validate_topic_config(config_name, value); !s) {
      return admin_result::fail(error_code::invalid_config, s.err().message);
    }
  }
  auto resolved = storage::resolve(overrides, broker_settings_);
  if (!resolved) return admin_result::fail(error_code::invalid_config, resolved.err().message);
  if (validate_only) return {};
  topic_entry& topic = *it->second;
  if (auto s = metadata_.set_topic_config(topic.name, overrides); !s) {
    return storage_failure(s.err(), "cannot record configs of " + topic.name);
  }
  topic.overrides = overrides;
  topic.config = *resolved;
  for (auto& log : topic.partitions) log->update_config(topic.config);
  spdlog::info("topic {}: configs now {}", topic.name, overrides.size());
  return {};
}

}  // namespace samsa::broker
