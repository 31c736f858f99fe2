// OffsetCommit: v0-10, answered as the Kafka of each version did:
// - v0 (the ZooKeeper era) commits without group coordination (generation -1,
//   member ""); the offsets are stored like any other, in __consumer_offsets.
// - v1 carries a commit timestamp per partition (-1 = now); expiry of an
//   offset counts from it (offsets.retention.minutes).
// - v2-4 carry a retention time (-1 = the broker's): another value sets the
//   offset's own expiry time, now + retention, stored in the record (value
//   version 1) and honoured by the retention check even while the group lives.
// - v5+ have neither; the broker's retention applies.
// - v10 (Kafka 4.2, KIP-848) names topics by id in the request and the
//   answer; the offsets are still kept by topic name. An id no topic has
//   answers its partitions UNKNOWN_TOPIC_ID.
// Partitions of unknown topics get UNKNOWN_TOPIC_OR_PARTITION as in Kafka; the
// rest are answered once the commit is durable in __consumer_offsets.
// For a consumer-protocol (KIP-848) group the field
// generation_id_or_member_epoch is the member epoch (v9+).
// Authorization, as Kafka: READ on the group (else every partition answers
// GROUP_AUTHORIZATION_FAILED), then READ on each topic (else its partitions
// answer TOPIC_AUTHORIZATION_FAILED, whether it exists or not).
#include <map>
#include <set>

#include "base/saturating.h"
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
namespace file_offset_commit {

using request_t = protocol::offset_commit_request_data;
using response_t = protocol::offset_commit_response_data;

constexpr int16_t topic_ids_from = 10;

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
    out.topic_id = t.topic_id;
    for (const auto& p : t.partitions) {
      auto& po = out.partitions.emplace_back();
      po.partition_index = p.partition_index;
      po.error_code = protocol::to_int(code);
    }
  }
  return response;
}

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  if (!authorized(ctx, acl::operation::read, acl::resource_type::group, request.group_id)) {
    co_return refuse_all(request, protocol::error_code::group_authorization_failed);
  }
  group::offset_commit_request req;
  req.group_id = request.group_id;
  req.generation_id = request.generation_id_or_member_epoch;
  req.member_id = request.member_id;
  req.group_instance_id = request.group_instance_id;
  const int64_t now = group_service::now_ms();
  std::optional<int64_t> expire_timestamp;
  if (ctx.api_version >= 2 && ctx.api_version <= 4 && request.retention_time_ms != -1) {
    // Any int64 is on the wire: a retention of years must not wrap into the past.
    expire_timestamp = saturating_add(now, request.retention_time_ms);
  }
  // v10: each topic id becomes the name the offsets are kept under; the
  // entries whose id no topic has are answered UNKNOWN_TOPIC_ID.
  std::set<size_t> unknown_ids;
  if (ctx.api_version >= topic_ids_from) {
    for (size_t i = 0; i < request.topics.size(); ++i) {
      auto& t = request.topics[i];
      const topic_entry* topic = ctx.broker.topics().find(t.topic_id);
      t.name = topic ? topic->name : std::string{};
      if (!topic) unknown_ids.insert(i);
    }
  }
  // (topic, partition) -> error, in request order per topic.
  std::map<std::pair<std::string, int32_t>, int16_t> errors;
  for (size_t i = 0; i < request.topics.size(); ++i) {
    if (unknown_ids.contains(i)) continue;
    auto& t = request.topics[i];
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
      group::offset_commit_partition c;
      c.topic = t.name;
      c.partition = p.partition_index;
      c.offset = p.committed_offset;
      c.leader_epoch = p.committed_leader_epoch;
      c.metadata = p.committed_metadata;
      if (ctx.api_version == 1) c.commit_timestamp = p.commit_timestamp;
      c.expire_timestamp = expire_timestamp;
      req.partitions.push_back(std::move(c));
    }
  }
  // A KIP-848 group checks member id and epoch itself (STALE_MEMBER_EPOCH,
  // FENCED_MEMBER_EPOCH, UNKNOWN_MEMBER_ID); the offsets are then stored as
  // a commit outside any classic generation.
  std::vector<std::pair<group::topic_id, int32_t>> committed;
  for (const auto& c : req.partitions) {
    if (const topic_entry* t = ctx.broker.topics().find(c.topic)) committed.emplace_back(t->id.bytes, c.partition);
  }
  if (auto cg = ctx.broker.groups().consumer_groups().validate_offset_commit(
          req.group_id, req.member_id, req.generation_id, ctx.api_version, committed)) {
    if (*cg != 0) {
      for (const auto& c : req.partitions) errors[{c.topic, c.partition}] = *cg;
      req.partitions.clear();
    }
    req.generation_id = -1;
    req.member_id.clear();
    req.group_instance_id.reset();
  }
  if (!req.partitions.empty()) {
    auto& groups = ctx.broker.groups();
    auto results = co_await await_answer<std::vector<group::partition_error>>(ctx.broker.io(), [&](auto done) {
      groups.coordinator().commit_offsets(std::move(req), now, std::move(done));
      groups.rearm();
    });
    for (const auto& r : results) errors[{r.topic, r.partition}] = r.error;
  }

  response_t response;
  for (size_t i = 0; i < request.topics.size(); ++i) {
    const auto& t = request.topics[i];
    auto& out = response.topics.emplace_back();
    out.name = t.name;
    out.topic_id = t.topic_id;
    for (const auto& p : t.partitions) {
      auto& po = out.partitions.emplace_back();
      po.partition_index = p.partition_index;
      if (unknown_ids.contains(i)) {
        po.error_code = protocol::to_int(protocol::error_code::unknown_topic_id);
        continue;
      }
      auto it = errors.find({t.name, p.partition_index});
      po.error_code = it == errors.end() ? protocol::to_int(protocol::error_code::unknown_server_error) : it->second;
    }
  }
  co_return response;
}

}  // namespace file_offset_commit
}  // namespace

// Served up to v10 (Kafka 4.2's newest), pinned like every handler.
constexpr int16_t offset_commit_max_served = 10;

void register_offset_commit(api_table& apis) {
  using namespace file_offset_commit;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::offset_commit), 0,
                                  offset_commit_max_served, handle);
}

}  // namespace samsa::broker
