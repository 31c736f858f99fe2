// One TLS connection over a non-blocking socket, driven by the caller's
// event loop: every call either makes progress or says which readiness it
// waits for (want_read / want_write), so no thread ever blocks on a slow or
// silent peer. OpenSSL reads and writes the descriptor itself (a socket
// BIO), which is what lets kernel TLS take over record encryption and
// sendfile() when the kernel offers it.
// Not thread-safe: the connection's network thread makes every call.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>

#include "base/result.h"
#include "security/principal.h"
#include "security/tls/tls_context.h"

typedef struct ssl_st SSL;

namespace samsa::security::tls {

enum class io_state { done, want_read, want_write, closed, failed };

struct io_result {
  io_state state = io_state::done;
  size_t bytes = 0;
  std::string error;  // for failed: what OpenSSL or the verification said
};

class tls_session {
 public:
  tls_session(std::shared_ptr<const tls_context> context, int fd);
  ~tls_session();
  tls_session(const tls_session&) = delete;
  tls_session& operator=(const tls_session&) = delete;

  bool valid() const { return ssl_ != nullptr; }
  io_result handshake();
  io_result read(void* buffer, size_t size);
  io_result write(const void* buffer, size_t size);
  // Only once kernel TLS sends (ktls_send()): the kernel encrypts file pages.
  io_result sendfile(int file, off_t offset, size_t size);

  // Decrypted bytes OpenSSL holds that the socket will not signal.
  size_t buffered() const;
  bool ktls_send() const;
  // After the handshake: "TLSv1.3 TLS_AES_256_GCM_SHA384".
  std::string describe() const;
  // After the handshake: the client certificate's subject mapped through
  // ssl.principal.mapping.rules, or ANONYMOUS without a certificate (or on a
  // listener with ssl.client.auth=none, as Kafka). Fails when no rule applies.
  result<principal> peer_principal() const;
  // The certificate's raw subject, "" without one (for logs).
  std::string peer_subject() const;

 private:
  io_result outcome(int ret, const char* what);
  std::shared_ptr<const tls_context> context_;
  SSL* ssl_ = nullptr;
};

}  // namespace samsa::security::tls
