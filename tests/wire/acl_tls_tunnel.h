// A local plaintext port whose connections are carried over mutual TLS to a
// broker's SSL listener, presenting one client certificate: a plaintext
// wire_client connected to it speaks as that certificate's principal. The
// ACL tests use it to be several principals at once without teaching the
// wire client TLS.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace samsa::wire_test {

class tls_tunnel {
 public:
  // PEM files: the CA that signed the broker's certificate, and the client's
  // certificate and key. Throws std::runtime_error when they do not load.
  tls_tunnel(uint16_t broker_port, const std::string& ca_pem, const std::string& cert_pem,
             const std::string& key_pem);
  ~tls_tunnel();
  tls_tunnel(const tls_tunnel&) = delete;
  tls_tunnel& operator=(const tls_tunnel&) = delete;

  // Where a wire_client connects.
  uint16_t port() const { return port_; }

 private:
  void accept_loop();
  void carry(int plain_fd);

  uint16_t broker_port_;
  SSL_CTX* ctx_ = nullptr;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;  // guards carriers_
  std::vector<std::thread> carriers_;
};

}  // namespace samsa::wire_test
