#include "broker/broker_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include "storage/log_config.h"

namespace samsa::broker {
namespace {

template <typename T>
result<T> parse_integer(const std::string& key, const std::string& value, T min_value, T max_value) {
  int64_t parsed = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (ec != std::errc{} || ptr != value.data() + value.size()) {
    return make_error(std::errc::invalid_argument, key + ": '" + value + "' is not an integer");
  }
  if (parsed < static_cast<int64_t>(min_value) || parsed > static_cast<int64_t>(max_value)) {
    return make_error(std::errc::invalid_argument, key + ": " + value + " is outside [" +
                                                       std::to_string(min_value) + ", " +
                                                       std::to_string(max_value) + "]");
  }
  return static_cast<T>(parsed);
}

result<bool> parse_bool(const std::string& key, const std::string& value) {
  if (value == "true") return true;
  if (value == "false") return false;
  return make_error(std::errc::invalid_argument, key + ": '" + value + "' is not true or false");
}

// Keys the broker reads itself; topic-level defaults are checked by storage.
const std::set<std::string>& broker_keys() {
  static const std::set<std::string> keys = {
      "listeners", "advertised.listeners", "log.dirs", "log.dir", "node.id", "broker.id",
      "num.partitions", "default.replication.factor", "auto.create.topics.enable",
      "delete.topic.enable", "socket.request.max.bytes", "fetch.max.bytes", "connections.max.idle.ms",
      "group.initial.rebalance.delay.ms", "group.min.session.timeout.ms",
      "group.max.session.timeout.ms", "group.consumer.session.timeout.ms", "group.consumer.heartbeat.interval.ms",
      "group.consumer.max.size", "group.consumer.assignors", "group.consumer.migration.policy", "offsets.topic.num.partitions", "offsets.retention.minutes",
      "offsets.retention.check.interval.ms", "group.max.size", "offset.metadata.max.bytes", "group.max.groups",
      "group.max.pending.members", "offsets.max.memory.bytes", "group.classic.member.metadata.max.bytes",
      "group.consumer.member.metadata.max.bytes",
      "log.retention.check.interval.ms", "process.roles", "controller.quorum.voters",
      "listener.security.protocol.map", "inter.broker.listener.name", "controller.listener.names",
      "offsets.topic.replication.factor", "transaction.state.log.replication.factor",
      "transaction.state.log.min.isr", "num.network.threads", "num.io.threads", "background.threads",
      "socket.send.buffer.bytes", "socket.receive.buffer.bytes", "log.flush.scheduler.interval.ms",
      "queued.max.request.bytes", "max.connections", "max.connections.per.ip",
      "connections.max.write.stall.ms", "max.broker.partitions", "transaction.state.log.num.partitions",
      "transaction.max.timeout.ms", "transactional.id.expiration.ms", "producer.id.expiration.ms",
      "max.producer.ids.per.partition", "max.producer.ids", "transactional.id.max.count",
      "transaction.partitions.max.memory.bytes",
      "client.quota.max.entities", "scram.max.users",
      "group.share.record.lock.duration.ms", "group.share.delivery.count.limit",
      "group.share.partition.max.record.locks", "group.share.session.timeout.ms",
      "group.share.heartbeat.interval.ms", "group.share.max.size", "group.share.max.groups",
      "samsa.test.crash.trigger", "http.listeners",
      "http.write.enabled", "ssl.handshake.timeout.ms",
      // Read by the console's authentication (http/http_auth.cc).
      "connection.failed.authentication.delay.ms", "listener.name.http.plain.sasl.jaas.config",
      "schema.registry.listeners", "schema.registry.topic",
      // Incremental fetch sessions (KIP-227); the last one is Samsa's memory bound.
      "max.incremental.fetch.session.cache.slots", "min.incremental.fetch.session.eviction.ms",
      "fetch.session.cache.max.partitions",
      // Read by the HTTP REST proxy (src/proxy/proxy_settings.cc).
      "http.proxy.listeners", "http.proxy.max.request.bytes", "http.proxy.max.records.per.request",
      "http.proxy.stream.buffer.bytes",
      "http.proxy.consumer.max.instances", "http.proxy.consumer.instance.timeout.ms", "http.proxy.consumer.max.records",
      "http.proxy.consumer.max.bytes", "schema.registry.url", "schema.registry.basic.auth.user.info"};
  return keys;
}

bool is_tls_key(std::string_view key) {
  const auto& keys = security::tls::tls_setting_keys();
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

// listener.name.<listener>.ssl.x: known when ssl.x is.
bool is_listener_tls_key(const std::string& key) {
  constexpr std::string_view prefix = "listener.name.";
  if (key.rfind(prefix, 0) != 0) return false;
  size_t dot = key.find('.', prefix.size());
  return dot != std::string::npos && is_tls_key(std::string_view(key).substr(dot + 1));
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

result<security_protocol> parse_security_protocol(const std::string& text) {
  std::string p = upper(text);
  if (p == "PLAINTEXT") return security_protocol::plaintext;
  if (p == "SSL") return security_protocol::ssl;
  if (p == "SASL_PLAINTEXT") return security_protocol::sasl_plaintext;
  if (p == "SASL_SSL") return security_protocol::sasl_ssl;
  return make_error(std::errc::invalid_argument, "listener.security.protocol.map: '" + text +
                                                     "' is not a security protocol (PLAINTEXT, SSL, "
                                                     "SASL_PLAINTEXT, SASL_SSL)");
}

// NAME:PROTOCOL,...; Kafka's default maps each protocol's name to itself.
result<std::map<std::string, security_protocol>> parse_protocol_map(const std::string& text) {
  std::map<std::string, security_protocol> out;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string item(rest.substr(0, comma));
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (item.empty()) continue;
    size_t colon = item.find(':');
    if (colon == std::string::npos || colon == 0) {
      return make_error(std::errc::invalid_argument,
                        "listener.security.protocol.map: '" + item + "' must look like NAME:PROTOCOL");
    }
    auto protocol = parse_security_protocol(item.substr(colon + 1));
    if (!protocol) return protocol.err();
    if (!out.emplace(upper(item.substr(0, colon)), *protocol).second) {
      return make_error(std::errc::invalid_argument,
                        "listener.security.protocol.map: listener " + item.substr(0, colon) + " is mapped twice");
    }
  }
  return out;
}

bool is_topic_default_key(const std::string& key) {
  return key.rfind("log.", 0) == 0 || key == "message.max.bytes" || key == "compression.type" ||
         key == "min.insync.replicas" || key == "unclean.leader.election.enable" ||
         key.rfind("log.cleaner.", 0) == 0;
}

}  // namespace

result<listener_address> parse_listener(std::string_view text) {
  size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    return make_error(std::errc::invalid_argument,
                      "listener '" + std::string(text) + "' must look like PLAINTEXT://host:port");
  }
  listener_address address;
  address.name = std::string(text.substr(0, scheme_end));
  std::string_view host_port = text.substr(scheme_end + 3);
  size_t colon = host_port.rfind(':');
  if (colon == std::string_view::npos) {
    return make_error(std::errc::invalid_argument, "listener '" + std::string(text) + "' has no port");
  }
  address.host = std::string(host_port.substr(0, colon));
  if (address.host.size() >= 2 && address.host.front() == '[' && address.host.back() == ']') {
    address.host = address.host.substr(1, address.host.size() - 2);
  }
  auto port = parse_integer<uint16_t>("listener port", std::string(host_port.substr(colon + 1)), 0, 65535);
  if (!port) return port.err();
  address.port = *port;
  return address;
}

result<std::vector<listener_address>> parse_listener_list(std::string_view text) {
  std::vector<listener_address> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) {
      auto parsed = parse_listener(item);
      if (!parsed) return parsed.err();
      out.push_back(*parsed);
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string_view security_protocol_name(security_protocol p) {
  switch (p) {
    case security_protocol::plaintext:
      return "PLAINTEXT";
    case security_protocol::ssl:
      return "SSL";
    case security_protocol::sasl_plaintext:
      return "SASL_PLAINTEXT";
    case security_protocol::sasl_ssl:
      return "SASL_SSL";
  }
  return "PLAINTEXT";
}

status resolve_listeners(const property_map& raw, broker_config& config) {
  auto get = [&](const std::string& key, const std::string& fallback) {
    auto it = raw.find(key);
    return it == raw.end() ? fallback : it->second;
  };
  auto listeners = parse_listener_list(get("listeners", "PLAINTEXT://127.0.0.1:9092"));
  if (!listeners) return listeners.err();
  if (listeners->empty()) return make_error(std::errc::invalid_argument, "listeners: no listener given");
  auto protocols = parse_protocol_map(
      get("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL"));
  if (!protocols) return protocols.err();
  std::set<std::string> names;
  for (auto& l : *listeners) {
    if (!names.insert(upper(l.name)).second) {
      return make_error(std::errc::invalid_argument, "listeners: listener name " + l.name + " is used twice");
    }
    auto it = protocols->find(upper(l.name));
    if (it == protocols->end()) {
      return make_error(std::errc::invalid_argument,
                        "listeners: listener " + l.name + " has no security protocol: add " + l.name +
                            ":<PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL> to listener.security.protocol.map");
    }
    l.protocol = it->second;
  }
  config.listeners = *listeners;

  auto advertised = parse_listener_list(get("advertised.listeners", ""));
  if (!advertised) return advertised.err();
  for (const auto& a : *advertised) {
    if (!names.count(upper(a.name))) {
      return make_error(std::errc::invalid_argument,
                        "advertised.listeners: " + a.name + " is not one of the listeners (" + get("listeners", "") + ")");
    }
  }
  config.advertised_listeners.clear();
  for (const auto& l : config.listeners) {
    listener_address out = l;
    for (const auto& a : *advertised) {
      if (upper(a.name) == upper(l.name)) {
        out.host = a.host;
        out.port = a.port;
      }
    }
    config.advertised_listeners.push_back(out);
  }

  config.inter_broker_listener_name = get("inter.broker.listener.name", "");
  if (!config.inter_broker_listener_name.empty() && !names.count(upper(config.inter_broker_listener_name))) {
    return make_error(std::errc::invalid_argument, "inter.broker.listener.name: " + config.inter_broker_listener_name +
                                                       " is not one of the listeners");
  }

  for (const auto& l : config.listeners) {
    if (!uses_tls(l.protocol)) continue;
    // Kafka's per-listener prefix uses the lower-case name; the name as
    // written is accepted too.
    std::vector<std::string> prefixes = {"listener.name." + lower(l.name) + ".", "listener.name." + l.name + "."};
    auto lookup = [&](const std::string& key) -> std::optional<std::string> {
      for (const auto& prefix : prefixes) {
        if (auto it = raw.find(prefix + key); it != raw.end()) return it->second;
      }
      if (auto it = raw.find(key); it != raw.end()) return it->second;
      return std::nullopt;
    };
    auto tls = security::tls::parse_tls_settings(l.name, lookup);
    if (!tls) return tls.err();
    config.listener_tls[l.name] = std::move(*tls);
  }

  for (const auto& l : config.listeners) {
    if (!uses_sasl(l.protocol)) continue;
    // sasl_config reads Kafka's names with the lower-case listener prefix.
    auto sasl = sasl::read_listener_sasl_config(raw, l.name);
    if (!sasl) return sasl.err();
    config.listener_sasl[l.name] = std::make_shared<const sasl::listener_sasl_config>(std::move(*sasl));
  }
  return {};
}

result<broker_config> resolve_broker_config(const config_sources& sources, std::vector<std::string>& warnings) {
  broker_config config;
  property_map& raw = config.raw;
  for (const auto* layer : {&sources.file, &sources.environment, &sources.overrides}) {
    for (const auto& [key, value] : *layer) raw[key] = value;
  }
  auto get = [&](const std::string& key, const std::string& fallback) {
    auto it = raw.find(key);
    return it == raw.end() ? fallback : it->second;
  };

  if (auto s = resolve_listeners(raw, config); !s) return s.err();

  config.log_dir = get("log.dirs", get("log.dir", "./data"));
  config.test_crash_trigger = get("samsa.test.crash.trigger", "");
  if (config.log_dir.find(',') != std::string::npos) {
    warnings.push_back("log.dirs: several directories given; Samsa uses the first one");
    config.log_dir = config.log_dir.substr(0, config.log_dir.find(','));
  }

  // Each entry: key, target and bounds. Parsed only when present.
  auto apply_int32 = [&](const char* key, int32_t& field, int32_t lo, int32_t hi) -> status {
    auto it = raw.find(key);
    if (it == raw.end()) return {};
    auto v = parse_integer<int32_t>(key, it->second, lo, hi);
    if (!v) return v.err();
    field = *v;
    return {};
  };
  auto apply_int64 = [&](const char* key, int64_t& field, int64_t lo, int64_t hi) -> status {
    auto it = raw.find(key);
    if (it == raw.end()) return {};
    auto v = parse_integer<int64_t>(key, it->second, lo, hi);
    if (!v) return v.err();
    field = *v;
    return {};
  };
  auto apply_bool = [&](const char* key, bool& field) -> status {
    auto it = raw.find(key);
    if (it == raw.end()) return {};
    auto v = parse_bool(key, it->second);
    if (!v) return v.err();
    field = *v;
    return {};
  };
  int32_t replication = config.default_replication_factor;
  constexpr int32_t int32_max = 2147483647;
  for (status s : {apply_int32("broker.id", config.node_id, 0, int32_max),
                   apply_int32("node.id", config.node_id, 0, int32_max),
                   apply_int32("num.partitions", config.num_partitions, 1, 100000),
                   apply_int32("default.replication.factor", replication, 1, 1),
                   apply_bool("auto.create.topics.enable", config.auto_create_topics_enable),
                   apply_bool("delete.topic.enable", config.delete_topic_enable),
                   apply_int32("socket.request.max.bytes", config.socket_request_max_bytes, 1, int32_max),
                   apply_int32("fetch.max.bytes", config.fetch_max_bytes, 1024, int32_max),
                   apply_int64("connections.max.idle.ms", config.connections_max_idle_ms, -1, INT64_MAX),
                   apply_int64("connections.max.write.stall.ms", config.connections_max_write_stall_ms, -1,
                               INT64_MAX),
                   apply_int32("num.network.threads", config.num_network_threads, 1, 64),
                   apply_int32("num.io.threads", config.num_io_threads, 1, 256),
                   apply_int32("background.threads", config.background_threads, 1, 256),
                   apply_int64("queued.max.request.bytes", config.queued_max_request_bytes, -1, INT64_MAX),
                   apply_int32("max.connections", config.max_connections, 1, int32_max),
                   apply_int32("max.connections.per.ip", config.max_connections_per_ip, 1, int32_max),
                   apply_int32("group.initial.rebalance.delay.ms", config.group_initial_rebalance_delay_ms, 0,
                               int32_max),
                   apply_int32("group.min.session.timeout.ms", config.group_min_session_timeout_ms, 0,
                               int32_max),
                   apply_int32("group.max.session.timeout.ms", config.group_max_session_timeout_ms, 0,
                               int32_max),
                   apply_int32("group.consumer.session.timeout.ms", config.group_consumer_session_timeout_ms, 1,
                               int32_max),
                   apply_int32("group.consumer.heartbeat.interval.ms", config.group_consumer_heartbeat_interval_ms,
                               1, int32_max),
                   apply_int32("group.consumer.max.size", config.group_consumer_max_size, 1, int32_max),
                   apply_int32("group.max.size", config.group_max_size, 1, int32_max),
                   apply_int32("offset.metadata.max.bytes", config.offset_metadata_max_bytes, 0, int32_max),
                   apply_int32("group.max.groups", config.group_max_groups, 1, int32_max),
                   apply_int32("group.max.pending.members", config.group_max_pending_members, 1, int32_max),
                   apply_int64("offsets.max.memory.bytes", config.offsets_max_memory_bytes, 1 << 20, INT64_MAX),
                   apply_int64("group.classic.member.metadata.max.bytes",
                               config.group_classic_member_metadata_max_bytes, 1 << 20, INT64_MAX),
                   apply_int64("group.consumer.member.metadata.max.bytes",
                               config.group_consumer_member_metadata_max_bytes, 1 << 20, INT64_MAX),
                   apply_int32("offsets.topic.num.partitions", config.offsets_topic_num_partitions, 1, 10000),
                   // Kafka's ranges, except that tests may use shorter locks and sessions.
                   apply_int32("group.share.record.lock.duration.ms", config.group_share_record_lock_duration_ms,
                               100, 3600000),
                   apply_int32("group.share.delivery.count.limit", config.group_share_delivery_count_limit, 2, 10),
                   apply_int32("group.share.partition.max.record.locks",
                               config.group_share_partition_max_record_locks, 100, 10000),
                   apply_int32("group.share.session.timeout.ms", config.group_share_session_timeout_ms, 1000,
                               int32_max),
                   apply_int32("group.share.heartbeat.interval.ms", config.group_share_heartbeat_interval_ms, 100,
                               int32_max),
                   apply_int32("group.share.max.size", config.group_share_max_size, 1, 1000),
                   // Kafka 4.0 takes 1-100; more is allowed here, as group.max.groups allows.
                   apply_int32("group.share.max.groups", config.group_share_max_groups, 1, int32_max),
                   apply_int64("offsets.retention.minutes", config.offsets_retention_minutes, 1, INT64_MAX),
                   apply_int64("offsets.retention.check.interval.ms", config.offsets_retention_check_interval_ms, 1,
                               INT64_MAX),
                   apply_int32("transaction.state.log.num.partitions", config.transaction_state_log_num_partitions,
                               1, 10000),
                   apply_int32("transaction.max.timeout.ms", config.transaction_max_timeout_ms, 1, int32_max),
                   apply_int64("transactional.id.expiration.ms", config.transactional_id_expiration_ms, 1,
                               int32_max),
                   apply_int64("producer.id.expiration.ms", config.producer_id_expiration_ms, 1, int32_max),
                   // At least one: a bound of zero would refuse every producer, id, quota or user.
                   apply_int32("max.producer.ids.per.partition", config.max_producer_ids_per_partition, 1,
                               10000000),
                   apply_int32("max.producer.ids", config.max_producer_ids, 1, 100000000),
                   apply_int32("transactional.id.max.count", config.transactional_id_max_count, 1, 100000000),
                   apply_int64("transaction.partitions.max.memory.bytes",
                               config.transaction_partitions_max_memory_bytes, 1, INT64_MAX),
                   apply_int32("client.quota.max.entities", config.client_quota_max_entities, 1, 10000000),
                   apply_int32("scram.max.users", config.scram_max_users, 1, 10000000),
                   apply_int64("log.retention.check.interval.ms", config.log_retention_check_interval_ms, 1,
                               INT64_MAX),
                   apply_int32("max.broker.partitions", config.max_broker_partitions, 1, int32_max),
                   apply_int32("max.incremental.fetch.session.cache.slots", config.fetch_sessions.slots, 0,
                               int32_max),
                   apply_int64("fetch.session.cache.max.partitions", config.fetch_sessions.max_partitions, 0,
                               INT64_MAX),
                   apply_int64("ssl.handshake.timeout.ms", config.ssl_handshake_timeout_ms, 1, INT32_MAX),
                   apply_int64("log.cleaner.dedupe.buffer.size", config.log_cleaner_dedupe_buffer_size, 1 << 20,
                               INT64_MAX)}) {
    if (!s) return s.err();
  }
  config.default_replication_factor = static_cast<int16_t>(replication);
  int64_t session_eviction_ms = config.fetch_sessions.idle_eviction.count();
  if (auto s = apply_int64("min.incremental.fetch.session.eviction.ms", session_eviction_ms, 0, INT32_MAX); !s)
    return s.err();
  config.fetch_sessions.idle_eviction = std::chrono::milliseconds(session_eviction_ms);
  if (auto it = raw.find("group.consumer.assignors"); it != raw.end()) {
    // Names only (Kafka also takes class names); the first is the default.
    std::vector<std::string> names;
    std::string_view rest = it->second;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      std::string name(rest.substr(0, comma));
      name.erase(0, name.find_first_not_of(" \t"));
      name.erase(name.find_last_not_of(" \t") + 1);
      if (name != "uniform" && name != "range") {
        return make_error(std::errc::invalid_argument,
                          "group.consumer.assignors: '" + name + "' is not an assignor (uniform, range)");
      }
      names.push_back(name);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    if (names.empty()) return make_error(std::errc::invalid_argument, "group.consumer.assignors: empty");
    config.group_consumer_assignors = names;
  }
  if (auto it = raw.find("group.consumer.migration.policy"); it != raw.end()) {
    auto policy = group::parse_migration_policy(it->second);
    if (!policy) {
      return make_error(std::errc::invalid_argument,
                        "group.consumer.migration.policy: '" + it->second +
                            "' is not a policy (disabled, upgrade, downgrade, bidirectional)");
    }
    config.group_consumer_migration_policy = *policy;
  }

  auto authorizer = authorizer_settings_from(raw);
  if (!authorizer) return authorizer.err();
  config.authorizer = std::move(*authorizer);

  // The topic defaults (log.roll.ms, log.segment.bytes, ...) are checked
  // here, not at the first topic that needs them: a broker started with one
  // out of range would refuse every CreateTopics, and with topics on disk
  // would not start.
  if (auto defaults = storage::resolve({}, raw); !defaults) return defaults.err();

  for (const auto& [key, value] : raw) {
    if (!broker_keys().count(key) && !is_topic_default_key(key) && !is_tls_key(key) && !is_listener_tls_key(key) &&
        !is_authorizer_key(key) && !sasl::is_sasl_key(key)) {
      warnings.push_back("setting '" + key + "' is not a known broker config and is ignored");
    }
  }
  return config;
}

}  // namespace samsa::broker
