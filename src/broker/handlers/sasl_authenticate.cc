// SaslAuthenticate: v0-2 (every version Kafka defines), and the raw tokens
// that follow a SaslHandshake v0. Each client token goes through the
// connection's SASL exchange (broker/sasl_exchange.cc; the mechanism's work
// runs on the worker pool); on success the connection's principal is set and
// v1+ answers carry session_lifetime_ms (KIP-368: 0 = no limit). A failure
// is answered with SASL_AUTHENTICATION_FAILED and a message that never says
// which part was wrong, after connection.failed.authentication.delay.ms, and
// the connection closes; a failed raw token just closes it (a raw answer
// cannot carry an error), as in Kafka.
#include "broker/api_table.h"
#include "broker/handlers/handlers.h"
#include "broker/sasl_exchange.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_sasl_authenticate {

using request = protocol::sasl_authenticate_request_data;
using response = protocol::sasl_authenticate_response_data;

boost::asio::awaitable<response> handle(request_context& ctx, request& req) {
  response out;
  token_outcome o = co_await sasl_token(ctx.broker, *ctx.identity, std::move(req.auth_bytes), ctx.api_version);
  if (o.close_reason) {
    ctx.close_reason = *o.close_reason;
    co_return out;
  }
  out.error_code = protocol::to_int(o.error);
  if (o.error != protocol::error_code::none) {
    out.error_message = o.message;
    co_return out;
  }
  out.auth_bytes = std::move(o.response);
  out.session_lifetime_ms = o.session_lifetime_ms;
  co_return out;
}

// A raw token's answer: the bytes behind a 4-byte size, nothing else.
boost::asio::awaitable<result<routed_response>> handle_raw(broker_state& broker, client_info& client,
                                                           std::vector<uint8_t> token) {
  token_outcome o = co_await sasl_token(broker, client, std::move(token), -1);
  if (o.close_reason) co_return make_error(std::errc::operation_canceled, *o.close_reason);
  if (o.error != protocol::error_code::none) {
    // Only ILLEGAL_SASL_STATE can get here, which a raw token cannot carry.
    co_return make_error(std::errc::operation_canceled, "raw SASL token outside an exchange: " + o.message);
  }
  protocol::writer frame;
  frame.write_bytes(o.response);  // int32 size, then the bytes
  co_return routed_response{std::move(frame)};
}

}  // namespace file_sasl_authenticate
}  // namespace

void register_sasl_authenticate(api_table& apis) {
  using namespace file_sasl_authenticate;
  apis.add<request, response>(static_cast<int16_t>(protocol::api_key::sasl_authenticate), 0, 2, handle);
  apis.set_raw_sasl_token_handler(handle_raw);
}

}  // namespace samsa::broker
