// The cryptographic primitives SASL needs, over OpenSSL: hashes and HMACs of
// SHA-256/512, PBKDF2 (RFC 8018, what SCRAM calls Hi()), constant-time
// comparison, random bytes and the two base64 alphabets (standard for SCRAM,
// URL-safe for JWTs). Functions that decode outside bytes return nullopt
// instead of throwing, since every caller treats bad input as a failed login.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samsa::sasl {

using bytes = std::vector<uint8_t>;

enum class hash_kind { sha256, sha512 };

size_t hash_size(hash_kind h);
bytes hash(hash_kind h, std::string_view data);
bytes hmac(hash_kind h, const bytes& key, std::string_view data);
// PBKDF2 with HMAC of `h`; the output is one hash long, as SCRAM's Hi().
bytes pbkdf2(hash_kind h, std::string_view password, const bytes& salt, int iterations);

// Equal sizes and equal bytes, in time that depends only on the sizes.
bool equal_constant_time(const uint8_t* a, size_t a_size, const uint8_t* b, size_t b_size);
inline bool equal_constant_time(std::string_view a, std::string_view b) {
  return equal_constant_time(reinterpret_cast<const uint8_t*>(a.data()), a.size(),
                             reinterpret_cast<const uint8_t*>(b.data()), b.size());
}
inline bool equal_constant_time(const bytes& a, const bytes& b) {
  return equal_constant_time(a.data(), a.size(), b.data(), b.size());
}

bytes random_bytes(size_t n);

std::string base64_encode(const uint8_t* data, size_t n);
inline std::string base64_encode(const bytes& b) { return base64_encode(b.data(), b.size()); }
// Strict RFC 4648 base64 with padding; anything else is nullopt.
std::optional<bytes> base64_decode(std::string_view text);
// base64url without padding (RFC 7515 section 2), as JWTs and JWKs use it.
std::string base64url_encode(const uint8_t* data, size_t n);
std::optional<bytes> base64url_decode(std::string_view text);

inline std::string_view as_text(const bytes& b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }
inline bytes to_bytes(std::string_view s) { return bytes(s.begin(), s.end()); }

}  // namespace samsa::sasl
