// Produces the proxy's records through the broker's own Produce handler
// (acks=all), as the HTTP caller's principal: one batch per partition in one
// request, records in the order given. Partitions are chosen as the Java
// client does: the one given, else murmur2 of the key bytes, else one
// partition for all keyless records of the request, rotating across
// requests (sticky, as KIP-480's partitioner within a batch).
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "http/broker_api.h"
#include "http/server.h"
#include "proxy/proxy_body.h"
#include "record/record.h"

namespace samsa::broker {
class api_table;
class broker_state;
}  // namespace samsa::broker

namespace samsa::proxy {

struct outgoing_record {
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<record::record_header> headers;
  std::optional<int64_t> timestamp_ms;
  std::optional<int32_t> partition;
};

struct produced_record {
  int32_t partition = -1;
  int64_t offset = -1;
  int16_t error_code = 0;  // Kafka's, 0 = stored
  std::string message;
  int64_t timestamp_ms = 0;
};

class record_producer {
 public:
  record_producer(broker::broker_state& broker, broker::api_table& apis);

  // Partition counts of the topic, or a refusal (unknown topic: 40401; a
  // partition it does not have: 40402) before anything is stored.
  boost::asio::awaitable<outcome<int32_t>> partitions_of(const std::string& topic);
  // The records' partitions, checked against `partitions`.
  outcome<std::vector<int32_t>> choose_partitions(const std::vector<outgoing_record>& records, int32_t partitions);
  boost::asio::awaitable<outcome<std::vector<produced_record>>> produce(const std::string& topic,
                                                                        const std::vector<outgoing_record>& records,
                                                                        const http::request& caller);

 private:
  broker::broker_state& broker_;
  http::broker_api api_;  // Produce
  std::atomic<uint32_t> sticky_{0};
};

// Confluent's per-record error code for a Kafka error: 50003 when retrying
// may succeed, 50002 otherwise.
int proxy_error_code(int16_t kafka_code);

}  // namespace samsa::proxy
