// SaslHandshake: v0-1 (every version Kafka defines). Picks the SASL mechanism
// of a connection on a SASL_PLAINTEXT or SASL_SSL listener and lists the
// listener's enabled mechanisms. After v0 the client sends bare
// size-prefixed tokens (kafka-python 2.0.2 does); after v1 it wraps them in
// SaslAuthenticate. An unknown mechanism gets UNSUPPORTED_SASL_MECHANISM
// (after connection.failed.authentication.delay.ms) and the connection
// closes; on an authenticated connection with a session lifetime the
// handshake starts a re-authentication (KIP-368). The logic lives in
// broker/sasl_exchange.cc; no ACL applies (SASL comes before authorization).
#include "broker/api_table.h"
#include "broker/handlers/handlers.h"
#include "broker/sasl_exchange.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_sasl_handshake {

using request = protocol::sasl_handshake_request_data;
using response = protocol::sasl_handshake_response_data;

boost::asio::awaitable<response> handle(request_context& ctx, request& req) {
  response out;
  handshake_outcome o = co_await sasl_handshake(ctx.broker, *ctx.identity, req.mechanism, ctx.api_version);
  if (o.close_reason) {
    ctx.close_reason = *o.close_reason;
    co_return out;
  }
  out.error_code = protocol::to_int(o.error);
  out.mechanisms = std::move(o.mechanisms);
  co_return out;
}

}  // namespace file_sasl_handshake
}  // namespace

void register_sasl_handshake(api_table& apis) {
  using namespace file_sasl_handshake;
  apis.add<request, response>(static_cast<int16_t>(protocol::api_key::sasl_handshake), 0, 1, handle);
}

}  // namespace samsa::broker
