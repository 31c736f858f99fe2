// Base64 (RFC 4648): the standard alphabet with padding (HTTP Basic
// credentials, SASL tokens, the REST proxy's binary format) and base64url
// without padding (JWTs, JWKs). Decoding is strict: a text has one meaning
// or none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samsa::base64 {

std::string encode(const uint8_t* data, size_t n);
inline std::string encode(std::string_view text) {
  return encode(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}
// Padded to a multiple of 4; anything else is nullopt.
std::optional<std::vector<uint8_t>> decode(std::string_view text);
std::string url_encode(const uint8_t* data, size_t n);
std::optional<std::vector<uint8_t>> url_decode(std::string_view text);

}  // namespace samsa::base64
