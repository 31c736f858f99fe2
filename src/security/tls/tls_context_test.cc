// The server context and sessions, driven in-process: a socketpair, a
// tls_session on one end and a plain OpenSSL client on the other, stepped in
// turn (both non-blocking) until the handshake ends.
#include "security/tls/tls_context.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "security/tls/cert_maker.h"
#include "security/tls/tls_session.h"

namespace samsa::security::tls {
namespace {

struct pki {
  pem_pair ca;
  pem_pair broker;
  pem_pair alice;
};

const pki& test_pki() {
  static const pki p = [] {
    pki out;
    out.ca = *make_certificate_authority("Test CA", 30);
    certificate_request server;
    server.common_name = "localhost";
    server.dns_names = {"localhost"};
    server.ip_addresses = {"127.0.0.1"};
    server.server = true;
    out.broker = *issue_certificate(out.ca, server);
    certificate_request client;
    client.common_name = "alice";
    client.organization = "Acme";
    out.alice = *issue_certificate(out.ca, client);
    return out;
  }();
  return p;
}

tls_settings pem_settings(client_auth auth = client_auth::none) {
  tls_settings s;
  s.listener = "SSL";
  s.keystore_type = "PEM";
  s.keystore_certificate_chain = test_pki().broker.certificate;
  s.keystore_key = test_pki().broker.key;
  if (auth != client_auth::none) s.truststore_certificates = test_pki().ca.certificate;
  s.auth = auth;
  return s;
}

X509* read_cert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return cert;
}
EVP_PKEY* read_key(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return key;
}

struct handshake_outcome {
  bool server_ok = false;
  std::string server_error;
  std::string version;
  std::optional<principal> who;
  std::string mapping_error;
};

// Runs one handshake. `client_cert` null = the client presents none.
handshake_outcome run_handshake(const std::shared_ptr<tls_context>& ctx, const pem_pair* client_cert,
                                int client_max_version = TLS1_3_VERSION) {
  int fds[2];
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  fcntl(fds[1], F_SETFL, O_NONBLOCK);
  SSL_CTX* cctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_max_proto_version(cctx, client_max_version);
  X509_STORE_add_cert(SSL_CTX_get_cert_store(cctx), read_cert(test_pki().ca.certificate));
  SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, nullptr);
  if (client_cert) {
    X509* c = read_cert(client_cert->certificate);
    EVP_PKEY* k = read_key(client_cert->key);
    SSL_CTX_use_certificate(cctx, c);
    SSL_CTX_use_PrivateKey(cctx, k);
    X509_free(c);
    EVP_PKEY_free(k);
  }
  SSL* client = SSL_new(cctx);
  SSL_set_fd(client, fds[1]);
  SSL_set_connect_state(client);
  handshake_outcome out;
  {
    tls_session server(ctx, fds[0]);
    bool server_done = false;
    bool client_done = false;
    for (int i = 0; i < 100 && !(server_done && client_done); ++i) {
      if (!server_done) {
        auto r = server.handshake();
        if (r.state == io_state::done) server_done = true;
        if (r.state == io_state::failed || r.state == io_state::closed) {
          out.server_error = r.error.empty() ? "closed" : r.error;
          break;
        }
      }
      if (!client_done) {
        int ret = SSL_do_handshake(client);
        if (ret == 1) client_done = true;
        int e = SSL_get_error(client, ret);
        if (ret != 1 && e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) client_done = true;
      }
    }
    // TLS 1.3 sends the client's certificate after the client finished: a
    // byte of application data makes the server read and judge it.
    if (server_done && out.server_error.empty()) {
      char byte = 'x';
      SSL_write(client, &byte, 1);
      char got = 0;
      for (int i = 0; i < 10; ++i) {
        auto r = server.read(&got, 1);
        if (r.state == io_state::done) break;
        if (r.state == io_state::failed || r.state == io_state::closed) {
          out.server_error = r.error.empty() ? "closed" : r.error;
          break;
        }
      }
    }
    out.server_ok = server_done && out.server_error.empty();
    if (out.server_ok) {
      out.version = server.describe();
      auto p = server.peer_principal();
      if (p) {
        out.who = *p;
      } else {
        out.mapping_error = p.err().message;
      }
    }
  }
  SSL_free(client);
  SSL_CTX_free(cctx);
  close(fds[0]);
  close(fds[1]);
  ERR_clear_error();
  return out;
}

TEST(TlsContext, PemTextHandshakeWithoutClientAuthIsAnonymous) {
  auto ctx = tls_context::create(pem_settings());
  ASSERT_TRUE(ctx) << ctx.err().message;
  EXPECT_EQ((*ctx)->certificate_subject(), "CN=localhost,O=Samsa local CA");
  auto out = run_handshake(*ctx, &test_pki().alice);
  ASSERT_TRUE(out.server_ok) << out.server_error;
  EXPECT_EQ(out.version.rfind("TLSv1.3", 0), 0u) << out.version;
  ASSERT_TRUE(out.who);
  EXPECT_TRUE(out.who->is_anonymous());
}

TEST(TlsContext, RequiredClientAuthGivesTheSubjectAsPrincipal) {
  auto ctx = tls_context::create(pem_settings(client_auth::required));
  ASSERT_TRUE(ctx) << ctx.err().message;
  auto out = run_handshake(*ctx, &test_pki().alice);
  ASSERT_TRUE(out.server_ok) << out.server_error;
  ASSERT_TRUE(out.who) << out.mapping_error;
  EXPECT_EQ(out.who->to_string(), "User:CN=alice,O=Acme");
}

TEST(TlsContext, MappingRulesApplyToTheSubject) {
  auto s = pem_settings(client_auth::requested);
  s.principal_mapping_rules = "RULE:^CN=([^,]*),O=Acme$/$1/U";
  auto ctx = tls_context::create(s);
  ASSERT_TRUE(ctx) << ctx.err().message;
  auto out = run_handshake(*ctx, &test_pki().alice);
  ASSERT_TRUE(out.who) << out.mapping_error << out.server_error;
  EXPECT_EQ(out.who->to_string(), "User:ALICE");
  // Requested, and no certificate: anonymous.
  auto none = run_handshake(*ctx, nullptr);
  ASSERT_TRUE(none.who) << none.server_error;
  EXPECT_TRUE(none.who->is_anonymous());
}

TEST(TlsContext, NoRuleMatchingRefusesThePrincipal) {
  auto s = pem_settings(client_auth::required);
  s.principal_mapping_rules = "RULE:^CN=([^,]*),O=Other$/$1/";
  auto ctx = tls_context::create(s);
  ASSERT_TRUE(ctx);
  auto out = run_handshake(*ctx, &test_pki().alice);
  EXPECT_FALSE(out.who);
  EXPECT_NE(out.mapping_error.find("CN=alice,O=Acme"), std::string::npos);
}

TEST(TlsContext, RequiredClientAuthRefusesMissingAndUntrustedCertificates) {
  auto ctx = tls_context::create(pem_settings(client_auth::required));
  ASSERT_TRUE(ctx);
  auto missing = run_handshake(*ctx, nullptr);
  EXPECT_FALSE(missing.server_ok);
  EXPECT_NE(missing.server_error.find("certificate"), std::string::npos) << missing.server_error;

  auto other_ca = *make_certificate_authority("Other CA", 30);
  certificate_request eve;
  eve.common_name = "eve";
  auto stranger = *issue_certificate(other_ca, eve);
  auto untrusted = run_handshake(*ctx, &stranger);
  EXPECT_FALSE(untrusted.server_ok);
  EXPECT_NE(untrusted.server_error.find("client certificate rejected"), std::string::npos) << untrusted.server_error;
}

TEST(TlsContext, ProtocolBounds) {
  auto s = pem_settings();
  s.tls13 = false;
  auto only12 = tls_context::create(s);
  ASSERT_TRUE(only12);
  auto out = run_handshake(*only12, nullptr);
  ASSERT_TRUE(out.server_ok) << out.server_error;
  EXPECT_EQ(out.version.rfind("TLSv1.2", 0), 0u) << out.version;

  s.tls12 = false;
  s.tls13 = true;
  auto only13 = tls_context::create(s);
  ASSERT_TRUE(only13);
  auto old_client = run_handshake(*only13, nullptr, TLS1_2_VERSION);
  EXPECT_FALSE(old_client.server_ok);
}

std::filesystem::path temp_file(const std::string& name, const std::string& bytes) {
  auto path = std::filesystem::temp_directory_path() / ("samsa-tls-test-" + std::to_string(getpid()) + "-" + name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string make_pkcs12(const pem_pair& pair, const char* password) {
  X509* cert = read_cert(pair.certificate);
  EVP_PKEY* key = read_key(pair.key);
  PKCS12* p12 = PKCS12_create(password, "broker", key, cert, nullptr, 0, 0, 0, 0, 0);
  unsigned char* der = nullptr;
  int n = i2d_PKCS12(p12, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  PKCS12_free(p12);
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

TEST(TlsContext, Pkcs12KeystoreWithPassword) {
  auto path = temp_file("ks.p12", make_pkcs12(test_pki().broker, "s3cret"));
  tls_settings s;
  s.listener = "SSL";
  s.keystore_type = "PKCS12";
  s.keystore_location = path.string();
  s.keystore_password = "s3cret";
  auto ctx = tls_context::create(s);
  ASSERT_TRUE(ctx) << ctx.err().message;
  EXPECT_TRUE(run_handshake(*ctx, nullptr).server_ok);
  // The type is found from the contents when not given.
  s.keystore_type.clear();
  EXPECT_TRUE(tls_context::create(s));
  s.keystore_password = "wrong";
  auto wrong = tls_context::create(s);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.err().message.find("password"), std::string::npos);
  std::filesystem::remove(path);
}

TEST(TlsContext, PemFileHoldingKeyAndChain) {
  auto path = temp_file("ks.pem", test_pki().broker.key + test_pki().broker.certificate + test_pki().ca.certificate);
  tls_settings s;
  s.listener = "SSL";
  s.keystore_location = path.string();
  auto ctx = tls_context::create(s);
  ASSERT_TRUE(ctx) << ctx.err().message;
  EXPECT_TRUE(run_handshake(*ctx, nullptr).server_ok);
  std::filesystem::remove(path);
}

TEST(TlsContext, JavaKeystoreFileIsRefusedByItsContents) {
  auto path = temp_file("ks.jks", std::string("\xFE\xED\xFE\xED\x00\x00\x00\x02", 8));
  tls_settings s;
  s.listener = "SSL";
  s.keystore_location = path.string();
  auto ctx = tls_context::create(s);
  ASSERT_FALSE(ctx);
  EXPECT_NE(ctx.err().message.find("JKS"), std::string::npos);
  std::filesystem::remove(path);
}

TEST(TlsContext, KeyThatDoesNotMatchTheCertificate) {
  auto s = pem_settings();
  s.keystore_key = test_pki().alice.key;
  auto ctx = tls_context::create(s);
  ASSERT_FALSE(ctx);
  EXPECT_NE(ctx.err().message.find("does not belong"), std::string::npos);
}

TEST(TlsContext, MissingFileNamesThePath) {
  tls_settings s;
  s.listener = "SSL";
  s.keystore_location = "/nonexistent/broker.pem";
  auto ctx = tls_context::create(s);
  ASSERT_FALSE(ctx);
  EXPECT_NE(ctx.err().message.find("/nonexistent/broker.pem"), std::string::npos);
}

TEST(TlsContext, JavaCipherSuiteNames) {
  auto s = pem_settings();
  s.cipher_suites = {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"};
  EXPECT_TRUE(tls_context::create(s));
  s.cipher_suites = {"TLS_NOT_A_SUITE"};
  EXPECT_FALSE(tls_context::create(s));
}

}  // namespace
}  // namespace samsa::security::tls
