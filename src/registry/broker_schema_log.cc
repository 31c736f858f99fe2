#include "registry/broker_schema_log.h"

#include <chrono>

#include "base/kafka_error_codes.h"
#include "broker/broker_state.h"
#include "broker/topic_registry.h"
#include "http/internal_client.h"
#include "http/log_reader.h"
#include "http/on_broker.h"
#include "record/batch_builder.h"
#include "storage/partition_log.h"

namespace samsa::registry {

namespace asio = boost::asio;

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<std::span<const uint8_t>> bytes_of(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s->data()), s->size());
}

// Who the embedded registry's CreateTopics and Produce are: the broker's own
// component, so they are sent as internal requests (ACLs do not apply, as
// to the broker's writes of __consumer_offsets: the registry's REST listener
// checks its users itself), named User:schema-registry in logs and quotas.
http::request registry_caller() {
  http::request caller;
  caller.peer = "schema registry";
  caller.principal = security::principal::user("schema-registry");
  return caller;
}

error kafka_failure(const std::string& what, int16_t code, const std::optional<std::string>& message) {
  auto c = static_cast<kafka::error_code>(code);
  return make_error(std::errc::io_error, what + ": " + std::string(kafka::error_name(c)) + " (" +
                                             message.value_or(std::string(kafka::default_message(c))) + ")");
}

}  // namespace

broker_schema_log::broker_schema_log(broker::broker_state& broker, broker::api_table& apis, std::string topic)
    : broker_(broker), api_{broker.io(), apis}, topic_(std::move(topic)) {}

asio::awaitable<status> broker_schema_log::ensure_topic() {
  if (topic_known_) co_return status{};
  protocol::create_topics_request_data r;
  auto& t = r.topics.emplace_back();
  t.name = topic_;
  t.num_partitions = 1;
  t.replication_factor = -1;
  auto& c = t.configs.emplace_back();
  c.name = "cleanup.policy";
  c.value = "compact";
  r.timeout_ms = 30000;
  auto answer = co_await http::call_broker_api<protocol::create_topics_response_data>(api_, 5, r, registry_caller(), true);
  if (!answer) co_return answer.err();
  if (answer->topics.empty()) co_return make_error(std::errc::protocol_error, "CreateTopics " + topic_ + ": no answer");
  const auto& res = answer->topics.front();
  if (res.error_code != 0 && static_cast<kafka::error_code>(res.error_code) != kafka::error_code::topic_already_exists)
    co_return kafka_failure("cannot create " + topic_, res.error_code, res.error_message);
  topic_known_ = true;
  co_return status{};
}

asio::awaitable<status> broker_schema_log::append(std::vector<log_record> records) {
  if (records.empty()) co_return status{};
  if (auto s = co_await ensure_topic(); !s) co_return s;
  // One batch: the records of one change land together or not at all.
  record::batch_options options;
  record::batch_builder builder(options);
  int64_t ts = now_ms();
  for (const auto& r : records) {
    if (auto s = builder.append(ts, bytes_of(r.key), bytes_of(r.value), {}); !s) co_return s.err();
  }
  auto batch = builder.build();
  if (!batch) co_return batch.err();
  protocol::produce_request_data p;
  p.acks = -1;
  p.timeout_ms = 30000;
  auto& td = p.topic_data.emplace_back();
  td.name = topic_;
  auto& pd = td.partition_data.emplace_back();
  pd.index = 0;
  pd.records = protocol::records::owned(std::move(*batch));
  auto answer = co_await http::call_broker_api<protocol::produce_response_data>(api_, 9, p, registry_caller(), true);
  if (!answer) co_return answer.err();
  if (answer->responses.empty() || answer->responses.front().partition_responses.empty())
    co_return make_error(std::errc::protocol_error, "Produce to " + topic_ + ": the answer names no partition");
  const auto& pr = answer->responses.front().partition_responses.front();
  if (pr.error_code != 0) {
    if (static_cast<kafka::error_code>(pr.error_code) == kafka::error_code::unknown_topic_or_partition)
      topic_known_ = false;  // deleted under us: created again next time
    co_return kafka_failure("cannot write to " + topic_, pr.error_code, pr.error_message);
  }
  co_return status{};
}

asio::awaitable<result<std::vector<log_record>>> broker_schema_log::read_all() {
  // Not created here: a broker whose registry was never written to keeps no
  // `_schemas` topic (the first registration creates it).
  struct found {
    bool exists = false;
    std::shared_ptr<storage::partition_log> log;
  };
  auto find = [this]() -> found {
    const auto* t = broker_.topics().find(topic_);
    if (!t) return {};
    return {true, t->partitions.empty() ? nullptr : t->partitions.front()};
  };
  found f = co_await http::on_broker(broker_.io(), std::move(find));
  if (!f.exists) co_return std::vector<log_record>{};
  topic_known_ = true;
  std::shared_ptr<storage::partition_log> log = f.log;
  if (!log) co_return make_error(std::errc::no_such_file_or_directory, topic_ + " has no partition 0");
  auto read = [log]() -> result<std::vector<log_record>> {
    std::vector<log_record> out;
    http::read_limits limits;
    limits.limit = 100000;
    limits.max_bytes = 256LL << 20;
    limits.max_scan_bytes = 256LL << 20;
    int64_t from = log->log_start_offset();
    for (;;) {
      auto page = http::read_records(*log, from, limits);
      if (!page) return page.err();
      for (auto& r : page->records) out.push_back(log_record{r.key.value_or(""), std::move(r.value)});
      if (page->next_offset >= page->high_watermark || page->next_offset <= from) break;
      from = page->next_offset;
    }
    return out;
  };
  result<std::vector<log_record>> records = co_await broker_.workers().run(read);
  co_return records;
}

}  // namespace samsa::registry
