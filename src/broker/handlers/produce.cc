// Produce: v0-13. v0-2 carry message format 0/1 (MessageSet), which Samsa
// does not store: the check phase converts each partition's message set to
// one record batch first (produce_checks.h, record/legacy_convert.h), with
// the wrappers' decompression charged to the request's budget; from there
// on it is an ordinary batch (no producer id: idempotence came with v3).
// The answer at v1 adds the throttle time, at v2 the log append time. acks: 0 (no response),
// 1 (answer after the write), -1 (answer after fdatasync, group-committed).
//
// Runs on the connection's request handler thread (num.io.threads; a
// request with transactional batches moves to the control thread, below).
// Three steps: resolve (the topics' published copies, thread-safe), check
// (pure, see produce_checks.h: may run anywhere), append (the decisions that
// need broker state on the handler thread; the writes, with each idempotent
// batch's producer check under the partition log's lock, on the worker pool
// or inline; then the answers and fetch waiters on the handler thread; a
// connection's produces append in arrival order).
//
// Transactional batches: the append phase asks the transaction coordinator
// whether the partition is in the producer's ongoing transaction at that
// epoch (KIP-890's verification) right before appending, with no suspension
// between the two (such a request runs and is written on the control thread,
// where the coordinator writes its markers), so an EndTxn cannot slip in. Produce v12 (transactions
// v2) first adds the partition to the transaction implicitly. Errors as
// Kafka answers them to producers: not in the transaction ->
// TRANSACTION_ABORTABLE (v11+) or INVALID_TXN_STATE; another epoch ->
// INVALID_PRODUCER_EPOCH; transaction completing or coordinator busy ->
// NOT_ENOUGH_REPLICAS (retriable, which every producer understands).
//
// v13 (Kafka 4.1, KIP-516) names each topic by its id instead of its name,
// in the request and the answer; an id no topic has is UNKNOWN_TOPIC_ID (a
// topic deleted and made again under the same name has a new id, so a
// producer can no longer write into the new topic by mistake).
//
// Authorization, as Kafka checks it: a request carrying transactional
// batches needs WRITE on its transactional id (and must name one), else every partition answers
// TRANSACTIONAL_ID_AUTHORIZATION_FAILED (and an acks=0 producer's connection
// is closed); each topic needs WRITE, else its partitions answer
// TOPIC_AUTHORIZATION_FAILED, decided before the topic is looked up so the
// answer is the same whether it exists or not (a v13 id no topic has is
// still UNKNOWN_TOPIC_ID: ids are not secret).
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <optional>

#include "broker/api_table.h"
#include "broker/append_turns.h"
#include "broker/authorization.h"
#include "broker/client_quotas.h"
#include "broker/broker_state.h"
#include "broker/durability.h"
#include "broker/fetch_waiters.h"
#include "broker/group_await.h"
#include "broker/handlers/handlers.h"
#include "broker/produce_append.h"
#include "broker/produce_checks.h"
#include "broker/test_latch.h"
#include "broker/topic_registry.h"
#include "broker/txn_service.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_produce {

using request_t = protocol::produce_request_data;
using response_t = protocol::produce_response_data;
using partition_response_t = response_t::topic_produce_response::partition_produce_response;

int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

partition_response_t failed(int32_t index, protocol::error_code code, std::string message) {
  partition_response_t out;
  out.index = index;
  out.error_code = protocol::to_int(code);
  out.base_offset = -1;
  out.error_message = std::move(message);
  return out;
}

constexpr int16_t topic_ids_from = 13;

// The control thread runs the transaction coordinator (broker_state::io()).
bool on_control_thread(broker_state& broker) { return broker.io().get_executor().running_in_this_thread(); }

// The topic a request's entry names: by id from v13, by name before (its
// published copy: this may run on a request handler thread).
std::shared_ptr<const topic_entry> find_topic(const topic_registry& topics, const request_t::topic_produce_data& t,
                                              int16_t version) {
  return version >= topic_ids_from ? topics.published(t.topic_id) : topics.published(t.name);
}

// The checks that need the topic table, before the records are looked at.
std::optional<partition_response_t> refuse_partition(const topic_entry* topic, const request_t::topic_produce_data& t,
                                                     const request_t::topic_produce_data::partition_produce_data& data,
                                                     int16_t version) {
  if (!topic) {
    if (version >= topic_ids_from) {
      return failed(data.index, protocol::error_code::unknown_topic_id,
                    "no topic has id " + t.topic_id.to_string());
    }
    return failed(data.index, protocol::error_code::unknown_topic_or_partition, "topic does not exist");
  }
  if (data.index < 0 || data.index >= static_cast<int32_t>(topic->partitions.size())) {
    return failed(data.index, protocol::error_code::unknown_topic_or_partition,
                  "topic '" + topic->name + "' has no partition " + std::to_string(data.index));
  }
  if (topic->internal) {
    // Only the broker writes __consumer_offsets: a client's record there
    // would become a group's offsets on the next start.
    return failed(data.index, protocol::error_code::invalid_topic_exception,
                  "cannot produce to internal topic '" + topic->name + "'");
  }
  if (!data.records || data.records->size() == 0) {
    return failed(data.index, protocol::error_code::invalid_record, "produce request carries no records");
  }
  return std::nullopt;
}

partition_response_t refused_records(int32_t index, produce_check& check) {
  partition_response_t out = failed(index, check.code, std::move(check.message));
  for (auto& e : check.record_errors) {
    partition_response_t::batch_index_and_error_message r;
    r.batch_index = e.batch_index;
    r.batch_index_error_message = std::move(e.message);
    out.record_errors.push_back(std::move(r));
  }
  return out;
}

constexpr int16_t transaction_abortable_from = 11;
constexpr int16_t message_format_2_from = 3;
constexpr int16_t implicit_txn_add_from = 12;

// The coordinator's verdict on a transactional batch, as a producer reads it.
protocol::error_code produce_txn_error(protocol::error_code code, int16_t version) {
  switch (code) {
    case protocol::error_code::none:
    case protocol::error_code::invalid_producer_epoch:
    case protocol::error_code::invalid_txn_state:
      return code;
    case protocol::error_code::transaction_abortable:
      return version >= transaction_abortable_from ? code : protocol::error_code::invalid_txn_state;
    case protocol::error_code::producer_fenced:
      return protocol::error_code::invalid_producer_epoch;
    case protocol::error_code::concurrent_transactions:
    case protocol::error_code::coordinator_not_available:
      return protocol::error_code::not_enough_replicas;
    default:
      return protocol::error_code::invalid_txn_state;
  }
}

// One listed partition through the three steps of a produce.
struct partition_job {
  int32_t index = 0;
  std::string topic;  // set once the partition is known to exist
  std::shared_ptr<storage::partition_log> log;  // keeps the log alive if the topic goes meanwhile
  size_t check = SIZE_MAX;                      // its entry in the check phase's input
  std::optional<partition_response_t> answer;   // refused before the append phase
  // Produce v12: the implicit AddPartitionsToTxn failed with this.
  std::optional<txn::op_result> implicit_add_failure;
};

// Step 1 (handler thread, broker state): resolve topics and partitions,
// refuse what the topic table already rules out, and hand each remaining
// partition's own bytes and a copy of its topic's config to the check phase.
void resolve(const request_context& ctx, request_t& request, std::vector<storage::log_config>& configs,
             std::vector<partition_job>& jobs, std::vector<partition_check>& checks) {
  const int16_t version = ctx.api_version;
  configs.reserve(request.topic_data.size());  // checks point into it: no reallocation
  for (auto& t : request.topic_data) {
    const std::shared_ptr<const topic_entry> topic = find_topic(ctx.broker.topics(), t, version);
    const storage::log_config* config = nullptr;
    if (topic) config = &configs.emplace_back(topic->config);
    // By name: decided before the topic is looked at. By id: only a known id
    // has a name to authorize.
    const bool named = version < topic_ids_from || topic != nullptr;
    const bool denied =
        named && !authorized(ctx, acl::operation::write, acl::resource_type::topic, topic ? topic->name : t.name);
    for (auto& p : t.partition_data) {
      partition_job& job = jobs.emplace_back();
      job.index = p.index;
      if (denied) {
        job.answer = failed(p.index, protocol::error_code::topic_authorization_failed,
                            std::string(protocol::default_message(protocol::error_code::topic_authorization_failed)));
        continue;
      }
      if (auto refused = refuse_partition(topic.get(), t, p, version)) {
        job.answer = std::move(*refused);
        continue;
      }
      // Named only once it is known to exist: a refused partition never
      // copies the name (a long unknown name listed with many partitions
      // cost name x partitions bytes).
      job.topic = topic->name;
      job.log = topic->partitions[static_cast<size_t>(p.index)];
      // The records view this request's own frame (or an owned copy):
      // offsets, the leader epoch and timestamps are assigned in those bytes.
      auto writable = p.records->writable_bytes();
      if (!writable) {
        // A records value that shares its bytes (not one decoded from a
        // frame): work on a copy of our own.
        p.records = protocol::records::copy(p.records->bytes());
        writable = p.records->writable_bytes();
      }
      job.check = checks.size();
      partition_check& check = checks.emplace_back();
      check.records = *writable;
      check.config = config;
      check.message_set = version < message_format_2_from;
    }
  }
}

// Step 3, first half (in arrival order: on the handler thread, or on the
// worker that checked the request when its turn had already come): what
// must be decided before a checked partition is appended: the batch's own
// refusal, the transaction coordinator's word on a
// transactional batch, and whether the partition is still served. Returns
// the partition's answer when it is not to be appended.
std::optional<partition_response_t> before_append(broker_state& broker, const partition_job& job,
                                                  produce_check& check, int16_t version) {
  if (!check.ok()) return refused_records(job.index, check);
  const record::batch_header& header = check.batch.header;
  if (header.is_transactional()) {
    // The request was moved to the control thread for its transactional
    // batches (handle()); one found elsewhere was not announced by its bytes.
    if (!on_control_thread(broker)) {
      return failed(job.index, protocol::error_code::invalid_record,
                    "a transactional batch must be the partition's only batch");
    }
    txn::op_result verdict = job.implicit_add_failure
                                 ? *job.implicit_add_failure
                                 : broker.transactions().coordinator().verify_partition(
                                       header.producer_id, header.producer_epoch, {job.topic, job.index});
    if (verdict.error != protocol::error_code::none) {
      return failed(job.index, produce_txn_error(verdict.error, version), std::move(verdict.message));
    }
  }
  // The check may have run on the worker pool while the topic was deleted
  // (or deleted and made again): append only to the partition still served.
  if (broker.topics().published_partition(job.topic, job.index) != job.log) {
    return failed(job.index, protocol::error_code::unknown_topic_or_partition,
                  "topic '" + job.topic + "' was deleted while this request was being checked");
  }
  return std::nullopt;
}

// Step 3, second half (handler thread): the answer of an appended
// partition; fetch waiters wake here. `end_offset` is set when something was
// stored (for acks=all).
partition_response_t after_append(broker_state& broker, const partition_job& job, partition_append& appended,
                                  int64_t& end_offset) {
  if (appended.storage_failure) {
    spdlog::warn("produce to {}-{} failed: {}", job.topic, job.index, appended.storage_failure->describe());
  }
  if (!appended.ok()) return failed(job.index, appended.code, std::move(appended.message));
  if (!appended.duplicate) broker.waiters().notify(job.log.get());
  partition_response_t out;
  out.index = job.index;
  out.base_offset = appended.appended.base_offset;
  out.log_append_time_ms = appended.appended.log_append_time_ms;
  out.log_start_offset = appended.appended.log_start_offset;
  end_offset = appended.appended.last_offset + 1;
  return out;
}

// Appends of fewer bytes than this (the whole request) are written on the
// handler thread: two thread hops cost more than copying them.
constexpr size_t append_here_max_bytes = 64 * 1024;

// Whether the check phase is cheap enough for the handler thread: no
// compressed batch (attributes' codec bits, byte 22 of the batch header) and
// little data. Anything else may cost real CPU and goes to the worker pool.
bool checked_here(const std::vector<partition_check>& checks) {
  constexpr size_t attributes_low_byte = 22;
  constexpr size_t inline_limit = 256 * 1024;
  size_t total = 0;
  for (const auto& c : checks) {
    if (c.message_set) return false;  // a conversion: off the handler thread
    total += c.records.size();
    if (c.records.size() <= attributes_low_byte || (c.records[attributes_low_byte] & 0x07) != 0) return false;
  }
  return total <= inline_limit;
}

// What the whole request may decompress (produce_checks.h).
size_t request_budget(const request_t& request) {
  size_t record_bytes = 0;
  for (const auto& t : request.topic_data) {
    for (const auto& p : t.partition_data) record_bytes += p.records ? p.records->size() : 0;
  }
  return produce_decompression_budget(record_bytes);
}

// Whether any partition's records are a transactional batch (the
// attributes' bit 4, read from the batch header without decoding the batch;
// message sets, v0-2, have no such bit). Kafka asks this before anything else
// to decide whether the transactional id must be authorized.
bool has_transactional_records(const request_t& request, int16_t version) {
  if (version < message_format_2_from) return false;
  constexpr size_t attributes_at = 21;  // int16: base offset 8, length 4, epoch 4, magic 1, crc 4
  constexpr uint8_t transactional_bit = 0x10;
  for (const auto& t : request.topic_data) {
    for (const auto& p : t.partition_data) {
      if (!p.records) continue;
      auto bytes = p.records->bytes();
      if (bytes.size() > attributes_at + 1 && (bytes[attributes_at + 1] & transactional_bit) != 0) return true;
    }
  }
  return false;
}

// Every partition of the request answered with `code` (Kafka's error response).
response_t refuse_all(const request_t& request, protocol::error_code code) {
  response_t response;
  for (const auto& t : request.topic_data) {
    response_t::topic_produce_response& tr = response.responses.emplace_back();
    tr.name = t.name;
    tr.topic_id = t.topic_id;
    for (const auto& p : t.partition_data) {
      tr.partition_responses.push_back(failed(p.index, code, std::string(protocol::default_message(code))));
    }
  }
  return response;
}

// Step 3, first half, for every job in order: which checked partitions are
// appended (before_append), and how many bytes that is.
struct append_plan {
  std::vector<size_t> to_append;  // indexes into jobs
  std::vector<partition_append> appended;
  bool transactional = false;
  size_t bytes = 0;
};

append_plan plan_appends(broker_state& broker, std::vector<partition_job>& jobs, std::vector<partition_check>& checks,
                         int16_t version) {
  append_plan plan;
  for (size_t j = 0; j < jobs.size(); ++j) {
    partition_job& job = jobs[j];
    if (job.answer) continue;
    produce_check& check = checks[job.check].result;
    job.answer = before_append(broker, job, check, version);
    if (job.answer) continue;
    plan.to_append.push_back(j);
    plan.transactional = plan.transactional || check.batch.header.is_transactional();
    plan.bytes += check.batch.bytes().size();
  }
  return plan;
}

void append_planned(append_plan& plan, std::vector<partition_job>& jobs, std::vector<partition_check>& checks,
                    int64_t now_ms) {
  plan.appended.resize(plan.to_append.size());
  for (size_t a = 0; a < plan.to_append.size(); ++a) {
    partition_job& job = jobs[plan.to_append[a]];
    plan.appended[a] = append_checked(*job.log, checks[job.check].result.batch, now_ms);
  }
}

// Produce v12 (transactions v2): each transactional batch's partition joins
// its producer's transaction before the append phase verifies it.
boost::asio::awaitable<void> add_to_transactions(request_context& ctx, std::vector<partition_job>& jobs,
                                                 std::vector<partition_check>& checks) {
  auto& txns = ctx.broker.transactions();
  for (auto& job : jobs) {
    if (job.answer || job.check == SIZE_MAX || !checks[job.check].result.ok()) continue;
    const record::batch_header& header = checks[job.check].result.batch.header;
    if (!header.is_transactional()) continue;
    auto added = co_await await_answer<txn::op_result>(ctx.broker.io(), [&](auto done) {
      txns.coordinator().add_partition_implicitly(header.producer_id, header.producer_epoch, {job.topic, job.index},
                                                  txn_service::now_ms(), std::move(done));
      txns.rearm();
    });
    if (added.error != protocol::error_code::none) job.implicit_add_failure = std::move(added);
  }
}

// The request, on the thread it stays on. `turn` orders its appends after
// those of the connection's earlier produces.
boost::asio::awaitable<response_t> serve(request_context& ctx, request_t& request, append_turns::ticket& turn) {
  response_t response;
  if (request.acks != 0 && request.acks != 1 && request.acks != -1) {
    for (const auto& t : request.topic_data) {
      response_t::topic_produce_response tr;
      tr.name = t.name;
      tr.topic_id = t.topic_id;
      for (const auto& p : t.partition_data) {
        tr.partition_responses.push_back(failed(p.index, protocol::error_code::invalid_required_acks,
                                                "acks must be 0, 1 or -1 (all), got " + std::to_string(request.acks)));
      }
      response.responses.push_back(std::move(tr));
    }
    co_return response;
  }

  // Kafka also refuses transactional batches sent without a transactional id
  // when no authorizer is on; Samsa has always taken them then, so only an
  // authorizer makes the id required.
  if (authorizer_enabled(ctx.broker) && has_transactional_records(request, ctx.api_version) &&
      (!request.transactional_id ||
       !authorized(ctx, acl::operation::write, acl::resource_type::transactional_id, *request.transactional_id))) {
    response = refuse_all(request, protocol::error_code::transactional_id_authorization_failed);
    if (request.acks == 0) {
      // An acks=0 producer hears of a failure only by losing its connection.
      ctx.close_reason = "acks=0 Produce refused: TRANSACTIONAL_ID_AUTHORIZATION_FAILED; closing the connection as "
                         "Kafka does";
    }
    co_return response;
  }

  int64_t now_ms = wall_clock_ms();
  std::vector<storage::log_config> configs;
  std::vector<partition_job> jobs;
  std::vector<partition_check> checks;
  resolve(ctx, request, configs, jobs, checks);
  append_plan plan;
  // Step 2: the check phase, pure (produce_checks.h): decompression and the
  // record walk, bounded by the request's budget. Anything that decompresses
  // or is large runs on the worker pool, so no network or handler thread
  // waits for it; a small uncompressed request (a CRC and a record walk) is
  // cheaper checked here than handed over.
  const size_t budget = request_budget(request);
  bool appended_with_check = false;
  if (checked_here(checks)) {
    check_produce_request(checks, now_ms, budget);
  } else {
    // When nothing stands between the check and the appends (no transaction,
    // no quota, and this connection's earlier produces have appended), the
    // worker appends right after checking: one trip to the pool instead of
    // two, each trip being two thread wake-ups.
    const bool may_append_with_check = !has_transactional_records(request, ctx.api_version);
    auto check_all = [&] {
      wait_on_validation_latch();
      check_produce_request(checks, now_ms, budget);
      // No batch here is transactional (the same header byte was read), and
      // before_append refuses one off the control thread regardless.
      if (may_append_with_check && turn.ready() && !produce_quota_may_apply(ctx)) {
        plan = plan_appends(ctx.broker, jobs, checks, ctx.api_version);
        wait_on_append_latch();
        append_planned(plan, jobs, checks, now_ms);
        turn.release();
        appended_with_check = true;
      }
      return true;
    };
    co_await ctx.broker.workers().run(check_all);
  }
  if (!appended_with_check) {
    if (ctx.api_version >= implicit_txn_add_from) co_await add_to_transactions(ctx, jobs, checks);
    co_await turn.wait_turn();
    // Client quotas: waits out a mute an earlier request earned, then counts
    // this request's bytes (client_quotas.h says why here and not after).
    response.throttle_time_ms = co_await produce_quota_gate(ctx);

    // Step 3: the appends. What needs broker state is decided here first
    // (plan_appends); the writes themselves, the copy into the page cache
    // that is most of a large produce's CPU and may block on a busy disk,
    // run on the worker pool, so the handler thread keeps serving every
    // other request meanwhile. The partition log's lock makes each
    // partition's appends one at a time whichever thread makes them, and
    // this connection's next produce waits for `turn`, so its appends stay
    // in arrival order. Written here instead: small requests (below
    // append_here_max_bytes the two thread hops cost more than the copy,
    // and low-rate latency is made of them), and transactional batches,
    // whose coordinator check and write stay together on the thread where
    // the coordinator writes the COMMIT/ABORT markers, so no marker can
    // come between them.
    plan = plan_appends(ctx.broker, jobs, checks, ctx.api_version);
    if (plan.transactional || plan.bytes < append_here_max_bytes) {
      append_planned(plan, jobs, checks, now_ms);
    } else {
      auto held_append_all = [&] {
        wait_on_append_latch();
        append_planned(plan, jobs, checks, now_ms);
        return true;
      };
      co_await ctx.broker.workers().run(held_append_all);
    }
  }

  struct pending_sync {
    std::shared_ptr<storage::partition_log> log;
    int64_t end_offset;
    partition_response_t* answer;
  };
  std::vector<pending_sync> syncs;
  response.responses.reserve(request.topic_data.size());
  size_t next_job = 0;
  size_t next_append = 0;
  for (const auto& t : request.topic_data) {
    response_t::topic_produce_response& tr = response.responses.emplace_back();
    tr.name = t.name;
    tr.topic_id = t.topic_id;
    tr.partition_responses.reserve(t.partition_data.size());
    for (size_t i = 0; i < t.partition_data.size(); ++i) {
      partition_job& job = jobs[next_job++];
      if (job.answer) {
        tr.partition_responses.push_back(std::move(*job.answer));
        continue;
      }
      int64_t end_offset = -1;
      tr.partition_responses.push_back(after_append(ctx.broker, job, plan.appended[next_append++], end_offset));
      if (end_offset >= 0) syncs.push_back({job.log, end_offset, &tr.partition_responses.back()});
    }
  }

  turn.release();  // the next produce may append while this one waits for its sync

  if (request.acks == 0) {
    // No answer is expected, but a failure must not pass in silence: Kafka
    // closes the connection, which is the only signal an acks=0 producer
    // gets (it reconnects and refreshes its metadata).
    for (const auto& tr : response.responses) {
      for (const auto& p : tr.partition_responses) {
        if (p.error_code == 0) continue;
        const std::string topic = ctx.api_version >= topic_ids_from ? "topic id " + tr.topic_id.to_string() : tr.name;
        ctx.close_reason = "acks=0 Produce failed for " + topic + "-" + std::to_string(p.index) + ": " +
                           std::string(protocol::error_name(static_cast<protocol::error_code>(p.error_code))) +
                           (p.error_message ? " (" + *p.error_message + ")" : std::string()) +
                           "; closing the connection as Kafka does";
        co_return response;
      }
    }
    ctx.send_response = false;
    co_return response;
  }
  if (request.acks == -1 && !syncs.empty()) {
    // The flusher groups these: one fdatasync per file covers every append
    // that arrived while the previous sync ran, from every connection. All of
    // this request's partitions are handed to it at once.
    std::vector<durable_target> targets;
    targets.reserve(syncs.size());
    for (auto& s : syncs) targets.push_back({s.log, s.end_offset});
    std::vector<status> durable = co_await wait_durable(targets);
    for (size_t i = 0; i < syncs.size(); ++i) {
      if (!durable[i]) {
        int32_t index = syncs[i].answer->index;
        *syncs[i].answer = failed(index, protocol::error_code::kafka_storage_error,
                                  "data was written but could not be made durable: " + durable[i].err().message);
      }
    }
  }
  co_return response;
}

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  // Taken before anything can suspend: this connection's produces append
  // in the order they arrived, whatever order their checks finish in (or
  // the thread they finish on).
  append_turns::ticket turn = append_turns::take(ctx.client.produce_turns);
  // Transactional batches are checked against the transaction coordinator
  // and written where it writes its markers: such a request moves to the
  // control thread.
  if (has_transactional_records(request, ctx.api_version) && !on_control_thread(ctx.broker)) {
    co_return co_await boost::asio::co_spawn(ctx.broker.io(), serve(ctx, request, turn), boost::asio::use_awaitable);
  }
  co_return co_await serve(ctx, request, turn);
}

}  // namespace file_produce
}  // namespace

// Served up to v13 (Kafka 4.1's newest, topics by id). Pinned rather than
// the schema's max: a newer schema is not served until this handler is.
constexpr int16_t produce_max_served = 13;

void register_produce(api_table& apis) {
  using namespace file_produce;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::produce), 0,
                                  produce_max_served, handle);
}

}  // namespace samsa::broker
