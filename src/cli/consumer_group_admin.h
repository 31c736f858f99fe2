// `samsa group describe` for KIP-848 consumer-protocol groups: the classic
// DescribeGroups (all librdkafka 2.0.2 offers) reads such a group as Dead,
// so this asks ConsumerGroupDescribe over kafka_connection instead. Samsa is
// one broker, which coordinates every group: the request goes to the
// bootstrap broker that answers first.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace samsa::cli {

struct cg_partitions {
  std::string topic;
  std::vector<int32_t> partitions;
};

struct cg_member_view {
  std::string member_id;
  std::optional<std::string> instance_id;
  int32_t member_epoch = 0;
  std::string client_id;
  std::string client_host;
  std::vector<std::string> subscribed_topics;
  std::optional<std::string> subscribed_regex;
  std::vector<cg_partitions> assignment;
  std::vector<cg_partitions> target;
};

struct cg_group_view {
  std::string group_id;
  std::string state;
  int32_t group_epoch = 0;
  int32_t assignment_epoch = 0;
  std::string assignor;
  std::vector<cg_member_view> members;
};

// The group when it is a consumer-protocol group; nullopt when the broker
// knows no such group (a classic group, or none) or does not serve the API.
result<std::optional<cg_group_view>> describe_consumer_group(const std::string& bootstrap,
                                                             const std::string& client_id,
                                                             std::chrono::milliseconds timeout,
                                                             const std::string& group_id);

}  // namespace samsa::cli
