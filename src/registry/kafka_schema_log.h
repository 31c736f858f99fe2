// `_schemas` on any Kafka-compatible cluster, through the client kit
// (librdkafka): `samsa registry --bootstrap HOST:PORT`, as Confluent's
// registry keeps its store. librdkafka's calls block, so they run on a
// thread of this log's own and the registry's coroutine resumes with the
// answer.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "client/client_config.h"
#include "client/producer.h"
#include "registry/schema_log.h"

namespace samsa::registry {

class kafka_schema_log : public schema_log {
 public:
  kafka_schema_log(client::client_config config, std::string topic);
  ~kafka_schema_log() override;
  boost::asio::awaitable<status> append(std::vector<log_record> records) override;
  boost::asio::awaitable<result<std::vector<log_record>>> read_all() override;
  std::string describe() const override;

 private:
  // Blocking parts, on thread_.
  status ensure_topic();
  status append_now(const std::vector<log_record>& records);
  result<std::vector<log_record>> read_now();

  client::client_config config_;
  std::string topic_;
  bool topic_known_ = false;
  std::optional<client::producer> producer_;
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
};

}  // namespace samsa::registry
