#include "cli/txn_admin.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "cli/kafka_connection.h"
#include "client/kafka_error.h"

namespace samsa::cli {

namespace {

// Kafka's TRANSACTIONAL_ID_NOT_FOUND.
constexpr int transactional_id_not_found = 105;

using connection_ptr = std::unique_ptr<kafka_connection>;

std::string node_address(const std::string& host, int32_t port) {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// Metadata for `topics` (none: brokers only).
result<protocol::metadata_response_data> metadata(kafka_connection& c, const std::vector<std::string>& topics) {
  auto version = c.version_for<protocol::metadata_request_data>("Metadata");
  if (!version) return version.err();
  protocol::metadata_request_data request;
  request.topics.emplace();
  for (const auto& t : topics) {
    auto& entry = request.topics->emplace_back();
    entry.name = t;
  }
  request.allow_auto_topic_creation = false;
  return c.call<protocol::metadata_response_data>(request, *version);
}

}  // namespace

txn_admin::txn_admin(std::string bootstrap, std::string client_id, std::chrono::milliseconds timeout)
    : bootstrap_(std::move(bootstrap)), client_id_(std::move(client_id)), timeout_(timeout) {}

namespace {

result<connection_ptr> open_one(const std::string& address, const std::string& client_id,
                                std::chrono::milliseconds timeout) {
  auto c = kafka_connection::open(address, client_id, timeout);
  if (!c) return c.err();
  (*c)->set_timeout(timeout);
  return std::move(*c);
}

// A connection to node `node_id`, reusing `bootstrap` when it is that node's address.
result<connection_ptr> open_node(const protocol::metadata_response_data& meta, int32_t node_id,
                                 const std::string& client_id, std::chrono::milliseconds timeout) {
  for (const auto& b : meta.brokers) {
    if (b.node_id == node_id) return open_one(node_address(b.host, b.port), client_id, timeout);
  }
  return client::make_kafka_error("connect", 8 /* BROKER_NOT_AVAILABLE */,
                                  "node " + std::to_string(node_id) + " is not in the cluster's metadata");
}

}  // namespace

result<txn_list_result> txn_admin::list(const txn_list_filters& filters) {
  auto boot = kafka_connection::open_bootstrap(bootstrap_, client_id_, timeout_);
  if (!boot) return boot.err();
  auto meta = metadata(**boot, {});
  if (!meta) return meta.err();
  txn_list_result out;
  std::set<std::string> unknown;
  // Every broker coordinates some transactional ids: ask them all, as
  // Kafka's admin client does.
  for (const auto& broker : meta->brokers) {
    auto c = open_one(node_address(broker.host, broker.port), client_id_, timeout_);
    if (!c) return c.err();
    auto version = (*c)->version_for<protocol::list_transactions_request_data>("ListTransactions");
    if (!version) return version.err();
    if (filters.min_duration_ms >= 0 && *version < 1) {
      return client::make_usage_error("list transactions",
                                      "broker " + (*c)->address() + " does not support the duration filter",
                                      "it needs ListTransactions v1 (Kafka 3.8+)");
    }
    protocol::list_transactions_request_data request;
    request.state_filters = filters.states;
    request.producer_id_filters = filters.producer_ids;
    request.duration_filter = filters.min_duration_ms;
    auto answer = (*c)->call<protocol::list_transactions_response_data>(request, *version);
    if (!answer) return answer.err();
    if (answer->error_code != 0) {
      return client::make_kafka_error("list transactions", answer->error_code, "from " + (*c)->address(),
                                      bootstrap_);
    }
    unknown.insert(answer->unknown_state_filters.begin(), answer->unknown_state_filters.end());
    for (auto& t : answer->transaction_states) {
      out.transactions.push_back({std::move(t.transactional_id), t.producer_id, std::move(t.transaction_state)});
    }
  }
  std::sort(out.transactions.begin(), out.transactions.end(),
            [](const auto& a, const auto& b) { return a.transactional_id < b.transactional_id; });
  out.unknown_states.assign(unknown.begin(), unknown.end());
  return out;
}

result<txn_description> txn_admin::describe(const std::string& transactional_id) {
  auto boot = kafka_connection::open_bootstrap(bootstrap_, client_id_, timeout_);
  if (!boot) return boot.err();
  // FindCoordinator with key type 1 (transaction), v1+.
  auto fc_version = (*boot)->version_for<protocol::find_coordinator_request_data>("FindCoordinator");
  if (!fc_version) return fc_version.err();
  if (*fc_version < 1) {
    return client::make_usage_error("describe transaction", "the broker's FindCoordinator has no key type");
  }
  protocol::find_coordinator_request_data fc;
  fc.key_type = 1;
  if (*fc_version >= 4) {
    fc.coordinator_keys = {transactional_id};
  } else {
    fc.key = transactional_id;
  }
  auto found = (*boot)->call<protocol::find_coordinator_response_data>(fc, *fc_version);
  if (!found) return found.err();
  int16_t fc_error = found->error_code;
  int32_t node = found->node_id;
  std::string host = found->host;
  int32_t port = found->port;
  if (*fc_version >= 4) {
    if (found->coordinators.empty()) {
      return make_error(std::errc::bad_message, "FindCoordinator answered without a coordinator");
    }
    const auto& co = found->coordinators.front();
    fc_error = co.error_code;
    node = co.node_id;
    host = co.host;
    port = co.port;
  }
  if (fc_error != 0) {
    return client::make_kafka_error("find transaction coordinator", fc_error, "for '" + transactional_id + "'",
                                    bootstrap_);
  }
  auto c = open_one(node_address(host, port), client_id_, timeout_);
  if (!c) return c.err();
  auto version = (*c)->version_for<protocol::describe_transactions_request_data>("DescribeTransactions");
  if (!version) return version.err();
  protocol::describe_transactions_request_data request;
  request.transactional_ids = {transactional_id};
  auto answer = (*c)->call<protocol::describe_transactions_response_data>(request, *version);
  if (!answer) return answer.err();
  if (answer->transaction_states.size() != 1) {
    return make_error(std::errc::bad_message, "DescribeTransactions answered " +
                                                  std::to_string(answer->transaction_states.size()) +
                                                  " states for one id");
  }
  const auto& s = answer->transaction_states.front();
  if (s.error_code != 0) {
    return client::make_kafka_error("describe transaction", s.error_code, "'" + transactional_id + "'", bootstrap_);
  }
  txn_description d;
  d.transactional_id = s.transactional_id;
  d.state = s.transaction_state;
  d.producer_id = s.producer_id;
  d.producer_epoch = s.producer_epoch;
  d.timeout_ms = s.transaction_timeout_ms;
  d.start_ms = s.transaction_start_time_ms;
  d.coordinator = node;
  for (const auto& t : s.topics) {
    for (int32_t p : t.partitions) d.partitions.emplace_back(t.topic, p);
  }
  return d;
}

namespace {

// Fills the producer of `target` from DescribeProducers at the leader: the one
// open transaction, or the one starting at --start-offset.
status find_open_transaction(kafka_connection& leader, const txn_abort_target& target, txn_abort_result& out) {
  auto version = leader.version_for<protocol::describe_producers_request_data>("DescribeProducers");
  if (!version) return version.err();
  protocol::describe_producers_request_data request;
  auto& t = request.topics.emplace_back();
  t.name = target.topic;
  t.partition_indexes = {target.partition};
  auto answer = leader.call<protocol::describe_producers_response_data>(request, *version);
  if (!answer) return answer.err();
  const std::string where = target.topic + "-" + std::to_string(target.partition);
  if (answer->topics.size() != 1 || answer->topics[0].partitions.size() != 1) {
    return make_error(std::errc::bad_message, "DescribeProducers did not answer for " + where);
  }
  const auto& p = answer->topics[0].partitions[0];
  if (p.error_code != 0) {
    return client::make_kafka_error("describe producers", p.error_code,
                                    where + (p.error_message ? ": " + *p.error_message : std::string()));
  }
  std::vector<const protocol::describe_producers_response_data::topic_response::partition_response::producer_state*>
      open;
  for (const auto& s : p.active_producers) {
    if (s.current_txn_start_offset < 0) continue;
    if (target.producer_id && s.producer_id != *target.producer_id) continue;
    if (target.start_offset && s.current_txn_start_offset != *target.start_offset) continue;
    open.push_back(&s);
  }
  if (open.empty()) {
    return make_error(std::errc::no_such_process,
                      "abort transaction: no open transaction on " + where + " matches" +
                          (target.start_offset ? " start offset " + std::to_string(*target.start_offset) : "") +
                          (target.producer_id ? " producer " + std::to_string(*target.producer_id) : ""));
  }
  if (open.size() > 1) {
    std::string list;
    for (const auto* s : open) {
      list += (list.empty() ? "" : ", ") + std::to_string(s->producer_id) + " (from offset " +
              std::to_string(s->current_txn_start_offset) + ")";
    }
    return client::make_usage_error("abort transaction", where + " has " + std::to_string(open.size()) +
                                                             " open transactions: " + list,
                                    "name one with --producer-id or --start-offset");
  }
  out.producer_id = open[0]->producer_id;
  out.producer_epoch = static_cast<int16_t>(open[0]->producer_epoch);
  out.coordinator_epoch = std::max<int32_t>(open[0]->coordinator_epoch, 0);
  out.start_offset = open[0]->current_txn_start_offset;
  return {};
}

}  // namespace

result<txn_abort_result> txn_admin::abort(const txn_abort_target& target) {
  auto boot = kafka_connection::open_bootstrap(bootstrap_, client_id_, timeout_);
  if (!boot) return boot.err();
  auto meta = metadata(**boot, {target.topic});
  if (!meta) return meta.err();
  const std::string where = target.topic + "-" + std::to_string(target.partition);
  int32_t leader_id = -1;
  for (const auto& t : meta->topics) {
    if (t.name != target.topic) continue;
    if (t.error_code != 0) return client::make_kafka_error("abort transaction", t.error_code, target.topic, bootstrap_);
    for (const auto& p : t.partitions) {
      if (p.partition_index == target.partition) leader_id = p.leader_id;
    }
  }
  if (leader_id < 0) {
    return client::make_kafka_error("abort transaction", 3 /* UNKNOWN_TOPIC_OR_PARTITION */,
                                    "no partition " + where, bootstrap_);
  }
  auto leader = open_node(*meta, leader_id, client_id_, timeout_);
  if (!leader) return leader.err();

  txn_abort_result out;
  out.leader = leader_id;
  const bool given = target.producer_id && target.producer_epoch;
  if (given) {
    out.producer_id = *target.producer_id;
    out.producer_epoch = *target.producer_epoch;
    out.coordinator_epoch = target.coordinator_epoch.value_or(0);
  } else if (auto found = find_open_transaction(**leader, target, out); !found) {
    return found.err();
  }
  if (target.coordinator_epoch) out.coordinator_epoch = *target.coordinator_epoch;

  auto version = (*leader)->version_for<protocol::write_txn_markers_request_data>("WriteTxnMarkers");
  if (!version) return version.err();
  protocol::write_txn_markers_request_data request;
  auto& marker = request.markers.emplace_back();
  marker.producer_id = out.producer_id;
  marker.producer_epoch = out.producer_epoch;
  marker.transaction_result = false;  // ABORT
  marker.coordinator_epoch = out.coordinator_epoch;
  auto& mt = marker.topics.emplace_back();
  mt.name = target.topic;
  mt.partition_indexes = {target.partition};
  auto answer = (*leader)->call<protocol::write_txn_markers_response_data>(request, *version);
  if (!answer) return answer.err();
  if (answer->markers.size() != 1 || answer->markers[0].topics.size() != 1 ||
      answer->markers[0].topics[0].partitions.size() != 1) {
    return make_error(std::errc::bad_message, "WriteTxnMarkers did not answer for " + where);
  }
  int16_t code = answer->markers[0].topics[0].partitions[0].error_code;
  if (code != 0) {
    return client::make_kafka_error("abort transaction", code,
                                    where + ", producer " + std::to_string(out.producer_id) + " epoch " +
                                        std::to_string(out.producer_epoch),
                                    bootstrap_);
  }
  return out;
}

bool is_txn_not_found(const samsa::error& e) {
  return e.code.category() == client::kafka_category() && e.code.value() == transactional_id_not_found;
}

}  // namespace samsa::cli
