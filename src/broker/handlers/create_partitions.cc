// CreatePartitions: v0-3. Partition counts only grow; assignments may only
// name this broker. validate_only checks without changing anything.
// Each topic needs ALTER (Kafka), else TOPIC_AUTHORIZATION_FAILED whether it
// exists or not; refused topics do not count towards the partition limit.
#include <algorithm>
#include <set>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/handlers/handlers.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_create_partitions {

using request_t = protocol::create_partitions_request_data;
using response_t = protocol::create_partitions_response_data;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  // Kafka 4.0 refuses the whole request when its topics together would gain
  // more than max_new_partitions_per_request partitions.
  std::set<std::string> denied;
  for (const auto& t : request.topics) {
    if (!authorized(ctx, acl::operation::alter, acl::resource_type::topic, t.name)) denied.insert(t.name);
  }
  int64_t added = 0;
  for (const auto& t : request.topics) {
    if (denied.contains(t.name)) continue;
    if (const topic_entry* topic = ctx.broker.topics().find(t.name)) {
      added += std::max<int64_t>(0, static_cast<int64_t>(t.count) - static_cast<int64_t>(topic->partitions.size()));
    }
  }
  const bool too_many = added > max_new_partitions_per_request;
  for (const auto& t : request.topics) {
    response_t::create_partitions_topic_result out;
    out.name = t.name;
    admin_result outcome;
    if (denied.contains(t.name)) {
      outcome = admin_result::fail(protocol::error_code::topic_authorization_failed,
                                   std::string(protocol::default_message(protocol::error_code::topic_authorization_failed)));
    } else if (too_many) {
      outcome = admin_result::fail(protocol::error_code::policy_violation,
                                   "the request adds " + std::to_string(added) +
                                       " partitions in all; one request may create at most " +
                                       std::to_string(max_new_partitions_per_request));
    }
    if (outcome.ok() && t.assignments) {
      for (const auto& a : *t.assignments) {
        if (a.broker_ids.size() != 1 || a.broker_ids[0] != ctx.broker.config().node_id) {
          outcome = admin_result::fail(protocol::error_code::invalid_replica_assignment,
                                       "this is a single-broker cluster: new partitions can only live on broker " +
                                           std::to_string(ctx.broker.config().node_id));
        }
      }
    }
    if (outcome.ok()) {
      outcome = co_await ctx.broker.topics().add_partitions_async(ctx.broker.workers(), t.name, t.count,
                                                                  request.validate_only);
    }
    out.error_code = protocol::to_int(outcome.code);
    if (!outcome.ok()) out.error_message = outcome.message;
    response.results.push_back(std::move(out));
  }
  co_return response;
}

}  // namespace file_create_partitions
}  // namespace

void register_create_partitions(api_table& apis) {
  using namespace file_create_partitions;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::create_partitions), 0,
                                  3, handle);
}

}  // namespace samsa::broker
