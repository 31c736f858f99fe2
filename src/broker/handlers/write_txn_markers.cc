// WriteTxnMarkers: v0-2. Writes a COMMIT or ABORT control batch for a
// producer to each named partition, waits until it is on disk, then wakes
// the read_committed fetches parked on that partition (the LSO moved). The
// partition's log derives everything else (ongoing and aborted
// transactions, the LSO) from the marker's batch header. A marker in a
// __consumer_offsets partition also settles the producer's pending
// transactional offset commits there.
//
// The marker's epoch is checked against the producer's on the partition.
// v2 (Kafka 4.2, KIP-1228) says which transaction version the marker ends a
// transaction of: from version 2 on (KIP-890, where the coordinator bumps the
// epoch to end every transaction) the marker's epoch must be newer than the
// producer's, except for a retry of a marker already written (same epoch, no
// open transaction left), which succeeds again as Kafka lets it
// (KAFKA-19999); before version 2 (and below v2 of this API) the same epoch
// is enough. Anything else is INVALID_PRODUCER_EPOCH.
//
// In Kafka this is the coordinator's broker-to-broker call, and the admin
// client's "abort a hanging transaction" (KIP-664) sends it to a partition
// leader. As Kafka: ALTER or CLUSTER_ACTION on the cluster is required, else
// every partition answers CLUSTER_AUTHORIZATION_FAILED. Without an
// authorizer every client may call it (and so end any producer's transaction
// on any partition), as in Kafka without one.
#include <chrono>
#include <string>
#include <vector>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/durability.h"
#include "broker/group_service.h"
#include "broker/handlers/handlers.h"
#include "broker/producer_registry.h"
#include "broker/storage_errors.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"
#include "record/control_record.h"
#include "txn/producer_state.h"

namespace samsa::broker {

namespace {
namespace file_write_txn_markers {

using request_t = protocol::write_txn_markers_request_data;
using response_t = protocol::write_txn_markers_response_data;
using marker_t = request_t::writable_txn_marker;
using topic_result_t = response_t::writable_txn_marker_result::writable_txn_marker_topic_result;
using partition_result_t = topic_result_t::writable_txn_marker_partition_result;

int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One marker appended and waiting for its sync.
struct written_marker {
  std::shared_ptr<storage::partition_log> log;
  int64_t end_offset = 0;
  int64_t producer_id = -1;
  bool commit = false;
  int32_t offsets_partition = -1;  // >= 0 when the log is a __consumer_offsets partition
  partition_result_t* answer = nullptr;
};

// Appends the marker to one partition; on success adds it to `written`.
constexpr int16_t transaction_version_from = 2;  // the API version that carries it
constexpr int8_t strict_epoch_transaction_version = 2;

// Whether the marker's epoch may end the producer's transaction on a partition
// that knows the producer as `known`.
bool epoch_accepted(const txn::producer_summary& known, const marker_t& marker, int16_t version) {
  const int8_t transaction_version = version >= transaction_version_from ? marker.transaction_version : 0;
  if (transaction_version < strict_epoch_transaction_version) return marker.producer_epoch >= known.epoch;
  if (marker.producer_epoch > known.epoch) return true;
  return marker.producer_epoch == known.epoch && known.current_txn_start_offset < 0;  // a retry
}

protocol::error_code append_marker(broker_state& broker, const marker_t& marker, const std::string& topic_name,
                                   int32_t partition, int64_t now_ms, int16_t version,
                                   std::vector<written_marker>& written, partition_result_t* answer) {
  const topic_entry* topic = broker.topics().find(topic_name);
  storage::partition_log* raw = partition_log_of(topic, partition);
  if (!raw) return protocol::error_code::unknown_topic_or_partition;
  // Of the internal topics only __consumer_offsets takes markers (for
  // transactional offset commits). A control batch in __transaction_state
  // would be a record the coordinator's replay does not expect; Kafka keeps
  // callers out with CLUSTER_ACTION, which Samsa cannot check yet.
  if (topic->internal && topic->name != offsets_topic_name) return protocol::error_code::invalid_topic_exception;
  if (marker.producer_id < 0 || marker.producer_epoch < 0) return protocol::error_code::invalid_request;
  // A marker from an older epoch than the partition knows for the producer
  // would end a transaction that a newer incarnation (or the coordinator,
  // after fencing) owns: refused, as Kafka does.
  for (const auto& known : broker.producers().describe(*raw)) {
    if (known.producer_id == marker.producer_id && !epoch_accepted(known, marker, version)) {
      return protocol::error_code::invalid_producer_epoch;
    }
  }

  record::end_txn_options options;
  options.producer_id = marker.producer_id;
  options.producer_epoch = marker.producer_epoch;
  options.commit = marker.transaction_result;
  options.coordinator_epoch = marker.coordinator_epoch;
  options.timestamp = now_ms;
  auto batch = record::build_end_txn_batch(options);
  if (!batch) return protocol::error_code::unknown_server_error;
  auto appended = raw->append(*batch, now_ms);
  if (!appended) return storage_error_to_kafka(appended.err());

  std::shared_ptr<storage::partition_log> log = topic->partitions[static_cast<size_t>(partition)];
  written_marker w;
  w.log = std::move(log);
  w.end_offset = appended->last_offset + 1;
  w.producer_id = marker.producer_id;
  w.commit = marker.transaction_result;
  if (topic->internal) w.offsets_partition = partition;  // __consumer_offsets, the one internal topic let through
  w.answer = answer;
  written.push_back(std::move(w));
  return protocol::error_code::none;
}

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  const int64_t now_ms = wall_clock_ms();
  std::vector<written_marker> written;

  // Answers are filled in place, so the vectors are sized first: `written`
  // keeps pointers into them.
  response.markers.resize(request.markers.size());
  for (size_t m = 0; m < request.markers.size(); ++m) {
    const marker_t& marker = request.markers[m];
    auto& marker_out = response.markers[m];
    marker_out.producer_id = marker.producer_id;
    marker_out.topics.resize(marker.topics.size());
    for (size_t t = 0; t < marker.topics.size(); ++t) {
      marker_out.topics[t].name = marker.topics[t].name;
      marker_out.topics[t].partitions.resize(marker.topics[t].partition_indexes.size());
    }
  }
  if (!authorized_on_cluster(ctx, acl::operation::alter, false) &&
      !authorized_on_cluster(ctx, acl::operation::cluster_action)) {
    for (size_t m = 0; m < request.markers.size(); ++m) {
      for (size_t t = 0; t < request.markers[m].topics.size(); ++t) {
        auto& out = response.markers[m].topics[t].partitions;
        for (size_t p = 0; p < out.size(); ++p) {
          out[p].partition_index = request.markers[m].topics[t].partition_indexes[p];
          out[p].error_code = protocol::to_int(protocol::error_code::cluster_authorization_failed);
        }
      }
    }
    co_return response;
  }
  for (size_t m = 0; m < request.markers.size(); ++m) {
    const marker_t& marker = request.markers[m];
    for (size_t t = 0; t < marker.topics.size(); ++t) {
      const auto& topic = marker.topics[t];
      for (size_t p = 0; p < topic.partition_indexes.size(); ++p) {
        partition_result_t* answer = &response.markers[m].topics[t].partitions[p];
        answer->partition_index = topic.partition_indexes[p];
        answer->error_code =
            protocol::to_int(append_marker(ctx.broker, marker, topic.name, answer->partition_index, now_ms,
                                           ctx.api_version, written, answer));
      }
    }
  }

  // Markers are answered only once durable: the coordinator (or the admin
  // aborting a hanging transaction) moves on as soon as we answer.
  std::vector<durable_target> targets;
  targets.reserve(written.size());
  for (const auto& w : written) targets.push_back({w.log, w.end_offset});
  std::vector<status> durable = co_await wait_durable(targets);
  for (size_t i = 0; i < written.size(); ++i) {
    const written_marker& w = written[i];
    if (!durable[i]) {
      w.answer->error_code = protocol::to_int(protocol::error_code::kafka_storage_error);
      continue;
    }
    ctx.broker.waiters().notify(w.log.get());
    if (w.offsets_partition >= 0) {
      ctx.broker.groups().on_transaction_marker(w.offsets_partition, w.producer_id, w.commit);
    }
  }
  co_return response;
}

}  // namespace file_write_txn_markers
}  // namespace

// Served up to v2 (Kafka 4.2's newest), pinned like every handler.
constexpr int16_t write_txn_markers_max_served = 2;

void register_write_txn_markers(api_table& apis) {
  using namespace file_write_txn_markers;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::write_txn_markers), 0,
                                  write_txn_markers_max_served, handle);
}

}  // namespace samsa::broker
