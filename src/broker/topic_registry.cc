#include "broker/topic_registry.h"

#include <spdlog/spdlog.h>

#include <mutex>
#include <set>

#include "broker/test_latch.h"
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
    // An override that was valid when stored but is not now (a minimum raised
    // since) is dropped alone, with a warning: the topic's other overrides
    // stay, since falling back to every default could, say, turn a compacted
    // topic into one that retention deletes.
    std::vector<std::string> dropped;
    auto config = storage::resolve_stored(meta.configs, broker_settings_, &dropped);
    if (!config) return config.err();
    topic->overrides = meta.configs;
    for (const auto& why : dropped)
      spdlog::warn("topic {}: stored config no longer valid, its default applies instead: {}", meta.name, why);
    if (!dropped.empty()) {
      for (auto it = topic->overrides.begin(); it != topic->overrides.end();)
        it = storage::validate_topic_config(it->first, it->second) ? std::next(it) : topic->overrides.erase(it);
    }
    topic->config = *config;
    if (auto s = open_partitions(*topic, 0, meta.partition_count); !s) return s;
    by_id_[topic->id] = topic.get();
    publish(*topic);
    topics_.emplace(meta.name, std::move(topic));
    ++version_;
  }
  return {};
}

void topic_registry::publish(const topic_entry& topic) {
  auto copy = std::make_shared<const topic_entry>(topic);
  std::unique_lock lock(published_mu_);
  published_by_id_[topic.id] = copy;
  published_[topic.name] = std::move(copy);
}

void topic_registry::unpublish(const topic_entry& topic) {
  std::unique_lock lock(published_mu_);
  published_by_id_.erase(topic.id);
  auto it = published_.find(topic.name);
  if (it != published_.end()) published_.erase(it);
}

std::shared_ptr<const topic_entry> topic_registry::published(std::string_view name) const {
  std::shared_lock lock(published_mu_);
  auto it = published_.find(name);
  return it == published_.end() ? nullptr : it->second;
}

std::shared_ptr<const topic_entry> topic_registry::published(const protocol::uuid& id) const {
  if (id.is_zero()) return nullptr;
  std::shared_lock lock(published_mu_);
  auto it = published_by_id_.find(id);
  return it == published_by_id_.end() ? nullptr : it->second;
}

std::shared_ptr<storage::partition_log> topic_registry::published_partition(std::string_view topic,
                                                                            int32_t partition) const {
  auto t = published(topic);
  return partition_log_of(t.get(), partition) ? t->partitions[static_cast<size_t>(partition)] : nullptr;
}

status topic_registry::open_partitions(topic_entry& topic, int32_t from, int32_t to) {
  for (int32_t p = from; p < to; ++p) {
    auto log = logs_.create_partition(topic.name, p, topic.id.bytes, topic.config);
    if (!log) return log.err();
    topic.partitions.push_back(*log);
    ++version_;
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
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
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

std::unique_ptr<topic_entry> topic_registry::new_entry(const std::string& name,
                                                       const std::map<std::string, std::string>& configs,
                                                       bool internal) const {
  auto topic = std::make_unique<topic_entry>();
  topic->name = name;
  topic->id = protocol::uuid::random();
  topic->internal = internal;
  topic->overrides = configs;
  topic->config = *storage::resolve(configs, broker_settings_);
  return topic;
}

admin_result topic_registry::build_topic(topic_entry& topic, int32_t partitions) {
  if (topic.internal) wait_on_internal_topic_latch();
  auto made = make_partitions(topic, 0, partitions);
  if (!made) return storage_failure(made.err(), "cannot create partitions of " + topic.name);
  // The metadata record is the commit point: until it is written the topic
  // does not exist, and a crash leaves only directories start-up clears.
  storage::topic_metadata meta{topic.name, topic.id.bytes, partitions, topic.overrides};
  if (auto s = metadata_.create_topic(meta); !s) {
    made->clear();
    abandon_partitions(topic.name, 0, partitions);
    return storage_failure(s.err(), "cannot record topic " + topic.name);
  }
  topic.partitions = std::move(*made);
  return {};
}

void topic_registry::install(std::unique_ptr<topic_entry> topic) {
  spdlog::info("created topic {} with {} partition(s), id {}", topic->name, topic->partitions.size(),
               topic->id.to_string());
  std::string name = topic->name;
  by_id_[topic->id] = topic.get();
  publish(*topic);
  topics_.emplace(std::move(name), std::move(topic));
  ++version_;
}

admin_result topic_registry::create(const std::string& name, int32_t partitions, int16_t replication_factor,
                                    const std::map<std::string, std::string>& configs, bool internal) {
  if (admin_result check = check_new_topic(name, partitions, replication_factor, configs); !check.ok()) return check;
  auto topic = new_entry(name, configs, internal);
  if (admin_result built = build_topic(*topic, partitions); !built.ok()) return built;
  install(std::move(topic));
  return {};
}

boost::asio::awaitable<admin_result> topic_registry::create_async(worker_pool& workers, std::string name,
                                                                  int32_t partitions, int16_t replication_factor,
                                                                  std::map<std::string, std::string> configs,
                                                                  bool internal) {
  auto turn = append_turns::take(changes_);
  co_await turn.wait_turn();
  // Checked when its turn comes: every earlier change is then complete.
  if (admin_result check = check_new_topic(name, partitions, replication_factor, configs); !check.ok()) {
    co_return check;
  }
  // The entry stays in this frame; the worker fills in its partitions.
  std::unique_ptr<topic_entry> topic = new_entry(name, configs, internal);
  topic_entry* building = topic.get();
  auto build = [this, building, partitions] { return build_topic(*building, partitions); };
  admin_result built = co_await workers.run(build);
  if (!built.ok()) co_return built;
  install(std::move(topic));
  co_return admin_result{};
}

std::unique_ptr<topic_entry> topic_registry::detach(std::string_view name) {
  auto it = topics_.find(name);
  if (it == topics_.end()) return nullptr;
  auto topic = std::move(it->second);
  topics_.erase(it);
  by_id_.erase(topic->id);
  unpublish(*topic);
  ++version_;
  return topic;
}

topic_registry::removal topic_registry::remove_files(const topic_entry& topic) {
  removal out;
  if (auto s = metadata_.delete_topic(topic.name); !s) {
    out.recorded = false;
    out.outcome = storage_failure(s.err(), "cannot record deletion of " + topic.name);
    return out;
  }
  // Every partition is tried, so one failure does not keep the others' data.
  status first_failure;
  int32_t count = static_cast<int32_t>(topic.partitions.size());
  for (int32_t p = 0; p < count; ++p) {
    if (auto s = logs_.remove_partition(topic.name, p); !s && first_failure) first_failure = s;
  }
  if (!first_failure) {
    spdlog::error("topic {} deleted, but its files could not all be removed: {}", topic.name,
                  first_failure.err().describe());
    out.outcome = admin_result::fail(error_code::kafka_storage_error,
                                     "topic '" + topic.name + "' is deleted, but its files could not all be removed (" +
                                         first_failure.err().describe() + "); the name is free again after a restart");
    return out;
  }
  spdlog::info("deleted topic {}", topic.name);
  return out;
}

admin_result topic_registry::finish_removal(std::unique_ptr<topic_entry> topic, const removal& done) {
  if (!done.recorded) {
    // Nothing changed on disk: the topic is still there.
    install_back(std::move(topic));
  } else if (!done.outcome.ok()) {
    leftover_names_.insert(topic->name);
  }
  return done.outcome;
}

void topic_registry::install_back(std::unique_ptr<topic_entry> topic) {
  by_id_[topic->id] = topic.get();
  publish(*topic);
  std::string name = topic->name;
  topics_.emplace(std::move(name), std::move(topic));
  ++version_;
}

admin_result topic_registry::remove(std::string_view name) {
  auto topic = detach(name);
  if (!topic) {
    return admin_result::fail(error_code::unknown_topic_or_partition, "topic '" + std::string(name) + "' does not exist");
  }
  removal done = remove_files(*topic);
  return finish_removal(std::move(topic), done);
}

boost::asio::awaitable<admin_result> topic_registry::remove_async(worker_pool& workers, std::string name) {
  auto turn = append_turns::take(changes_);
  co_await turn.wait_turn();
  // Out of sight at once: later requests see the topic gone while its files go.
  std::unique_ptr<topic_entry> topic = detach(name);
  if (!topic) {
    co_return admin_result::fail(error_code::unknown_topic_or_partition, "topic '" + name + "' does not exist");
  }
  const topic_entry* removing = topic.get();
  auto remove = [this, removing] { return remove_files(*removing); };
  removal done = co_await workers.run(remove);
  co_return finish_removal(std::move(topic), done);
}

admin_result topic_registry::check_add_partitions(std::string_view name, int32_t new_total) const {
  auto it = topics_.find(name);
  if (it == topics_.end()) {
    return admin_result::fail(error_code::unknown_topic_or_partition, "topic '" + std::string(name) + "' does not exist");
  }
  const topic_entry& topic = *it->second;
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
  return check_partition_budget(added);
}

result<std::vector<std::shared_ptr<storage::partition_log>>> topic_registry::grow_files(const topic_entry& topic,
                                                                                       int32_t current,
                                                                                       int32_t new_total) {
  auto made = make_partitions(topic, current, new_total);
  if (!made) return made.err();
  if (auto s = metadata_.set_partition_count(topic.name, new_total); !s) {
    made->clear();
    abandon_partitions(topic.name, current, new_total);
    return s.err();
  }
  return made;
}

void topic_registry::append_partitions(topic_entry& topic, std::vector<std::shared_ptr<storage::partition_log>> made) {
  size_t before = topic.partitions.size();
  for (auto& log : made) topic.partitions.push_back(std::move(log));
  publish(topic);
  ++version_;
  spdlog::info("topic {}: partitions {} -> {}", topic.name, before, topic.partitions.size());
}

admin_result topic_registry::add_partitions(std::string_view name, int32_t new_total, bool validate_only) {
  if (admin_result check = check_add_partitions(name, new_total); !check.ok() || validate_only) return check;
  topic_entry& topic = *topics_.find(name)->second;
  auto made = grow_files(topic, static_cast<int32_t>(topic.partitions.size()), new_total);
  if (!made) return storage_failure(made.err(), "cannot create new partitions of " + topic.name);
  append_partitions(topic, std::move(*made));
  return {};
}

boost::asio::awaitable<admin_result> topic_registry::add_partitions_async(worker_pool& workers, std::string name,
                                                                          int32_t new_total, bool validate_only) {
  auto turn = append_turns::take(changes_);
  co_await turn.wait_turn();
  if (admin_result check = check_add_partitions(name, new_total); !check.ok() || validate_only) co_return check;
  // Changes run one at a time, so the topic stays as checked until this
  // ends; the worker gets its own copy of what it needs (a config change may
  // run meanwhile).
  topic_entry* topic = topics_.find(name)->second.get();
  topic_entry shape;
  shape.name = topic->name;
  shape.id = topic->id;
  shape.config = topic->config;
  int32_t current = static_cast<int32_t>(topic->partitions.size());
  const topic_entry* grown = &shape;
  auto grow = [this, grown, current, new_total] { return grow_files(*grown, current, new_total); };
  auto made = co_await workers.run(grow);
  if (!made) co_return storage_failure(made.err(), "cannot create new partitions of " + name);
  topic = topics_.find(name)->second.get();
  append_partitions(*topic, std::move(*made));
  co_return admin_result{};
}

boost::asio::awaitable<admin_result> topic_registry::set_overrides_async(worker_pool& workers, std::string name,
                                                                         overrides_edit edit, bool validate_only) {
  // A change of configs takes its turn with the other topic changes: the
  // topic stays as checked while its record is written, and an incremental
  // change edits the overrides the change before it left.
  auto turn = append_turns::take(changes_);
  co_await turn.wait_turn();
  auto it = topics_.find(name);
  if (it == topics_.end()) {
    co_return admin_result::fail(error_code::unknown_topic_or_partition, "topic '" + name + "' does not exist");
  }
  std::map<std::string, std::string> overrides = it->second->overrides;
  if (admin_result edited = edit(overrides); !edited.ok()) co_return edited;
  for (const auto& [config_name, value] : overrides) {
    if (auto s = storage::validate_topic_config(config_name, value); !s) {
      co_return admin_result::fail(error_code::invalid_config, s.err().message);
    }
  }
  auto resolved = storage::resolve(overrides, broker_settings_);
  if (!resolved) co_return admin_result::fail(error_code::invalid_config, resolved.err().message);
  topic_entry* topic = it->second.get();
  if (topic->internal && !keeps_internal_data(*resolved)) {
    co_return admin_result::fail(error_code::invalid_config,
                                 "internal topic '" + topic->name +
                                     "' must keep cleanup.policy=compact: it holds the broker's own state");
  }
  if (admin_result size = check_record_size(topic->name, static_cast<int32_t>(topic->partitions.size()), overrides);
      !size.ok()) {
    co_return size;
  }
  if (validate_only) co_return admin_result{};
  // The metadata log's append and fsync wait on the pool: on the handler
  // thread a slow disk (or another change holding the store) held every
  // connection for seconds (seen by scripts/wire_fuzz.py).
  auto record = [this, &name, &overrides] {
    wait_on_topic_config_latch();
    return metadata_.set_topic_config(name, overrides);
  };
  if (status s = co_await workers.run(record); !s) {
    co_return storage_failure(s.err(), "cannot record configs of " + name);
  }
  topic = topics_.find(name)->second.get();
  topic->overrides = std::move(overrides);
  topic->config = *resolved;
  for (auto& log : topic->partitions) log->update_config(topic->config);
  publish(*topic);
  spdlog::info("topic {}: configs now {}", topic->name, topic->overrides.size());
  co_return admin_result{};
}

}  // namespace samsa::broker
