// Client quotas in the broker: the configured quotas (kept in the metadata
// log, cached in a quota::quota_manager on the handler thread) and their
// enforcement. After a handler answers, the bytes of a Produce request, of a
// Fetch response and the request's handler time are recorded against the
// client's quotas; the throttle time Kafka would compute goes into the
// response's throttle_time_ms and the connection reads and starts nothing
// more until it has passed (KIP-219: answer at once, then mute the channel).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "quota/quota_manager.h"

namespace samsa::storage {
class metadata_store;
}

namespace samsa::broker {

struct request_context;

// quota.window.num (11) and quota.window.size.seconds (1) from the broker's
// properties; bad values fall back to Kafka's defaults with a warning.
quota::window_config quota_windows_from(const std::map<std::string, std::string>& raw);

class client_quotas {
 public:
  client_quotas(storage::metadata_store& store, quota::window_config windows);

  storage::metadata_store& store() { return store_; }
  // Re-reads the quotas from the metadata store (after an AlterClientQuotas).
  void reload();

  // Records the request's handler time (request_percentage) against the
  // client's quotas and returns the throttle time (ms) to answer with; also
  // mutes the connection for that long. Byte rates are recorded by the two
  // calls below, from the Produce and Fetch handlers.
  int32_t on_answer(request_context& ctx, size_t response_bytes, std::chrono::steady_clock::duration handler_time);

  // Produce: records the request's bytes once the connection's earlier
  // produces have been recorded and its mute (if any) has passed; returns
  // the throttle (ms) and mutes the connection for it.
  int32_t record_produce(request_context& ctx);
  // Fetch: records the answer's bytes; when that puts the client over its
  // quota, takes them back, mutes the connection and returns the throttle:
  // the handler then answers with no data (as Kafka's throttled fetch).
  int32_t record_fetch(request_context& ctx, size_t response_bytes);
  // Whether any quota is configured: read without the lock, so a broker
  // without quotas takes none per request.
  bool any() const { return any_.load(std::memory_order_acquire); }
  // The most a Fetch answer may carry without being throttled on an empty
  // window: consumer_byte_rate * (quota.window.num - 1) windows; nullopt
  // without a fetch quota.
  std::optional<int64_t> fetch_max_bytes(const request_context& ctx) const;

 private:
  storage::metadata_store& store_;
  // The request handler threads and the control thread record here at once.
  mutable std::mutex mu_;
  quota::quota_manager manager_;
  std::atomic<bool> any_{false};  // !manager_.quotas().empty(), set by reload()
};

// Why Produce records its bytes when it starts rather than when it answers:
// Samsa overlaps a connection's Produce requests (Kafka serves one at a
// time), so a throttle computed after an answer would come too late for the
// requests already started, and a producer would get past its quota by
// whatever it pipelines. Waiting out the mute here, in arrival order, is
// what Kafka's muted channel does for the requests sitting in its socket.
// Call after the request's append turn, before appending. Returns the
// throttle for the response's throttle_time_ms.
boost::asio::awaitable<int32_t> produce_quota_gate(request_context& ctx);

// Whether produce_quota_gate could wait or count anything for this request:
// quotas are configured, or an earlier request's mute has not run out. Safe
// from any thread (an atomic flag and an atomic time); when false the gate
// would answer 0 at once, so a worker may append without it.
bool produce_quota_may_apply(const request_context& ctx);

// As Kafka, a Fetch asks for at most what its quota lets through on an empty
// window (client_quotas::fetch_max_bytes): a larger answer would be throttled
// every time and the consumer would never progress. nullopt: no cap.
std::optional<int64_t> fetch_quota_max_bytes(const request_context& ctx);

// For the Fetch handler, once its answer is complete: the throttle (ms) when
// the answer would put the client over its consumer_byte_rate; the handler
// then answers with no partitions at all, as Kafka's throttled fetch.
// `answer_bytes` (the encoded answer's size) is called only when quotas are set.
int32_t fetch_quota_throttle(request_context& ctx, const std::function<size_t()>& answer_bytes);

// The user a quota is looked up for: the connection's principal name
// (ANONYMOUS on PLAINTEXT, the mapped certificate subject on SSL; the SASL
// user once SASL lands), as Kafka's quota entities name users.
std::string quota_user(const request_context& ctx);

// Store form <-> quota library form; false for entities the quota library
// does not model (an `ip` entity, unknown types).
bool to_quota_entity(const std::map<std::string, std::optional<std::string>>& stored, quota::entity& out);

}  // namespace samsa::broker
