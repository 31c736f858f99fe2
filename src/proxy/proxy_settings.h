// The REST proxy's settings, from the broker's properties (`--set` /
// --config): http.proxy.* and schema.registry.url.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "base/result.h"
#include "proxy/proxy_body.h"

namespace samsa::proxy {

// How the proxy's schema formats authenticate to the registry.
struct registry_credentials {
  // schema.registry.basic.auth.user.info ("user:password"); empty: none.
  std::string user_info;
  // The registry is the broker's own, which checks the same users.
  bool pass_callers_on = false;
};

struct proxy_settings {
  // http.proxy.listeners: "http://127.0.0.1:8082" by default; nullopt = none (off).
  std::optional<std::string> listener = "http://127.0.0.1:8082";
  bool listener_explicit = false;  // a busy default port only warns; a chosen one stops the start
  // http.proxy.max.request.bytes: a larger body is refused with 413 before it is read whole.
  size_t max_request_bytes = 8 * 1024 * 1024;
  // http.proxy.stream.buffer.bytes: a streamed v3 produce stops reading its
  // body while this much of its records and unsent answers is held.
  size_t stream_buffer_bytes = 4 * 1024 * 1024;
  // http.proxy.max.records.per.request (and topics per subscription, offsets per commit).
  body_limits limits;
  // http.proxy.consumer.max.instances: consumer instances alive at once (a
  // new one beyond is refused with 429).
  size_t max_instances = 100;
  // http.proxy.consumer.instance.timeout.ms: an instance not used for this
  // long is closed and leaves its group (Confluent's consumer.instance.timeout.ms).
  int64_t instance_timeout_ms = 300'000;
  // http.proxy.consumer.max.records: records one GET .../records answers at most
  // (what an instance holds at once; its bytes are bounded by max_bytes).
  size_t max_records_per_fetch = 1000;
  // http.proxy.consumer.max.bytes: the default and the cap of ?max_bytes.
  int64_t max_fetch_bytes = 8 * 1024 * 1024;
  // schema.registry.url; empty: the embedded registry's listener.
  std::string registry_url;
  // schema.registry.basic.auth.user.info; whether callers' credentials are
  // passed on (to the embedded registry only: never to a registry elsewhere).
  registry_credentials registry_auth;
};

result<proxy_settings> proxy_settings_from(const std::map<std::string, std::string>& raw);

}  // namespace samsa::proxy
