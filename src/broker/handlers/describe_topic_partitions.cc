// DescribeTopicPartitions: v0 (KIP-966), the paged form of Metadata the Java
// admin client (3.8+) uses to describe topics. As in Kafka: topics in name
// order, at most min(2000, response_partition_limit) partitions per answer;
// when they do not all fit, next_cursor names the first one left out, and a
// request that passes it back continues there. An empty topic list means
// every topic (and then unknown names are not reported); an unknown topic
// asked by name answers UNKNOWN_TOPIC_OR_PARTITION (INVALID_TOPIC_EXCEPTION
// for a name that cannot exist). A cursor naming a topic the list lacks, or
// a negative partition, is INVALID_REQUEST. This broker leads every
// partition; no eligible leader replicas (KIP-966 ELR) exist: empty lists.
// With an authorizer, as Kafka: every topic needs DESCRIBE; the listing of
// all topics leaves the others out (no audit line), a topic asked by name
// without it answers TOPIC_AUTHORIZATION_FAILED whether it exists or not.
// Each topic carries the principal's authorized operations on it.
#include <set>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/handlers/handlers.h"
#include "broker/topic_names.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_describe_topic_partitions {

using request_t = protocol::describe_topic_partitions_request_data;
using response_t = protocol::describe_topic_partitions_response_data;
using topic_t = response_t::describe_topic_partitions_response_topic;

// Kafka's max.request.partition.size.limit default.
constexpr int32_t max_partitions_per_answer = 2000;

topic_t error_topic(const request_context& ctx, const std::string& name, protocol::error_code code) {
  topic_t out;
  out.name = name;
  out.error_code = protocol::to_int(code);
  out.topic_authorized_operations =
      code == protocol::error_code::topic_authorization_failed
          ? INT32_MIN  // the field's default: nothing is said about a topic the principal may not see
          : authorized_operations(ctx, acl::resource_type::topic, name);
  return out;
}

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  const topic_registry& topics = ctx.broker.topics();
  const bool all_topics = request.topics.empty();
  const std::string cursor_topic = request.cursor ? request.cursor->topic_name : "";
  response_t response;

  std::set<std::string> wanted;  // sorted, as Kafka answers
  if (all_topics) {
    for (const topic_entry* t : topics.list()) {
      if (t->name >= cursor_topic) wanted.insert(t->name);
    }
  } else {
    for (const auto& t : request.topics) {
      if (t.name >= cursor_topic) wanted.insert(t.name);
    }
  }
  const bool cursor_not_listed = request.cursor && !all_topics && wanted.count(cursor_topic) == 0;
  if (cursor_not_listed || (request.cursor && request.cursor->partition_index < 0)) {
    for (const auto& t : request.topics) response.topics.push_back(error_topic(ctx, t.name, protocol::error_code::invalid_request));
    co_return response;
  }

  const int32_t node = ctx.broker.config().node_id;
  int64_t remaining = std::min(max_partitions_per_answer, request.response_partition_limit);
  for (const std::string& name : wanted) {
    if (remaining <= 0) {
      // Every partition so far fitted: the next answer starts at this topic.
      response.next_cursor.emplace();
      response.next_cursor->topic_name = name;
      response.next_cursor->partition_index = 0;
      break;
    }
    if (!authorized(ctx, acl::operation::describe, acl::resource_type::topic, name, !all_topics)) {
      if (!all_topics) {
        response.topics.push_back(error_topic(ctx, name, protocol::error_code::topic_authorization_failed));
      }
      continue;
    }
    const topic_entry* t = topics.find(name);
    if (!t) {
      if (!all_topics) {
        response.topics.push_back(error_topic(ctx, name, topic_name_problem(name)
                                                        ? protocol::error_code::invalid_topic_exception
                                                        : protocol::error_code::unknown_topic_or_partition));
      }
      continue;
    }
    const int32_t count = static_cast<int32_t>(t->partitions.size());
    const int32_t start = name == cursor_topic ? request.cursor->partition_index : 0;
    const int32_t end = static_cast<int32_t>(std::min<int64_t>(count, start + remaining));
    topic_t out;
    out.name = t->name;
    out.topic_id = t->id;
    out.is_internal = t->internal;
    out.topic_authorized_operations = authorized_operations(ctx, acl::resource_type::topic, t->name);
    for (int32_t p = start; p < end; ++p) {
      auto& part = out.partitions.emplace_back();
      part.partition_index = p;
      part.leader_id = node;
      part.leader_epoch = 0;
      part.replica_nodes = {node};
      part.isr_nodes = {node};
      part.eligible_leader_replicas = std::vector<int32_t>{};
      part.last_known_elr = std::vector<int32_t>{};
    }
    remaining -= static_cast<int64_t>(out.partitions.size());
    response.topics.push_back(std::move(out));
    if (end < count) {
      response.next_cursor.emplace();
      response.next_cursor->topic_name = name;
      response.next_cursor->partition_index = end;
      break;
    }
  }
  co_return response;
}

}  // namespace file_describe_topic_partitions
}  // namespace

void register_describe_topic_partitions(api_table& apis) {
  using namespace file_describe_topic_partitions;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::describe_topic_partitions), 0, 0, handle);
}

}  // namespace samsa::broker
