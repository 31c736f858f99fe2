// Small requests the wire tests share: creating a topic, reading the
// broker's advertised version ranges.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "wire_client.h"

namespace samsa::wire_test {

// CreateTopics v4; returns the topic's error code.
int16_t create_topic(wire_client& client, const std::string& name, int32_t partitions,
                     const std::map<std::string, std::string>& configs = {});

// Metadata v12: the id of topic `name` (throws if the broker lists none).
protocol::uuid topic_id_of(wire_client& client, const std::string& name);

// ApiVersions v3: api key -> (min, max) as the broker advertises them.
std::map<int16_t, std::pair<int16_t, int16_t>> advertised_versions(wire_client& client);

// ConsumerProtocolSubscription v0 for `topics`, the member metadata every
// Kafka consumer sends in JoinGroup.
std::vector<uint8_t> consumer_subscription(const std::vector<std::string>& topics);
// ConsumerProtocolAssignment v0 with `partitions` of one topic.
std::vector<uint8_t> consumer_assignment(const std::string& topic, const std::vector<int32_t>& partitions);

// Record timestamps in test batches count up from here.
constexpr int64_t base_timestamp = 1700000000000;

// One uncompressed RecordBatch v2 holding `values` (no keys), with timestamps
// base_timestamp + first_index + i, so ListOffsets by time has known answers.
// An idempotent producer's identity on a batch.
struct producer_stamp {
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
};
std::vector<uint8_t> batch_of(const std::vector<std::string>& values, int64_t first_index,
                              producer_stamp producer = {});

// Produce (acks=1) of one batch to one partition; returns that partition's answer.
protocol::produce_response_data::topic_produce_response::partition_produce_response produce_batch(
    wire_client& client, int16_t version, const std::string& topic, int32_t partition,
    const std::vector<uint8_t>& batch, int16_t acks = 1);

}  // namespace samsa::wire_test
