// SASL settings of one listener, read from the broker's properties by
// Kafka's names, so a Kafka server.properties works unchanged:
//   sasl.enabled.mechanisms (or listener.name.<l>.sasl.enabled.mechanisms)
//   listener.name.<l>.plain.sasl.jaas.config        PLAIN users: user_<name>="<password>"
//   listener.name.<l>.oauthbearer.sasl.jaas.config  unsecured validator options
//   listener.name.<l>.oauthbearer.sasl.server.callback.handler.class
//       unset: Kafka's unsecured development validator;
//       ...OAuthBearerValidatorCallbackHandler: JWKS validation with
//   sasl.oauthbearer.jwks.endpoint.url (file:// only), .expected.audience,
//   .expected.issuer, .scope.claim.name, .sub.claim.name, .clock.skew.seconds
//   connections.max.reauth.ms (KIP-368)
//   sasl.server.max.receive.size          largest request before authentication
//   connection.failed.authentication.delay.ms  wait before a failure is answered
//   sasl.authentication.timeout.ms (Samsa's own) time to authenticate
// Each name may also be given with the listener prefix
// (listener.name.<l>.<name>) or the listener and mechanism prefix
// (listener.name.<l>.<mechanism>.<name>), the more specific winning.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "security/sasl/jwt.h"
#include "security/sasl/mechanism.h"
#include "security/sasl/scram.h"

namespace samsa::sasl {

struct listener_sasl_config {
  std::string listener;                       // lower case, as in the prefixes
  std::vector<std::string> mechanisms;        // enabled, in configured order
  std::map<std::string, std::string> plain_users;
  bool oauth_secured = false;
  unsecured_validator_options oauth_unsecured;
  secured_validator_options oauth_secured_options;
  std::map<std::string, int64_t> max_reauth_ms;  // per mechanism; 0 = not set
  // Kafka's bound on every request (or raw token) read before the client has
  // authenticated: a stranger cannot make the broker buffer 100 MiB.
  int32_t max_receive_size = 524288;
  // Kafka's connection.failed.authentication.delay.ms: a failed exchange is
  // answered (and the connection closed) only after this, so a client
  // guessing passwords is slowed down; only its own connection waits.
  int64_t failed_authentication_delay_ms = 100;
  // Samsa's own: a connection that has not authenticated this long after it
  // was accepted is closed, so slow or silent clients cannot hold slots.
  int64_t authentication_timeout_ms = 30000;

  bool enabled(std::string_view mechanism) const;
};

// Whether `key` is one of the SASL settings above (with or without a
// listener / mechanism prefix), so the broker does not warn about it.
bool is_sasl_key(std::string_view key);

using properties = std::map<std::string, std::string>;

// Reads and checks the settings; fails with the property name when a value
// is wrong (unknown mechanism, bad JAAS text, unreadable JWKS file...).
result<listener_sasl_config> read_listener_sasl_config(const properties& props, std::string_view listener);

// Starts an exchange for `mechanism` (as named in SaslHandshake). Fails
// when the listener does not enable it (UNSUPPORTED_SASL_MECHANISM).
result<std::unique_ptr<server_mechanism>> start(const listener_sasl_config& config, std::string_view mechanism,
                                                scram_lookup scram, clock_fn now = {});

}  // namespace samsa::sasl
