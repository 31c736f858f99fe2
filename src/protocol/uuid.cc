#include "protocol/uuid.h"

#include <random>

namespace samsa::protocol {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int decode_char(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

bool uuid::is_zero() const {
  for (uint8_t b : bytes) {
    if (b != 0) return false;
  }
  return true;
}

std::string uuid::to_string() const {
  std::string out;
  out.reserve(22);
  // 16 bytes = 5 full 3-byte groups + 1 trailing byte (2 characters).
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (uint32_t{bytes[i]} << 16) | (uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  uint32_t v = uint32_t{bytes[i]} << 16;
  out.push_back(kAlphabet[(v >> 18) & 63]);
  out.push_back(kAlphabet[(v >> 12) & 63]);
  return out;
}

result<uuid> uuid::from_string(std::string_view text) {
  if (text.size() != 22) {
    return make_error(std::errc::invalid_argument,
                      "uuid '" + std::string(text) + "' must be 22 base64url characters");
  }
  uuid out;
  uint32_t acc = 0;
  int bits = 0;
  size_t pos = 0;
  for (char c : text) {
    int d = decode_char(c);
    if (d < 0) {
      return make_error(std::errc::invalid_argument,
                        "uuid '" + std::string(text) + "' has a character outside base64url");
    }
    acc = (acc << 6) | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (pos < out.bytes.size()) out.bytes[pos++] = static_cast<uint8_t>(acc >> bits);
    }
    acc &= (1u << bits) - 1;
  }
  // 22 characters carry 132 bits; the last 4 must be zero for a canonical form.
  if (acc != 0) {
    return make_error(std::errc::invalid_argument,
                      "uuid '" + std::string(text) + "' has non-zero trailing bits");
  }
  return out;
}

uuid uuid::random() {
  static thread_local std::random_device device;
  static thread_local std::mt19937_64 engine(
      (static_cast<uint64_t>(device()) << 32) ^ static_cast<uint64_t>(device()));
  uuid out;
  do {
    for (size_t i = 0; i < out.bytes.size(); i += 8) {
      uint64_t v = engine();
      for (size_t j = 0; j < 8; ++j) out.bytes[i + j] = static_cast<uint8_t>(v >> (8 * j));
    }
    out.bytes[6] = static_cast<uint8_t>((out.bytes[6] & 0x0f) | 0x40);  // version 4
    out.bytes[8] = static_cast<uint8_t>((out.bytes[8] & 0x3f) | 0x80);  // IETF variant
  } while (out.is_zero());
  return out;
}

}  // namespace samsa::protocol
