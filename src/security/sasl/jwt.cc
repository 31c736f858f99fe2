#include "security/sasl/jwt.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/json_depth.h"

namespace samsa::sasl {
namespace {

using json = nlohmann::json;

error bad_jwt(std::string what) { return make_error(std::errc::invalid_argument, std::move(what)); }

// Deep nesting is refused before the parser sees it (base/json_depth.h): a
// hostile token cannot make parsing or destruction recurse without bound.
std::optional<json> parse_object(std::string_view text) {
  if (json_nests_deeper_than(text, static_cast<int>(json_max_depth))) return std::nullopt;
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

struct pkey_deleter {
  void operator()(void* p) const { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); }
};

std::shared_ptr<void> from_params(const char* type, OSSL_PARAM_BLD* bld) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* pkey = nullptr;
  if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1) {
    if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) pkey = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  if (!pkey) return nullptr;
  return std::shared_ptr<void>(pkey, pkey_deleter{});
}

std::optional<bytes> b64_member(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  auto decoded = base64url_decode(it->get<std::string>());
  if (!decoded || decoded->empty()) return std::nullopt;
  return decoded;
}

std::shared_ptr<void> rsa_key(const json& j) {
  auto n = b64_member(j, "n"), e = b64_member(j, "e");
  if (!n || !e || n->size() > 2048 || e->size() > 16) return nullptr;
  BIGNUM* bn_n = BN_bin2bn(n->data(), static_cast<int>(n->size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(e->data(), static_cast<int>(e->size()), nullptr);
  std::shared_ptr<void> out;
  // RSA keys below 2048 bits are refused, as JOSE libraries do.
  if (bn_n && bn_e && BN_num_bits(bn_n) >= 2048) {
    OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
    if (bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1)
      out = from_params("RSA", bld);
    OSSL_PARAM_BLD_free(bld);
  }
  BN_free(bn_n);
  BN_free(bn_e);
  return out;
}

std::shared_ptr<void> ec_p256_key(const json& j) {
  auto crv = j.find("crv");
  if (crv == j.end() || !crv->is_string() || crv->get<std::string>() != "P-256") return nullptr;
  auto x = b64_member(j, "x"), y = b64_member(j, "y");
  if (!x || !y || x->size() != 32 || y->size() != 32) return nullptr;
  bytes point{0x04};
  point.insert(point.end(), x->begin(), x->end());
  point.insert(point.end(), y->begin(), y->end());
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  std::shared_ptr<void> out;
  if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) == 1)
    out = from_params("EC", bld);  // an (x, y) off the curve fails here
  OSSL_PARAM_BLD_free(bld);
  return out;
}

// ES256 signatures in a JWS are r||s (32 bytes each); OpenSSL verifies DER.
std::optional<bytes> ecdsa_raw_to_der(const bytes& raw) {
  if (raw.size() != 64) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(raw.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + 32, 32, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) return std::nullopt;
  bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

bool verify_with(void* pkey, const std::string& input, const bytes& sig) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, static_cast<EVP_PKEY*>(pkey)) == 1 &&
            EVP_DigestVerify(ctx, sig.data(), sig.size(), reinterpret_cast<const unsigned char*>(input.data()),
                             input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// NumericDate (seconds, maybe fractional) to milliseconds; nullopt when
// absent, failure when present but not a sane number.
bool numeric_date(const json& claims, const char* name, std::optional<int64_t>& out) {
  auto it = claims.find(name);
  if (it == claims.end()) return true;
  if (!it->is_number()) return false;
  double v = it->get<double>();
  if (!std::isfinite(v) || v < 0 || v > 1e13) return false;
  out = static_cast<int64_t>(v * 1000.0);
  return true;
}

// A scope claim is a space-separated string or an array of strings.
bool scope_of(const json& claims, const std::string& name, std::vector<std::string>& out) {
  auto it = claims.find(name);
  if (it == claims.end()) return true;
  if (it->is_string()) {
    std::istringstream in(it->get<std::string>());
    std::string s;
    while (in >> s) out.push_back(s);
    return true;
  }
  if (!it->is_array()) return false;
  for (const auto& v : *it) {
    if (!v.is_string()) return false;
    out.push_back(v.get<std::string>());
  }
  return true;
}

template <typename T>
token_result<T> invalid(std::string detail, std::string status = "invalid_token") {
  token_result<T> r;
  r.failure = {std::move(status), std::move(detail)};
  return r;
}

}  // namespace

result<jwt_parts> parse_jwt(std::string_view token) {
  if (token.size() > jwt_max_size) return bad_jwt("token longer than " + std::to_string(jwt_max_size) + " bytes");
  size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return bad_jwt("not a compact JWS: no '.'");
  size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return bad_jwt("not a compact JWS: one '.'");
  if (token.find('.', dot2 + 1) != std::string_view::npos) return bad_jwt("not a compact JWS: more than two '.'");
  auto header = base64url_decode(token.substr(0, dot1));
  auto claims = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto sig = base64url_decode(token.substr(dot2 + 1));
  if (!header || !claims || !sig) return bad_jwt("bad base64url in the token");
  auto h = parse_object(as_text(*header));
  if (!h) return bad_jwt("the JWS header is not a JSON object");
  if (!parse_object(as_text(*claims))) return bad_jwt("the JWT claims are not a JSON object");
  jwt_parts out;
  auto alg = h->find("alg");
  if (alg == h->end() || !alg->is_string()) return bad_jwt("the JWS header has no alg");
  out.alg = alg->get<std::string>();
  if (auto kid = h->find("kid"); kid != h->end()) {
    if (!kid->is_string()) return bad_jwt("the JWS header's kid is not a string");
    out.kid = kid->get<std::string>();
  }
  out.header_json = std::string(as_text(*header));
  out.claims_json = std::string(as_text(*claims));
  out.signing_input = std::string(token.substr(0, dot2));
  out.signature = std::move(*sig);
  return out;
}

result<jwks> jwks::parse(std::string_view text) {
  if (text.size() > 1024 * 1024) return bad_jwt("JWKS larger than 1 MiB");
  auto j = parse_object(text);
  if (!j) return bad_jwt("the JWKS is not a JSON object");
  auto keys = j->find("keys");
  if (keys == j->end() || !keys->is_array()) return bad_jwt("the JWKS has no \"keys\" array");
  jwks out;
  for (const auto& k : *keys) {
    if (!k.is_object()) continue;
    auto use = k.find("use");
    if (use != k.end() && (!use->is_string() || use->get<std::string>() != "sig")) continue;
    auto kty = k.find("kty");
    if (kty == k.end() || !kty->is_string()) continue;
    jwk_key key;
    key.kty = kty->get<std::string>();
    if (auto kid = k.find("kid"); kid != k.end() && kid->is_string()) key.kid = kid->get<std::string>();
    if (auto alg = k.find("alg"); alg != k.end() && alg->is_string()) key.alg = alg->get<std::string>();
    if (key.kty == "RSA") key.pkey = rsa_key(k);
    else if (key.kty == "EC") key.pkey = ec_p256_key(k);
    if (key.pkey) out.keys_.push_back(std::move(key));
  }
  if (out.keys_.empty()) return bad_jwt("the JWKS has no usable RS256 or ES256 verification key");
  return out;
}

result<jwks> jwks::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(std::errc::no_such_file_or_directory, "cannot read JWKS file " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto parsed = parse(text);
  if (!parsed) return bad_jwt("JWKS file " + path + ": " + parsed.err().message);
  return parsed;
}

status verify_jwt_signature(const jwt_parts& t, const jwks& keys) {
  std::string kty;
  if (t.alg == "RS256") kty = "RSA";
  else if (t.alg == "ES256") kty = "EC";
  else return bad_jwt("JWS algorithm '" + t.alg + "' is not accepted (RS256 or ES256)");
  std::vector<const jwk_key*> fitting;
  for (const auto& k : keys.keys()) {
    if (k.kty != kty || (k.alg && *k.alg != t.alg)) continue;
    if (t.kid && k.kid != *t.kid) continue;
    fitting.push_back(&k);
  }
  if (fitting.empty()) return bad_jwt("no key in the JWKS fits the token (kid " + t.kid.value_or("none") + ", " + t.alg + ")");
  if (!t.kid && fitting.size() > 1) return bad_jwt("the token names no kid and several JWKS keys fit");
  bytes sig = t.signature;
  if (t.alg == "ES256") {
    auto der = ecdsa_raw_to_der(t.signature);
    if (!der) return bad_jwt("ES256 signature is not 64 bytes");
    sig = std::move(*der);
  }
  if (!verify_with(fitting.front()->pkey.get(), t.signing_input, sig)) return bad_jwt("signature does not verify");
  return {};
}

token_result<validated_token> validate_unsecured_jwt(std::string_view token, const unsecured_validator_options& o,
                                                     int64_t now_ms) {
  using R = validated_token;
  auto t = parse_jwt(token);
  if (!t) return invalid<R>(t.err().message);
  if (t->alg != "none") return invalid<R>("the unsecured validator accepts only alg none, not " + t->alg);
  if (!t->signature.empty()) return invalid<R>("an unsecured JWS must have an empty signature");
  json claims = json::parse(t->claims_json, nullptr, false);
  std::optional<int64_t> exp, iat;
  if (!numeric_date(claims, "exp", exp) || !numeric_date(claims, "iat", iat))
    return invalid<R>("exp or iat is not a NumericDate");
  if (!exp) return invalid<R>("the token has no exp");
  if (now_ms - o.clock_skew_ms >= *exp) return invalid<R>("the token expired at " + std::to_string(*exp) + " ms");
  if (iat && *iat > now_ms + o.clock_skew_ms) return invalid<R>("the token was issued in the future");
  auto sub = claims.find(o.principal_claim);
  if (sub == claims.end() || !sub->is_string() || sub->get<std::string>().empty())
    return invalid<R>("the token has no string claim " + o.principal_claim);
  R out;
  out.principal = sub->get<std::string>();
  if (!scope_of(claims, o.scope_claim, out.scope)) return invalid<R>("the scope claim is not a string or a list");
  for (const auto& need : o.required_scope) {
    if (std::find(out.scope.begin(), out.scope.end(), need) == out.scope.end())
      return invalid<R>("the token's scope lacks " + need, "insufficient_scope");
  }
  out.expiry_ms = *exp;
  token_result<R> r;
  r.value = std::move(out);
  return r;
}

token_result<validated_token> validate_secured_jwt(std::string_view token, const secured_validator_options& o,
                                                   int64_t now_ms) {
  using R = validated_token;
  auto t = parse_jwt(token);
  if (!t) return invalid<R>(t.err().message);
  if (!o.keys) return invalid<R>("no JWKS is configured");
  if (auto s = verify_jwt_signature(*t, *o.keys); !s) return invalid<R>(s.err().message);
  json claims = json::parse(t->claims_json, nullptr, false);
  int64_t skew = o.clock_skew_s * 1000;
  std::optional<int64_t> exp, nbf, iat;
  if (!numeric_date(claims, "exp", exp) || !numeric_date(claims, "nbf", nbf) || !numeric_date(claims, "iat", iat))
    return invalid<R>("exp, nbf or iat is not a NumericDate");
  if (!exp) return invalid<R>("the token has no exp");
  if (now_ms - skew >= *exp) return invalid<R>("the token expired at " + std::to_string(*exp) + " ms");
  if (nbf && *nbf > now_ms + skew) return invalid<R>("the token is not valid before " + std::to_string(*nbf) + " ms");
  if (iat && *iat > now_ms + skew) return invalid<R>("the token was issued in the future");
  if (o.expected_issuer) {
    auto iss = claims.find("iss");
    if (iss == claims.end() || !iss->is_string() || iss->get<std::string>() != *o.expected_issuer)
      return invalid<R>("the token's issuer is not " + *o.expected_issuer);
  }
  if (!o.expected_audience.empty()) {
    std::vector<std::string> aud;
    auto a = claims.find("aud");
    if (a != claims.end() && a->is_string()) aud.push_back(a->get<std::string>());
    if (a != claims.end() && a->is_array())
      for (const auto& v : *a)
        if (v.is_string()) aud.push_back(v.get<std::string>());
    bool any = std::any_of(aud.begin(), aud.end(), [&](const std::string& x) {
      return std::find(o.expected_audience.begin(), o.expected_audience.end(), x) != o.expected_audience.end();
    });
    if (!any) return invalid<R>("the token's audience is none of the expected ones");
  }
  auto sub = claims.find(o.sub_claim);
  if (sub == claims.end() || !sub->is_string() || sub->get<std::string>().empty())
    return invalid<R>("the token has no string claim " + o.sub_claim);
  R out;
  out.principal = sub->get<std::string>();
  if (!scope_of(claims, o.scope_claim, out.scope)) return invalid<R>("the scope claim is not a string or a list");
  out.expiry_ms = *exp;
  token_result<R> r;
  r.value = std::move(out);
  return r;
}

}  // namespace samsa::sasl
