// Refusals (bad frames, limits hit, malformed requests) are logged so a
// user can see why a client was turned away, but a flood of them must not
// fill the disk: each kind logs at most a few lines per second, every
// refusal is counted, and the number left out is logged once the flood ends.
// Safe from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace samsa {

enum class refusal : uint8_t {
  frame,         // bad size prefix, truncated or malformed request
  unsupported,   // unknown API key or version
  connection,    // max.connections / max.connections.per.ip
  stalled,       // no write progress, idle
  tls,           // failed or unfinished TLS handshake, rejected certificate
  unauthenticated,  // a request before authentication on a SASL listener
  sasl,          // a failed SASL exchange (bad credentials, mechanism, token)
  group_limit,   // a group or share group not created: group.max.groups, group.share.max.groups
  cross_origin,  // an HTTP request a browser sent for a page of another origin
  count_,
};

const char* refusal_name(refusal kind);

// Logs `message` (a warning) unless this kind already logged its share of
// lines this second; counts the refusal either way.
void log_refusal(refusal kind, const std::string& message);

// Refusals of `kind` since start (logged or not).
uint64_t refusal_count(refusal kind);

}  // namespace samsa
