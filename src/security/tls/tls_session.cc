#include "security/tls/tls_session.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>

namespace samsa::security::tls {

tls_session::tls_session(std::shared_ptr<const tls_context> context, int fd) : context_(std::move(context)) {
  ssl_ = SSL_new(context_->native());
  if (ssl_ && SSL_set_fd(ssl_, fd) != 1) {
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
  if (ssl_) SSL_set_accept_state(ssl_);
  ERR_clear_error();
}

tls_session::~tls_session() {
  if (ssl_) SSL_free(ssl_);
}

io_result tls_session::outcome(int ret, const char* what) {
  int code = SSL_get_error(ssl_, ret);
  switch (code) {
    case SSL_ERROR_WANT_READ:
      return {io_state::want_read, 0, {}};
    case SSL_ERROR_WANT_WRITE:
      return {io_state::want_write, 0, {}};
    case SSL_ERROR_ZERO_RETURN:
      return {io_state::closed, 0, {}};
    case SSL_ERROR_SYSCALL: {
      int saved = errno;
      std::string detail = ERR_peek_error() ? drain_openssl_errors()
                                            : (saved == 0 ? std::string("the peer closed the connection")
                                                          : std::string(std::strerror(saved)));
      if (saved == 0 && detail == "the peer closed the connection") return {io_state::closed, 0, detail};
      return {io_state::failed, 0, std::string(what) + ": " + detail};
    }
    default: {
      std::string detail = drain_openssl_errors();
      long verify = SSL_get_verify_result(ssl_);
      if (verify != X509_V_OK) {
        detail = std::string("client certificate rejected: ") + X509_verify_cert_error_string(verify) + " (" +
                 detail + ")";
      }
      return {io_state::failed, 0, std::string(what) + ": " + detail};
    }
  }
}

io_result tls_session::handshake() {
  ERR_clear_error();
  int ret = SSL_do_handshake(ssl_);
  if (ret == 1) return {io_state::done, 0, {}};
  return outcome(ret, "TLS handshake failed");
}

io_result tls_session::read(void* buffer, size_t size) {
  ERR_clear_error();
  size_t n = 0;
  int ret = SSL_read_ex(ssl_, buffer, size, &n);
  if (ret == 1) return {io_state::done, n, {}};
  return outcome(ret, "TLS read failed");
}

io_result tls_session::write(const void* buffer, size_t size) {
  ERR_clear_error();
  size_t n = 0;
  int ret = SSL_write_ex(ssl_, buffer, size, &n);
  if (ret == 1) return {io_state::done, n, {}};
  return outcome(ret, "TLS write failed");
}

io_result tls_session::sendfile(int file, off_t offset, size_t size) {
  ERR_clear_error();
  ossl_ssize_t n = SSL_sendfile(ssl_, file, offset, size, 0);
  if (n >= 0) return {io_state::done, static_cast<size_t>(n), {}};
  if (errno == EAGAIN || errno == EWOULDBLOCK) return {io_state::want_write, 0, {}};
  return {io_state::failed, 0, std::string("TLS sendfile failed: ") + std::strerror(errno)};
}

size_t tls_session::buffered() const { return static_cast<size_t>(SSL_pending(ssl_)); }

bool tls_session::ktls_send() const { return BIO_get_ktls_send(SSL_get_wbio(ssl_)) != 0; }

std::string tls_session::describe() const {
  const char* cipher = SSL_get_cipher_name(ssl_);
  return std::string(SSL_get_version(ssl_)) + " " + (cipher ? cipher : "?");
}

std::string tls_session::peer_subject() const {
  X509* cert = SSL_get0_peer_certificate(ssl_);
  return cert ? rfc2253_subject(cert) : std::string();
}

result<principal> tls_session::peer_principal() const {
  if (context_->auth() == client_auth::none) return principal::anonymous();
  X509* cert = SSL_get0_peer_certificate(ssl_);
  if (!cert) return principal::anonymous();
  auto name = context_->mapper().map(rfc2253_subject(cert));
  if (!name) return name.err();
  return principal::user(std::move(*name));
}

}  // namespace samsa::security::tls
