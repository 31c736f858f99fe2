// /metrics in the Prometheus text exposition format 0.0.4. What is keyed by
// API, error code and connection comes from base/metrics.h; per-partition
// figures from each partition log's lock-free counters; groups from a sample
// taken on the handler thread. Rendering runs on the console's thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/process_stats.h"

namespace samsa::storage {
class partition_log;
}

namespace samsa::http {

struct partition_sample {
  std::string topic;
  int32_t partition = 0;
  std::shared_ptr<const storage::partition_log> log;
};

struct group_sample {
  std::string group_id;
  std::string state;
  int64_t members = 0;
  std::string type = "classic";  // classic, consumer, share
  int64_t rebalances = 0;        // seen since the broker started (the console's history)
};

// One committed offset of a group: its lag in records now, and in seconds
// as of the last lag sample (nullopt before the first).
struct group_offset_sample {
  std::string group_id;
  std::string topic;
  int32_t partition = 0;
  int64_t committed = 0;
  int64_t lag = 0;
  std::optional<double> lag_seconds;
};

struct broker_sample {
  std::vector<partition_sample> partitions;
  std::vector<group_sample> groups;
  std::vector<group_offset_sample> offsets;
  // Committed and pending transactional offsets held in memory, as
  // offsets.max.memory.bytes counts them.
  int64_t offsets_held = 0;
  int64_t offsets_held_bytes = 0;
  // Memory the members of classic groups hold, as
  // group.classic.member.metadata.max.bytes counts it.
  int64_t member_metadata_bytes = 0;
  // The same for members of consumer-protocol groups, as
  // group.consumer.member.metadata.max.bytes counts it.
  int64_t consumer_member_metadata_bytes = 0;
  // Entries of all partitions' producer tables, as max.producer.ids counts them.
  int64_t producer_ids = 0;
};

std::string render_metrics(const broker_sample& sample, const process_stats& process, double uptime_seconds);

// Prometheus label value escaping (backslash, quote, newline).
std::string escape_label(std::string_view value);

}  // namespace samsa::http
