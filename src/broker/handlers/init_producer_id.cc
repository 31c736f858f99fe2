// InitProducerId: v0-5. Without a transactional id: an idempotent producer
// gets a new producer id with epoch 0 (a producer that asks again gets a
// fresh id too, as Kafka answers). With one: the transaction coordinator
// gives the id its producer id (new, or the same with the epoch bumped,
// which fences the previous producer and aborts its open transaction; that
// answer is CONCURRENT_TRANSACTIONS and the client retries). v3+ may name
// the producer id and epoch it holds (KIP-360). PRODUCER_FENCED from v4,
// INVALID_PRODUCER_EPOCH before; TRANSACTION_ABORTABLE from v5.
// Authorization, as Kafka: a transactional id needs WRITE on it
// (TRANSACTIONAL_ID_AUTHORIZATION_FAILED); an idempotent producer needs
// IDEMPOTENT_WRITE on the cluster or WRITE on some topic (KIP-679), else
// CLUSTER_AUTHORIZATION_FAILED.
#include <spdlog/spdlog.h>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/group_await.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "broker/producer_registry.h"
#include "broker/txn_service.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_init_producer_id {

using request_t = protocol::init_producer_id_request_data;
using response_t = protocol::init_producer_id_response_data;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  response.producer_id = -1;
  response.producer_epoch = -1;
  if (request.transactional_id &&
      !authorized(ctx, acl::operation::write, acl::resource_type::transactional_id, *request.transactional_id)) {
    response.error_code = protocol::to_int(protocol::error_code::transactional_id_authorization_failed);
    co_return response;
  }
  if (!request.transactional_id && !authorized_on_cluster(ctx, acl::operation::idempotent_write, false) &&
      !authorized_on_any(ctx, acl::operation::write, acl::resource_type::topic)) {
    // The audit line names what the producer lacks: IDEMPOTENT_WRITE on the cluster.
    (void)authorized_on_cluster(ctx, acl::operation::idempotent_write, true);
    response.error_code = protocol::to_int(protocol::error_code::cluster_authorization_failed);
    co_return response;
  }
  if (request.transactional_id) {
    const std::string& id = *request.transactional_id;
    if (id.empty()) {
      // Kafka treats an empty transactional id as none only in the client; the broker refuses it.
      response.error_code = protocol::to_int(protocol::error_code::invalid_request);
      co_return response;
    }
    auto& txns = ctx.broker.transactions();
    int64_t expected_pid = ctx.api_version >= 3 ? request.producer_id : -1;
    int16_t expected_epoch = ctx.api_version >= 3 ? request.producer_epoch : -1;
    auto result = co_await await_answer<txn::init_result>(ctx.broker.io(), [&](auto done) {
      txns.coordinator().init_producer_id(id, request.transaction_timeout_ms, expected_pid, expected_epoch,
                                          txn_service::now_ms(), std::move(done));
      txns.rearm();
    });
    if (result.error != protocol::error_code::none) {
      spdlog::debug("InitProducerId for '{}': {} ({})", id, protocol::error_name(result.error), result.message);
    }
    response.error_code =
        protocol::to_int(txn_error_for_version(result.error, ctx.api_version, init_producer_id_errors));
    response.producer_id = result.producer_id;
    response.producer_epoch = result.producer_epoch;
    co_return response;
  }
  auto id = ctx.broker.producers().new_producer_id();
  if (!id) {
    spdlog::error("cannot allocate a producer id: {}", id.err().describe());
    response.error_code = protocol::to_int(protocol::error_code::kafka_storage_error);
    co_return response;
  }
  response.producer_id = *id;
  response.producer_epoch = 0;
  co_return response;
}

}  // namespace file_init_producer_id
}  // namespace

void register_init_producer_id(api_table& apis) {
  using namespace file_init_producer_id;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::init_producer_id), 0,
                                  5, handle);
}

}  // namespace samsa::broker
