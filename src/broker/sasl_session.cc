#include "broker/sasl_session.h"

namespace samsa::broker {

void sasl_session::begin(std::string mechanism, std::unique_ptr<sasl::server_mechanism> exchange, bool raw,
                         bool reauth) {
  mechanism_ = std::move(mechanism);
  doomed_because_.clear();
  exchange_ = std::move(exchange);
  raw_tokens_ = raw;
  reauthenticating_ = reauth;
  phase_ = phase::tokens;
  in_exchange_.store(true, std::memory_order_release);
  raw_next_.store(raw, std::memory_order_release);
}

void sasl_session::begin_doomed_reauth(std::string why, bool raw) {
  doomed_because_ = std::move(why);
  exchange_.reset();
  raw_tokens_ = raw;
  reauthenticating_ = true;
  phase_ = phase::tokens;
  in_exchange_.store(true, std::memory_order_release);
  raw_next_.store(raw, std::memory_order_release);
}

void sasl_session::succeed(std::optional<int64_t> lifetime_ms, clock::time_point now) {
  exchange_.reset();
  phase_ = phase::authenticated;
  reauthenticating_ = false;
  raw_tokens_ = false;
  // A token's exp may lie centuries ahead (up to 10^13 s): past what the
  // steady clock's nanoseconds can add, such a session has no end.
  constexpr int64_t longest_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock::duration::max() / 4).count();
  if (lifetime_ms && *lifetime_ms <= longest_ms) {
    session_end_ = now + std::chrono::milliseconds(*lifetime_ms);
  } else {
    session_end_.reset();
  }
  raw_next_.store(false, std::memory_order_release);
  in_exchange_.store(false, std::memory_order_release);
  ever_authenticated_.store(true, std::memory_order_release);
}

void sasl_session::fail() {
  exchange_.reset();
  phase_ = phase::failed;
  raw_next_.store(false, std::memory_order_release);
  in_exchange_.store(true, std::memory_order_release);
  close_after_.store(true, std::memory_order_release);
}

}  // namespace samsa::broker
