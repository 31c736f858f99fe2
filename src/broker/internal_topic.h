// One of the broker's own topics (__consumer_offsets, __transaction_state),
// created on its first use as Kafka does. Creating it makes a directory, an
// index and a metadata record per partition (50 by default, with their
// fsyncs): tens of milliseconds, far more on a busy disk, so it runs on the
// worker pool like a client's CreateTopics and the handler thread goes on
// serving everyone else. The writes that need the topic while it is being
// made wait here and go on in the order they came.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "broker/topic_registry.h"
#include "broker/worker_pool.h"

namespace samsa::broker {

class internal_topic {
 public:
  // `io` is the handler thread's context; `first_use` names what needed the
  // topic, for the log line ("consumer groups").
  internal_topic(boost::asio::io_context& io, topic_registry& topics, std::string name, std::string first_use,
                 int32_t partitions);
  ~internal_topic();
  internal_topic(const internal_topic&) = delete;
  internal_topic& operator=(const internal_topic&) = delete;

  // Without a pool (unit harnesses) the topic is made in place.
  void set_workers(worker_pool* workers) { workers_ = workers; }
  void set_partitions(int32_t partitions) { partitions_ = partitions; }

  // Calls `then` on the handler thread once the topic exists (at once when it
  // does and nothing is waiting), or with the reason it could not be made.
  // Calls come back in the order they were made.
  void when_ready(std::function<void(admin_result)> then);
  // The same for a request handler.
  boost::asio::awaitable<admin_result> ensure();

  // For a caller that cannot wait (start-up); not while a creation runs.
  admin_result ensure_now();

 private:
  void finish(admin_result made);
  void log_created(std::chrono::steady_clock::time_point started) const;

  boost::asio::io_context& io_;
  topic_registry& topics_;
  const std::string name_;
  const std::string first_use_;
  int32_t partitions_;
  worker_pool* workers_ = nullptr;
  bool creating_ = false;
  std::vector<std::function<void(admin_result)>> waiting_;
  std::shared_ptr<bool> alive_;
};

}  // namespace samsa::broker
