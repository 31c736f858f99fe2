#include "acl_tls_tunnel.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include "wire_client.h"

namespace samsa::wire_test {

namespace {

std::string openssl_error(const std::string& what) {
  char buf[256] = {};
  ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
  return what + ": " + buf;
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace

tls_tunnel::tls_tunnel(uint16_t broker_port, const std::string& ca_pem, const std::string& cert_pem,
                       const std::string& key_pem)
    : broker_port_(broker_port) {
  ::signal(SIGPIPE, SIG_IGN);  // OpenSSL writes to a socket the broker may have closed
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (!ctx_) throw std::runtime_error(openssl_error("SSL_CTX_new"));
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  if (SSL_CTX_load_verify_locations(ctx_, ca_pem.c_str(), nullptr) != 1 ||
      SSL_CTX_use_certificate_chain_file(ctx_, cert_pem.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx_, key_pem.c_str(), SSL_FILETYPE_PEM) != 1) {
    std::string error = openssl_error("loading " + cert_pem);
    SSL_CTX_free(ctx_);
    throw std::runtime_error(error);
  }
  // The broker's chain is checked against the CA; its name is not (it is
  // reached as 127.0.0.1 through whatever the certificate says).
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);

  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 16) != 0 || ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (listen_fd_ >= 0) ::close(listen_fd_);
    SSL_CTX_free(ctx_);
    throw std::runtime_error("tls_tunnel: cannot listen on loopback");
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

tls_tunnel::~tls_tunnel() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
  acceptor_.join();
  ::close(listen_fd_);
  std::vector<std::thread> carriers;
  {
    std::lock_guard lock(mu_);
    carriers.swap(carriers_);
  }
  for (auto& t : carriers) t.join();
  SSL_CTX_free(ctx_);
}

void tls_tunnel::accept_loop() {
  while (!stopping_) {
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;
    }
    std::lock_guard lock(mu_);
    carriers_.emplace_back([this, fd] { carry(fd); });
  }
}

// Carries bytes both ways until either side closes. Both sockets are
// non-blocking after the handshake, so a TLS record that arrives in pieces
// never stalls the other direction.
void tls_tunnel::carry(int plain_fd) {
  int tls_fd = -1;
  try {
    tls_fd = connect_loopback(broker_port_);
  } catch (const std::exception&) {
    ::close(plain_fd);
    return;
  }
  SSL* ssl = SSL_new(ctx_);
  SSL_set_fd(ssl, tls_fd);
  SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (SSL_connect(ssl) != 1) {
    SSL_free(ssl);
    ::close(tls_fd);
    ::close(plain_fd);
    return;
  }
  set_nonblocking(plain_fd);
  set_nonblocking(tls_fd);
  std::vector<uint8_t> to_tls, to_plain;
  uint8_t buf[16384];
  bool open = true;
  bool broker_closed = false;
  while (open && !stopping_) {
    pollfd fds[2] = {{plain_fd, static_cast<short>(to_tls.empty() ? POLLIN : 0), 0},
                     {tls_fd, static_cast<short>(POLLIN | (to_tls.empty() ? 0 : POLLOUT)), 0}};
    if (!to_plain.empty()) fds[0].events |= POLLOUT;
    ::poll(fds, 2, 100);  // the timeout only lets the destructor stop an idle carrier
    if (to_tls.empty()) {
      ssize_t n = ::read(plain_fd, buf, sizeof buf);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) break;  // the client went away
      if (n > 0) to_tls.assign(buf, buf + n);
    }
    if (!to_tls.empty()) {
      int n = SSL_write(ssl, to_tls.data(), static_cast<int>(to_tls.size()));
      if (n > 0) {
        to_tls.erase(to_tls.begin(), to_tls.begin() + n);
      } else {
        int e = SSL_get_error(ssl, n);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) break;
      }
    }
    while (!broker_closed) {
      int n = SSL_read(ssl, buf, sizeof buf);
      if (n > 0) {
        to_plain.insert(to_plain.end(), buf, buf + n);
        continue;
      }
      int e = SSL_get_error(ssl, n);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) broker_closed = true;
      break;
    }
    while (!to_plain.empty()) {
      ssize_t n = ::send(plain_fd, to_plain.data(), to_plain.size(), MSG_NOSIGNAL);
      if (n > 0) {
        to_plain.erase(to_plain.begin(), to_plain.begin() + n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
      open = false;
      break;
    }
    // The broker closed: pass that on once everything it said is delivered.
    if (broker_closed && to_plain.empty()) open = false;
  }
  SSL_shutdown(ssl);
  SSL_free(ssl);
  ::close(tls_fd);
  ::close(plain_fd);
}

}  // namespace samsa::wire_test
