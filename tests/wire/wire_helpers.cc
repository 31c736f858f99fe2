#include "wire_helpers.h"

namespace samsa::wire_test {

int16_t create_topic(wire_client& client, const std::string& name, int32_t partitions,
                     const std::map<std::string, std::string>& configs) {
  protocol::create_topics_request_data req;
  protocol::create_topics_request_data::creatable_topic topic;
  topic.name = name;
  topic.num_partitions = partitions;
  topic.replication_factor = 1;
  for (const auto& [key, value] : configs) {
    topic.configs.push_back({});
    topic.configs.back().name = key;
    topic.configs.back().value = value;
  }
  req.topics.push_back(topic);
  req.timeout_ms = 10000;
  auto resp = client.call<protocol::create_topics_response_data>(req, 4);
  if (resp.topics.size() != 1) throw std::runtime_error("CreateTopics answered " + std::to_string(resp.topics.size()) + " topics");
  return resp.topics[0].error_code;
}

std::map<int16_t, std::pair<int16_t, int16_t>> advertised_versions(wire_client& client) {
  protocol::api_versions_request_data req;
  req.client_software_name = "samsa-wire-test";
  req.client_software_version = "1";
  auto resp = client.call<protocol::api_versions_response_data>(req, 3);
  if (resp.error_code != 0) throw std::runtime_error("ApiVersions v3 failed: " + std::to_string(resp.error_code));
  std::map<int16_t, std::pair<int16_t, int16_t>> out;
  for (const auto& k : resp.api_keys) out[k.api_key] = {k.min_version, k.max_version};
  return out;
}

}  // namespace samsa::wire_test
