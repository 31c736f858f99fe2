// EndTxn: v0-5. Commits or aborts the transaction: answered once the
// PrepareCommit/PrepareAbort state is durable in __transaction_state; the
// COMMIT/ABORT markers on every partition (and the group's offsets) and the
// CompleteCommit/CompleteAbort state follow, and until then the id answers
// CONCURRENT_TRANSACTIONS. v5 is KIP-890's transactions v2: every EndTxn
// bumps the producer epoch and answers the new producer id and epoch.
// PRODUCER_FENCED from v2, INVALID_PRODUCER_EPOCH before; TRANSACTION_ABORTABLE
// from v4. Needs WRITE on the transactional id
// (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), as in Kafka.
#include <spdlog/spdlog.h>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/group_await.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "broker/txn_service.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_end_txn {

using request_t = protocol::end_txn_request_data;
using response_t = protocol::end_txn_response_data;

constexpr int16_t transactions_v2_from = 5;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  if (!authorized(ctx, acl::operation::write, acl::resource_type::transactional_id, request.transactional_id)) {
    response.error_code = protocol::to_int(protocol::error_code::transactional_id_authorization_failed);
    response.producer_id = -1;
    response.producer_epoch = -1;
    co_return response;
  }
  auto& txns = ctx.broker.transactions();
  bool tv2 = ctx.api_version >= transactions_v2_from;
  auto result = co_await await_answer<txn::end_result>(ctx.broker.io(), [&](auto done) {
    txns.coordinator().end_txn(request.transactional_id, request.producer_id, request.producer_epoch,
                               request.committed, tv2, txn_service::now_ms(), std::move(done));
    txns.rearm();
  });
  if (result.error != protocol::error_code::none) {
    spdlog::debug("EndTxn for '{}': {} ({})", request.transactional_id, protocol::error_name(result.error),
                  result.message);
  }
  response.error_code = protocol::to_int(txn_error_for_version(result.error, ctx.api_version, end_txn_errors));
  response.producer_id = result.producer_id;
  response.producer_epoch = result.producer_epoch;
  co_return response;
}

}  // namespace file_end_txn
}  // namespace

void register_end_txn(api_table& apis) {
  using namespace file_end_txn;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::end_txn), 0,
                                  5, handle);
}

}  // namespace samsa::broker
