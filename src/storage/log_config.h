// Per-topic log configuration (Kafka topic config names and defaults), how a
// topic's overrides combine with broker-level synonyms, and the describe view.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"

namespace samsa::storage {

enum class timestamp_type { create_time, log_append_time };

inline constexpr int64_t no_limit = std::numeric_limits<int64_t>::max();

// The longest value any topic config (or its broker-level synonym) may have.
// Kafka has no per-value limit of its own, only the size of a metadata
// record; ours keeps every topic's record inside metadata_store's bound
// (33 configs x 256 KiB + names is about 8.3 MiB, under its 16 MiB) while
// leaving room for a throttled-replicas list naming every partition of a
// 10,000-partition topic ("9999:1," is 7 bytes; "*" names them all).
inline constexpr size_t max_config_value_bytes = 256 * 1024;

struct log_config {
  bool cleanup_delete = true;
  bool cleanup_compact = false;
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;  // -1 = keep forever
  int64_t retention_bytes = -1;                   // per partition; -1 = no limit
  int64_t segment_bytes = 1LL << 30;
  int64_t segment_ms = 7LL * 24 * 3600 * 1000;
  int64_t segment_jitter_ms = 0;
  int64_t segment_index_bytes = 10LL << 20;
  int64_t index_interval_bytes = 4096;
  int64_t max_message_bytes = 1048588;
  timestamp_type message_timestamp_type = timestamp_type::create_time;
  int64_t message_timestamp_difference_max_ms = no_limit;
  int64_t message_timestamp_before_max_ms = no_limit;
  // Kafka 4's default: a CreateTime at most one hour ahead of the broker's
  // clock, so a record stamped far in the future cannot hold time-based
  // retention off its segment.
  int64_t message_timestamp_after_max_ms = 3600000;
  std::string compression_type = "producer";
  int32_t compression_gzip_level = -1;
  int32_t compression_lz4_level = 9;
  int32_t compression_zstd_level = 3;
  int32_t min_insync_replicas = 1;
  int64_t flush_messages = no_limit;  // Kafka's default: the OS decides; acks=all still syncs (see README)
  int64_t flush_ms = no_limit;
  int64_t delete_retention_ms = 24LL * 3600 * 1000;
  int64_t file_delete_delay_ms = 60000;
  int64_t min_compaction_lag_ms = 0;
  int64_t max_compaction_lag_ms = no_limit;
  double min_cleanable_dirty_ratio = 0.5;
  bool unclean_leader_election_enable = false;
  bool preallocate = false;
  bool message_downconversion_enable = true;
  bool remote_storage_enable = false;
  int64_t local_retention_ms = -2;     // -2 = same as retention.ms
  int64_t local_retention_bytes = -2;  // -2 = same as retention.bytes
  std::string leader_replication_throttled_replicas;
  std::string follower_replication_throttled_replicas;

  bool operator==(const log_config&) const = default;
};

// Kafka's ConfigResource value types, as DescribeConfigs v3+ reports them.
enum class config_type : int8_t { boolean = 1, string = 2, int_ = 3, short_ = 4, long_ = 5, double_ = 6, list = 7 };

// DescribeConfigs ConfigSource numbers.
enum class config_source : int8_t {
  topic_config = 1,
  dynamic_broker_config = 2,
  dynamic_default_broker_config = 3,
  static_broker_config = 4,
  default_config = 5,
};

struct config_def {
  std::string name;
  config_type type;
  std::string default_value;
  std::string broker_synonym;  // empty when the broker has no synonym
  std::string doc;
  // Parses and checks `value`, then stores it in `cfg`. The message names the config.
  std::function<status(log_config& cfg, const std::string& value)> apply;
};

// Every topic config we know, sorted by name.
const std::vector<config_def>& topic_config_defs();
const config_def* find_topic_config(const std::string& name);

// Smallest segments a topic or the broker may ask for (see log_config.cc).
inline constexpr int64_t min_segment_bytes = 1 << 20;
inline constexpr int64_t min_segment_ms = 60'000;
inline constexpr int64_t min_segment_index_bytes = 1024;

// Checks one topic-level config (CreateTopics / AlterConfigs). Errors carry
// errc::invalid_config with messages like "retention.ms: 'abc' is not a number"
// (long values are shortened in messages).
[[nodiscard]] status validate_topic_config(const std::string& name, const std::string& value);

// Defaults, then broker settings under their broker names (log.retention.ms,
// log.retention.minutes/hours, log.roll.ms/hours, ...), then topic overrides.
// Unknown or invalid topic overrides are errors; unknown broker keys are ignored.
[[nodiscard]] result<log_config> resolve(const std::map<std::string, std::string>& topic_overrides,
                                         const std::map<std::string, std::string>& broker_settings);

// resolve() for overrides read back from the metadata log: one that is not
// valid now (a minimum raised since it was stored) is left out, its error
// added to `dropped`, rather than failing the topic, whose other overrides
// (cleanup.policy=compact, say) must still apply. An invalid broker setting is
// still an error.
[[nodiscard]] result<log_config> resolve_stored(const std::map<std::string, std::string>& topic_overrides,
                                                const std::map<std::string, std::string>& broker_settings,
                                                std::vector<std::string>* dropped);

struct config_entry {
  std::string name;
  std::string value;
  config_source source;
  config_type type;
  std::string broker_synonym;
  std::string doc;
  // Synonyms in precedence order, as DescribeConfigs v1+ lists them.
  struct synonym {
    std::string name;
    std::string value;
    config_source source;
  };
  std::vector<synonym> synonyms;
};

// One entry per known topic config with its effective value and where it came from.
std::vector<config_entry> describe(const std::map<std::string, std::string>& topic_overrides,
                                   const std::map<std::string, std::string>& broker_settings);

}  // namespace samsa::storage
