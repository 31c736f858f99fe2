#include "security/tls/cert_maker.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "security/tls/tls_context.h"

namespace samsa::security::tls {

namespace {

struct deleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
template <typename T>
using owned = std::unique_ptr<T, deleter>;

error failure(const std::string& what) {
  return make_error(std::errc::invalid_argument, what + ": " + drain_openssl_errors());
}

std::string to_pem(X509* cert) {
  owned<BIO> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string to_pem(EVP_PKEY* key) {
  owned<BIO> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

result<owned<EVP_PKEY>> new_key() {
  owned<EVP_PKEY> key(EVP_EC_gen("P-256"));
  if (!key) return failure("cannot generate an EC P-256 key");
  return key;
}

bool add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  owned<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

// The common fields: version 3, a random positive serial, validity, subject.
result<owned<X509>> new_certificate(EVP_PKEY* key, const std::string& cn, const std::string& org, int days) {
  if (days <= 0 || days > 3650) {
    return make_error(std::errc::invalid_argument, "validity must be 1..3650 days, got " + std::to_string(days));
  }
  owned<X509> cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return failure("no randomness for a serial number");
  serial[0] &= 0x7f;  // positive
  owned<BIGNUM> bn(BN_bin2bn(serial, sizeof serial, nullptr));
  BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()));
  // A minute back: a client whose clock runs slightly behind still accepts it.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(org.c_str()), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                             0);
  return cert;
}

}  // namespace

result<pem_pair> make_certificate_authority(const std::string& common_name, int valid_days) {
  auto key = new_key();
  if (!key) return key.err();
  auto cert = new_certificate(key->get(), common_name, "Samsa local CA", valid_days);
  if (!cert) return cert.err();
  X509_set_issuer_name(cert->get(), X509_get_subject_name(cert->get()));
  if (!add_extension(cert->get(), cert->get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
      !add_extension(cert->get(), cert->get(), NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !add_extension(cert->get(), cert->get(), NID_subject_key_identifier, "hash")) {
    return failure("cannot add the CA extensions");
  }
  if (X509_sign(cert->get(), key->get(), EVP_sha256()) == 0) return failure("cannot sign the CA certificate");
  return pem_pair{to_pem(cert->get()), to_pem(key->get())};
}

result<pem_pair> issue_certificate(const pem_pair& authority, const certificate_request& request) {
  owned<BIO> ca_cert_bio(BIO_new_mem_buf(authority.certificate.data(), static_cast<int>(authority.certificate.size())));
  owned<X509> ca_cert(PEM_read_bio_X509(ca_cert_bio.get(), nullptr, nullptr, nullptr));
  owned<BIO> ca_key_bio(BIO_new_mem_buf(authority.key.data(), static_cast<int>(authority.key.size())));
  owned<EVP_PKEY> ca_key(PEM_read_bio_PrivateKey(ca_key_bio.get(), nullptr, nullptr, nullptr));
  if (!ca_cert || !ca_key) return failure("the CA certificate or key cannot be read");

  auto key = new_key();
  if (!key) return key.err();
  auto cert = new_certificate(key->get(), request.common_name, request.organization, request.valid_days);
  if (!cert) return cert.err();
  X509_set_issuer_name(cert->get(), X509_get_subject_name(ca_cert.get()));
  std::string sans;
  for (const auto& d : request.dns_names) sans += (sans.empty() ? "" : ",") + std::string("DNS:") + d;
  for (const auto& ip : request.ip_addresses) sans += (sans.empty() ? "" : ",") + std::string("IP:") + ip;
  bool ok = add_extension(cert->get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE") &&
            add_extension(cert->get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature,keyAgreement") &&
            add_extension(cert->get(), ca_cert.get(), NID_ext_key_usage,
                          request.server ? "serverAuth,clientAuth" : "clientAuth") &&
            add_extension(cert->get(), ca_cert.get(), NID_authority_key_identifier, "keyid:always") &&
            (sans.empty() || add_extension(cert->get(), ca_cert.get(), NID_subject_alt_name, sans));
  if (!ok) return failure("cannot add the extensions of '" + request.common_name + "' (bad name in " + sans + "?)");
  if (X509_sign(cert->get(), ca_key.get(), EVP_sha256()) == 0) {
    return failure("cannot sign the certificate of '" + request.common_name + "'");
  }
  return pem_pair{to_pem(cert->get()), to_pem(key->get())};
}

}  // namespace samsa::security::tls
