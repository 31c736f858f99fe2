// The broker's own settings (Kafka property names), resolved from defaults,
// a properties file, SAMSA_ environment variables and --set overrides, in
// that order. Topic-level defaults (log.*) are kept raw for the storage layer.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "broker/authorizer_settings.h"
#include "broker/fetch_sessions.h"
#include "broker/properties.h"
#include "group/consumer_group_types.h"
#include "security/sasl/sasl_config.h"
#include "security/tls/tls_settings.h"

namespace samsa::broker {

// Kafka's four: whether the bytes are TLS, and whether SASL comes first.
enum class security_protocol { plaintext, ssl, sasl_plaintext, sasl_ssl };

std::string_view security_protocol_name(security_protocol p);
inline bool uses_tls(security_protocol p) {
  return p == security_protocol::ssl || p == security_protocol::sasl_ssl;
}
inline bool uses_sasl(security_protocol p) {
  return p == security_protocol::sasl_plaintext || p == security_protocol::sasl_ssl;
}

struct listener_address {
  std::string name = "PLAINTEXT";  // the listener's name ("PLAINTEXT", "INTERNAL", ...)
  std::string host;
  uint16_t port = 0;
  // From listener.security.protocol.map (by default the name itself).
  security_protocol protocol = security_protocol::plaintext;
};

struct broker_config {
  std::vector<listener_address> listeners;
  // One per listener, in the same order: the advertised.listeners entry of
  // that name, else the listener's own address.
  std::vector<listener_address> advertised_listeners;
  // Checked to name a listener; a single broker has no peers to talk to.
  std::string inter_broker_listener_name;
  // TLS settings of each SSL / SASL_SSL listener, by listener name
  // (listener.name.<name>.ssl.* over ssl.*).
  std::map<std::string, security::tls::tls_settings> listener_tls;
  // SASL settings of each SASL_PLAINTEXT / SASL_SSL listener, by listener
  // name (sasl.enabled.mechanisms, JAAS users, OAUTHBEARER validation,
  // connections.max.reauth.ms...; security/sasl/sasl_config.h).
  std::map<std::string, std::shared_ptr<const sasl::listener_sasl_config>> listener_sasl;
  // Samsa's own: a TLS handshake not finished within this is closed, so
  // silent or slow clients cannot hold connection slots.
  int64_t ssl_handshake_timeout_ms = 10000;
  std::string log_dir;
  int32_t node_id = 1;
  int32_t num_partitions = 1;
  int16_t default_replication_factor = 1;
  bool auto_create_topics_enable = true;
  bool delete_topic_enable = true;
  int32_t socket_request_max_bytes = 100 * 1024 * 1024;
  // fetch.max.bytes (Kafka's, 55 MiB): the most one Fetch answer carries,
  // whatever the client asks for (at least one batch still goes out).
  int32_t fetch_max_bytes = 57671680;
  int64_t connections_max_idle_ms = 10 * 60 * 1000;
  // Samsa's own: a connection whose answers make no write progress this
  // long is closed (a client that never reads would pin them forever).
  // Kafka's idle limit by default: a Java or kafka-python consumer reads its
  // socket only inside poll(), so a shorter default would cut off slow but
  // healthy applications (max.poll.interval.ms is 5 min).
  int64_t connections_max_write_stall_ms = 10 * 60 * 1000;
  // Threads that read, frame and write (Kafka's default 3).
  int32_t num_network_threads = 3;
  // Request handler threads for the data plane, Produce and Fetch (Kafka's
  // name for its request handlers; Kafka's default is 8, two suit the one
  // machine Samsa is made for). Every other request runs on the control
  // thread (docs/architecture.md, "Threads").
  int32_t num_io_threads = 2;
  // Worker threads for blocking file-system work and heavy request checks
  // (decompressing produced batches, large appends): Kafka's name for its
  // background pool (its default is 10).
  int32_t background_threads = 4;
  // Bytes of requests read and not yet answered, over all connections
  // (Kafka: -1 = unbounded by default; Samsa bounds it; -1 restores Kafka's).
  int64_t queued_max_request_bytes = 512LL * 1024 * 1024;
  // Unset (0): half the process's open-file limit, at most 20,000, so that
  // connections can never take the descriptors partitions need.
  int32_t max_connections = 0;
  int32_t max_connections_per_ip = 2147483647;
  int32_t group_initial_rebalance_delay_ms = 100;
  int32_t group_min_session_timeout_ms = 6000;
  int32_t group_max_session_timeout_ms = 1800000;
  // KIP-848 consumer groups (Kafka's names and defaults).
  int32_t group_consumer_session_timeout_ms = 45000;
  int32_t group_consumer_heartbeat_interval_ms = 5000;
  // Kafka's default is unbounded. Each join, leave or subscription change
  // recomputes the whole group's target on the handler thread, O(members):
  // about 7 ms at 10,000 members, so past that one client's joins would hold
  // every other client for longer each time (docs/architecture.md, Limits).
  int32_t group_consumer_max_size = 10000;
  std::vector<std::string> group_consumer_assignors = {"uniform", "range"};
  // group.consumer.migration.policy: disabled, upgrade, downgrade, bidirectional (Kafka's default).
  group::cg_migration_policy group_consumer_migration_policy = group::cg_migration_policy::bidirectional;
  // Classic groups: Kafka's group.max.size (members per group) and
  // offset.metadata.max.bytes; Samsa's own group.max.groups (classic and
  // consumer groups together) and group.max.pending.members (members told
  // MEMBER_ID_REQUIRED that have not rejoined, over all groups) and
  // offsets.max.memory.bytes (what all groups' committed offsets may hold)
  // and group.classic.member.metadata.max.bytes (what all classic groups'
  // members may hold: protocol metadata, assignments, identities) and
  // group.consumer.member.metadata.max.bytes (likewise for the members of
  // all consumer-protocol groups: subscriptions, assignments, identities).
  int32_t group_max_size = 2147483647;
  int32_t offset_metadata_max_bytes = 4096;
  int32_t group_max_groups = 10000;
  int32_t group_max_pending_members = 10000;
  int64_t offsets_max_memory_bytes = 256LL << 20;
  int64_t group_classic_member_metadata_max_bytes = 256LL << 20;
  int64_t group_consumer_member_metadata_max_bytes = 256LL << 20;
  int32_t offsets_topic_num_partitions = 50;
  int64_t offsets_retention_minutes = 7 * 24 * 60;
  int64_t offsets_retention_check_interval_ms = 600000;  // how often expired offsets are removed
  // Share groups (KIP-932; Kafka's names and defaults).
  int32_t group_share_record_lock_duration_ms = 30000;
  int32_t group_share_delivery_count_limit = 5;
  int32_t group_share_partition_max_record_locks = 2000;
  int32_t group_share_session_timeout_ms = 45000;
  int32_t group_share_heartbeat_interval_ms = 5000;
  int32_t group_share_max_size = 200;
  // Share groups the broker holds; a heartbeat that would create one more
  // gets GROUP_MAX_SIZE_REACHED (groups restored at start always load).
  int32_t group_share_max_groups = 10;
  // Transactions (Kafka's names and defaults).
  int32_t transaction_state_log_num_partitions = 50;
  int32_t transaction_max_timeout_ms = 15 * 60 * 1000;
  int64_t transactional_id_expiration_ms = 7LL * 24 * 60 * 60 * 1000;
  // How long a partition remembers an idle producer (KIP-854): its
  // sequences keep retries from duplicating data across restarts.
  int64_t producer_id_expiration_ms = 24LL * 60 * 60 * 1000;
  // Bounds on state any client can make the broker keep, all Samsa's own
  // (Kafka has none); the reasons for each default are beside the code that
  // enforces it. Producers per partition's producer table (the one written
  // longest ago makes room: txn/producer_state.h).
  int32_t max_producer_ids_per_partition = 10000;
  // The entries of all partitions' producer tables together; past it a
  // table beyond 100 entries forgets its own producer written longest ago
  // instead of growing (txn::producer_budget).
  int32_t max_producer_ids = 1000000;
  // Transactional ids the coordinator keeps (txn/txn_coordinator.h).
  int32_t transactional_id_max_count = 100000;
  // The memory the partitions of all transactions may hold together
  // (txn/txn_coordinator.h).
  int64_t transaction_partitions_max_memory_bytes = 256LL << 20;
  // Client quota entities (handlers/alter_client_quotas.cc).
  int32_t client_quota_max_entities = 10000;
  // Users with SCRAM credentials (handlers/scram_credentials.cc).
  int32_t scram_max_users = 10000;
  int64_t log_retention_check_interval_ms = 5 * 60 * 1000;
  // Partitions this broker may hold in all, internal topics included (the
  // name KIP-578 proposed). Each partition keeps one descriptor open, so the
  // default leaves room for a 10,000-partition benchmark many times over
  // while staying far below what exhausts memory and descriptors at once.
  int32_t max_broker_partitions = 100000;
  // Incremental fetch sessions (KIP-227): Kafka's slot count and eviction
  // age; the bound on all sessions' partitions together is Samsa's (memory).
  fetch_session_settings fetch_sessions;
  // Memory for compaction's key map (one cleaner thread); Kafka's default.
  int64_t log_cleaner_dedupe_buffer_size = 128LL << 20;
  // ACLs and the authorizer (off unless authorizer.class.name is set).
  authorizer_settings authorizer;
  // Tests only: a path whose appearance makes the broker drop every byte no
  // completed fsync covered and exit (storage/crash_sim_file_system.h).
  std::string test_crash_trigger;

  // Every setting as given (after precedence), for topic defaults (log.*,
  // message.max.bytes, ...) and DescribeConfigs on the broker resource.
  property_map raw;
};

struct config_sources {
  property_map file;         // from --config
  property_map environment;  // from SAMSA_* variables
  property_map overrides;    // from --set
};

// Applies precedence and validates every known key; unknown keys are reported in
// `warnings` (Kafka logs them too) rather than rejected.
result<broker_config> resolve_broker_config(const config_sources& sources, std::vector<std::string>& warnings);

// listeners, listener.security.protocol.map, advertised.listeners,
// inter.broker.listener.name and each TLS listener's ssl.* settings.
status resolve_listeners(const property_map& raw, broker_config& config);

result<listener_address> parse_listener(std::string_view text);
result<std::vector<listener_address>> parse_listener_list(std::string_view text);

}  // namespace samsa::broker
