// Certificates for learning and tests (`samsa certs create`): a local CA,
// then server and client certificates it signs, as PEM text. ECDSA P-256
// keys (fast handshakes), SHA-256 signatures, random 128-bit serials.
// Not a CA for production: no revocation, no key protection.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace samsa::security::tls {

struct pem_pair {
  std::string certificate;  // PEM
  std::string key;          // PEM, PKCS#8, unencrypted
};

struct certificate_request {
  std::string common_name;
  std::string organization = "Samsa local CA";
  std::vector<std::string> dns_names;  // subjectAltName DNS entries (servers)
  std::vector<std::string> ip_addresses;  // subjectAltName IP entries (servers)
  bool server = false;  // extendedKeyUsage serverAuth (else clientAuth)
  int valid_days = 825;
};

result<pem_pair> make_certificate_authority(const std::string& common_name, int valid_days);
result<pem_pair> issue_certificate(const pem_pair& authority, const certificate_request& request);

}  // namespace samsa::security::tls
