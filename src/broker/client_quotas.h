// Client quotas in the broker: the configured quotas (kept in the metadata
// log, cached in a quota::quota_manager on the handler thread) and their
// enforcement. After a handler answers, the bytes of a Produce request, of a
// Fetch response and the request's handler time are recorded against the
// client's quotas; the throttle time Kafka would compute goes into the
// response's throttle_time_ms and the connection reads and starts nothing
// more until it has passed (KIP-219: answer at once, then mute the channel).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
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

  // Records the request against the client's quotas and returns the throttle
  // time (ms) to answer with; also mutes the connection for that long.
  // `response_bytes` is the encoded answer's size (Fetch's byte rate).
  int32_t on_answer(request_context& ctx, size_t response_bytes, std::chrono::steady_clock::duration handler_time);

 private:
  storage::metadata_store& store_;
  quota::quota_manager manager_;
};

// The user a quota is looked up for: the connection's principal name
// (ANONYMOUS on PLAINTEXT, the mapped certificate subject on SSL; the SASL
// user once SASL lands), as Kafka's quota entities name users.
std::string quota_user(const request_context& ctx);

// Store form <-> quota library form; false for entities the quota library
// does not model (an `ip` entity, unknown types).
bool to_quota_entity(const std::map<std::string, std::optional<std::string>>& stored, quota::entity& out);

}  // namespace samsa::broker
