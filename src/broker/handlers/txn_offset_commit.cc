// TxnOffsetCommit: v0-5. A transactional producer commits a consumer group's
// offsets inside its transaction (KIP-98); v3+ carry the consumer's member
// id, generation and instance id, checked against the group (KIP-447); v4+
// may be answered TRANSACTION_ABORTABLE, which only the transaction
// coordinator's verification produces (group_service::txn_offset_verifier);
// v5 is v4 for clients on transactions v2. Partitions of unknown topics get
// UNKNOWN_TOPIC_OR_PARTITION as in Kafka; the rest are answered once the
// transactional batch is durable in __consumer_offsets. The offsets stay
// invisible to OffsetFetch until the transaction's COMMIT marker.
// Authorization, as Kafka: WRITE on the transactional id, then READ on the
// group (else every partition answers TRANSACTIONAL_ID_ resp.
// GROUP_AUTHORIZATION_FAILED), then READ on each topic (else its partitions
// answer TOPIC_AUTHORIZATION_FAILED, whether it exists or not).
#include <map>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/group_await.h"
#include "broker/group_service.h"
#include "broker/handlers/handlers.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_txn_offset_commit {

using request_t = protocol::txn_offset_commit_request_data;
using response_t = protocol::txn_offset_commit_response_data;

bool partition_exists(const topic_registry& topics, const std::string& topic, int32_t partition) {
  const topic_entry* t = topics.find(topic);
  return t && partition >= 0 && partition < static_cast<int32_t>(t->partitions.size());
}

// Every listed partition answered with `code`.
response_t refuse_all(const request_t& request, protocol::error_code code) {
  response_t response;
  for (const auto& t : request.topics) {
    auto& out = response.topics.emplace_back();
    out.name = t.name;
    for (const auto& p : t.partitions) {
      auto& po = out.partitions.emplace_back();
      po.partition_index = p.partition_index;
      po.error_code = protocol::to_int(code);
    }
  }
  return response;
}

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  if (!authorized(ctx, acl::operation::write, acl::resource_type::transactional_id, request.transactional_id)) {
    co_return refuse_all(request, protocol::error_code::transactional_id_authorization_failed);
  }
  if (!authorized(ctx, acl::operation::read, acl::resource_type::group, request.group_id)) {
    co_return refuse_all(request, protocol::error_code::group_authorization_failed);
  }
  auto& groups = ctx.broker.groups();
  // (topic, partition) -> error; the response lists partitions in request order.
  std::map<std::pair<std::string, int32_t>, int16_t> errors;
  // The transaction coordinator's verdict comes first, as in Kafka, where
  // the write is verified before the group checks run.
  const int16_t verify_error = groups.verify_txn_offsets(request.transactional_id, request.producer_id,
                                                         request.producer_epoch, request.group_id, ctx.api_version);
  group::txn_offset_commit_request req;
  req.transactional_id = request.transactional_id;
  req.group_id = request.group_id;
  req.producer_id = request.producer_id;
  req.producer_epoch = request.producer_epoch;
  req.generation_id = request.generation_id;
  req.member_id = request.member_id;
  req.group_instance_id = request.group_instance_id;
  for (auto& t : request.topics) {
    if (!authorized(ctx, acl::operation::read, acl::resource_type::topic, t.name)) {
      for (auto& p : t.partitions) {
        errors[{t.name, p.partition_index}] = protocol::to_int(protocol::error_code::topic_authorization_failed);
      }
      continue;
    }
    for (auto& p : t.partitions) {
      if (!partition_exists(ctx.broker.topics(), t.name, p.partition_index)) {
        errors[{t.name, p.partition_index}] = protocol::to_int(protocol::error_code::unknown_topic_or_partition);
        continue;
      }
      if (verify_error != 0) {
        errors[{t.name, p.partition_index}] = verify_error;
        continue;
      }
      group::offset_commit_partition c;
      c.topic = t.name;
      c.partition = p.partition_index;
      c.offset = p.committed_offset;
      c.leader_epoch = p.committed_leader_epoch;
      c.metadata = p.committed_metadata;
      req.partitions.push_back(std::move(c));
    }
  }
  if (!req.partitions.empty()) {
    auto results = co_await await_answer<std::vector<group::partition_error>>(ctx.broker.io(), [&](auto done) {
      groups.coordinator().commit_txn_offsets(std::move(req), group_service::now_ms(), std::move(done));
      groups.rearm();
    });
    for (const auto& r : results) errors[{r.topic, r.partition}] = r.error;
  }

  response_t response;
  for (const auto& t : request.topics) {
    auto& out = response.topics.emplace_back();
    out.name = t.name;
    for (const auto& p : t.partitions) {
      auto& po = out.partitions.emplace_back();
      po.partition_index = p.partition_index;
      auto it = errors.find({t.name, p.partition_index});
      po.error_code = it == errors.end() ? protocol::to_int(protocol::error_code::unknown_server_error) : it->second;
    }
  }
  co_return response;
}

}  // namespace file_txn_offset_commit
}  // namespace

void register_txn_offset_commit(api_table& apis) {
  using namespace file_txn_offset_commit;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::txn_offset_commit), 0, 5, handle);
}

}  // namespace samsa::broker
