// OffsetForLeaderEpoch: v0-4. Every partition has had one leader (this
// broker) in epoch 0 since it was created, so epoch 0 ends at the log end
// offset; asking for a later epoch than 0 gives the undefined answer, and a
// current_leader_epoch other than 0 is fenced or unknown, as Kafka reports it.
// Authorization (KIP-320, as Kafka): CLUSTER_ACTION on the cluster (a
// follower) covers every topic; otherwise each topic needs DESCRIBE, else
// its partitions answer TOPIC_AUTHORIZATION_FAILED.
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
namespace file_offset_for_leader_epoch {

using request_t = protocol::offset_for_leader_epoch_request_data;
using response_t = protocol::offset_for_leader_epoch_response_data;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  const bool cluster_action = authorized_on_cluster(ctx, acl::operation::cluster_action, false);
  for (const auto& t : request.topics) {
    const topic_entry* topic = ctx.broker.topics().find(t.topic);
    auto& tr = response.topics.emplace_back();
    tr.topic = t.topic;
    const bool denied =
        !cluster_action && !authorized(ctx, acl::operation::describe, acl::resource_type::topic, t.topic);
    for (const auto& p : t.partitions) {
      auto& out = tr.partitions.emplace_back();
      out.partition = p.partition;
      if (denied) {
        out.error_code = protocol::to_int(protocol::error_code::topic_authorization_failed);
        continue;
      }
      storage::partition_log* log = partition_log_of(topic, p.partition);
      if (!log) {
        out.error_code = protocol::to_int(protocol::error_code::unknown_topic_or_partition);
        continue;
      }
      if (p.current_leader_epoch > 0) {
        out.error_code = protocol::to_int(protocol::error_code::unknown_leader_epoch);
        continue;
      }
      if (p.leader_epoch > 0) continue;  // undefined epoch and offset (-1, -1)
      out.leader_epoch = 0;
      out.end_offset = log->log_end_offset();
    }
  }
  co_return response;
}

}  // namespace file_offset_for_leader_epoch
}  // namespace

void register_offset_for_leader_epoch(api_table& apis) {
  using namespace file_offset_for_leader_epoch;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::offset_for_leader_epoch), 0,
                                  4, handle);
}

}  // namespace samsa::broker
