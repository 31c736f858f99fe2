#include "broker/topic_registry.h"

#include <spdlog/spdlog.h>

#include <set>

#include "broker/topic_names.h"
#include "storage/errc.h"

namespace samsa::broker {

using protocol::error_code;

namespace {

admin_result storage_failure(const error& e, const std::string& what) {
  // A record past the metadata log's bound is a limit, not a broken disk.
  error_code code = storage::is(e, storage::errc::record_too_large) ? error_code::policy_violation
                                                                    : error_code::kafka_storage_error;
  return admin_result::fail(code, what + ": " + e.describe());
}

// An internal topic's data is the broker's own state: __consumer_offsets
// must keep only its latest record per key, never lose records to retention.
bool keeps_internal_data(const storage::log_config& config) {
  return config.cleanup_compact && !config.cleanup_delete;
}

}  // namespace

topic_registry::topic_registry(storage::log_manager& logs, storage::metadata_store& metadata,
                               std::map<std::string, std::string> broker_settings, int32_t max_broker_partitions)
    : logs_(logs),
      metadata_(metadata),
      broker_settings_(std::move(broker_settings)),
      max_broker_partitions_(max_broker_partitions) {}

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

result<std::vector<std::shared_ptr<storage::partition_log>>> topic_registry::make_partitions(
    const topic_entry& topic, int32_t from, int32_t to) {
  std::vector<std::shared_ptr<storage::partition_log>> made;
  made.reserve(static_cast<size_t>(to - from));
  for (int32_t p = from; p < to; ++p) {
    auto log = logs_.create_partition(topic.name, p, topic.id.bytes, topic.config);
    if (!log) {
      made.clear();  // our references must go before the logs can close
      // A partition that exists under another id is not ours to remove.
      bool ours = !storage::is(log.err(), storage::errc::already_exists);
      abandon_partitions(topic.name, from, ours ? p + 1 : p);
      return log.err();
    }
    made.push_back(*log);
  }
  return made;
}

void topic_registry::abandon_partitions(const std::string& topic, int32_t from, int32_t to) {
  // Highest first: each removal closes a log before it needs a descriptor
  // itself, so this works even when the creation ran out of descriptors.
  for (int32_t p = to - 1; p >= from; --p) {
    if (auto s = logs_.abandon_partition(topic, p); !s) {
      spdlog::warn("topic {}: could not remove partition {} of a failed creation: {}", topic, p,
                   s.err().describe());
    }
  }
}

int64_t topic_registry::partition_total() const {
  int64_t total = 0;
  for (const auto& [name, topic] : topics_) total += static_cast<int64_t>(topic->partitions.size());
  return total;
}

admin_result topic_registry::check_partition_budget(int64_t added) const {
  int64_t total = partition_total();
  if (added > 0 && total + added > max_broker_partitions_) {
    return admin_result::fail(error_code::policy_violation,
                              "adding " + std::to_string(added) + " partition(s) to the " + std::to_string(total) +
                                  " this broker has would pass max.broker.partitions=" +
                                  std::to_string(max_broker_partitions_));
  }
  return {};
}

admin_result topic_registry::check_record_size(const std::string& name, int32_t partitions,
                                               const std::map<std::string, std::string>& configs) const {
  storage::topic_metadata meta{name, {}, partitions, configs};
  size_t size = storage::metadata_store::topic_record_size(meta);
  if (size > storage::metadata_store::max_written_record) {
    return admin_result::fail(error_code::policy_violation,
                              "the configs of topic '" + name + "' take " + std::to_string(size) +
                                  " bytes; a topic's metadata may take at most " +
                                  std::to_string(storage::metadata_store::max_written_record));
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
  if (auto internal = colliding_internal_topic(name)) {
    return admin_result::fail(error_code::invalid_topic_exception,
                              "topic '" + std::string(name) + "' collides with the broker's internal topic '" +
                                  std::string(*internal) + "' ('.' and '_' are treated alike)");
  }
  if (leftover_names_.contains(name)) {
    return admin_result::fail(error_code::kafka_storage_error,
                              "files of the deleted topic '" + std::string(name) +
                                  "' could not all be removed; the name is free again after a restart");
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
  if (partitions > max_new_partitions_per_request) {
    return admin_result::fail(error_code::policy_violation,
                              std::to_string(partitions) + " partitions are more than one request may create (" +
                                  std::to_string(max_new_partitions_per_request) + ")");
  }
  if (admin_result budget = check_partition_budget(partitions); !budget.ok()) return budget;
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
  return check_record_size(std::string(name), partitions, configs);
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

  auto made = make_partitions(*topic, 0, partitions);
  if (!made) return storage_failure(made.err(), "cannot create partitions of " + name);
  // The metadata record is the commit point: until it is written the topic
  // does not exist, and a crash leaves only directories start-up clears.
  storage::topic_metadata meta{name, topic->id.bytes, partitions, configs};
  if (auto s = metadata_.create_topic(meta); !s) {
    made->clear();
    abandon_partitions(name, 0, partitions);
    return storage_failure(s.err(), "cannot record topic " + name);
  }
  topic->partitions = std::move(*made);
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
  int32_t count = static_cast<int32_t>(it->second->partitions.size());
  topics_.erase(it);
  // Every partition is tried, so one failure does not keep the others' data.
  status first_failure;
  for (int32_t p = 0; p < count; ++p) {
    if (auto s = logs_.remove_partition(topic_name, p); !s && first_failure) first_failure = s;
  }
  if (!first_failure) {
    leftover_names_.insert(topic_name);
    spdlog::error("topic {} deleted, but its files could not all be removed: {}", topic_name,
                  first_failure.err().describe());
    return admin_result::fail(error_code::kafka_storage_error,
                              "topic '" + topic_name + "' is deleted, but its files could not all be removed (" +
                                  first_failure.err().describe() + "); the name is free again after a restart");
  }
  spdlog::info("deleted topic {}", topic_name);
  return {};
}

admin_result topic_registry::add_partitions(std::string_view name, int32_t new_total, bool validate_only) {
  auto it = topics_.find(name);
  if (it == topics_.end()) {
    return admin_result::fail(error_code::unknown_topic_or_partition, "topic '" + std::string(name) + "' does not exist");
  }
  topic_entry& topic = *it->second;
  if (topic.internal) {
    return admin_result::fail(error_code::invalid_request,
                              "the partition count of internal topic '" + topic.name +
                                  "' is fixed: consumer groups are mapped to its partitions by that count");
  }
  int32_t current = static_cast<int32_t>(topic.partitions.size());
  if (new_total <= current) {
    return admin_result::fail(error_code::invalid_partitions,
                              "topic '" + topic.name + "' has " + std::to_string(current) +
                                  " partitions; the count can only grow, and " + std::to_string(new_total) +
                                  " is not more");
  }
  int64_t added = static_cast<int64_t>(new_total) - current;
  if (added > max_new_partitions_per_request) {
    return admin_result::fail(error_code::policy_violation,
                              std::to_string(added) + " new partitions are more than one request may create (" +
                                  std::to_string(max_new_partitions_per_request) + ")");
  }
  if (admin_result budget = check_partition_budget(added); !budget.ok()) return budget;
  if (validate_only) return {};
  auto made = make_partitions(topic, current, new_total);
  if (!made) return storage_failure(made.err(), "cannot create new partitions of " + topic.name);
  if (auto s = metadata_.set_partition_count(topic.name, new_total); !s) {
    made->clear();
    abandon_partitions(topic.name, current, new_total);
    return storage_failure(s.err(), "cannot record new partition count of " + topic.name);
  }
  for (auto& log : *made) topic.partitions.push_back(std::move(log));
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
  topic_entry& topic = *it->second;
  if (topic.internal && !keeps_internal_data(*resolved)) {
    return admin_result::fail(error_code::invalid_config,
                              "internal topic '" + topic.name +
                                  "' must keep cleanup.policy=compact: it holds the broker's own state");
  }
  if (admin_result size = check_record_size(topic.name, static_cast<int32_t>(topic.partitions.size()), overrides);
      !size.ok()) {
    return size;
  }
  if (validate_only) return {};
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
