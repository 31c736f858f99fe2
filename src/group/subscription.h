// Decoder for the "consumer" protocol's member metadata
// (ConsumerProtocolSubscription): the coordinator only needs the subscribed
// topics, to refuse OffsetDelete on topics a live group still consumes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "group/bytes_codec.h"

namespace samsa::group {

struct consumer_subscription {
  int16_t version = 0;
  std::vector<std::string> topics;
  std::optional<bytes> user_data;
};

// Reads version, topics and user data; later fields (owned partitions,
// generation, rack) are skipped, as are any a newer client adds.
result<consumer_subscription> decode_consumer_subscription(const bytes& metadata);

// Version 0 encoding, for tests and tools.
bytes encode_consumer_subscription(const std::vector<std::string>& topics);

}  // namespace samsa::group
