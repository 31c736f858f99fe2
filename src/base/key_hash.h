// Kafka's default key partitioning (murmur2, as in the Java client, KafkaJS
// and librdkafka's murmur2_random), shared by the CLI (tour, consume
// --explain) and the console ("why is this record in partition N?"), so
// both can show *why* a key lands in a partition rather than just where.
#pragma once

#include <cstdint>
#include <string_view>

namespace samsa {

int32_t murmur2(std::string_view key);
// (murmur2(key) & 0x7fffffff) % partitions
int32_t partition_for_key(std::string_view key, int32_t partitions);

}  // namespace samsa
