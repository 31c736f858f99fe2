#include "proxy/record_producer.h"

#include <chrono>
#include <map>

#include "base/kafka_error_codes.h"
#include "base/key_hash.h"
#include "broker/broker_state.h"
#include "broker/topic_registry.h"
#include "http/internal_client.h"
#include "http/on_broker.h"
#include "record/batch_builder.h"

namespace samsa::proxy {

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
}  // namespace

record_producer::record_producer(broker::broker_state& broker, broker::api_table& apis)
    : broker_(broker), api_{broker.io(), apis} {}

int proxy_error_code(int16_t kafka_code) {
  auto code = static_cast<kafka::error_code>(kafka_code);
  return kafka::is_retriable(code) ? codes::kafka_retriable : codes::kafka_error;
}

asio::awaitable<outcome<int32_t>> record_producer::partitions_of(const std::string& topic) {
  auto gather = [this, topic]() -> int32_t {
    const auto* t = broker_.topics().find(topic);
    return t ? static_cast<int32_t>(t->partitions.size()) : -1;
  };
  int32_t count = co_await http::on_broker(broker_.io(), std::move(gather));
  if (count < 0) co_return problem{404, codes::topic_not_found, "Topic " + topic + " not found."};
  co_return count;
}

outcome<std::vector<int32_t>> record_producer::choose_partitions(const std::vector<outgoing_record>& records,
                                                                 int32_t partitions) {
  std::vector<int32_t> out;
  out.reserve(records.size());
  const int32_t sticky = static_cast<int32_t>(sticky_.fetch_add(1) % static_cast<uint32_t>(std::max(partitions, 1)));
  for (const auto& r : records) {
    if (r.partition) {
      if (*r.partition >= partitions)
        return problem{404, codes::partition_not_found,
                       "Partition " + std::to_string(*r.partition) + " not found (the topic has " +
                           std::to_string(partitions) + ")."};
      out.push_back(*r.partition);
    } else if (r.key) {
      out.push_back(partition_for_key(*r.key, partitions));
    } else {
      out.push_back(sticky);
    }
  }
  return out;
}

asio::awaitable<outcome<std::vector<produced_record>>> record_producer::produce(
    const std::string& topic, const std::vector<outgoing_record>& records, const http::request& caller) {
  auto count = co_await partitions_of(topic);
  if (!count) co_return count.error();
  auto chosen = choose_partitions(records, *count);
  if (!chosen) co_return chosen.error();
  std::vector<produced_record> out(records.size());
  // One batch per partition, the records in request order.
  std::map<int32_t, std::vector<size_t>> by_partition;
  for (size_t i = 0; i < records.size(); ++i) {
    out[i].partition = (*chosen)[i];
    by_partition[(*chosen)[i]].push_back(i);
  }
  protocol::produce_request_data request;
  request.acks = -1;
  request.timeout_ms = 30000;
  auto& td = request.topic_data.emplace_back();
  td.name = topic;
  const int64_t now = now_ms();
  for (const auto& [partition, indexes] : by_partition) {
    record::batch_options options;
    record::batch_builder builder(options);
    for (size_t i : indexes) {
      const auto& r = records[i];
      out[i].timestamp_ms = r.timestamp_ms.value_or(now);
      if (auto s = builder.append(out[i].timestamp_ms, bytes_of(r.key), bytes_of(r.value), r.headers); !s)
        co_return problem{422, codes::unprocessable, "record " + std::to_string(i) + ": " + s.err().describe()};
    }
    auto batch = builder.build();
    if (!batch) co_return problem{422, codes::unprocessable, batch.err().describe()};
    auto& pd = td.partition_data.emplace_back();
    pd.index = partition;
    pd.records = protocol::records::owned(std::move(*batch));
  }
  auto answer = co_await http::call_broker_api<protocol::produce_response_data>(api_, 9, request, caller);
  if (!answer) co_return problem{500, codes::kafka_error, "the broker did not answer: " + answer.err().describe()};
  std::map<int32_t, const protocol::produce_response_data::topic_produce_response::partition_produce_response*> got;
  for (const auto& t : answer->responses)
    for (const auto& p : t.partition_responses) got[p.index] = &p;
  for (const auto& [partition, indexes] : by_partition) {
    auto it = got.find(partition);
    for (size_t n = 0; n < indexes.size(); ++n) {
      auto& o = out[indexes[n]];
      if (it == got.end()) {
        o.error_code = kafka::to_int(kafka::error_code::unknown_server_error);
        o.message = "the broker's answer names no partition " + std::to_string(partition);
      } else if (it->second->error_code != 0) {
        o.error_code = it->second->error_code;
        auto code = static_cast<kafka::error_code>(o.error_code);
        o.message = it->second->error_message.value_or(std::string(kafka::default_message(code)));
      } else {
        o.offset = it->second->base_offset + static_cast<int64_t>(n);
        if (it->second->log_append_time_ms >= 0) o.timestamp_ms = it->second->log_append_time_ms;
      }
    }
  }
  co_return out;
}

}  // namespace samsa::proxy
