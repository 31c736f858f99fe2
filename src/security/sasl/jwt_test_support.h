// Test helpers: make RSA/EC keys, their JWKS, and signed or unsecured tokens.
#pragma once

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <nlohmann/json.hpp>
#include <string>

#include "security/sasl/crypto.h"

namespace samsa::sasl::testing {

struct test_key {
  EVP_PKEY* pkey = nullptr;
  std::string kid;
  bool ec = false;
  test_key(bool is_ec, std::string id) : kid(std::move(id)), ec(is_ec) {
    pkey = is_ec ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                 : EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
  }
  ~test_key() { EVP_PKEY_free(pkey); }
  test_key(const test_key&) = delete;

  static std::string b64(const BIGNUM* bn, int pad = 0) {
    int n = pad ? pad : BN_num_bytes(bn);
    bytes out(static_cast<size_t>(n));
    BN_bn2binpad(bn, out.data(), n);
    return base64url_encode(out.data(), out.size());
  }

  nlohmann::json jwk() const {
    nlohmann::json j;
    j["kid"] = kid;
    j["use"] = "sig";
    if (ec) {
      BIGNUM *x = nullptr, *y = nullptr;
      EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x);
      EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y);
      j["kty"] = "EC";
      j["crv"] = "P-256";
      j["x"] = b64(x, 32);
      j["y"] = b64(y, 32);
      BN_free(x);
      BN_free(y);
    } else {
      BIGNUM *n = nullptr, *e = nullptr;
      EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n);
      EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e);
      j["kty"] = "RSA";
      j["n"] = b64(n);
      j["e"] = b64(e);
      BN_free(n);
      BN_free(e);
    }
    return j;
  }

  bytes sign(const std::string& input) const {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t len = 0;
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, pkey);
    EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
    bytes sig(len);
    EVP_DigestSign(ctx, sig.data(), &len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
    sig.resize(len);
    EVP_MD_CTX_free(ctx);
    if (!ec) return sig;
    // DER to the JWS form r||s.
    const unsigned char* p = sig.data();
    ECDSA_SIG* s = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    bytes raw(64);
    BN_bn2binpad(ECDSA_SIG_get0_r(s), raw.data(), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(s), raw.data() + 32, 32);
    ECDSA_SIG_free(s);
    return raw;
  }
};

inline std::string b64json(const nlohmann::json& j) {
  std::string s = j.dump();
  return base64url_encode(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

inline std::string signed_token(const test_key& key, const nlohmann::json& claims, std::string alg = "") {
  nlohmann::json header{{"alg", alg.empty() ? (key.ec ? "ES256" : "RS256") : alg}, {"kid", key.kid}, {"typ", "JWT"}};
  std::string input = b64json(header) + "." + b64json(claims);
  bytes sig = key.sign(input);
  return input + "." + base64url_encode(sig.data(), sig.size());
}

inline std::string unsecured_token(const nlohmann::json& claims) {
  return b64json(nlohmann::json{{"alg", "none"}}) + "." + b64json(claims) + ".";
}

inline std::string jwks_of(std::initializer_list<const test_key*> keys) {
  nlohmann::json j;
  j["keys"] = nlohmann::json::array();
  for (auto* k : keys) j["keys"].push_back(k->jwk());
  return j.dump();
}

}  // namespace samsa::sasl::testing
