// DescribeTransactions: v0 (KIP-664). The coordinator's view of each named
// transactional id: state, producer id and epoch, timeout, the start of the
// ongoing transaction and its partitions by topic. An id the coordinator
// does not know, or one being expired (Dead), answers
// TRANSACTIONAL_ID_NOT_FOUND, as Kafka does. Each id needs DESCRIBE on it
// (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED), and the transaction's
// partitions are listed only for topics the principal may DESCRIBE, as in
// Kafka.
#include <map>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/handlers/first_of_each.h"
#include "broker/handlers/handlers.h"
#include "broker/txn_service.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"
#include "txn/transaction_view.h"

namespace samsa::broker {

namespace {
namespace file_describe_transactions {

using request_t = protocol::describe_transactions_request_data;
using response_t = protocol::describe_transactions_response_data;
using state_t = response_t::transaction_state_entry;

state_t describe_one(const txn_service& transactions, const std::string& transactional_id) {
  state_t out;
  out.transactional_id = transactional_id;
  std::optional<txn::transaction_view> view = transactions.describe(transactional_id);
  if (!view || view->state == txn::txn_state::dead) {
    out.error_code = protocol::to_int(protocol::error_code::transactional_id_not_found);
    out.transaction_state = "";
    out.producer_id = -1;
    out.producer_epoch = -1;
    out.transaction_start_time_ms = -1;
    return out;
  }
  out.transaction_state = txn::state_name(view->state);
  out.transaction_timeout_ms = view->timeout_ms;
  out.transaction_start_time_ms = view->start_ms;
  out.producer_id = view->producer_id;
  out.producer_epoch = view->producer_epoch;
  // The view lists partitions flat; the wire groups them by topic (sorted,
  // so answers are stable across calls).
  std::map<std::string, std::vector<int32_t>> by_topic;
  for (const auto& [topic, partition] : view->partitions) by_topic[topic].push_back(partition);
  for (auto& [topic, partitions] : by_topic) {
    auto& t = out.topics.emplace_back();
    t.topic = topic;
    t.partitions = std::move(partitions);
  }
  return out;
}

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  // A transactional id named more than once is described once (handlers/first_of_each.h).
  keep_first_of_each(request.transactional_ids, [](const std::string& id) { return std::string_view(id); });
  response.transaction_states.reserve(request.transactional_ids.size());
  for (const auto& id : request.transactional_ids) {
    if (!authorized(ctx, acl::operation::describe, acl::resource_type::transactional_id, id)) {
      state_t& out = response.transaction_states.emplace_back();
      out.transactional_id = id;
      out.error_code = protocol::to_int(protocol::error_code::transactional_id_authorization_failed);
      out.transaction_state = "";
      out.producer_id = -1;
      out.producer_epoch = -1;
      out.transaction_start_time_ms = -1;
      continue;
    }
    state_t out = describe_one(ctx.broker.transactions(), id);
    std::erase_if(out.topics, [&](const auto& t) {
      return !authorized(ctx, acl::operation::describe, acl::resource_type::topic, t.topic);
    });
    response.transaction_states.push_back(std::move(out));
  }
  co_return response;
}

}  // namespace file_describe_transactions
}  // namespace

void register_describe_transactions(api_table& apis) {
  using namespace file_describe_transactions;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::describe_transactions), 0,
                                  0, handle);
}

}  // namespace samsa::broker
