// Fetch: v0-18. Partitions by name (v0-12) or topic id (v13+). v18 (KIP-1166)
// only adds the high watermark a KRaft follower knows, a tagged field a
// consumer never sends; this broker has no followers and reads past it. From v4 log
// bytes go out by sendfile() straight from segment files, as stored; v0-3
// read message format v0/v1 and get the stored batches converted
// (fetch_downconvert.h: committed data only, within the byte limits), a
// path of its own that the modern one never enters. Long polling: a fetch with less than min_bytes parks in
// fetch_waiters until an append to one of its partitions or max_wait_ms.
// Fetch sessions (KIP-227) are not kept: every answer says session 0, which
// tells clients to keep sending full fetches (valid per the protocol).
// read_committed (isolation_level 1) reads only up to the last stable offset
// and lists the aborted transactions overlapping what it returns
// (fetch_bounds.h). A parked read_committed fetch wakes on every append to
// its partitions, including the marker that moves the LSO; an append past
// the LSO wakes it for nothing, and it re-reads nothing and parks again
// until the next append or its deadline (one wasted read per append).
//
// Authorization, as Kafka: a consumer needs READ on each topic (else its
// partitions answer TOPIC_AUTHORIZATION_FAILED, decided before the topic is
// looked up; a v13+ id no topic has stays UNKNOWN_TOPIC_ID); a fetch naming a
// replica id (a follower's) needs CLUSTER_ACTION on the cluster, else every
// partition answers TOPIC_AUTHORIZATION_FAILED. Decided once per request,
// not again after a long poll wakes.
#include <algorithm>
#include <chrono>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/client_quotas.h"
#include "broker/fetch_bounds.h"
#include "broker/fetch_downconvert.h"
#include "broker/fetch_waiters.h"
#include "broker/handlers/handlers.h"
#include "broker/storage_errors.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"
#include "storage/errc.h"

namespace samsa::broker {

namespace {

using request_t = protocol::fetch_request_data;
using response_t = protocol::fetch_response_data;
using topic_response_t = response_t::fetchable_topic_response;
using partition_response_t = topic_response_t::partition_data;

struct fetch_target {
  const topic_entry* topic = nullptr;
  std::string topic_name;
  protocol::uuid topic_id;
  const request_t::fetch_topic::fetch_partition* request = nullptr;
  bool denied = false;  // TOPIC_AUTHORIZATION_FAILED
};

// A Fetch v0-3 partition to convert (fetch_downconvert.h). Conversion may
// cost real CPU (a gzip batch is inflated and deflated again), so it runs on
// the worker pool, never on the handler thread every client shares.
struct legacy_job {
  size_t topic = 0;      // where its answer goes in the response (indexes: the
  size_t partition = 0;  // vectors grow while read_all fills them)
  std::shared_ptr<storage::partition_log> log;
  int64_t offset = 0;
  int64_t committed = 0;  // the last stable offset: old consumers read committed data only
  int64_t partition_max_bytes = 0;
  down_converted_read result;
};

// The conversions of one Fetch v0-3, in request order, sharing its byte
// budget as modern fetches share theirs (the first message always goes out);
// pure of broker state, so it may run on any thread. Returns the bytes gathered.
int64_t convert_all(std::vector<legacy_job>& jobs, int64_t budget, int8_t magic) {
  int64_t gathered = 0;
  for (auto& job : jobs) {
    int64_t room = gathered == 0 ? std::min(job.partition_max_bytes, budget)
                                 : std::min(job.partition_max_bytes, budget - gathered);
    if (room <= 0) continue;
    job.result = read_down_converted(*job.log, job.offset, job.committed, magic, static_cast<size_t>(room),
                                     gathered == 0);
    gathered += static_cast<int64_t>(job.result.bytes.size());
  }
  return gathered;
}

int64_t fetch_budget(const request_t& request, int16_t version) {
  int64_t budget = request.max_bytes > 0 ? request.max_bytes : INT32_MAX;
  if (version < fetch_record_batches_from) budget = std::min(budget, legacy_fetch_max_bytes);
  return budget;
}

// Reads every requested partition once; returns the bytes gathered. Fetch
// v0-3 partitions are only resolved here, into `legacy` (see convert_all).
int64_t read_all(const std::vector<fetch_target>& targets, const request_t& request, int16_t version,
                 response_t& response, std::vector<legacy_job>& legacy) {
  response.responses.clear();
  legacy.clear();
  const int64_t budget = fetch_budget(request, version);
  int64_t gathered = 0;
  const fetch_target* previous = nullptr;
  for (const auto& target : targets) {
    if (!previous || previous->topic_name != target.topic_name || previous->topic_id != target.topic_id) {
      topic_response_t& tr = response.responses.emplace_back();
      tr.topic = target.topic_name;
      tr.topic_id = target.topic_id;
    }
    previous = &target;
    partition_response_t& out = response.responses.back().partitions.emplace_back();
    const auto& p = *target.request;
    out.partition_index = p.partition;
    out.records = protocol::records{};  // never null: librdkafka cannot take a null here
    if (request.isolation_level == 1 && version >= 4) out.aborted_transactions.emplace();
    if (target.denied) {
      out.error_code = protocol::to_int(protocol::error_code::topic_authorization_failed);
      continue;
    }
    if (!target.topic) {
      out.error_code = protocol::to_int(version >= 13 ? protocol::error_code::unknown_topic_id
                                                      : protocol::error_code::unknown_topic_or_partition);
      continue;
    }
    if (p.partition < 0 || p.partition >= static_cast<int32_t>(target.topic->partitions.size())) {
      out.error_code = protocol::to_int(protocol::error_code::unknown_topic_or_partition);
      continue;
    }
    auto& log = *target.topic->partitions[static_cast<size_t>(p.partition)];
    const storage::stable_offsets offsets = log.offsets();
    const fetch_bounds bounds = read_committed_limit(request.isolation_level, version, offsets);
    const int64_t limit = bounds.max_offset_exclusive;
    out.high_watermark = bounds.high_watermark;
    out.last_stable_offset = bounds.last_stable_offset;
    out.log_start_offset = offsets.log_start_offset;
    if (p.current_leader_epoch > 0) {
      out.error_code = protocol::to_int(protocol::error_code::unknown_leader_epoch);
      continue;
    }
    // The first batch goes out even past the budget (as Kafka does), so one
    // oversized batch can never stall a consumer.
    int64_t room = gathered == 0 ? std::min<int64_t>(p.partition_max_bytes, budget)
                                 : std::min<int64_t>(p.partition_max_bytes, budget - gathered);
    if (version < fetch_record_batches_from) {
      if (p.fetch_offset == offsets.last_stable_offset) continue;  // caught up with committed data
      legacy.push_back({response.responses.size() - 1, response.responses.back().partitions.size() - 1,
                        target.topic->partitions[static_cast<size_t>(p.partition)], p.fetch_offset,
                        offsets.last_stable_offset, p.partition_max_bytes, {}});
      continue;
    }
    if (p.fetch_offset == limit) continue;  // caught up: nothing (committed) yet
    if (room <= 0) continue;
    auto slice = log.read(p.fetch_offset, static_cast<int32_t>(room), limit);
    if (!slice) {
      out.error_code = protocol::to_int(storage_error_to_kafka(slice.err()));
      continue;
    }
    if (slice->length == 0) continue;
    if (slice->fd >= 0) {
      out.records = protocol::records::file({slice->keepalive, slice->fd, slice->position, slice->length});
    } else {
      auto copied = log.read_copy(p.fetch_offset, static_cast<int32_t>(room), limit);
      if (!copied) {
        out.error_code = protocol::to_int(storage_error_to_kafka(copied.err()));
        continue;
      }
      out.records = protocol::records::owned(std::move(copied->bytes));
    }
    gathered += slice->length;
    if (bounds.wants_aborted && out.aborted_transactions) {
      for (const auto& a : aborted_for_read(log, p.fetch_offset, slice->next_offset)) {
        auto& entry = out.aborted_transactions->emplace_back();
        entry.producer_id = a.producer_id;
        entry.first_offset = a.first_offset;
      }
    }
  }
  return gathered;
}

// A parked fetch holds a timer and keeps its connection busy; a longer
// max_wait_ms is cut to this (the client just fetches again, as after any
// empty answer).
constexpr int32_t longest_fetch_wait_ms = 30000;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  if (request.session_id != 0 || request.session_epoch > 0) {
    // Only a session we handed out could be continued, and we hand out none.
    response.error_code = protocol::to_int(protocol::error_code::fetch_session_id_not_found);
    co_return response;
  }
  // Client quotas: never more than the quota lets through (as Kafka).
  if (auto cap = fetch_quota_max_bytes(ctx); cap && (request.max_bytes <= 0 || request.max_bytes > *cap))
    request.max_bytes = static_cast<int32_t>(*cap);
  topic_registry& topics = ctx.broker.topics();
  std::vector<fetch_target> targets;
  std::vector<const void*> keys;
  const int32_t replica_id = ctx.api_version >= 15 ? request.replica_state.replica_id : request.replica_id;
  const bool from_follower = replica_id >= 0;
  const bool follower_denied = from_follower && !authorized_on_cluster(ctx, acl::operation::cluster_action);
  for (const auto& t : request.topics) {
    const topic_entry* topic = ctx.api_version >= 13 ? topics.find(t.topic_id) : topics.find(t.topic);
    const bool named = ctx.api_version < 13 || topic != nullptr;
    const bool denied =
        from_follower ? follower_denied
                      : named && !authorized(ctx, acl::operation::read, acl::resource_type::topic,
                                             topic ? topic->name : t.topic);
    for (const auto& p : t.partitions) {
      targets.push_back({topic, t.topic, t.topic_id, &p, denied});
      if (denied) continue;
      if (topic && p.partition >= 0 && p.partition < static_cast<int32_t>(topic->partitions.size())) {
        keys.push_back(topic->partitions[static_cast<size_t>(p.partition)].get());
      }
    }
  }
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(std::clamp(request.max_wait_ms, 0, longest_fetch_wait_ms));
  // Waiting for more than the answer may carry would always run to the deadline.
  int64_t min_bytes = request.min_bytes;
  if (ctx.api_version >= 3 && request.max_bytes > 0) min_bytes = std::min<int64_t>(min_bytes, request.max_bytes);
  std::vector<legacy_job> legacy;
  while (true) {
    int64_t gathered = read_all(targets, request, ctx.api_version, response, legacy);
    if (!legacy.empty()) {
      const int64_t budget = fetch_budget(request, ctx.api_version);
      const int8_t magic = fetch_magic(ctx.api_version);
      auto convert = [&legacy, budget, magic] { return convert_all(legacy, budget, magic); };
      gathered += co_await ctx.broker.workers().run(convert);
      for (auto& job : legacy) {
        partition_response_t& out = response.responses[job.topic].partitions[job.partition];
        if (job.result.error != protocol::error_code::none) {
          out.error_code = protocol::to_int(job.result.error);
        } else {
          out.records = protocol::records::owned(std::move(job.result.bytes));
        }
      }
    }
    bool any_error = false;
    for (const auto& tr : response.responses) {
      for (const auto& p : tr.partitions) any_error |= p.error_code != 0;
    }
    if (min_bytes <= 0 || gathered >= min_bytes || any_error || keys.empty() ||
        std::chrono::steady_clock::now() >= deadline) {
      break;
    }
    co_await ctx.broker.waiters().wait(keys, deadline);
    // Topics may have been deleted while parked: look them up again.
    for (auto& target : targets) {
      target.topic = ctx.api_version >= 13 ? topics.find(target.topic_id) : topics.find(target.topic_name);
    }
  }
  // Client quotas: an answer that would put the client over its
  // consumer_byte_rate is sent without data, carrying the throttle time
  // (the connection is muted for it), as Kafka's throttled fetch.
  auto answer_bytes = [&] {
    return encode_response_frame(ctx.api_key, ctx.api_version, ctx.correlation_id, response).total_size();
  };
  if (int32_t throttle = fetch_quota_throttle(ctx, answer_bytes); throttle > 0) {
    response = response_t{};
    response.throttle_time_ms = throttle;
  }
  co_return response;
}

}  // namespace

// Served up to v18 (Kafka 4.1 to 4.3's newest), pinned: a newer schema version is
// advertised only once this handler serves what it adds.
constexpr int16_t fetch_max_served = 18;

void register_fetch(api_table& apis) {
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::fetch), 0,
                                  fetch_max_served, handle);
}

}  // namespace samsa::broker
