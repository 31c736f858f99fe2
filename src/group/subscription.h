// The "consumer" embedded protocol of classic groups: the member metadata a
// JoinGroup carries (ConsumerProtocolSubscription, versions 0-3) and the
// assignment a SyncGroup hands out (ConsumerProtocolAssignment). The classic
// coordinator reads the subscribed topics (OffsetDelete refuses topics a live
// group consumes); a consumer-protocol group with classic members reads the
// whole subscription and writes the members' assignments.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "group/bytes_codec.h"

namespace samsa::group {

// Partitions per topic name.
using named_partitions = std::map<std::string, std::set<int32_t>>;

struct consumer_subscription {
  int16_t version = 0;
  std::vector<std::string> topics;
  std::optional<bytes> user_data;
  named_partitions owned;             // v1+: what the member owns as it (re)joins
  int32_t generation_id = -1;         // v2+
  std::optional<std::string> rack_id; // v3+
};

// Reads every field the member's version has (0-3); a newer version is read
// as version 3 and anything after is skipped, as Kafka's parser does.
result<consumer_subscription> decode_consumer_subscription(const bytes& metadata);

// Version 0 encoding, for tests and tools.
bytes encode_consumer_subscription(const std::vector<std::string>& topics);
// Version 1+ encoding with owned partitions (and, from v3, a rack), for tests.
bytes encode_consumer_subscription(int16_t version, const std::vector<std::string>& topics,
                                   const named_partitions& owned, std::optional<std::string> rack_id = std::nullopt);

struct consumer_assignment {
  named_partitions partitions;
  std::optional<bytes> user_data;
};

// ConsumerProtocolAssignment: the same layout at every version (0-3).
result<consumer_assignment> decode_consumer_assignment(const bytes& data);
// `version` is the member's subscription version, echoed as Kafka does (a
// negative one is written as 0); user data null.
bytes encode_consumer_assignment(int16_t version, const named_partitions& partitions);

}  // namespace samsa::group
