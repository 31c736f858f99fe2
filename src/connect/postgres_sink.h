// `samsa sink postgres`: consumes a topic in a consumer group and writes each
// record into a PostgreSQL table (row_mapping.h says how), a batch per
// transaction, storing the consumed offsets in the same transaction
// (postgres_writer.h). Where to start reading each partition comes from the
// database, never from Kafka's committed offsets: at start and on every
// assignment the sink seeks to the stored offset, so rows and offsets cannot
// disagree whatever moment the sink dies at. (Offsets are also committed to
// Kafka after each database commit, only so that `samsa group describe`
// shows the sink's lag.)
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "base/result.h"
#include "client/client_config.h"
#include "connect/postgres_writer.h"

namespace samsa::connect {

struct sink_options {
  std::string topic;
  writer_settings writer;       // writer.sink_name is the consumer group
  size_t batch_size = 500;      // records per transaction, at most
  std::chrono::milliseconds linger{200};  // a partial batch waits at most this long
  // A lost database connection is retried (reconnect, backoff) this long
  // before the sink gives up and exits.
  std::chrono::milliseconds db_retry{60'000};
  std::optional<std::string> registry_url;  // set: values are in the Schema Registry's wire format
  std::chrono::milliseconds registry_timeout{10'000};
  // Static membership (group.instance.id): a sink restarted after a crash
  // gets its partitions back at once instead of after the session timeout.
  std::optional<std::string> instance_id;
  // Set: a record that does not fit goes to this topic (with Kafka
  // Connect's __connect.errors.* headers) instead of stopping the sink.
  std::optional<std::string> dead_letter_topic;
  bool quiet = false;           // no progress notes on stderr
};

struct sink_totals {
  int64_t records = 0;   // records whose offsets were committed (rows + skipped null values)
  int64_t rows = 0;
  int64_t skipped = 0;   // null values (tombstones): consumed, no row
  int64_t dead_lettered = 0;  // did not fit: sent to the dead-letter topic
};

// Runs until `stop` is set (then finishes the batch in hand) or a record does
// not fit the table (then commits the records before it and fails, naming the
// record and the reason: the record stays unconsumed until fixed; with a
// dead-letter topic the record goes there and the sink carries on).
result<sink_totals> run_postgres_sink(const sink_options& options, const client::client_config& config,
                                      const std::atomic<bool>& stop);

}  // namespace samsa::connect
