#include "broker/broker_configs_view.h"

#include <map>

namespace samsa::broker {

namespace {

std::string listeners_text(const std::vector<listener_address>& list) {
  std::string out;
  for (const auto& l : list) {
    if (!out.empty()) out += ",";
    out += l.name + "://" + l.host + ":" + std::to_string(l.port);
  }
  return out;
}

}  // namespace

std::vector<storage::config_entry> describe_broker_configs(const broker_config& config) {
  using storage::config_source;
  using storage::config_type;
  // name -> (effective value, type); the source is "static" when the user set it.
  std::map<std::string, std::pair<std::string, config_type>> own = {
      {"listeners", {listeners_text(config.listeners), config_type::list}},
      {"advertised.listeners", {listeners_text(config.advertised_listeners), config_type::list}},
      {"log.dirs", {config.log_dir, config_type::string}},
      {"node.id", {std::to_string(config.node_id), config_type::int_}},
      {"num.partitions", {std::to_string(config.num_partitions), config_type::int_}},
      {"default.replication.factor", {std::to_string(config.default_replication_factor), config_type::int_}},
      {"auto.create.topics.enable", {config.auto_create_topics_enable ? "true" : "false", config_type::boolean}},
      {"delete.topic.enable", {config.delete_topic_enable ? "true" : "false", config_type::boolean}},
      {"socket.request.max.bytes", {std::to_string(config.socket_request_max_bytes), config_type::int_}},
      {"connections.max.idle.ms", {std::to_string(config.connections_max_idle_ms), config_type::long_}},
      {"group.initial.rebalance.delay.ms",
       {std::to_string(config.group_initial_rebalance_delay_ms), config_type::int_}},
      {"group.min.session.timeout.ms", {std::to_string(config.group_min_session_timeout_ms), config_type::int_}},
      {"group.max.session.timeout.ms", {std::to_string(config.group_max_session_timeout_ms), config_type::int_}},
      {"offsets.topic.num.partitions", {std::to_string(config.offsets_topic_num_partitions), config_type::int_}},
      {"group.share.record.lock.duration.ms",
       {std::to_string(config.group_share_record_lock_duration_ms), config_type::int_}},
      {"group.share.delivery.count.limit", {std::to_string(config.group_share_delivery_count_limit), config_type::int_}},
      {"group.share.partition.max.record.locks",
       {std::to_string(config.group_share_partition_max_record_locks), config_type::int_}},
      {"group.share.session.timeout.ms", {std::to_string(config.group_share_session_timeout_ms), config_type::int_}},
      {"group.share.heartbeat.interval.ms",
       {std::to_string(config.group_share_heartbeat_interval_ms), config_type::int_}},
      {"group.share.max.size", {std::to_string(config.group_share_max_size), config_type::int_}},
      {"group.share.max.groups", {std::to_string(config.group_share_max_groups), config_type::int_}},
      {"offsets.retention.minutes", {std::to_string(config.offsets_retention_minutes), config_type::int_}},
      {"offsets.retention.check.interval.ms",
       {std::to_string(config.offsets_retention_check_interval_ms), config_type::long_}},
      {"transaction.state.log.num.partitions",
       {std::to_string(config.transaction_state_log_num_partitions), config_type::int_}},
      {"transaction.max.timeout.ms", {std::to_string(config.transaction_max_timeout_ms), config_type::int_}},
      {"transactional.id.expiration.ms",
       {std::to_string(config.transactional_id_expiration_ms), config_type::int_}},
      {"producer.id.expiration.ms", {std::to_string(config.producer_id_expiration_ms), config_type::int_}},
      {"max.producer.ids.per.partition",
       {std::to_string(config.max_producer_ids_per_partition), config_type::int_}},
      {"max.producer.ids", {std::to_string(config.max_producer_ids), config_type::int_}},
      {"transactional.id.max.count", {std::to_string(config.transactional_id_max_count), config_type::int_}},
      {"transaction.partitions.max.memory.bytes",
       {std::to_string(config.transaction_partitions_max_memory_bytes), config_type::long_}},
      {"client.quota.max.entities", {std::to_string(config.client_quota_max_entities), config_type::int_}},
      {"scram.max.users", {std::to_string(config.scram_max_users), config_type::int_}},
      {"num.network.threads", {std::to_string(config.num_network_threads), config_type::int_}},
      {"num.io.threads", {std::to_string(config.num_io_threads), config_type::int_}},
      {"background.threads", {std::to_string(config.background_threads), config_type::int_}},
      {"queued.max.request.bytes", {std::to_string(config.queued_max_request_bytes), config_type::long_}},
      // 0: derived from the open-file limit at start (the start-up line says the figure).
      {"max.connections", {std::to_string(config.max_connections), config_type::int_}},
      {"max.connections.per.ip", {std::to_string(config.max_connections_per_ip), config_type::int_}},
      {"connections.max.write.stall.ms",
       {std::to_string(config.connections_max_write_stall_ms), config_type::long_}},
      {"max.broker.partitions", {std::to_string(config.max_broker_partitions), config_type::int_}},
  };
  std::vector<storage::config_entry> out;
  for (const auto& [name, value_type] : own) {
    storage::config_entry e;
    e.name = name;
    e.value = value_type.first;
    e.type = value_type.second;
    e.source = config.raw.count(name) ? config_source::static_broker_config : config_source::default_config;
    e.synonyms.push_back({name, e.value, e.source});
    out.push_back(std::move(e));
  }
  // Broker-level defaults of topic configs, under their broker names.
  for (const auto& def : storage::topic_config_defs()) {
    if (def.broker_synonym.empty()) continue;
    storage::config_entry e;
    e.name = def.broker_synonym;
    auto it = config.raw.find(def.broker_synonym);
    e.value = it != config.raw.end() ? it->second : def.default_value;
    e.type = def.type;
    e.doc = def.doc;
    e.source = it != config.raw.end() ? config_source::static_broker_config : config_source::default_config;
    e.synonyms.push_back({e.name, e.value, e.source});
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace samsa::broker
