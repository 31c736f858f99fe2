#include "wire_helpers.h"

#include "record/batch_builder.h"

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

std::vector<uint8_t> batch_of(const std::vector<std::string>& values, int64_t first_index,
                              producer_stamp producer) {
  record::batch_options options;
  options.producer_id = producer.producer_id;
  options.producer_epoch = producer.producer_epoch;
  options.base_sequence = producer.base_sequence;
  record::batch_builder builder(options);
  for (size_t i = 0; i < values.size(); ++i) {
    std::vector<uint8_t> value(values[i].begin(), values[i].end());
    auto added = builder.append(base_timestamp + first_index + static_cast<int64_t>(i), std::nullopt,
                                std::span<const uint8_t>(value));
    if (!added.ok()) throw std::runtime_error("batch_builder: " + added.err().describe());
  }
  auto built = builder.build();
  if (!built.ok()) throw std::runtime_error("batch_builder: " + built.err().describe());
  return std::move(built).value();
}

protocol::produce_response_data::topic_produce_response::partition_produce_response produce_batch(
    wire_client& client, int16_t version, const std::string& topic, int32_t partition,
    const std::vector<uint8_t>& batch, int16_t acks) {
  protocol::produce_request_data req;
  req.acks = acks;
  req.timeout_ms = 10000;
  req.topic_data.push_back({});
  req.topic_data[0].name = topic;
  if (version >= 13) req.topic_data[0].topic_id = topic_id_of(client, topic);  // v13 names topics by id
  req.topic_data[0].partition_data.push_back({});
  req.topic_data[0].partition_data[0].index = partition;
  req.topic_data[0].partition_data[0].records = protocol::records::copy(batch);
  auto resp = client.call<protocol::produce_response_data>(req, version);
  if (resp.responses.size() != 1 || resp.responses[0].partition_responses.size() != 1) {
    throw std::runtime_error("Produce answered an unexpected shape");
  }
  return resp.responses[0].partition_responses[0];
}

protocol::uuid topic_id_of(wire_client& client, const std::string& name) {
  protocol::metadata_request_data req;
  req.topics.emplace();
  req.topics->push_back({});
  req.topics->back().name = name;
  req.allow_auto_topic_creation = false;
  auto resp = client.call<protocol::metadata_response_data>(req, 12);
  if (resp.topics.size() != 1 || resp.topics[0].error_code != 0) {
    throw std::runtime_error("Metadata does not list topic " + name);
  }
  return resp.topics[0].topic_id;
}

std::vector<uint8_t> consumer_subscription(const std::vector<std::string>& topics) {
  protocol::writer w;
  w.write_int16(0);
  w.write_array_length(static_cast<int32_t>(topics.size()));
  for (const auto& t : topics) w.write_string(t);
  w.write_nullable_bytes(std::nullopt);
  return w.buffer();
}

std::vector<uint8_t> consumer_assignment(const std::string& topic, const std::vector<int32_t>& partitions) {
  protocol::writer w;
  w.write_int16(0);
  w.write_array_length(1);
  w.write_string(topic);
  w.write_array_length(static_cast<int32_t>(partitions.size()));
  for (int32_t p : partitions) w.write_int32(p);
  w.write_nullable_bytes(std::nullopt);
  return w.buffer();
}

}  // namespace samsa::wire_test
