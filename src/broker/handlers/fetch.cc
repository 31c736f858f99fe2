// Fetch: v0-18. Partitions by name (v0-12) or topic id (v13+). v18 (KIP-1166)
// only adds the high watermark a KRaft follower knows, a tagged field a
// consumer never sends; this broker has no followers and reads past it. From v4 log
// bytes go out by sendfile() straight from segment files, as stored; v0-3
// read message format v0/v1 and get the stored batches converted
// (fetch_downconvert.h: committed data only, within the byte limits), a
// path of its own that the modern one never enters. Long polling: a fetch with less than min_bytes parks in
// fetch_waiters until an append to one of its partitions or max_wait_ms.
// Fetch sessions (KIP-227, v7+; the cache and its rules in fetch_sessions.h):
// a full fetch with epoch 0 opens one when the cache has room (its answer
// names the session, else session 0); an incremental fetch is rewritten into
// the session's whole partition list, read as any fetch, and answered with
// only the partitions that have records, an error, or a moved high
// watermark, LSO or log start. A session belongs to the principal that
// opened it: another principal naming it gets FETCH_SESSION_ID_NOT_FOUND.
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
#include <map>
#include <unordered_set>

#include "base/metrics.h"
#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/client_quotas.h"
#include "broker/fetch_bounds.h"
#include "broker/fetch_downconvert.h"
#include "broker/fetch_sessions.h"
#include "broker/fetch_waiters.h"
#include "broker/handlers/handlers.h"
#include "broker/storage_errors.h"
#include "broker/topic_names.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"
#include "storage/errc.h"

namespace samsa::broker {

namespace {
namespace file_fetch {

using request_t = protocol::fetch_request_data;
using response_t = protocol::fetch_response_data;
using topic_response_t = response_t::fetchable_topic_response;
using partition_response_t = topic_response_t::partition_data;

struct fetch_target {
  const topic_entry* topic = nullptr;
  // The request's topic entry, for its name and id: never copied per
  // partition, so a long name listed with many partitions costs nothing more
  // (a 32 KB name over 60,000 partitions once took 1.9 GB and 21 s).
  const request_t::fetch_topic* source = nullptr;
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
    if (!previous || previous->source != target.source) {
      topic_response_t& tr = response.responses.emplace_back();
      tr.topic = target.source->topic;
      tr.topic_id = target.source->topic_id;
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

session_partition_key key_of(bool topic_ids, const std::string& topic, const protocol::uuid& id, int32_t partition) {
  return topic_ids ? session_partition_key{{}, id, partition} : session_partition_key{topic, {}, partition};
}

session_partition_request asked_of(const request_t::fetch_topic::fetch_partition& p) {
  return {p.fetch_offset, p.partition_max_bytes, p.current_leader_epoch, p.last_fetched_epoch, p.log_start_offset};
}

session_partition_answer told_of(const partition_response_t& p) {
  return {p.high_watermark, p.last_stable_offset, p.log_start_offset};
}

bool has_records(const partition_response_t& p) { return p.records && p.records->size() > 0; }

// What a request does with sessions, decided before anything is read.
struct session_plan {
  int16_t error = 0;         // a session error: answered alone, session 0
  int32_t incremental = 0;   // the session this request continues (its partitions are the request's now)
  bool open = false;         // a full fetch that asks for a new session
};

// Whether the request names a topic longer than any topic's name. Such a
// request is answered without a session: a session keeps every partition's
// topic name, and a long name listed with many partitions would make it hold
// name x partitions bytes.
bool names_an_impossible_topic(const request_t& request) {
  auto too_long = [](const auto& t) { return t.topic.size() > max_topic_name_length; };
  return std::any_of(request.topics.begin(), request.topics.end(), too_long) ||
         std::any_of(request.forgotten_topics_data.begin(), request.forgotten_topics_data.end(), too_long);
}

// Applies the request's session fields (KIP-227) to the cache; an
// incremental request's topics are replaced by its session's partitions.
session_plan plan_session(fetch_session_cache& cache, request_t& request, int16_t version, const std::string& owner) {
  session_plan plan;
  if (version < 7) return plan;  // no sessions before v7 (its default epoch is -1)
  const bool topic_ids = version >= 13;
  const bool impossible_names = !topic_ids && names_an_impossible_topic(request);
  if (request.session_epoch == initial_session_epoch || request.session_epoch == final_session_epoch) {
    // A full fetch closes the session it names (only its owner's).
    if (fetch_session* old = request.session_id != 0 ? cache.find(request.session_id) : nullptr;
        old && old->owner() == owner) {
      cache.remove(request.session_id);
    }
    // KIP-227 lets a broker decline a session (it answers session 0).
    plan.open = request.session_epoch == initial_session_epoch && !impossible_names;
    return plan;
  }
  fetch_session* s = cache.find(request.session_id);
  if (!s || s->owner() != owner) {
    plan.error = protocol::to_int(protocol::error_code::fetch_session_id_not_found);
    return plan;
  }
  if (s->expected_epoch() != request.session_epoch) {
    plan.error = protocol::to_int(protocol::error_code::invalid_fetch_session_epoch);
    return plan;
  }
  if (s->uses_topic_ids() != topic_ids) {
    plan.error = protocol::to_int(protocol::error_code::fetch_session_topic_id_error);
    return plan;
  }
  if (impossible_names) {
    // The client starts again with a full fetch, which is answered without a session.
    cache.remove(request.session_id);
    plan.error = protocol::to_int(protocol::error_code::fetch_session_id_not_found);
    return plan;
  }
  std::vector<std::pair<session_partition_key, session_partition_request>> named;
  for (const auto& t : request.topics) {
    for (const auto& p : t.partitions) named.emplace_back(key_of(topic_ids, t.topic, t.topic_id, p.partition), asked_of(p));
  }
  std::vector<session_partition_key> forgotten;
  for (const auto& t : request.forgotten_topics_data) {
    for (int32_t p : t.partitions) forgotten.push_back(key_of(topic_ids, t.topic, t.topic_id, p));
  }
  if (!cache.update(*s, named, forgotten)) {
    // Past the bound of all sessions' partitions: the client starts again with a full fetch.
    cache.remove(request.session_id);
    plan.error = protocol::to_int(protocol::error_code::fetch_session_id_not_found);
    return plan;
  }
  request.topics.clear();
  if (s->size() == 0) {  // everything forgotten: nothing to keep a session for
    cache.remove(request.session_id);
    return plan;
  }
  s->advance_epoch();
  s->touch(std::chrono::steady_clock::now());
  plan.incremental = s->id();
  // The session's partitions in its order, consecutive ones of a topic together.
  for (const auto& p : s->partitions()) {
    if (request.topics.empty() || request.topics.back().topic != p.key.topic ||
        request.topics.back().topic_id != p.key.topic_id) {
      auto& t = request.topics.emplace_back();
      t.topic = p.key.topic;
      t.topic_id = p.key.topic_id;
    }
    auto& fp = request.topics.back().partitions.emplace_back();
    fp.partition = p.key.partition;
    fp.fetch_offset = p.request.fetch_offset;
    fp.partition_max_bytes = p.request.partition_max_bytes;
    fp.current_leader_epoch = p.request.current_leader_epoch;
    fp.last_fetched_epoch = p.request.last_fetched_epoch;
    fp.log_start_offset = p.request.log_start_offset;
  }
  return plan;
}

// What an answer tells the session's partitions, applied only if it is sent
// as it is (a throttled answer carries none of it).
struct session_updates {
  std::vector<std::pair<session_partition_key, session_partition_answer>> told;
  std::vector<bool> had_records;
};

// Keeps in an incremental answer only what the client does not know yet.
session_updates trim_incremental(fetch_session_cache& cache, int32_t id, bool topic_ids, response_t& response) {
  session_updates updates;
  const fetch_session* s = cache.find(id);  // may have been evicted while the fetch was parked
  std::vector<topic_response_t> kept;
  for (auto& tr : response.responses) {
    topic_response_t out;
    out.topic = tr.topic;
    out.topic_id = tr.topic_id;
    for (auto& p : tr.partitions) {
      auto key = key_of(topic_ids, tr.topic, tr.topic_id, p.partition_index);
      const session_partition* known = s ? s->find(key) : nullptr;
      const bool include = p.error_code != 0 || has_records(p) || !known || known->answered != told_of(p);
      if (!include) continue;
      updates.told.emplace_back(key, told_of(p));
      updates.had_records.push_back(has_records(p));
      out.partitions.push_back(std::move(p));
    }
    if (!out.partitions.empty()) kept.push_back(std::move(out));
  }
  response.responses = std::move(kept);
  return updates;
}

void apply_updates(fetch_session_cache& cache, int32_t id, const session_updates& updates) {
  fetch_session* s = cache.find(id);
  if (!s) return;
  for (size_t i = 0; i < updates.told.size(); ++i)
    s->answered(updates.told[i].first, updates.told[i].second, updates.had_records[i]);
}

// After a full fetch that asked for a session: one holding its partitions,
// with what this answer told them; its id, or 0 when the cache has no room.
int32_t open_session(fetch_session_cache& cache, const request_t& request, const response_t& response, bool topic_ids,
                     const std::string& owner) {
  std::map<session_partition_key, session_partition_answer> told;
  for (const auto& tr : response.responses)
    for (const auto& p : tr.partitions) told[key_of(topic_ids, tr.topic, tr.topic_id, p.partition_index)] = told_of(p);
  std::vector<session_partition> partitions;
  for (const auto& t : request.topics) {
    for (const auto& p : t.partitions) {
      auto key = key_of(topic_ids, t.topic, t.topic_id, p.partition);
      auto it = told.find(key);
      partitions.push_back({key, asked_of(p), it == told.end() ? session_partition_answer{} : it->second});
    }
  }
  return cache.create(topic_ids, owner, std::move(partitions), std::chrono::steady_clock::now());
}

// For /metrics (read by the console's thread).
void publish_session_figures(const fetch_session_cache& sessions) {
  metrics::registry::instance().fetch_sessions(static_cast<int64_t>(sessions.sessions()), sessions.partitions(),
                                               sessions.evictions());
}

// A parked fetch holds a timer and keeps its connection busy; a longer
// max_wait_ms is cut to this (the client just fetches again, as after any
// empty answer).
constexpr int32_t longest_fetch_wait_ms = 30000;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  fetch_session_cache& sessions = ctx.broker.fetch_sessions();
  const std::string owner = ctx.client.principal.to_string();
  const bool topic_ids = ctx.api_version >= 13;
  // Most consumers (librdkafka, KafkaJS, and everything before v7) send
  // session 0 at the final epoch: such a fetch neither reads nor changes
  // the cache, and takes its lock not at all.
  const bool touches_sessions =
      ctx.api_version >= 7 && (request.session_id != 0 || request.session_epoch != final_session_epoch);
  session_plan session;
  if (touches_sessions) {
    auto held = sessions.hold();
    session = plan_session(sessions, request, ctx.api_version, owner);
    if (session.error != 0) {
      publish_session_figures(sessions);
      response.error_code = session.error;
      co_return response;
    }
  }
  // fetch.max.bytes: one answer never carries more, whatever the client
  // asks (a 56 KB request once drew a 1.1 GB answer).
  if (const int32_t cap = ctx.broker.config().fetch_max_bytes; request.max_bytes <= 0 || request.max_bytes > cap)
    request.max_bytes = cap;
  // Client quotas: never more than the quota lets through (as Kafka).
  if (auto cap = fetch_quota_max_bytes(ctx); cap && (request.max_bytes <= 0 || request.max_bytes > *cap))
    request.max_bytes = static_cast<int32_t>(*cap);
  // The topics' published copies (this runs on a request handler thread),
  // kept alive here while the targets point into them.
  topic_registry& topics = ctx.broker.topics();
  std::vector<std::shared_ptr<const topic_entry>> held_topics;
  auto look_up = [&](const request_t::fetch_topic& t) -> const topic_entry* {
    auto found = ctx.api_version >= 13 ? topics.published(t.topic_id) : topics.published(t.topic);
    return found ? held_topics.emplace_back(std::move(found)).get() : nullptr;
  };
  std::vector<fetch_target> targets;
  // The partitions a long poll waits on, held for the request's life (a
  // topic deleted meanwhile must not free what ends_of reads).
  std::vector<std::shared_ptr<storage::partition_log>> parked_on;
  std::vector<const storage::partition_log*> keys;
  std::unordered_set<const storage::partition_log*> listed;
  const int32_t replica_id = ctx.api_version >= 15 ? request.replica_state.replica_id : request.replica_id;
  const bool from_follower = replica_id >= 0;
  const bool follower_denied = from_follower && !authorized_on_cluster(ctx, acl::operation::cluster_action);
  for (const auto& t : request.topics) {
    const topic_entry* topic = look_up(t);
    const bool named = ctx.api_version < 13 || topic != nullptr;
    const bool denied =
        from_follower ? follower_denied
                      : named && !authorized(ctx, acl::operation::read, acl::resource_type::topic,
                                             topic ? topic->name : t.topic);
    for (const auto& p : t.partitions) {
      if (!denied && topic && p.partition >= 0 && p.partition < static_cast<int32_t>(topic->partitions.size())) {
        const auto& log = topic->partitions[static_cast<size_t>(p.partition)];
        const storage::partition_log* key = log.get();
        // A partition listed again is read once, as Kafka keeps one entry
        // per partition: 3,000,000 copies of one partition once held the
        // handler thread (and every other client) for 17 s.
        if (!listed.insert(key).second) continue;
        keys.push_back(key);
        parked_on.push_back(log);
      }
      targets.push_back({topic, &t, &p, denied});
    }
  }
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(std::clamp(request.max_wait_ms, 0, longest_fetch_wait_ms));
  // Waiting for more than the answer may carry would always run to the deadline.
  int64_t min_bytes = request.min_bytes;
  if (ctx.api_version >= 3 && request.max_bytes > 0) min_bytes = std::min<int64_t>(min_bytes, request.max_bytes);
  std::vector<legacy_job> legacy;
  while (true) {
    const std::vector<int64_t> ends = fetch_waiters::ends_of(keys);  // before reading: see wait()
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
    co_await ctx.broker.waiters().wait(keys, ends, deadline);
    // Topics may have been deleted (or grown) while parked: look them up
    // again (the partitions parked on stay the same, held in parked_on).
    held_topics.clear();
    const request_t::fetch_topic* looked_up = nullptr;
    const topic_entry* found = nullptr;
    for (auto& target : targets) {
      if (target.source != looked_up) {  // once per requested topic, not per partition
        looked_up = target.source;
        found = look_up(*looked_up);
      }
      target.topic = found;
    }
  }
  session_updates updates;
  if (session.incremental != 0) {
    auto held = sessions.hold();
    updates = trim_incremental(sessions, session.incremental, topic_ids, response);
    response.session_id = session.incremental;
  }
  // Client quotas: an answer that would put the client over its
  // consumer_byte_rate is sent without data, carrying the throttle time
  // (the connection is muted for it), as Kafka's throttled fetch. It tells
  // a session nothing, and opens none.
  auto answer_bytes = [&] {
    return encode_response_frame(ctx.api_key, ctx.api_version, ctx.correlation_id, response).total_size();
  };
  if (int32_t throttle = fetch_quota_throttle(ctx, answer_bytes); throttle > 0) {
    response = response_t{};
    response.throttle_time_ms = throttle;
    response.session_id = session.incremental;
    if (touches_sessions) {
      auto held = sessions.hold();
      publish_session_figures(sessions);
    }
    co_return response;
  }
  if (touches_sessions) {
    auto held = sessions.hold();
    if (session.incremental != 0) apply_updates(sessions, session.incremental, updates);
    if (session.open) response.session_id = open_session(sessions, request, response, topic_ids, owner);
    publish_session_figures(sessions);
  }
  co_return response;
}

}  // namespace file_fetch
}  // namespace

// Served up to v18 (Kafka 4.1 to 4.3's newest), pinned: a newer schema version is
// advertised only once this handler serves what it adds.
constexpr int16_t fetch_max_served = 18;

void register_fetch(api_table& apis) {
  using namespace file_fetch;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::fetch), 0,
                                  fetch_max_served, handle);
}

}  // namespace samsa::broker
