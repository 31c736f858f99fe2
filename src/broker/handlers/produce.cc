// Produce: v0-12 advertised, v3-12 served. v0-2 carry message format 0/1,
// which Samsa does not store; they are advertised only because librdkafka
// checks for Produce v0 before it enables compression (CLIENTS.md), and are
// answered with UNSUPPORTED_VERSION per partition. acks: 0 (no response),
// 1 (answer after the write), -1 (answer after fdatasync, group-committed).
#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>

#include "broker/api_table.h"
#include "broker/broker_state.h"
#include "broker/durability.h"
#include "broker/fetch_waiters.h"
#include "broker/handlers/handlers.h"
#include "broker/produce_append.h"
#include "broker/produce_checks.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {

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

// The checks that need the topic table, before the records are looked at.
std::optional<partition_response_t> refuse_partition(const topic_entry* topic,
                                                     const request_t::topic_produce_data::partition_produce_data& data,
                                                     int16_t version) {
  if (version < 3) {
    return failed(data.index, protocol::error_code::unsupported_version,
                  "Produce v" + std::to_string(version) + " carries message format v0/v1; use v3 or later");
  }
  if (!topic) {
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

// One partition: check phase (a pure function of the records, the topic's
// config, the clock and the request's budget), then append phase (registry,
// log, waiters) in arrival order. The log is returned so the caller can
// wait for durability.
partition_response_t produce_partition(broker_state& broker, const topic_entry* topic,
                                       request_t::topic_produce_data::partition_produce_data& data, int16_t version,
                                       int64_t now_ms, record::decompression_budget& budget,
                                       std::shared_ptr<storage::partition_log>& appended_to, int64_t& end_offset) {
  if (auto refused = refuse_partition(topic, data, version)) return std::move(*refused);
  // The records view this request's own frame (or an owned copy): offsets,
  // the leader epoch and timestamps are assigned in those bytes.
  auto writable = data.records->writable_bytes();
  if (!writable) {
    // A records value that shares its bytes (not one decoded from a frame):
    // work on a copy of our own.
    data.records = protocol::records::copy(data.records->bytes());
    writable = data.records->writable_bytes();
  }
  produce_check check = check_partition_records(*writable, topic->config, now_ms, budget);
  if (!check.ok()) return refused_records(data.index, check);

  auto& log = topic->partitions[static_cast<size_t>(data.index)];
  partition_append appended = append_checked(broker.producers(), *log, check.batch, now_ms);
  if (appended.storage_failure) {
    spdlog::warn("produce to {}-{} failed: {}", topic->name, data.index, appended.storage_failure->describe());
  }
  if (!appended.ok()) return failed(data.index, appended.code, std::move(appended.message));
  if (!appended.duplicate) broker.waiters().notify(log.get());
  partition_response_t out;
  out.index = data.index;
  out.base_offset = appended.appended.base_offset;
  out.log_append_time_ms = appended.appended.log_append_time_ms;
  out.log_start_offset = appended.appended.log_start_offset;
  appended_to = log;
  end_offset = appended.appended.last_offset + 1;
  return out;
}

// What the whole request may decompress (produce_checks.h).
size_t request_budget(const request_t& request) {
  size_t record_bytes = 0;
  for (const auto& t : request.topic_data) {
    for (const auto& p : t.partition_data) record_bytes += p.records ? p.records->size() : 0;
  }
  return produce_decompression_budget(record_bytes);
}

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  if (request.acks != 0 && request.acks != 1 && request.acks != -1) {
    for (const auto& t : request.topic_data) {
      response_t::topic_produce_response tr;
      tr.name = t.name;
      for (const auto& p : t.partition_data) {
        tr.partition_responses.push_back(failed(p.index, protocol::error_code::invalid_required_acks,
                                                "acks must be 0, 1 or -1 (all), got " + std::to_string(request.acks)));
      }
      response.responses.push_back(std::move(tr));
    }
    co_return response;
  }

  int64_t now_ms = wall_clock_ms();
  struct pending_sync {
    std::shared_ptr<storage::partition_log> log;
    int64_t end_offset;
    partition_response_t* answer;
  };
  std::vector<pending_sync> syncs;
  record::decompression_budget budget(request_budget(request));
  response.responses.reserve(request.topic_data.size());
  for (auto& t : request.topic_data) {
    const topic_entry* topic = ctx.broker.topics().find(t.name);
    response_t::topic_produce_response& tr = response.responses.emplace_back();
    tr.name = t.name;
    tr.partition_responses.reserve(t.partition_data.size());
    for (auto& p : t.partition_data) {
      std::shared_ptr<storage::partition_log> log;
      int64_t end_offset = -1;
      tr.partition_responses.push_back(
          produce_partition(ctx.broker, topic, p, ctx.api_version, now_ms, budget, log, end_offset));
      if (log) syncs.push_back({log, end_offset, &tr.partition_responses.back()});
    }
  }

  if (request.acks == 0) {
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
    std::vector<status> durable = co_await wait_durable(ctx.broker.io(), targets);
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

}  // namespace

void register_produce(api_table& apis) {
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::produce), 0,
                                  defined_max_version(protocol::api_key::produce), handle);
}

}  // namespace samsa::broker
