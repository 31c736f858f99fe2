// Where the registry keeps its records: the `_schemas` topic, compacted.
// Two implementations: the broker's own partition (broker_schema_log, in
// `samsa serve`) and any Kafka-compatible cluster through the client kit
// (kafka_schema_log, `samsa registry --bootstrap`). Called from the
// registry's HTTP thread; implementations do their blocking work elsewhere
// and resume the caller.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "base/result.h"
#include "registry/schema_record.h"

namespace samsa::registry {

inline constexpr const char* default_schemas_topic = "_schemas";

class schema_log {
 public:
  virtual ~schema_log() = default;
  // Appends the records in order, durably (acks=all), or fails; the topic is
  // created (one partition, cleanup.policy=compact) when missing.
  virtual boost::asio::awaitable<status> append(std::vector<log_record> records) = 0;
  // Every record from the start of the log to its end, in order.
  virtual boost::asio::awaitable<result<std::vector<log_record>>> read_all() = 0;
  // For messages: "the broker's _schemas", "_schemas on HOST:PORT".
  virtual std::string describe() const = 0;
};

}  // namespace samsa::registry
