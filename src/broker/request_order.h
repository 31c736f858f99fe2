// The ordering contract of one connection, as Kafka keeps it: a request
// starts only after every earlier request on its connection was answered.
// Two exceptions keep pipelined clients fast and are part of the contract
// that later work (security, performance) must keep:
//   - consecutive Produce requests overlap; their appends still reach each
//     partition in arrival order (see append_turns.h);
//   - a request may start while earlier Fetch requests are still in
//     progress (a parked long poll would otherwise hold a consumer's
//     heartbeats and commits for up to max_wait_ms).
// Group, consumer-protocol, share-group, transactional and admin requests
// never overlap anything. docs/architecture.md states the same rule.
#pragma once

#include <cstdint>

namespace samsa::broker {

enum class request_kind : uint8_t {
  produce,  // overlaps consecutive produces
  fetch,    // later requests may start while it waits
  other,    // runs alone
};

request_kind classify_request(int16_t api_key);

// Requests started on a connection and not yet answered, by kind.
struct running_requests {
  uint32_t produce = 0;
  uint32_t fetch = 0;
  uint32_t other = 0;

  uint32_t total() const { return produce + fetch + other; }
  void add(request_kind kind);
  void remove(request_kind kind);
};

// Whether a request of `next` kind may start now, given what is running.
bool may_start(request_kind next, const running_requests& running);

}  // namespace samsa::broker
