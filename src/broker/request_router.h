// The boundary between the network layer (frames) and the handlers (messages):
// a connection passes each request frame here and gets back the encoded
// response frame, nothing (acks=0 produce), or an error that closes it.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "broker/append_turns.h"
#include "broker/broker_config.h"
#include "protocol/writer.h"
#include "security/principal.h"

namespace samsa::broker {

// Who is on the other end of a connection: handlers see it as ctx.client
// (authorization, audit lines, DescribeGroups' client host).
struct client_info {
  std::string peer;           // "127.0.0.1:53422"
  std::string host;           // "127.0.0.1" (DescribeGroups shows it)
  std::string listener_name;  // "PLAINTEXT", the name in `listeners`
  security_protocol protocol = security_protocol::plaintext;
  // ANONYMOUS on PLAINTEXT and on SSL without a client certificate; the
  // mapped certificate subject with one; set once the TLS handshake ends,
  // before the first request is read.
  security::principal principal = security::principal::anonymous();
  // False on a SASL listener until the SASL exchange succeeds: only
  // ApiVersions and SaslHandshake are served before (api_table::route).
  bool authenticated = true;
  // Orders the appends of this connection's overlapping Produce requests;
  // used on the handler thread only.
  std::shared_ptr<append_turns> produce_turns = std::make_shared<append_turns>();
  // Client quotas: steady-clock ms until which the connection is muted
  // (written on the handler thread, read by the connection's network thread).
  std::shared_ptr<std::atomic<int64_t>> muted_until_ms = std::make_shared<std::atomic<int64_t>>(0);
};

// What a handler produced: the response frame (size prefix included) or no
// response at all.
using routed_response = std::optional<protocol::writer>;

class request_router {
 public:
  virtual ~request_router() = default;
  // `frame` is the request without its size prefix, owned by this request
  // alone: handlers may rewrite the bytes of its records fields in place
  // (Produce assigns offsets there). An error means the request was
  // malformed or not servable and the connection must close.
  virtual boost::asio::awaitable<result<routed_response>> route(std::shared_ptr<std::vector<uint8_t>> frame,
                                                               const client_info& client) = 0;
};

}  // namespace samsa::broker
