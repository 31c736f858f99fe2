#include "broker/request_order.h"

#include "protocol/api_keys.h"

namespace samsa::broker {

request_kind classify_request(int16_t api_key) {
  switch (static_cast<protocol::api_key>(api_key)) {
    case protocol::api_key::produce:
      return request_kind::produce;
    case protocol::api_key::fetch:
      return request_kind::fetch;
    default:
      return request_kind::other;
  }
}

void running_requests::add(request_kind kind) {
  switch (kind) {
    case request_kind::produce: ++produce; break;
    case request_kind::fetch: ++fetch; break;
    case request_kind::other: ++other; break;
  }
}

void running_requests::remove(request_kind kind) {
  switch (kind) {
    case request_kind::produce: --produce; break;
    case request_kind::fetch: --fetch; break;
    case request_kind::other: --other; break;
  }
}

bool may_start(request_kind next, const running_requests& running) {
  // Fetches in progress never hold anything back; whatever else runs decides.
  if (running.other > 0) return false;
  if (running.produce > 0) return next == request_kind::produce;
  return true;
}

}  // namespace samsa::broker
