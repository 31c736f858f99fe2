// `samsa source http`: a webhook endpoint. A POST of a JSON object (or an
// array of them) becomes records of one topic, sent by an idempotent
// producer with acks=all; the answer waits until every record is
// acknowledged, so a 200 means the records are stored and readable, and a
// 503 means they may not be (the caller retries; see docs/pipeline.md).
// Served by src/http's bounded server on its own thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "client/client_config.h"
#include "connect/webhook_records.h"
#include "http/server.h"

namespace samsa::connect {

struct source_options {
  std::string topic;
  std::optional<std::string> key_field;  // this field of each object becomes the record key
  // Set: values are encoded in the Schema Registry's wire format with this
  // schema (and refused with 422 when they do not fit it).
  std::optional<int32_t> schema_id;
  std::string registry_url;
  std::string protobuf_message;  // Protobuf: the message's full name ("" = the first)
  std::chrono::milliseconds ack_timeout{10'000};  // longer unacknowledged: 503
  size_t max_body_bytes = 1024 * 1024;
  webhook_limits limits;
};

class webhook_source {
 public:
  // Creates the producer and, with a schema, checks the id exists in the
  // registry and caches it (so requests never wait on the registry).
  static result<std::unique_ptr<webhook_source>> create(const source_options& options,
                                                        const client::client_config& config);
  ~webhook_source();

  status bind(const std::string& host, uint16_t port);
  uint16_t port() const;
  void start();
  void stop();

  struct impl;  // opaque; defined in webhook_source.cc

 private:
  webhook_source() = default;
  std::unique_ptr<impl> impl_;
};

}  // namespace samsa::connect
