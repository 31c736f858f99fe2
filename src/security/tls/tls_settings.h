// The TLS settings of one listener, by Kafka's property names (ssl.*, with
// KIP-651's PEM forms), already resolved for that listener: the broker looks
// up `listener.name.<name>.ssl.x` first, then `ssl.x` (broker_config).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace samsa::security::tls {

enum class client_auth { none, requested, required };

struct tls_settings {
  std::string listener;  // for messages: "listener SSL: ..."
  // Keystore: the broker's certificate chain and private key.
  std::string keystore_type;  // PEM, PKCS12 (JKS is refused); empty = from the file's contents
  std::string keystore_location;
  std::string keystore_password;
  std::string key_password;
  std::string keystore_certificate_chain;  // KIP-651: PEM text in the setting itself
  std::string keystore_key;
  // Truststore: the CAs a client certificate must chain to.
  std::string truststore_type;
  std::string truststore_location;
  std::string truststore_password;
  std::string truststore_certificates;  // PEM text
  client_auth auth = client_auth::none;
  bool tls12 = true;
  bool tls13 = true;
  // Java/IANA names ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"); empty = OpenSSL's defaults.
  std::vector<std::string> cipher_suites;
  std::string principal_mapping_rules = "DEFAULT";
};

// Every ssl.* key this parser reads (without the listener prefix).
const std::vector<std::string>& tls_setting_keys();

// `lookup("ssl.keystore.location")` returns the value for this listener, if set.
using setting_lookup = std::function<std::optional<std::string>(const std::string& key)>;

// Parses and checks what can be checked without reading files (values,
// combinations); tls_context loads the files.
result<tls_settings> parse_tls_settings(const std::string& listener, const setting_lookup& lookup);

}  // namespace samsa::security::tls
