#include "security/sasl/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace samsa::sasl {
namespace {

const EVP_MD* md(hash_kind h) { return h == hash_kind::sha256 ? EVP_sha256() : EVP_sha512(); }

constexpr char std_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char url_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(const uint8_t* data, size_t n, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((n + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t(data[i]) << 16) | (uint32_t(data[i + 1]) << 8) | data[i + 2];
    for (int s = 18; s >= 0; s -= 6) out.push_back(alphabet[(v >> s) & 63]);
  }
  size_t rest = n - i;
  if (rest > 0) {
    uint32_t v = uint32_t(data[i]) << 16;
    if (rest == 2) v |= uint32_t(data[i + 1]) << 8;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (rest == 2) out.push_back(alphabet[(v >> 6) & 63]);
    if (pad) out.append(rest == 1 ? "==" : "=");
  }
  return out;
}

int value_of(char c, const char* alphabet) {
  for (int i = 0; i < 64; ++i)
    if (alphabet[i] == c) return i;
  return -1;
}

// Decodes unpadded groups; rejects non-canonical trailing bits so every
// text has exactly one meaning.
std::optional<bytes> decode(std::string_view text, const char* alphabet) {
  if (text.size() % 4 == 1) return std::nullopt;
  bytes out;
  out.reserve(text.size() / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = value_of(c, alphabet);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(uint8_t((acc >> bits) & 0xff));
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace

size_t hash_size(hash_kind h) { return h == hash_kind::sha256 ? 32 : 64; }

bytes hash(hash_kind h, std::string_view data) {
  bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, md(h), nullptr) != 1)
    throw std::runtime_error("EVP_Digest failed");
  out.resize(len);
  return out;
}

bytes hmac(hash_kind h, const bytes& key, std::string_view data) {
  bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  // OpenSSL wants a non-null key pointer even for an empty key.
  static const uint8_t empty = 0;
  if (!HMAC(md(h), key.empty() ? &empty : key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const uint8_t*>(data.data()), data.size(), out.data(), &len))
    throw std::runtime_error("HMAC failed");
  out.resize(len);
  return out;
}

bytes pbkdf2(hash_kind h, std::string_view password, const bytes& salt, int iterations) {
  bytes out(hash_size(h));
  static const uint8_t empty = 0;
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.empty() ? &empty : salt.data(),
                        static_cast<int>(salt.size()), iterations, md(h), static_cast<int>(out.size()),
                        out.data()) != 1)
    throw std::runtime_error("PBKDF2 failed");
  return out;
}

bool equal_constant_time(const uint8_t* a, size_t a_size, const uint8_t* b, size_t b_size) {
  if (a_size != b_size) return false;
  if (a_size == 0) return true;
  return CRYPTO_memcmp(a, b, a_size) == 0;
}

bytes random_bytes(size_t n) {
  bytes out(n);
  if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1) throw std::runtime_error("RAND_bytes failed");
  return out;
}

std::string base64_encode(const uint8_t* data, size_t n) { return encode(data, n, std_alphabet, true); }

std::optional<bytes> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  return decode(text.substr(0, text.size() - pad), std_alphabet);
}

std::string base64url_encode(const uint8_t* data, size_t n) { return encode(data, n, url_alphabet, false); }

std::optional<bytes> base64url_decode(std::string_view text) { return decode(text, url_alphabet); }

}  // namespace samsa::sasl
