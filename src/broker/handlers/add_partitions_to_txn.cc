// AddPartitionsToTxn: v0-5. v0-3 are the client's form (one transaction);
// v4+ is the broker-to-broker form (a batch of transactions, each possibly
// verify-only, KIP-890) that Kafka answers only for a principal holding
// CLUSTER_ACTION on the cluster (else the top-level
// CLUSTER_AUTHORIZATION_FAILED); without an authorizer anyone may call it,
// as in Kafka.
//
// v0-3 need WRITE on the transactional id (else every partition answers
// TRANSACTIONAL_ID_AUTHORIZATION_FAILED) and WRITE on each topic: a
// partition of a topic without it (or, with an authorizer on, of an internal
// topic, which a client never adds, as Kafka) answers
// TOPIC_AUTHORIZATION_FAILED, and then nothing
// is added: the others answer OPERATION_NOT_ATTEMPTED.
//
// A request naming a partition that does not exist changes nothing: those
// partitions get UNKNOWN_TOPIC_OR_PARTITION, the others
// OPERATION_NOT_ATTEMPTED (as Kafka). Otherwise every partition gets the
// coordinator's one answer, given once the new state is durable.
#include <map>
#include <set>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/group_await.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "broker/topic_names.h"
#include "broker/topic_registry.h"
#include "broker/txn_service.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_add_partitions_to_txn {

using request_t = protocol::add_partitions_to_txn_request_data;
using response_t = protocol::add_partitions_to_txn_response_data;
using topic_t = request_t::add_partitions_to_txn_topic;
using topic_result_t = response_t::add_partitions_to_txn_topic_result;

std::vector<topic_result_t> answer_all(const std::vector<topic_t>& topics,
                                       const std::function<int16_t(const std::string&, int32_t)>& error_of) {
  std::vector<topic_result_t> out;
  for (const auto& t : topics) {
    auto& tr = out.emplace_back();
    tr.name = t.name;
    for (int32_t p : t.partitions) {
      auto& pr = tr.results_by_partition.emplace_back();
      pr.partition_index = p;
      pr.partition_error_code = error_of(t.name, p);
    }
  }
  return out;
}

// One transaction's partitions: added (or, verify_only, checked).
boost::asio::awaitable<std::vector<topic_result_t>> handle_one(request_context& ctx, const std::string& id,
                                                               int64_t producer_id, int16_t producer_epoch,
                                                               bool verify_only, const std::vector<topic_t>& topics) {
  auto& registry = ctx.broker.topics();
  const bool from_client = ctx.api_version <= 3;
  if (from_client && !authorized(ctx, acl::operation::write, acl::resource_type::transactional_id, id)) {
    co_return answer_all(topics, [](const std::string&, int32_t) {
      return protocol::to_int(protocol::error_code::transactional_id_authorization_failed);
    });
  }
  std::set<std::string> denied;  // topics a client may not write (v0-3)
  if (from_client && authorizer_enabled(ctx.broker)) {
    for (const auto& t : topics) {
      if (is_internal_topic_name(t.name) ||
          !authorized(ctx, acl::operation::write, acl::resource_type::topic, t.name)) {
        denied.insert(t.name);
      }
    }
  }
  // Each topic is looked up once, and its (name, partition) pairs are made
  // only while every partition so far exists: a long unknown name listed
  // with many partitions must not cost name x partitions bytes.
  std::vector<txn::topic_partition> partitions;
  bool any_unknown = false;
  for (const auto& t : topics) {
    const topic_entry* entry = registry.find(t.name);
    for (int32_t p : t.partitions) {
      if (!entry || p < 0 || p >= static_cast<int32_t>(entry->partitions.size())) any_unknown = true;
      if (!any_unknown) partitions.push_back({t.name, p});
    }
  }
  if (any_unknown || !denied.empty()) {
    const std::string* looked_up = nullptr;  // the topic `known` is for (answer_all passes each topic's name)
    const topic_entry* known = nullptr;
    bool topic_denied = false;
    co_return answer_all(topics, [&](const std::string& topic, int32_t p) {
      if (&topic != looked_up) {
        looked_up = &topic;
        known = registry.find(topic);
        topic_denied = denied.contains(topic);
      }
      if (topic_denied) return protocol::to_int(protocol::error_code::topic_authorization_failed);
      const bool exists = known && p >= 0 && p < static_cast<int32_t>(known->partitions.size());
      return protocol::to_int(exists ? protocol::error_code::operation_not_attempted
                                     : protocol::error_code::unknown_topic_or_partition);
    });
  }
  auto& txns = ctx.broker.transactions();
  const int16_t version = ctx.api_version;
  if (verify_only) {
    co_return answer_all(topics, [&](const std::string& topic, int32_t p) {
      auto verdict = txns.coordinator().verify_partition(producer_id, producer_epoch, {topic, p});
      return protocol::to_int(txn_error_for_version(verdict.error, version, add_partitions_to_txn_errors));
    });
  }
  protocol::error_code code = protocol::error_code::none;
  if (!partitions.empty()) {
    auto result = co_await await_answer<txn::op_result>(ctx.broker.io(), [&](auto done) {
      txns.coordinator().add_partitions(id, producer_id, producer_epoch, partitions, txn_service::now_ms(),
                                        std::move(done));
      txns.rearm();
    });
    code = txn_error_for_version(result.error, version, add_partitions_to_txn_errors);
  }
  co_return answer_all(topics, [code](const std::string&, int32_t) { return protocol::to_int(code); });
}

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  if (ctx.api_version <= 3) {
    response.results_by_topic_v3_and_below =
        co_await handle_one(ctx, request.v3_and_below_transactional_id, request.v3_and_below_producer_id,
                            request.v3_and_below_producer_epoch, false, request.v3_and_below_topics);
    co_return response;
  }
  if (!authorized_on_cluster(ctx, acl::operation::cluster_action)) {
    response.error_code = protocol::to_int(protocol::error_code::cluster_authorization_failed);
    co_return response;
  }
  for (const auto& t : request.transactions) {
    auto& r = response.results_by_transaction.emplace_back();
    r.transactional_id = t.transactional_id;
    r.topic_results = co_await handle_one(ctx, t.transactional_id, t.producer_id, t.producer_epoch, t.verify_only,
                                          t.topics);
  }
  co_return response;
}

}  // namespace file_add_partitions_to_txn
}  // namespace

void register_add_partitions_to_txn(api_table& apis) {
  using namespace file_add_partitions_to_txn;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::add_partitions_to_txn), 0,
                                  5, handle);
}

}  // namespace samsa::broker
