// Small requests the wire tests share: creating a topic, reading the
// broker's advertised version ranges.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "wire_client.h"

namespace samsa::wire_test {

// CreateTopics v4; returns the topic's error code.
int16_t create_topic(wire_client& client, const std::string& name, int32_t partitions,
                     const std::map<std::string, std::string>& configs = {});

// ApiVersions v3: api key -> (min, max) as the broker advertises them.
std::map<int16_t, std::pair<int16_t, int16_t>> advertised_versions(wire_client& client);

}  // namespace samsa::wire_test
