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

#include "broker/request_frame.h"
#include "base/result.h"
#include "broker/append_turns.h"
#include "broker/broker_config.h"
#include "protocol/writer.h"
#include "security/principal.h"

namespace samsa::broker {

class sasl_session;

// Who is on the other end of a connection: handlers see it as ctx.client
// (authorization, audit lines, DescribeGroups' client host).
struct client_info {
  std::string peer;           // "127.0.0.1:53422"
  std::string host;           // "127.0.0.1" (DescribeGroups shows it)
  std::string listener_name;  // "PLAINTEXT", the name in `listeners`
  security_protocol protocol = security_protocol::plaintext;
  // ANONYMOUS on PLAINTEXT and on SSL without a client certificate; the
  // mapped certificate subject with one; set once the TLS handshake ends,
  // before the first request is read. On a SASL listener: the SASL user
  // ("User:alice"), set by SaslAuthenticate (and kept by re-authentication)
  // on the handler thread, where every handler reads it.
  security::principal principal = security::principal::anonymous();
  // A request the broker makes of itself, not a client's (the embedded
  // Schema Registry writing its `_schemas` topic): ACLs do not apply to it,
  // as they do not to the broker's own writes of __consumer_offsets. Set
  // only by http::call_broker_api's callers inside the broker, never from a
  // connection, so no client can claim it.
  bool internal = false;
  // False on a SASL listener until the SASL exchange succeeds: only
  // ApiVersions, SaslHandshake and SaslAuthenticate are served before
  // (api_table::route). Written on the handler thread.
  bool authenticated = true;
  // SASL listeners only: where the exchange stands (broker/sasl_session.h).
  // The pointer is fixed for the connection's life; its content belongs to
  // the SASL handlers.
  std::shared_ptr<sasl_session> sasl;
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
  // malformed or not servable and the connection must close. `client` is
  // the connection's own: the SASL handlers set its principal.
  virtual boost::asio::awaitable<result<routed_response>> route(std::shared_ptr<request_frame> frame,
                                                               client_info& client) = 0;
  // A raw SASL token (after SaslHandshake v0 the client sends tokens without
  // a Kafka request header): the answer is a raw size-prefixed token, nothing,
  // or an error that closes the connection.
  virtual boost::asio::awaitable<result<routed_response>> route_sasl_token(std::shared_ptr<request_frame> token,
                                                                          client_info& client) = 0;
};

}  // namespace samsa::broker
