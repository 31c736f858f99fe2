// JSON Web Tokens for SASL/OAUTHBEARER: parsing (RFC 7519, compact JWS of
// RFC 7515), the local JWKS file (RFC 7517) and the two validators Kafka
// offers on the broker:
//  - unsecured (Kafka's default, for development only): "alg":"none" and an
//    empty signature, checked for exp, the principal claim and scope;
//  - secured: RS256 or ES256 signed by a key of the JWKS, with expected
//    issuer and audience, exp/nbf/iat within the clock skew, sub and scope.
// Anything else is refused; in particular "alg":"none" never passes the
// secured validator.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "security/sasl/crypto.h"

namespace samsa::sasl {

// Largest token accepted and how deep its JSON may nest; real ones are a
// few KiB and two levels.
constexpr size_t jwt_max_size = 64 * 1024;
constexpr size_t json_max_depth = 16;

struct jwt_parts {
  std::string alg;
  std::optional<std::string> kid;
  std::string header_json;
  std::string claims_json;
  std::string signing_input;  // "<header>.<payload>" as sent
  bytes signature;
};

// Splits and decodes a compact JWS; checks both parts are JSON objects.
result<jwt_parts> parse_jwt(std::string_view token);

// One verification key of a JWKS (RSA of at least 2048 bits, or EC P-256).
struct jwk_key {
  std::string kid;
  std::string kty;              // "RSA" or "EC"
  std::optional<std::string> alg;
  std::shared_ptr<void> pkey;   // EVP_PKEY, freed by its deleter
};

class jwks {
 public:
  // Keys the JWKS holds that Samsa cannot use (other types, encryption
  // keys) are skipped, as a JOSE library would; a JWKS with no usable key
  // is an error.
  static result<jwks> parse(std::string_view json);
  static result<jwks> load_file(const std::string& path);
  const std::vector<jwk_key>& keys() const { return keys_; }

 private:
  std::vector<jwk_key> keys_;
};

// Verifies the signature of `t` with a key from `keys` (chosen by kid, or
// the only key fitting alg when the token names no kid).
status verify_jwt_signature(const jwt_parts& t, const jwks& keys);

struct validated_token {
  std::string principal;
  std::vector<std::string> scope;
  int64_t expiry_ms = 0;
};

// Why a token failed: `status` is RFC 7628's error status for the client
// ("invalid_token" or "insufficient_scope"); `detail` is for the log.
struct token_error {
  std::string status;
  std::string detail;
};

template <typename T>
struct token_result {
  std::optional<T> value;
  token_error failure;
  bool ok() const { return value.has_value(); }
};

struct unsecured_validator_options {
  std::string principal_claim = "sub";       // unsecuredValidatorPrincipalClaimName
  std::string scope_claim = "scope";         // unsecuredValidatorScopeClaimName
  std::vector<std::string> required_scope;   // unsecuredValidatorRequiredScope
  int64_t clock_skew_ms = 0;                 // unsecuredValidatorAllowableClockSkewMs
};

struct secured_validator_options {
  std::shared_ptr<const jwks> keys;
  std::optional<std::string> expected_issuer;   // sasl.oauthbearer.expected.issuer
  std::vector<std::string> expected_audience;   // sasl.oauthbearer.expected.audience
  std::string sub_claim = "sub";                // sasl.oauthbearer.sub.claim.name
  std::string scope_claim = "scope";            // sasl.oauthbearer.scope.claim.name
  int64_t clock_skew_s = 30;                    // sasl.oauthbearer.clock.skew.seconds
};

token_result<validated_token> validate_unsecured_jwt(std::string_view token, const unsecured_validator_options& o,
                                                     int64_t now_ms);
token_result<validated_token> validate_secured_jwt(std::string_view token, const secured_validator_options& o,
                                                   int64_t now_ms);

}  // namespace samsa::sasl
