// The broker's side of a SASL exchange, shared by SaslHandshake,
// SaslAuthenticate and the raw tokens that follow a v0 handshake. Runs on the
// handler thread; each client token is evaluated on the worker pool (PBKDF2
// for PLAIN against SCRAM credentials, RSA/ECDSA signature checks for
// OAUTHBEARER), and a failure is answered only after
// connection.failed.authentication.delay.ms, waited on a timer so that no
// other client waits with it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/request_router.h"
#include "protocol/error_code.h"

namespace samsa::broker {

class broker_state;

// Why a request may not be served on this connection now (the connection
// is closed, as Kafka does), or nullopt. Before authentication only
// ApiVersions, SaslHandshake and SaslAuthenticate; while (re-)authenticating
// only SaslAuthenticate; once the session has expired (KIP-368) only a
// SaslHandshake that starts a re-authentication.
std::optional<std::string> sasl_refusal(const client_info& client, int16_t api_key, int16_t api_version);

struct handshake_outcome {
  protocol::error_code error = protocol::error_code::none;
  std::vector<std::string> mechanisms;  // the listener's enabled mechanisms
  // Set: close the connection instead of answering.
  std::optional<std::string> close_reason;
};

// SaslHandshake: picks the mechanism (v0: raw tokens follow), starts a
// re-authentication on an authenticated connection (KIP-368), or refuses.
boost::asio::awaitable<handshake_outcome> sasl_handshake(broker_state& broker, client_info& client,
                                                         const std::string& mechanism, int16_t version);

struct token_outcome {
  protocol::error_code error = protocol::error_code::none;
  std::string message;  // failure: what the client is told
  std::vector<uint8_t> response;
  int64_t session_lifetime_ms = 0;  // success: 0 = no limit
  // Set: close the connection instead of answering.
  std::optional<std::string> close_reason;
};

// One client token (SaslAuthenticate's auth_bytes or a raw token) through the
// connection's exchange. On success the connection's principal is set; on
// failure the answer comes after the delay and the connection closes after it.
boost::asio::awaitable<token_outcome> sasl_token(broker_state& broker, client_info& client,
                                                 std::vector<uint8_t> token, int16_t authenticate_version);

}  // namespace samsa::broker
