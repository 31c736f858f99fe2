// The SASL state of one connection on a SASL_PLAINTEXT or SASL_SSL listener:
// where the exchange stands (handshake, tokens, authenticated,
// re-authenticating), the mechanism in progress and the session's end
// (KIP-368). The connection owns it (through client_info::sasl); the SASL
// handlers change it on the handler thread. The network thread reads only
// the atomics below, and only after the request that changed them finished
// (before authentication the connection reads one request at a time).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "security/principal.h"
#include "security/sasl/mechanism.h"
#include "security/sasl/sasl_config.h"

namespace samsa::broker {

class sasl_session {
 public:
  using clock = std::chrono::steady_clock;

  enum class phase {
    handshake,     // waiting for SaslHandshake (ApiVersions allowed too)
    tokens,        // mechanism chosen; waiting for SaslAuthenticate or raw tokens
    authenticated, // served like any other connection
    failed,        // the exchange failed; the connection closes after its answer
  };

  explicit sasl_session(std::shared_ptr<const sasl::listener_sasl_config> config) : config_(std::move(config)) {}

  const sasl::listener_sasl_config& config() const { return *config_; }

  // --- handler thread ---------------------------------------------------
  phase state() const { return phase_; }
  bool reauthenticating() const { return reauthenticating_; }
  // The mechanism negotiated by the last successful handshake.
  const std::string& mechanism() const { return mechanism_; }
  sasl::server_mechanism* exchange() { return exchange_.get(); }
  // After a v0 handshake the client sends bare size-prefixed tokens.
  bool raw_tokens() const { return raw_tokens_; }

  // A handshake chose `mechanism`; `raw` for SaslHandshake v0.
  void begin(std::string mechanism, std::unique_ptr<sasl::server_mechanism> exchange, bool raw, bool reauth);
  // A re-authentication asked for another mechanism than the session's: as
  // in Kafka the handshake is answered and the next token fails with `why`.
  void begin_doomed_reauth(std::string why, bool raw);
  // Set by begin_doomed_reauth(): the next token's failure message.
  const std::string& doomed_because() const { return doomed_because_; }
  // The exchange succeeded: the session ends after `lifetime_ms` (nullopt,
  // or more than about 70 years: never).
  void succeed(std::optional<int64_t> lifetime_ms, clock::time_point now);
  // The exchange failed: nothing more is served; the connection closes
  // after the answer (if any) is written.
  void fail();

  // KIP-368: the session is over and only a re-authentication may follow.
  bool expired(clock::time_point now) const { return session_end_ && now >= *session_end_; }
  bool has_session_end() const { return session_end_.has_value(); }
  // Kafka allows at most one re-authentication a second.
  bool reauth_too_soon(clock::time_point now) const {
    return last_reauth_start_ && now - *last_reauth_start_ < std::chrono::seconds(1);
  }
  void note_reauth_start(clock::time_point now) { last_reauth_start_ = now; }
  // Who authenticated last (re-authentication must keep it).
  const security::principal& principal() const { return principal_; }
  void set_principal(security::principal p) { principal_ = std::move(p); }
  // Whether the client said it can re-authenticate (SaslAuthenticate v1+).
  bool client_can_reauthenticate() const { return client_can_reauth_; }
  void note_authenticate_version(int16_t version) {
    if (version > 0) client_can_reauth_ = true;
  }

  // --- read by the network thread ------------------------------------------
  // The next thing the client sends is a raw token, not a Kafka request.
  bool expects_raw_token() const { return raw_next_.load(std::memory_order_acquire); }
  // The exchange is not over: read one request at a time (the next one's
  // framing depends on this one's answer).
  bool in_exchange() const { return in_exchange_.load(std::memory_order_acquire); }
  // The answer just produced is the last: close once it is written.
  bool take_close_after_answer() { return close_after_.exchange(false, std::memory_order_acq_rel); }
  // Whether the connection ever authenticated (sasl.authentication.timeout.ms).
  bool ever_authenticated() const { return ever_authenticated_.load(std::memory_order_acquire); }

 private:
  std::shared_ptr<const sasl::listener_sasl_config> config_;
  phase phase_ = phase::handshake;
  bool reauthenticating_ = false;
  std::string mechanism_;
  std::string doomed_because_;
  std::unique_ptr<sasl::server_mechanism> exchange_;
  bool raw_tokens_ = false;
  std::optional<clock::time_point> session_end_;
  std::optional<clock::time_point> last_reauth_start_;
  security::principal principal_;
  bool client_can_reauth_ = false;
  std::atomic<bool> raw_next_{false};
  std::atomic<bool> in_exchange_{true};
  std::atomic<bool> close_after_{false};
  std::atomic<bool> ever_authenticated_{false};
};

}  // namespace samsa::broker
