// ShareFetch: v1-2 (KIP-932; v0 was Kafka 4.0's early access). Share
// sessions: epoch 0 opens one for (group, member) with the request's
// partitions (no acknowledgements allowed), later requests carry the next
// epoch and may add partitions or forget some, -1 acknowledges and closes
// (the member's remaining locks are released). Acknowledgements are applied
// first (per partition, all or nothing) and journaled; then records are
// acquired for the member from every partition of the session, at most
// MaxRecords in all (strictly, in both v2 ShareAcquireModes: batch-optimized
// may exceed the limit, record-limit may not, and not exceeding satisfies
// both), bounded by MaxBytes. Record bytes are whole log batches from the
// first acquired offset (sendfile); the client keeps the offsets listed in
// AcquiredRecords. With nothing to hand out the request parks like a Fetch
// until an append or a release on one of its partitions, or MaxWaitMs (cut to
// 30 s). The answer waits until acknowledgements (and a new partition's start
// offset) are durable in the share-state journal.
// Authorization, as Kafka: READ on the group (else the top-level
// GROUP_AUTHORIZATION_FAILED) and READ on each topic: a partition of a topic
// without it answers TOPIC_AUTHORIZATION_FAILED (its acknowledgements
// likewise) and nothing is acquired from it.
#include <algorithm>
#include <chrono>
#include <map>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/fetch_waiters.h"
#include "broker/handlers/handlers.h"
#include "broker/share_service.h"
#include "broker/storage_errors.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"
#include "record/split.h"
#include "share/aborted_filter.h"
#include "storage/partition_log.h"

namespace samsa::broker {

namespace {
namespace file_share_fetch {

using request_t = protocol::share_fetch_request_data;
using response_t = protocol::share_fetch_response_data;
using partition_out = response_t::share_fetchable_topic_response::partition_data;
using key_t = std::pair<protocol::uuid, int32_t>;

constexpr int32_t longest_wait_ms = 30000;

response_t fail(protocol::error_code code, std::string message) {
  response_t r;
  r.error_code = protocol::to_int(code);
  r.error_message = std::move(message);
  return r;
}

// The answer's partitions, created on first mention, in a stable order.
struct answer {
  std::map<key_t, partition_out> parts;
  int32_t node_id = 0;
  partition_out& at(const key_t& key) {
    auto [it, fresh] = parts.try_emplace(key);
    if (fresh) {
      it->second.partition_index = key.second;
      it->second.current_leader.leader_id = node_id;
      it->second.current_leader.leader_epoch = 0;
      it->second.records = protocol::records{};
    }
    return it->second;
  }
};

void set_error(partition_out& out, protocol::error_code code, std::string message) {
  out.error_code = protocol::to_int(code);
  out.error_message = std::move(message);
}

// The data batches in `bytes` (whole batches read from the log) written by
// the aborted transactions listed.
std::vector<share::offset_span> aborted_spans(std::span<const uint8_t> bytes,
                                              const std::vector<storage::aborted_txn>& aborted) {
  auto batches = record::split_batches(bytes, record::split_mode::lenient);
  if (!batches) return {};  // the log's own bytes; a fetch would fail the same way
  std::vector<share::batch_summary> summaries;
  for (const auto& b : *batches) {
    const auto& h = b.header;
    summaries.push_back({h.base_offset, h.base_offset + h.last_offset_delta, h.producer_id, h.is_transactional(),
                         h.is_control()});
  }
  std::vector<share::aborted_transaction> txns;
  for (const auto& a : aborted) txns.push_back({a.producer_id, a.first_offset, a.last_offset});
  return share::aborted_batches(summaries, txns);
}

// Acquires from one partition; returns the records handed out.
int32_t fetch_partition(share_service& shares, const std::string& group, const std::string& member,
                        const topic_entry* topic, int32_t index, int32_t max_records, int64_t& bytes_left,
                        answer& out) {
  const key_t key{topic ? topic->id : protocol::uuid{}, index};
  auto* log = partition_log_of(topic, index);
  if (!log) return 0;  // errors were reported when the partition joined the session
  auto& part = shares.partition(group, *topic, index);
  const auto settings = shares.partition_settings_for(group);
  const int64_t now = share_service::now_ms();
  part.expire_locks(now, settings);
  const auto offsets = log->offsets();
  // read_committed share groups stop at the last stable offset.
  const bool committed_only = shares.read_committed(group);
  const int64_t end = committed_only ? offsets.last_stable_offset : offsets.high_watermark;
  auto first = part.first_acquirable(end, settings);
  if (!first) return 0;
  const auto room = static_cast<int32_t>(std::clamp<int64_t>(bytes_left, 1, INT32_MAX));
  auto slice = log->read(*first, room, end);
  if (!slice) {
    set_error(out.at(key), storage_error_to_kafka(slice.err()), slice.err().describe());
    return 0;
  }
  if (slice->length == 0) return 0;
  auto ranges = part.acquire(member, slice->next_offset, max_records, settings, now);
  if (ranges.empty()) return 0;
  auto& po = out.at(key);
  // Aborted transactions in the bytes read: under read_committed their
  // records are archived at once and left out of what the member acquires.
  std::vector<storage::aborted_txn> aborted;
  if (committed_only) aborted = log->aborted_transactions(*first, slice->next_offset);
  if (slice->fd >= 0 && aborted.empty()) {
    po.records = protocol::records::file({slice->keepalive, slice->fd, slice->position, slice->length});
  } else {
    auto copied = log->read_copy(*first, room, end);
    if (!copied) {
      // Give the records back: the member never saw them.
      part.release_member(member, settings);
      set_error(po, storage_error_to_kafka(copied.err()), copied.err().describe());
      return 0;
    }
    if (!aborted.empty()) {
      auto spans = aborted_spans(copied->bytes, aborted);
      if (!spans.empty()) {
        part.archive_acquired(member, spans);
        shares.persist_partition(group, topic->id, index);
        ranges = share::without(ranges, spans);
      }
    }
    po.records = protocol::records::owned(std::move(copied->bytes));
  }
  int32_t taken = 0;
  for (const auto& r : ranges) {
    auto& a = po.acquired_records.emplace_back();
    a.first_offset = r.first_offset;
    a.last_offset = r.last_offset;
    a.delivery_count = r.delivery_count;
    taken += static_cast<int32_t>(r.last_offset - r.first_offset + 1);
  }
  bytes_left -= slice->length;
  return taken;
}

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  share_service& shares = ctx.broker.shares();
  topic_registry& topics = ctx.broker.topics();
  if (!request.group_id || request.group_id->empty()) {
    co_return fail(protocol::error_code::invalid_request, "GroupId must be set.");
  }
  if (!request.member_id || request.member_id->empty()) {
    co_return fail(protocol::error_code::invalid_request, "MemberId must be set.");
  }
  if (ctx.api_version >= 2 && request.share_acquire_mode != 0 && request.share_acquire_mode != 1) {
    co_return fail(protocol::error_code::invalid_request,
                   "ShareAcquireMode " + std::to_string(request.share_acquire_mode) +
                       " is not known (0 batch-optimized, 1 record-limit).");
  }
  if (request.max_records <= 0 && request.share_session_epoch != -1) {
    co_return fail(protocol::error_code::invalid_request, "MaxRecords must be positive.");
  }
  const std::string& group = *request.group_id;
  const std::string& member = *request.member_id;
  const int32_t epoch = request.share_session_epoch;
  if (!authorized(ctx, acl::operation::read, acl::resource_type::group, group)) {
    co_return fail(protocol::error_code::group_authorization_failed,
                   std::string(protocol::default_message(protocol::error_code::group_authorization_failed)));
  }
  // READ on a topic, asked once per topic and request (one audit line each).
  std::map<std::string, bool> readable;
  auto may_read = [&](const topic_entry& topic) {
    auto [it, fresh] = readable.try_emplace(topic.name, false);
    if (fresh) it->second = authorized(ctx, acl::operation::read, acl::resource_type::topic, topic.name);
    return it->second;
  };
  bool any_acks = false;
  for (const auto& t : request.topics) {
    for (const auto& p : t.partitions) any_acks |= !p.acknowledgement_batches.empty();
  }
  if (epoch == 0 && any_acks) {
    co_return fail(protocol::error_code::invalid_request,
                   "Acknowledgements are not allowed in the request that opens a share session (epoch 0).");
  }
  const uint64_t journal_before = shares.journal_bytes();
  auto outcome = shares.use_session(group, member, epoch);
  if (outcome.error != protocol::error_code::none) co_return fail(outcome.error, outcome.message);

  answer out;
  out.node_id = ctx.broker.config().node_id;
  share_session& session = *outcome.session;
  // The session's partitions: the request's join it, forgotten ones leave.
  std::map<key_t, const topic_entry*> unknown;
  if (epoch != -1) {
    for (const auto& t : request.topics) {
      for (const auto& p : t.partitions) session.partitions.insert({t.topic_id, p.partition_index});
    }
    for (const auto& f : request.forgotten_topics_data) {
      for (int32_t p : f.partitions) session.partitions.erase({f.topic_id, p});
    }
  }
  // Acknowledgements first.
  for (const auto& t : request.topics) {
    const topic_entry* topic = topics.find(t.topic_id);
    for (const auto& p : t.partitions) {
      if (p.acknowledgement_batches.empty()) continue;
      auto& po = out.at({t.topic_id, p.partition_index});
      if (topic && !may_read(*topic)) {
        po.acknowledge_error_code = protocol::to_int(protocol::error_code::topic_authorization_failed);
        continue;
      }
      if (!partition_log_of(topic, p.partition_index)) {
        po.acknowledge_error_code = protocol::to_int(topic ? protocol::error_code::unknown_topic_or_partition
                                                           : protocol::error_code::unknown_topic_id);
        continue;
      }
      std::vector<share::ack_batch> batches;
      for (const auto& b : p.acknowledgement_batches) {
        batches.push_back({b.first_offset, b.last_offset, b.acknowledge_types});
      }
      auto e = shares.acknowledge(group, member, *topic, p.partition_index, batches, ctx.api_version >= 2);
      po.acknowledge_error_code = protocol::to_int(e);
      if (e == protocol::error_code::invalid_record_state) {
        po.acknowledge_error_message = "Some records are not acquired by member " + member + ".";
      }
    }
  }
  if (epoch == -1) {
    shares.close_session(group, member);
  } else {
    // Partitions that do not exist are reported once, then left out.
    std::vector<std::pair<const topic_entry*, int32_t>> targets;
    std::vector<const storage::partition_log*> keys;
    for (const auto& [id, index] : session.partitions) {
      const topic_entry* topic = topics.find(id);
      if (topic && !may_read(*topic)) {
        set_error(out.at({id, index}), protocol::error_code::topic_authorization_failed,
                  std::string(protocol::default_message(protocol::error_code::topic_authorization_failed)));
        continue;
      }
      if (!partition_log_of(topic, index)) {
        set_error(out.at({id, index}),
                  topic ? protocol::error_code::unknown_topic_or_partition : protocol::error_code::unknown_topic_id,
                  "No such topic partition.");
        continue;
      }
      targets.emplace_back(topic, index);
      keys.push_back(partition_log_of(topic, index));
    }
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(std::clamp(request.max_wait_ms, 0, longest_wait_ms));
    while (true) {
      const std::vector<int64_t> ends = fetch_waiters::ends_of(keys);  // before reading: see wait()
      int32_t records_left = request.max_records;
      int64_t bytes_left = request.max_bytes > 0 ? request.max_bytes : INT32_MAX;
      int32_t taken = 0;
      for (const auto& [topic, index] : targets) {
        if (records_left <= 0 || bytes_left <= 0) break;
        const int32_t n = fetch_partition(shares, group, member, topic, index, records_left, bytes_left, out);
        records_left -= n;
        taken += n;
      }
      if (taken > 0 || targets.empty() || std::chrono::steady_clock::now() >= deadline || any_acks) break;
      co_await ctx.broker.waiters().wait(keys, ends, deadline);
      // The session or topics may have changed while parked.
      if (shares.find_session(group, member) != &session) {
        co_return fail(protocol::error_code::share_session_not_found, "The share session ended while waiting.");
      }
      for (auto& [topic, index] : targets) topic = topics.find(topic ? topic->id : protocol::uuid{});
      std::erase_if(targets, [](const auto& t) { return !partition_log_of(t.first, t.second); });
      keys.clear();
      for (const auto& [topic, index] : targets) keys.push_back(partition_log_of(topic, index));
    }
  }
  if (shares.journal_bytes() != journal_before) {
    if (auto e = co_await shares.make_durable(); e != protocol::error_code::none) {
      co_return fail(e, "The share-group state could not be made durable.");
    }
  }
  response_t response;
  response.acquisition_lock_timeout_ms = static_cast<int32_t>(shares.partition_settings_for(group).lock_duration_ms);
  for (auto& [key, po] : out.parts) {
    if (response.responses.empty() || response.responses.back().topic_id != key.first) {
      response.responses.emplace_back().topic_id = key.first;
    }
    response.responses.back().partitions.push_back(std::move(po));
  }
  co_return response;
}

}  // namespace file_share_fetch
}  // namespace

void register_share_fetch(api_table& apis) {
  using namespace file_share_fetch;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::share_fetch), 1, 2, handle);
}

}  // namespace samsa::broker
