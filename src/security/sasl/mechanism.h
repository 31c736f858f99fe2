// The server side of one SASL exchange, free of any transport: the broker
// feeds each token the client sent to step() and sends back what it answers.
// SaslHandshake picks the mechanism by name (start()); SaslAuthenticate (or
// the raw tokens after a v0 handshake) carries the bytes.
//
// step() may do CPU-heavy work (PBKDF2, RSA/ECDSA verification): callers run
// it on the worker pool, never on a network or the handler thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "security/principal.h"
#include "security/sasl/crypto.h"

namespace samsa::sasl {

struct step_result {
  enum class kind { challenge, success, failure };
  kind what = kind::failure;
  // challenge: the bytes to send; success: the last server message, which
  // SCRAM needs (server signature) and the other mechanisms leave empty.
  bytes response;
  security::principal principal;          // success only
  // success only: how long the session may live before the client must
  // re-authenticate (KIP-368); nullopt = no limit.
  std::optional<int64_t> session_lifetime_ms;
  // failure only: what the client is told. It never says which part of the
  // credentials was wrong.
  std::string message;
  // failure only: what went wrong, for the broker's log line; never sent.
  std::string log_detail;

  bool is_challenge() const { return what == kind::challenge; }
  bool is_success() const { return what == kind::success; }
  bool is_failure() const { return what == kind::failure; }

  static step_result challenge(bytes b) { return {kind::challenge, std::move(b), {}, std::nullopt, {}, {}}; }
  static step_result failure(std::string m, std::string detail = {}) {
    return {kind::failure, {}, {}, std::nullopt, std::move(m), std::move(detail)};
  }
};

class server_mechanism {
 public:
  virtual ~server_mechanism() = default;
  virtual std::string name() const = 0;
  // One client token in, one outcome out. After a success or failure the
  // exchange is over: further steps fail.
  virtual step_result step(const bytes& client) = 0;
};

// Milliseconds since the Unix epoch; injected so tests control token expiry.
using clock_fn = std::function<int64_t()>;
int64_t system_now_ms();

// KIP-368: how long a session may last. `max_reauth_ms` is
// connections.max.reauth.ms (0 or less = not set); `credential_expiry_ms`
// is when the credential stops being valid (a token's exp), if it has one.
// Without either there is no limit; a lifetime already over is 0.
std::optional<int64_t> session_lifetime(int64_t max_reauth_ms, std::optional<int64_t> credential_expiry_ms,
                                        int64_t now_ms);

// The message for every credential failure, whatever was wrong (Kafka's wording).
std::string invalid_credentials_message(const std::string& mechanism);

}  // namespace samsa::sasl
