// Internal: conversions between topic_partition vectors and librdkafka lists.
#pragma once

#include <vector>

#include "client/rd_handle.h"
#include "client/types.h"

namespace samsa::client::detail {

partition_list_ptr to_list(const std::vector<topic_partition>& partitions);
std::vector<topic_partition> from_list(const rd_kafka_topic_partition_list_t* list);
// First per-partition error in a list, if any, as "topic[partition]: NAME".
status first_partition_error(const rd_kafka_topic_partition_list_t* list, std::string_view operation,
                             std::string_view bootstrap);

}  // namespace samsa::client::detail
