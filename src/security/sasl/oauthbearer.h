// SASL/OAUTHBEARER (RFC 7628) on the server. The client's initial response
// is "n,[a=authzid],\x01auth=Bearer <token>\x01[key=value\x01...]\x01";
// extensions other than auth are parsed and ignored (Kafka ignores those
// its validator does not approve). An invalid token is answered with the
// RFC's JSON error challenge; the exchange fails once the client
// acknowledges it with "\x01" (or sends anything else).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/result.h"
#include "security/sasl/jwt.h"
#include "security/sasl/mechanism.h"

namespace samsa::sasl {

struct oauthbearer_initial_response {
  std::optional<std::string> authzid;
  std::string token;
  std::map<std::string, std::string> extensions;
};

constexpr size_t oauthbearer_max_message = jwt_max_size + 4096;

result<oauthbearer_initial_response> parse_oauthbearer_initial_response(std::string_view message);

struct oauthbearer_options {
  // true: secured (JWKS) validation; false: Kafka's unsecured development validator.
  bool secured = false;
  unsecured_validator_options unsecured;
  secured_validator_options secure;
  int64_t max_reauth_ms = 0;
  clock_fn now;
};

std::unique_ptr<server_mechanism> make_oauthbearer_server(oauthbearer_options options);

}  // namespace samsa::sasl
