#include "security/tls/tls_context.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <fstream>
#include <iterator>
#include <vector>

namespace samsa::security::tls {

namespace {

// Keystores are small; anything larger is a wrong path, not a keystore.
constexpr std::streamsize max_store_bytes = 4 << 20;

struct bio_free {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct x509_free {
  void operator()(X509* x) const { X509_free(x); }
};
struct pkey_free {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using bio_ptr = std::unique_ptr<BIO, bio_free>;
using x509_ptr = std::unique_ptr<X509, x509_free>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;

result<std::string> read_store(const std::string& what, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(std::errc::no_such_file_or_directory, what + " '" + path + "' cannot be opened");
  std::string bytes;
  bytes.resize(static_cast<size_t>(max_store_bytes) + 1);
  in.read(bytes.data(), max_store_bytes + 1);
  bytes.resize(static_cast<size_t>(in.gcount()));
  if (static_cast<std::streamsize>(bytes.size()) > max_store_bytes) {
    return make_error(std::errc::file_too_large, what + " '" + path + "' is larger than 4 MiB: not a keystore");
  }
  return bytes;
}

bool looks_like_pem(const std::string& bytes) { return bytes.find("-----BEGIN ") != std::string::npos; }
bool looks_like_jks(const std::string& bytes) {
  return bytes.size() >= 4 && static_cast<unsigned char>(bytes[0]) == 0xFE &&
         static_cast<unsigned char>(bytes[1]) == 0xED && static_cast<unsigned char>(bytes[2]) == 0xFE &&
         static_cast<unsigned char>(bytes[3]) == 0xED;
}

std::vector<x509_ptr> pem_certificates(const std::string& text) {
  std::vector<x509_ptr> out;
  bio_ptr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(cert);
  ERR_clear_error();  // the read that ends the loop queues "no start line"
  return out;
}

int password_callback(char* buf, int size, int, void* userdata) {
  const auto* password = static_cast<const std::string*>(userdata);
  if (!password || static_cast<int>(password->size()) > size) return 0;
  std::copy(password->begin(), password->end(), buf);
  return static_cast<int>(password->size());
}

pkey_ptr pem_key(const std::string& text, const std::string& password) {
  bio_ptr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  return pkey_ptr(PEM_read_bio_PrivateKey(bio.get(), nullptr, password_callback, const_cast<std::string*>(&password)));
}

struct key_material {
  pkey_ptr key;
  std::vector<x509_ptr> chain;  // leaf first
};

result<key_material> parse_pkcs12(const std::string& what, const std::string& bytes,
                                  const std::vector<const std::string*>& passwords, bool need_key) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  std::unique_ptr<PKCS12, decltype(&PKCS12_free)> p12(d2i_PKCS12(nullptr, &data, static_cast<long>(bytes.size())),
                                                       PKCS12_free);
  if (!p12) return make_error(std::errc::invalid_argument, what + " is not a PKCS12 file: " + drain_openssl_errors());
  for (const std::string* password : passwords) {
    EVP_PKEY* key = nullptr;
    X509* cert = nullptr;
    STACK_OF(X509)* ca = nullptr;
    if (!PKCS12_parse(p12.get(), password->c_str(), &key, &cert, &ca)) {
      ERR_clear_error();
      continue;
    }
    key_material m;
    m.key.reset(key);
    if (cert) m.chain.emplace_back(cert);
    while (ca && sk_X509_num(ca) > 0) m.chain.emplace_back(sk_X509_shift(ca));
    sk_X509_free(ca);
    if (need_key && (!m.key || m.chain.empty())) {
      return make_error(std::errc::invalid_argument, what + " holds no private key with its certificate");
    }
    return m;
  }
  return make_error(std::errc::permission_denied,
                    what + " cannot be opened with the password given (ssl.keystore.password / "
                           "ssl.truststore.password / ssl.key.password)");
}

result<key_material> load_keystore(const tls_settings& s) {
  std::string what = "keystore";
  std::string bytes;
  if (!s.keystore_location.empty()) {
    what = "keystore '" + s.keystore_location + "'";
    auto read = read_store("keystore", s.keystore_location);
    if (!read) return read.err();
    bytes = std::move(*read);
    if (looks_like_jks(bytes)) {
      return make_error(std::errc::not_supported,
                        what + " is a Java (JKS) keystore, which Samsa cannot read: convert it with `keytool "
                               "-importkeystore -srckeystore <file>.jks -destkeystore <file>.p12 -deststoretype "
                               "PKCS12` and set ssl.keystore.type=PKCS12, or use PEM (ssl.keystore.type=PEM)");
    }
  }
  std::string type = s.keystore_type;
  if (type.empty()) type = looks_like_pem(bytes) ? "PEM" : "PKCS12";
  if (type == "PKCS12") {
    return parse_pkcs12(what, bytes, {&s.keystore_password, &s.key_password}, true);
  }
  key_material m;
  const std::string& chain_text = s.keystore_location.empty() ? s.keystore_certificate_chain : bytes;
  const std::string& key_text = s.keystore_location.empty() ? s.keystore_key : bytes;
  m.chain = pem_certificates(chain_text);
  if (m.chain.empty()) return make_error(std::errc::invalid_argument, what + " holds no PEM certificate");
  m.key = pem_key(key_text, s.key_password);
  if (!m.key) {
    std::string detail = drain_openssl_errors();
    return make_error(std::errc::invalid_argument,
                      what + " holds no readable PEM private key" +
                          (s.key_password.empty() ? std::string(" (is it encrypted? set ssl.key.password)")
                                                  : std::string(" (wrong ssl.key.password?)")) +
                          ": " + detail);
  }
  return m;
}

result<std::vector<x509_ptr>> load_truststore(const tls_settings& s) {
  std::string what = "truststore";
  std::string bytes = s.truststore_certificates;
  if (!s.truststore_location.empty()) {
    what = "truststore '" + s.truststore_location + "'";
    auto read = read_store("truststore", s.truststore_location);
    if (!read) return read.err();
    bytes = std::move(*read);
    if (looks_like_jks(bytes)) {
      return make_error(std::errc::not_supported,
                        what + " is a Java (JKS) truststore, which Samsa cannot read: convert it to PKCS12 "
                               "(keytool -importkeystore ... -deststoretype PKCS12) or use PEM");
    }
  }
  std::string type = s.truststore_type;
  if (type.empty()) type = looks_like_pem(bytes) ? "PEM" : "PKCS12";
  std::vector<x509_ptr> certs;
  if (type == "PKCS12") {
    auto m = parse_pkcs12(what, bytes, {&s.truststore_password}, false);
    if (!m) return m.err();
    certs = std::move(m->chain);
  } else {
    certs = pem_certificates(bytes);
  }
  if (certs.empty()) return make_error(std::errc::invalid_argument, what + " holds no certificate");
  return certs;
}

// Java/IANA suite names to OpenSSL's: TLS 1.3 suites keep their names
// (SSL_CTX_set_ciphersuites), TLS 1.2 ones are looked up by standard name.
status apply_cipher_suites(SSL_CTX* ctx, const tls_settings& s) {
  if (s.cipher_suites.empty()) return {};
  std::string tls12;
  std::string tls13;
  STACK_OF(SSL_CIPHER)* all = SSL_CTX_get_ciphers(ctx);
  for (const auto& name : s.cipher_suites) {
    if (name.rfind("TLS_AES_", 0) == 0 || name.rfind("TLS_CHACHA20_", 0) == 0) {
      tls13 += (tls13.empty() ? "" : ":") + name;
      continue;
    }
    const SSL_CIPHER* found = nullptr;
    for (int i = 0; all && i < sk_SSL_CIPHER_num(all); ++i) {
      const SSL_CIPHER* c = sk_SSL_CIPHER_value(all, i);
      const char* standard = SSL_CIPHER_standard_name(c);
      if (standard && name == standard) found = c;
    }
    if (!found) {
      return make_error(std::errc::invalid_argument,
                        "listener " + s.listener + ": ssl.cipher.suites: '" + name + "' is not a cipher suite OpenSSL offers");
    }
    tls12 += (tls12.empty() ? "" : ":") + std::string(SSL_CIPHER_get_name(found));
  }
  if (!tls12.empty() && !SSL_CTX_set_cipher_list(ctx, tls12.c_str())) {
    return make_error(std::errc::invalid_argument, "listener " + s.listener + ": ssl.cipher.suites rejected: " +
                                                       drain_openssl_errors());
  }
  if (!tls13.empty() && !SSL_CTX_set_ciphersuites(ctx, tls13.c_str())) {
    return make_error(std::errc::invalid_argument, "listener " + s.listener + ": ssl.cipher.suites rejected: " +
                                                       drain_openssl_errors());
  }
  return {};
}

}  // namespace

std::string drain_openssl_errors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(code, text, sizeof(text));
    if (!out.empty()) out += "; ";
    out += text;
  }
  return out.empty() ? "no OpenSSL detail" : out;
}

std::string rfc2253_subject(const X509* cert) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  // RFC 2253 order and escaping, but UTF-8 kept as is (Java does not escape it).
  unsigned long flags = (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) | ASN1_STRFLGS_UTF8_CONVERT;
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, flags);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

tls_context::~tls_context() { SSL_CTX_free(ctx_); }

result<std::shared_ptr<tls_context>> tls_context::create(const tls_settings& s) {
  auto in_listener = [&](const error& e) {
    return error(e.code, "listener " + s.listener + ": " + e.message);
  };
  auto mapper = principal_mapper::parse(s.principal_mapping_rules);
  if (!mapper) return in_listener(mapper.err());
  SSL_CTX* raw = SSL_CTX_new(TLS_server_method());
  if (!raw) return make_error(std::errc::not_enough_memory, "cannot create a TLS context: " + drain_openssl_errors());
  std::shared_ptr<tls_context> ctx(new tls_context(raw, std::move(*mapper)));
  ctx->auth_ = s.auth;
  ctx->listener_ = s.listener;

  SSL_CTX_set_min_proto_version(raw, s.tls12 ? TLS1_2_VERSION : TLS1_3_VERSION);
  SSL_CTX_set_max_proto_version(raw, s.tls13 ? TLS1_3_VERSION : TLS1_2_VERSION);
  // No renegotiation (a client-driven CPU sink), no compression (CRIME),
  // no tickets' state kept per client beyond OpenSSL's bounded cache.
  SSL_CTX_set_options(raw, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Clients commonly close without close_notify; Kafka frames carry their
  // own lengths, so a truncation is seen there, not here.
  SSL_CTX_set_options(raw, SSL_OP_IGNORE_UNEXPECTED_EOF);
  // Kernel TLS where the kernel offers it: sendfile() of log segments stays
  // zero-copy. OpenSSL falls back to user-space records when it does not.
  SSL_CTX_set_options(raw, SSL_OP_ENABLE_KTLS);
  SSL_CTX_set_mode(raw, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                            SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_sess_set_cache_size(raw, 1024);
  if (auto st = apply_cipher_suites(raw, s); !st) return st.err();

  auto keys = load_keystore(s);
  if (!keys) return in_listener(keys.err());
  if (SSL_CTX_use_certificate(raw, keys->chain.front().get()) != 1) {
    return make_error(std::errc::invalid_argument,
                      "listener " + s.listener + ": the keystore's certificate is unusable: " + drain_openssl_errors());
  }
  for (size_t i = 1; i < keys->chain.size(); ++i) {
    // add_extra_chain_cert takes ownership.
    if (SSL_CTX_add_extra_chain_cert(raw, keys->chain[i].get()) == 1) (void)keys->chain[i].release();
  }
  if (SSL_CTX_use_PrivateKey(raw, keys->key.get()) != 1 || SSL_CTX_check_private_key(raw) != 1) {
    return make_error(std::errc::invalid_argument, "listener " + s.listener +
                                                       ": the private key does not belong to the certificate: " +
                                                       drain_openssl_errors());
  }
  ctx->subject_ = rfc2253_subject(keys->chain.front().get());

  bool has_truststore = !s.truststore_location.empty() || !s.truststore_certificates.empty();
  if (has_truststore) {
    auto trusted = load_truststore(s);
    if (!trusted) return in_listener(trusted.err());
    X509_STORE* store = SSL_CTX_get_cert_store(raw);
    STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
    for (const auto& cert : *trusted) {
      X509_STORE_add_cert(store, cert.get());
      sk_X509_NAME_push(names, X509_NAME_dup(X509_get_subject_name(cert.get())));
    }
    ERR_clear_error();  // duplicates in the store queue a harmless error
    // Tells clients which CAs are accepted, so they pick the right certificate.
    SSL_CTX_set_client_CA_list(raw, names);
  }
  switch (s.auth) {
    case client_auth::none:
      SSL_CTX_set_verify(raw, SSL_VERIFY_NONE, nullptr);
      break;
    case client_auth::requested:
      SSL_CTX_set_verify(raw, SSL_VERIFY_PEER, nullptr);
      break;
    case client_auth::required:
      SSL_CTX_set_verify(raw, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      break;
  }
  SSL_CTX_set_verify_depth(raw, 10);
  // Session resumption across connections of this listener only.
  static const unsigned char id_context[] = "samsa";
  SSL_CTX_set_session_id_context(raw, id_context, sizeof(id_context) - 1);
  return ctx;
}

}  // namespace samsa::security::tls
