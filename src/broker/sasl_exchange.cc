#include "broker/sasl_exchange.h"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

#include "broker/api_table.h"
#include "broker/broker_state.h"
#include "base/refusal_log.h"
#include "broker/sasl_session.h"
#include "protocol/api_keys.h"
#include "security/sasl/scram.h"
#include "storage/metadata_store.h"

namespace samsa::broker {

namespace asio = boost::asio;
using protocol::error_code;

namespace {

constexpr auto handshake_key = static_cast<int16_t>(protocol::api_key::sasl_handshake);
constexpr auto authenticate_key = static_cast<int16_t>(protocol::api_key::sasl_authenticate);
constexpr auto api_versions_key = static_cast<int16_t>(protocol::api_key::api_versions);

// Client-chosen text (user names, mechanism names) goes into log lines with
// control characters escaped, so a client cannot forge lines.
std::string printable(std::string_view s, size_t at_most = 200) {
  std::string out;
  for (char c : s.substr(0, at_most)) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  if (s.size() > at_most) out += "...";
  return out;
}

std::string where(const client_info& client) {
  return "client " + client.peer + " on listener " + client.listener_name + " (" +
         std::string(security_protocol_name(client.protocol)) + ")";
}

sasl::scram_lookup scram_credentials_of(broker_state& broker) {
  // The metadata store is thread-safe: this runs on the worker pool.
  storage::metadata_store* store = &broker.metadata();
  return [store](const std::string& user, sasl::scram_mechanism m) -> std::optional<sasl::scram_credential> {
    auto found = store->scram_credential(user, static_cast<int8_t>(m));
    if (!found) return std::nullopt;
    sasl::scram_credential c;
    c.salt = found->salt;
    c.stored_key = found->stored_key;
    c.server_key = found->server_key;
    c.iterations = found->iterations;
    return c;
  };
}

// Kafka's connection.failed.authentication.delay.ms, on a timer of the
// handler thread: only this connection (which reads nothing meanwhile) waits.
asio::awaitable<void> failure_delay(const sasl_session& session) {
  int64_t ms = session.config().failed_authentication_delay_ms;
  if (ms <= 0) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(ms));
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> refuse(sasl_session& session, const client_info& client, const std::string& what) {
  log_refusal(refusal::sasl, "SASL authentication failed: " + where(client) + ": " + what);
  session.fail();
  co_await failure_delay(session);
}

}  // namespace

std::optional<std::string> sasl_refusal(const client_info& client, int16_t api_key, int16_t api_version) {
  if (!client.sasl) {
    // Fail closed: an unauthenticated connection without an exchange to run.
    if (client.authenticated) return std::nullopt;
    return std::string(api_name(api_key)) + " on " + where(client) + ", which has no SASL settings";
  }
  const sasl_session& s = *client.sasl;
  auto request = [&] { return std::string(api_name(api_key)) + " v" + std::to_string(api_version); };
  switch (s.state()) {
    case sasl_session::phase::handshake:
      if (api_key == api_versions_key || api_key == handshake_key || api_key == authenticate_key) return std::nullopt;
      return request() + " before SASL authentication on listener " + client.listener_name + " (" +
             std::string(security_protocol_name(client.protocol)) + ") from " + client.peer +
             ": only ApiVersions, SaslHandshake and SaslAuthenticate are served until the client authenticates";
    case sasl_session::phase::tokens:
      if (api_key == authenticate_key) return std::nullopt;
      return request() + " during SASL " + (s.reauthenticating() ? "re-authentication" : "authentication") +
             " on " + where(client) + ": only SaslAuthenticate may follow SaslHandshake";
    case sasl_session::phase::failed:
      return request() + " after a failed SASL authentication on " + where(client);
    case sasl_session::phase::authenticated:
      if (api_key != handshake_key && s.expired(sasl_session::clock::now())) {
        return "the SASL session of " + where(client) + " (" + client.principal.to_string() +
               ") expired (connections.max.reauth.ms or the token's lifetime) and the client did not "
               "re-authenticate; " + request() + " refused";
      }
      return std::nullopt;
  }
  return std::nullopt;
}

asio::awaitable<handshake_outcome> sasl_handshake(broker_state& broker, client_info& client,
                                                  const std::string& mechanism, int16_t version) {
  handshake_outcome out;
  if (!client.sasl) {
    // Not a SASL listener (Kafka answers the same).
    out.error = error_code::illegal_sasl_state;
    co_return out;
  }
  sasl_session& session = *client.sasl;
  out.mechanisms = session.config().mechanisms;
  auto now = sasl_session::clock::now();
  bool reauth = false;
  switch (session.state()) {
    case sasl_session::phase::handshake:
      break;
    case sasl_session::phase::tokens:
    case sasl_session::phase::failed:
      out.close_reason = "a second SaslHandshake during SASL authentication on " + where(client);
      co_return out;
    case sasl_session::phase::authenticated:
      // KIP-368: only a session with an end may re-authenticate, at most once
      // a second; otherwise the handshake is answered as Kafka's request
      // handler answers it, unless the session is over.
      if (!session.has_session_end() || session.reauth_too_soon(now)) {
        if (session.expired(now)) {
          out.close_reason = "the SASL session of " + where(client) + " expired and it re-authenticated less "
                             "than a second ago";
          co_return out;
        }
        out.error = error_code::illegal_sasl_state;
        co_return out;
      }
      session.note_reauth_start(now);
      reauth = true;
      break;
  }
  if (!session.config().enabled(mechanism)) {
    co_await refuse(session, client,
                    "mechanism '" + printable(mechanism) + "' is not enabled (sasl.enabled.mechanisms: " +
                        fmt::format("{}", fmt::join(out.mechanisms, ",")) + ")");
    out.error = error_code::unsupported_sasl_mechanism;
    co_return out;
  }
  if (reauth && mechanism != session.mechanism()) {
    // As Kafka: the handshake is answered, the next token fails.
    session.begin_doomed_reauth("SASL mechanism '" + mechanism +
                                    "' requested by client is not supported for re-authentication of mechanism '" +
                                    session.mechanism() + "'",
                                version == 0);
    co_return out;
  }
  auto exchange = sasl::start(session.config(), mechanism, scram_credentials_of(broker));
  if (!exchange) {
    co_await refuse(session, client, exchange.err().message);
    out.error = error_code::unsupported_sasl_mechanism;
    co_return out;
  }
  session.begin(mechanism, std::move(*exchange), version == 0, reauth);
  co_return out;
}

asio::awaitable<token_outcome> sasl_token(broker_state& broker, client_info& client, std::vector<uint8_t> token,
                                          int16_t authenticate_version) {
  token_outcome out;
  const bool raw = authenticate_version < 0;
  if (!client.sasl || client.sasl->state() == sasl_session::phase::authenticated) {
    out.error = error_code::illegal_sasl_state;
    out.message = "SaslAuthenticate request received after successful authentication";
    co_return out;
  }
  sasl_session& session = *client.sasl;
  if (session.state() != sasl_session::phase::tokens) {
    out.close_reason = "SaslAuthenticate before SaslHandshake on " + where(client);
    co_return out;
  }
  if (!raw) session.note_authenticate_version(authenticate_version);
  const std::string mechanism = session.mechanism();
  const std::string what = session.reauthenticating() ? "re-authentication" : "authentication";

  sasl::step_result step;
  if (sasl::server_mechanism* exchange = session.exchange()) {
    // PBKDF2 and signature checks: never on the handler thread. The session
    // reads no other request meanwhile (the connection waits for this
    // answer), so the exchange is this coroutine's alone; `keep` holds it
    // even if the connection closes.
    auto keep = client.sasl;
    auto job = [exchange, &token]() {
      try {
        return exchange->step(token);
      } catch (const std::exception& e) {
        return sasl::step_result::failure(sasl::invalid_credentials_message(exchange->name()),
                                          std::string("internal error: ") + e.what());
      }
    };
    step = co_await broker.workers().run(job);
  } else {
    step = sasl::step_result::failure(session.doomed_because(), "re-authentication asked for another mechanism");
  }

  if (step.is_success() && session.reauthenticating() && !(step.principal == session.principal())) {
    // KIP-368: a connection keeps its principal.
    step = sasl::step_result::failure("Cannot change principals during re-authentication from " +
                                          session.principal().to_string() + ": " + step.principal.to_string(),
                                      "re-authentication as another principal");
  }
  if (step.is_failure()) {
    std::string detail = step.log_detail.empty() ? step.message : step.log_detail;
    co_await refuse(session, client, mechanism + " " + what + " failed: " + printable(detail));
    if (raw) {
      // No error can be framed in a raw token: the connection just closes.
      out.close_reason = "";
      co_return out;
    }
    out.error = error_code::sasl_authentication_failed;
    out.message = step.message;
    co_return out;
  }
  out.response = std::move(step.response);
  if (step.is_challenge()) co_return out;

  const bool reauth = session.reauthenticating();
  auto now = sasl_session::clock::now();
  session.succeed(step.session_lifetime_ms, now);
  session.set_principal(step.principal);
  client.principal = step.principal;
  client.authenticated = true;
  out.session_lifetime_ms = step.session_lifetime_ms.value_or(0);
  // Re-authentications are rare (once per session lifetime) and show that
  // KIP-368 works; first authentications happen at every connect.
  std::string lifetime =
      step.session_lifetime_ms ? fmt::format(", session lifetime {} ms", *step.session_lifetime_ms) : std::string();
  if (reauth) {
    spdlog::info("SASL re-authentication: {} re-authenticated as {} with {}{}", where(client),
                 client.principal.to_string(), mechanism, lifetime);
  } else {
    spdlog::debug("SASL authentication: {} authenticated as {} with {}{}", where(client), client.principal.to_string(),
                  mechanism, lifetime);
  }
  co_return out;
}

}  // namespace samsa::broker
