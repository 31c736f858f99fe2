// The Authorization header of HTTP Basic (RFC 7617): "Basic " and the
// base64 of "user:password". Bytes from outside: parsed strictly and bounded,
// never trusted (fuzzed by fuzz/http_basic_auth_fuzz.cc).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace samsa::http {

struct basic_credentials {
  std::string user;
  std::string password;
};

// Longest header value accepted (a user name and password of a few hundred
// bytes each need far less).
constexpr size_t max_authorization_bytes = 4096;

// The credentials, or nullopt when the header is not Basic, not strict
// base64, has no ':' or an empty user, or carries a NUL or another control
// character (names become principals and ACL keys).
std::optional<basic_credentials> parse_basic_authorization(std::string_view header);

}  // namespace samsa::http
