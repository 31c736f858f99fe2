// `_schemas` in the broker this process runs (`samsa serve`): writes go
// through the broker's own CreateTopics and Produce handlers (as the
// console's writes do, src/http/internal_client.h), so the records are
// checked, replicated to disk and compacted like any client's; reads find
// the partition on the handler thread and copy its records on the worker
// pool (src/http/log_reader.h).
#pragma once

#include <string>

#include "http/broker_api.h"
#include "registry/schema_log.h"

namespace samsa::broker {
class api_table;
class broker_state;
}  // namespace samsa::broker

namespace samsa::registry {

class broker_schema_log : public schema_log {
 public:
  broker_schema_log(broker::broker_state& broker, broker::api_table& apis, std::string topic);
  boost::asio::awaitable<status> append(std::vector<log_record> records) override;
  boost::asio::awaitable<result<std::vector<log_record>>> read_all() override;
  std::string describe() const override { return "the broker's " + topic_; }

 private:
  boost::asio::awaitable<status> ensure_topic();
  broker::broker_state& broker_;
  http::broker_api api_;  // CreateTopics and Produce of _schemas
  std::string topic_;
  bool topic_known_ = false;
};

}  // namespace samsa::registry
