// Internal to the client library: owning wrappers for librdkafka handles and
// the translation of a client_config into an rd_kafka_conf_t. Never included
// from a public header, so no raw librdkafka pointer leaves the library.
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "client/client_config.h"

namespace samsa::client::detail {

struct conf_deleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
struct handle_deleter {
  void operator()(rd_kafka_t* h) const { rd_kafka_destroy(h); }
};
struct partition_list_deleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const { rd_kafka_topic_partition_list_destroy(l); }
};
struct event_deleter {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};
struct queue_deleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
struct options_deleter {
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
};
struct error_deleter {
  void operator()(rd_kafka_error_t* e) const { rd_kafka_error_destroy(e); }
};

using conf_ptr = std::unique_ptr<rd_kafka_conf_t, conf_deleter>;
using handle_ptr = std::unique_ptr<rd_kafka_t, handle_deleter>;
using partition_list_ptr = std::unique_ptr<rd_kafka_topic_partition_list_t, partition_list_deleter>;
using event_ptr = std::unique_ptr<rd_kafka_event_t, event_deleter>;
using queue_ptr = std::unique_ptr<rd_kafka_queue_t, queue_deleter>;
using options_ptr = std::unique_ptr<rd_kafka_AdminOptions_t, options_deleter>;
using error_ptr = std::unique_ptr<rd_kafka_error_t, error_deleter>;

// Applies every property; the error names the property and its origin.
[[nodiscard]] result<conf_ptr> make_conf(const client_config& config);

// Creates a handle from a prepared conf (ownership of the conf moves into it).
[[nodiscard]] result<handle_ptr> make_handle(rd_kafka_type_t type, conf_ptr conf, std::string_view operation,
                                             std::string_view bootstrap);

// Converts a librdkafka error object (may be null = success) into a status.
[[nodiscard]] status from_error(const rd_kafka_error_t* error, std::string_view operation, std::string_view bootstrap);

}  // namespace samsa::client::detail
