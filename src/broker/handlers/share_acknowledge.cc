// ShareAcknowledge: v1-2 (KIP-932; v2 adds RENEW acknowledgements, allowed
// only with IsRenewAck). Needs a share session opened by ShareFetch: epoch 0
// is INVALID_SHARE_SESSION_EPOCH, -1 acknowledges and closes the session
// (remaining locks released), other epochs must be the session's next.
// Acknowledgements apply per partition, all batches or none, and are durable
// in the share-state journal before the answer.
// Needs READ on the group (else the top-level GROUP_AUTHORIZATION_FAILED)
// and READ on each topic (else its partitions answer
// TOPIC_AUTHORIZATION_FAILED and are not acknowledged), as in Kafka.
#include <map>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/handlers/handlers.h"
#include "broker/share_service.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_share_acknowledge {

using request_t = protocol::share_acknowledge_request_data;
using response_t = protocol::share_acknowledge_response_data;

response_t fail(protocol::error_code code, std::string message) {
  response_t r;
  r.error_code = protocol::to_int(code);
  r.error_message = std::move(message);
  return r;
}

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  share_service& shares = ctx.broker.shares();
  if (!request.group_id || request.group_id->empty()) {
    co_return fail(protocol::error_code::invalid_request, "GroupId must be set.");
  }
  if (!request.member_id || request.member_id->empty()) {
    co_return fail(protocol::error_code::invalid_request, "MemberId must be set.");
  }
  const std::string& group = *request.group_id;
  const std::string& member = *request.member_id;
  if (!authorized(ctx, acl::operation::read, acl::resource_type::group, group)) {
    co_return fail(protocol::error_code::group_authorization_failed,
                   std::string(protocol::default_message(protocol::error_code::group_authorization_failed)));
  }
  if (request.share_session_epoch == 0) {
    co_return fail(protocol::error_code::invalid_share_session_epoch,
                   "ShareAcknowledge cannot open a share session (epoch 0); ShareFetch does.");
  }
  const bool renew_allowed = ctx.api_version >= 2 && request.is_renew_ack;
  const uint64_t journal_before = shares.journal_bytes();
  auto outcome = shares.use_session(group, member, request.share_session_epoch);
  if (outcome.error != protocol::error_code::none) co_return fail(outcome.error, outcome.message);

  response_t response;
  for (const auto& t : request.topics) {
    auto& to = response.responses.emplace_back();
    to.topic_id = t.topic_id;
    const topic_entry* topic = ctx.broker.topics().find(t.topic_id);
    const bool denied = topic && !authorized(ctx, acl::operation::read, acl::resource_type::topic, topic->name);
    for (const auto& p : t.partitions) {
      auto& po = to.partitions.emplace_back();
      po.partition_index = p.partition_index;
      po.current_leader.leader_id = ctx.broker.config().node_id;
      if (denied) {
        po.error_code = protocol::to_int(protocol::error_code::topic_authorization_failed);
        continue;
      }
      if (!partition_log_of(topic, p.partition_index)) {
        po.error_code = protocol::to_int(topic ? protocol::error_code::unknown_topic_or_partition
                                               : protocol::error_code::unknown_topic_id);
        continue;
      }
      std::vector<share::ack_batch> batches;
      for (const auto& b : p.acknowledgement_batches) batches.push_back({b.first_offset, b.last_offset, b.acknowledge_types});
      auto e = shares.acknowledge(group, member, *topic, p.partition_index, batches, renew_allowed);
      po.error_code = protocol::to_int(e);
      if (e == protocol::error_code::invalid_record_state) {
        po.error_message = "Some records are not acquired by member " + member + ".";
      } else if (e == protocol::error_code::invalid_request) {
        po.error_message = "Malformed acknowledgement batches (ranges, order, types" +
                           std::string(renew_allowed ? "" : ", RENEW without IsRenewAck") + ").";
      }
    }
  }
  if (request.share_session_epoch == -1) shares.close_session(group, member);
  if (shares.journal_bytes() != journal_before) {
    if (auto e = co_await shares.make_durable(); e != protocol::error_code::none) {
      co_return fail(e, "The acknowledgements could not be made durable.");
    }
  }
  response.acquisition_lock_timeout_ms = static_cast<int32_t>(shares.partition_settings_for(group).lock_duration_ms);
  co_return response;
}

}  // namespace file_share_acknowledge
}  // namespace

void register_share_acknowledge(api_table& apis) {
  using namespace file_share_acknowledge;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::share_acknowledge), 1, 2, handle);
}

}  // namespace samsa::broker
