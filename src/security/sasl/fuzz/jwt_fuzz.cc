// Hostile JWTs and JWKS documents. The first byte picks the target: a token
// through both validators (no key matches, so the secured path stops at the
// signature), or the bytes as a JWKS.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "security/sasl/jwt.h"

using namespace samsa::sasl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] % 2 == 0) {
    (void)parse_jwt(in);
    (void)validate_unsecured_jwt(in, {}, 1'700'000'000'000);
    secured_validator_options o;
    (void)validate_secured_jwt(in, o, 1'700'000'000'000);
  } else {
    auto keys = jwks::parse(in);
    if (keys) {
      secured_validator_options o;
      o.keys = std::make_shared<const jwks>(std::move(*keys));
      (void)validate_secured_jwt("eyJhbGciOiJSUzI1NiJ9.e30.AAAA", o, 0);
    }
  }
  return 0;
}
