// Internal: the admin client's state and the request/wait helper shared by
// admin_*.cc. One file per area keeps each one short.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "client/admin.h"
#include "client/rd_handle.h"

namespace samsa::client {

struct admin::impl {
  detail::handle_ptr handle;
  std::string bootstrap;
  std::chrono::milliseconds timeout{10000};
  // Set by the error callback when a connection attempt failed, so that a
  // timeout can be reported as "cannot reach" instead of a bare timeout.
  std::atomic<int> transport_error{0};

  // Builds an error; a timeout after failed connections becomes _TRANSPORT.
  samsa::error fail(std::string_view operation, int code, std::string_view detail) const;

  // Starts an admin request with `start(queue, options)` and waits for its
  // result event. Checks the event-level error.
  result<detail::event_ptr> run(std::string_view operation,
                                const std::function<void(rd_kafka_queue_t*, rd_kafka_AdminOptions_t*)>& start,
                                rd_kafka_admin_op_t op);

  // Full metadata (all topics). Caller frees with rd_kafka_metadata_destroy.
  result<const rd_kafka_metadata_t*> metadata(std::string_view operation);

  // Low/high watermark of one partition.
  status watermarks(const std::string& topic, int32_t partition, int64_t& low, int64_t& high);
};

struct metadata_deleter {
  void operator()(const rd_kafka_metadata_t* m) const { rd_kafka_metadata_destroy(m); }
};

}  // namespace samsa::client
