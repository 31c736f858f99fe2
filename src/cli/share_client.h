// Share groups (KIP-932) over kafka_connection, for the CLI and the tour:
// librdkafka 2.0.2 (the client kit's library) predates share groups, so
// `samsa group describe` and the tour's queue chapter speak the protocol
// themselves: ShareGroupHeartbeat, ShareFetch, ShareAcknowledge,
// ShareGroupDescribe, DescribeShareGroupOffsets, and the GROUP config
// resource. One blocking connection per object; PLAINTEXT only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "cli/kafka_connection.h"

namespace samsa::cli {

struct share_record {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string value;
  int16_t delivery_count = 0;
};

enum class share_ack : int8_t { accept = 1, release = 2, reject = 3 };

// One member of a share group: joins with a heartbeat, fetches and
// acknowledges record by record in its share session, leaves.
class share_member {
 public:
  static result<std::unique_ptr<share_member>> join(const std::string& bootstrap, const std::string& group,
                                                    const std::string& member_id,
                                                    const std::vector<std::string>& topics,
                                                    std::chrono::milliseconds timeout);
  const std::string& id() const { return member_id_; }
  int32_t epoch() const { return epoch_; }
  // (topic, partition) pairs the last heartbeat assigned.
  const std::vector<std::pair<std::string, int32_t>>& assignment() const { return assignment_; }
  // One heartbeat (keeps the member alive and refreshes the assignment).
  status heartbeat();
  // Up to `max_records` records locked for this member.
  result<std::vector<share_record>> fetch(int32_t max_records, int32_t max_wait_ms);
  status acknowledge(const share_record& record, share_ack type);
  // Closes the share session (releasing what is still locked) and leaves.
  status leave();

 private:
  share_member() = default;
  result<int32_t> next_epoch();

  std::unique_ptr<kafka_connection> conn_;
  std::string group_;
  std::string member_id_;
  std::vector<std::string> topics_;
  int32_t epoch_ = 0;
  int32_t session_epoch_ = 0;
  std::vector<std::pair<std::string, int32_t>> assignment_;
  std::vector<std::pair<protocol::uuid, std::string>> topic_ids_;
};

struct share_member_view {
  std::string member_id;
  std::string client_id;
  std::string host;
  int32_t epoch = 0;
  std::vector<std::pair<std::string, int32_t>> assignment;
};

struct share_partition_view {
  std::string topic;
  int32_t partition = 0;
  int64_t start_offset = -1;
  int64_t lag = -1;
};

struct share_group_view {
  std::string group_id;
  std::string state;
  int32_t epoch = 0;
  std::string assignor;
  std::vector<share_member_view> members;
  std::vector<share_partition_view> partitions;
};

// ShareGroupDescribe + DescribeShareGroupOffsets; nullopt when `group` is not
// a share group (or the broker serves no share groups).
result<std::optional<share_group_view>> describe_share_group(const std::string& bootstrap, const std::string& group,
                                                             std::chrono::milliseconds timeout);

// ListGroups (v5 when served): group id -> (type, state) for every group,
// share groups included (librdkafka 2.0.2 lists only consumer groups and
// cannot tell their type).
struct listed_group_type {
  std::string type;  // "classic", "consumer", "share"; "" when the broker does not say
  std::string state;
};
result<std::map<std::string, listed_group_type>> list_group_types(const std::string& bootstrap,
                                                                  std::chrono::milliseconds timeout);

// IncrementalAlterConfigs SET on the GROUP resource.
status set_group_config(const std::string& bootstrap, const std::string& group, const std::string& name,
                        const std::string& value, std::chrono::milliseconds timeout);

}  // namespace samsa::cli
