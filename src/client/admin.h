// Admin client: topics, partitions, configs, consumer groups, offsets and lag,
// cluster info. Works against any Kafka broker; every call blocks until the
// broker answers or `timeout` passes.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "client/client_config.h"
#include "client/types.h"

namespace samsa::client {

struct broker_info {
  int32_t id = -1;
  std::string host;
  int port = 0;
};

struct cluster_info {
  std::string cluster_id;     // empty when the broker does not report one
  int32_t controller_id = -1;
  std::vector<broker_info> brokers;
  size_t topic_count = 0;
};

struct partition_info {
  int32_t id = 0;
  int32_t leader = -1;
  std::vector<int32_t> replicas;
  std::vector<int32_t> in_sync;
  int64_t earliest = -1;  // log start offset (low watermark); -1 when unknown
  int64_t latest = -1;    // log end offset (high watermark)
  std::string error;      // Kafka error name for this partition, "" when fine
};

struct topic_info {
  std::string name;
  std::vector<partition_info> partitions;
  int replication_factor() const { return partitions.empty() ? 0 : static_cast<int>(partitions[0].replicas.size()); }
};

struct new_topic {
  std::string name;
  int partitions = 1;
  int replication_factor = -1;  // -1: the broker's default
  std::map<std::string, std::string> configs;
};

struct config_entry {
  std::string name;
  std::optional<std::string> value;  // absent for sensitive or null values
  std::string source;                // DYNAMIC_TOPIC_CONFIG, DEFAULT_CONFIG, ...
  bool is_default = false;
  bool read_only = false;
  bool sensitive = false;
};

struct group_summary {
  std::string group_id;
  std::string state;  // Stable, Empty, PreparingRebalance, CompletingRebalance, Dead, Unknown
  bool simple = false;
};

struct group_member {
  std::string member_id;
  std::string client_id;
  std::string host;
  std::string instance_id;
  std::vector<topic_partition> assignment;
};

struct group_info {
  std::string group_id;
  std::string state;
  std::string assignor;
  int32_t coordinator = -1;
  std::vector<group_member> members;
};

// One row of "how far behind is the group": committed vs. log end.
struct partition_lag {
  std::string topic;
  int32_t partition = 0;
  int64_t committed = -1;  // -1: nothing committed yet
  int64_t log_start = -1;
  int64_t log_end = -1;
  // Records the group has still to read: from the committed offset, or, when
  // nothing was committed, from the log start (where a new member begins with
  // auto.offset.reset=earliest). -1 when unknown (the topic is gone).
  int64_t lag = -1;
  bool lag_from_log_start = false;  // no commit: lag counted from log_start
  bool topic_deleted = false;       // committed to a topic that no longer exists
  std::string member_id;   // current owner, "" when unassigned
};

struct partition_offsets {
  int32_t partition = 0;
  int64_t earliest = -1;
  int64_t latest = -1;
  std::optional<int64_t> at_timestamp;  // first offset with timestamp >= the one asked for (-1: none)
};

class admin {
 public:
  [[nodiscard]] static result<admin> create(const client_config& config,
                                            std::chrono::milliseconds timeout = std::chrono::seconds(10));

  admin(admin&&) noexcept;
  admin& operator=(admin&&) noexcept;
  ~admin();

  const std::string& bootstrap() const;

  // Cluster
  [[nodiscard]] result<cluster_info> describe_cluster();

  // Topics
  [[nodiscard]] result<std::vector<topic_info>> list_topics(bool include_internal = false);
  [[nodiscard]] result<topic_info> describe_topic(const std::string& name, bool with_offsets = true);
  [[nodiscard]] status create_topic(const new_topic& topic);
  [[nodiscard]] status delete_topic(const std::string& name);
  [[nodiscard]] status add_partitions(const std::string& name, int new_total);
  [[nodiscard]] result<std::vector<config_entry>> describe_topic_config(const std::string& name);
  // Sets and removes topic configs, keeping the other dynamic ones.
  [[nodiscard]] status alter_topic_config(const std::string& name, const std::map<std::string, std::string>& set,
                                          const std::vector<std::string>& remove);
  [[nodiscard]] result<std::vector<partition_offsets>> topic_offsets(const std::string& name,
                                                                     std::optional<int64_t> timestamp_ms = {});

  // Deletes every record before each given offset (offset_end: all of them);
  // returns the new log start offset of each partition.
  [[nodiscard]] result<std::vector<topic_partition>> delete_records(const std::vector<topic_partition>& before);

  // Consumer groups
  [[nodiscard]] result<std::vector<group_summary>> list_groups();
  [[nodiscard]] result<group_info> describe_group(const std::string& group_id);
  [[nodiscard]] status delete_group(const std::string& group_id);
  // Committed offsets of a group and its lag per partition: every partition of
  // the topics it has committed to or is assigned, or of `topics` when given.
  // A deleted topic's commits are kept, marked topic_deleted.
  [[nodiscard]] result<std::vector<partition_lag>> group_lag(const std::string& group_id,
                                                            const std::vector<std::string>& topics = {});
  // Sets committed offsets; the group must have no active members.
  [[nodiscard]] status alter_group_offsets(const std::string& group_id, const std::vector<topic_partition>& offsets);

 public:
  struct impl;  // opaque; defined inside the library

 private:
  explicit admin(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace samsa::client
