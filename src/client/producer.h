// RAII producer: sends records and reports where each one landed (partition
// and offset). Destroying it flushes what is still in flight.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "client/client_config.h"
#include "client/types.h"

namespace samsa::client {

struct outgoing_message {
  std::string topic;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<header> headers;
  std::optional<int32_t> partition;     // unset: the partitioner picks (hash of the key)
  std::optional<int64_t> timestamp_ms;  // unset: now
};

// Where an acknowledged record was stored.
struct delivery_report {
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;
  int64_t timestamp_ms = -1;
};

using delivery_callback = std::function<void(const result<delivery_report>&)>;

struct producer_options {
  std::optional<std::string> acks;         // "0", "1", "all"
  std::optional<std::string> compression;  // none, gzip, snappy, lz4, zstd
  std::optional<std::string> partitioner;  // librdkafka partitioner name; default murmur2_random (Java-compatible)
  std::chrono::milliseconds flush_on_close{10000};
};

class producer {
 public:
  [[nodiscard]] static result<producer> create(const client_config& config, const producer_options& options = {});

  producer(producer&&) noexcept;
  producer& operator=(producer&&) noexcept;
  ~producer();  // flushes (up to options.flush_on_close), then stops

  // Queues a record; the callback runs on the producer's background thread
  // once the broker acknowledges (or the record fails). Blocks while the
  // local queue is full. Fails at once on a bad topic/partition argument.
  [[nodiscard]] status send(const outgoing_message& message, delivery_callback on_delivery);
  // Same, with the result delivered through a future.
  [[nodiscard]] std::future<result<delivery_report>> send(const outgoing_message& message);

  // Waits until every queued record is acknowledged or failed.
  [[nodiscard]] status flush(std::chrono::milliseconds timeout);

  // Number of records queued or in flight.
  int in_flight() const;

 public:
  struct impl;  // opaque; defined inside the library

 private:
  explicit producer(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace samsa::client
