// A listener's OpenSSL server context, built once at start-up from its
// tls_settings: the certificate chain and key (PEM file, PEM text or
// PKCS12), the truststore for client certificates, TLS 1.2/1.3 only, the
// client-auth mode and the principal mapping rules. Shared by every
// connection of the listener; read-only after creation, so thread-safe.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "security/tls/principal_mapping.h"
#include "security/tls/tls_settings.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct x509_st X509;

namespace samsa::security::tls {

class tls_context {
 public:
  static result<std::shared_ptr<tls_context>> create(const tls_settings& settings);
  ~tls_context();
  tls_context(const tls_context&) = delete;
  tls_context& operator=(const tls_context&) = delete;

  SSL_CTX* native() const { return ctx_; }
  client_auth auth() const { return auth_; }
  const principal_mapper& mapper() const { return mapper_; }
  const std::string& listener() const { return listener_; }
  // The server certificate's subject, for the start-up line.
  const std::string& certificate_subject() const { return subject_; }

 private:
  tls_context(SSL_CTX* ctx, principal_mapper mapper) : ctx_(ctx), mapper_(std::move(mapper)) {}
  SSL_CTX* ctx_;
  principal_mapper mapper_;
  client_auth auth_ = client_auth::none;
  std::string listener_;
  std::string subject_;
};

// The OpenSSL errors queued on this thread, joined ("error:0A000086:...; ..."),
// and the queue cleared.
std::string drain_openssl_errors();

// A certificate's subject in RFC 2253 form, most specific first, as Java's
// X500Principal.getName() gives it ("CN=alice,OU=eng,O=Acme"): Kafka's
// mapping rules are written against that form.
std::string rfc2253_subject(const X509* cert);

}  // namespace samsa::security::tls
