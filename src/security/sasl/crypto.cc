#include "security/sasl/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

#include "base/base64.h"

namespace samsa::sasl {
namespace {

const EVP_MD* md(hash_kind h) { return h == hash_kind::sha256 ? EVP_sha256() : EVP_sha512(); }

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

std::string base64_encode(const uint8_t* data, size_t n) { return base64::encode(data, n); }

std::optional<bytes> base64_decode(std::string_view text) { return base64::decode(text); }

std::string base64url_encode(const uint8_t* data, size_t n) { return base64::url_encode(data, n); }

std::optional<bytes> base64url_decode(std::string_view text) { return base64::url_decode(text); }

}  // namespace samsa::sasl
