// AddOffsetsToTxn: v0-4. Adds the group's __consumer_offsets partition (the
// one its offsets live in) to the transaction, so EndTxn writes a marker
// there and the transactional offset commits (TxnOffsetCommit) become
// visible to the group, or are dropped, with it. __consumer_offsets is
// created here if no group used it yet (the marker needs the partition).
// PRODUCER_FENCED from v2, INVALID_PRODUCER_EPOCH before; TRANSACTION_ABORTABLE
// from v4. Needs WRITE on the transactional id
// (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), then READ on the group
// (GROUP_AUTHORIZATION_FAILED), as in Kafka.
#include <spdlog/spdlog.h>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/group_await.h"
#include "broker/group_service.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "broker/topic_registry.h"
#include "broker/txn_service.h"
#include "group/offsets_codec.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_add_offsets_to_txn {

using request_t = protocol::add_offsets_to_txn_request_data;
using response_t = protocol::add_offsets_to_txn_response_data;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  if (!authorized(ctx, acl::operation::write, acl::resource_type::transactional_id, request.transactional_id)) {
    response.error_code = protocol::to_int(protocol::error_code::transactional_id_authorization_failed);
    co_return response;
  }
  if (!authorized(ctx, acl::operation::read, acl::resource_type::group, request.group_id)) {
    response.error_code = protocol::to_int(protocol::error_code::group_authorization_failed);
    co_return response;
  }
  if (request.group_id.empty()) {
    response.error_code = protocol::to_int(protocol::error_code::invalid_group_id);
    co_return response;
  }
  if (auto made = co_await ctx.broker.groups().offsets_topic().ensure(); !made.ok()) {
    spdlog::warn("AddOffsetsToTxn for '{}': cannot create {}: {}", request.transactional_id, offsets_topic_name,
                 made.message);
    response.error_code = protocol::to_int(protocol::error_code::coordinator_not_available);
    co_return response;
  }
  const topic_entry* offsets = ctx.broker.topics().find(offsets_topic_name);
  auto partitions = static_cast<int32_t>(offsets->partitions.size());
  txn::topic_partition tp{offsets_topic_name, group::offsets_partition_for(request.group_id, partitions)};
  auto& txns = ctx.broker.transactions();
  auto result = co_await await_answer<txn::op_result>(ctx.broker.io(), [&](auto done) {
    txns.coordinator().add_partitions(request.transactional_id, request.producer_id, request.producer_epoch, {tp},
                                      txn_service::now_ms(), std::move(done));
    txns.rearm();
  });
  response.error_code =
      protocol::to_int(txn_error_for_version(result.error, ctx.api_version, add_offsets_to_txn_errors));
  co_return response;
}

}  // namespace file_add_offsets_to_txn
}  // namespace

void register_add_offsets_to_txn(api_table& apis) {
  using namespace file_add_offsets_to_txn;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::add_offsets_to_txn), 0,
                                  4, handle);
}

}  // namespace samsa::broker
