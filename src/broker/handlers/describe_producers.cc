// DescribeProducers: v0. The producers a partition's log knows: id, epoch,
// last sequence, the time of their last write and the first offset of their
// open transaction (-1 when none is open). Each topic needs READ (Kafka),
// else its partitions answer TOPIC_AUTHORIZATION_FAILED. A partition named
// more than once is described once, in the entry of its topic's first
// mention (handlers/first_of_each.h): 10,000 producers of one partition
// are ~400 KB of answer per mention.
#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/handlers/first_of_each.h"
#include "broker/handlers/handlers.h"
#include "broker/producer_registry.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_describe_producers {

using request_t = protocol::describe_producers_request_data;
using response_t = protocol::describe_producers_response_data;
using partition_t = response_t::topic_response::partition_response;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  keep_first_of_each_partition(request.topics, [](auto& t) -> std::vector<int32_t>& { return t.partition_indexes; });
  for (const auto& wanted : request.topics) {
    response_t::topic_response topic_out;
    topic_out.name = wanted.name;
    const topic_entry* topic = ctx.broker.topics().find(wanted.name);
    const bool denied = !authorized(ctx, acl::operation::read, acl::resource_type::topic, wanted.name);
    for (int32_t index : wanted.partition_indexes) {
      partition_t p;
      p.partition_index = index;
      if (denied) {
        p.error_code = protocol::to_int(protocol::error_code::topic_authorization_failed);
        p.error_message = std::string(protocol::default_message(protocol::error_code::topic_authorization_failed));
        topic_out.partitions.push_back(std::move(p));
        continue;
      }
      storage::partition_log* log = partition_log_of(topic, index);
      if (!log) {
        p.error_code = protocol::to_int(protocol::error_code::unknown_topic_or_partition);
        // Without the topic's name, which its entry already carries: a long
        // name repeated per partition made the answer name x partitions bytes.
        p.error_message = topic ? "the topic has no partition " + std::to_string(index) : "no such topic";
        topic_out.partitions.push_back(std::move(p));
        continue;
      }
      for (const auto& s : ctx.broker.producers().describe(*log)) {
        partition_t::producer_state state;
        state.producer_id = s.producer_id;
        state.producer_epoch = s.epoch;
        state.last_sequence = s.last_sequence;
        state.last_timestamp = s.last_write_ms;
        state.coordinator_epoch = -1;
        state.current_txn_start_offset = s.current_txn_start_offset;
        p.active_producers.push_back(state);
      }
      topic_out.partitions.push_back(std::move(p));
    }
    response.topics.push_back(std::move(topic_out));
  }
  co_return response;
}

}  // namespace file_describe_producers
}  // namespace

void register_describe_producers(api_table& apis) {
  using namespace file_describe_producers;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::describe_producers), 0,
                                  0, handle);
}

}  // namespace samsa::broker
