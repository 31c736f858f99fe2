#include "security/tls/tls_settings.h"

#include <algorithm>
#include <cctype>

namespace samsa::security::tls {

namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    item.erase(0, item.find_first_not_of(" \t\r\n"));
    item.erase(item.find_last_not_of(" \t\r\n") + 1);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

}  // namespace

const std::vector<std::string>& tls_setting_keys() {
  static const std::vector<std::string> keys = {
      "ssl.keystore.type",       "ssl.keystore.location",      "ssl.keystore.password",
      "ssl.key.password",        "ssl.keystore.certificate.chain", "ssl.keystore.key",
      "ssl.truststore.type",     "ssl.truststore.location",    "ssl.truststore.password",
      "ssl.truststore.certificates", "ssl.client.auth",        "ssl.enabled.protocols",
      "ssl.protocol",            "ssl.cipher.suites",          "ssl.principal.mapping.rules",
      // Accepted for compatibility with Kafka's files; they configure Java
      // machinery that has no OpenSSL counterpart, or clients.
      "ssl.endpoint.identification.algorithm", "ssl.keymanager.algorithm", "ssl.trustmanager.algorithm",
      "ssl.secure.random.implementation", "ssl.provider", "ssl.engine.factory.class"};
  return keys;
}

result<tls_settings> parse_tls_settings(const std::string& listener, const setting_lookup& lookup) {
  tls_settings s;
  s.listener = listener;
  auto get = [&](const char* key) { return lookup(key).value_or(""); };
  auto bad = [&](const std::string& what) {
    return make_error(std::errc::invalid_argument, "listener " + listener + ": " + what);
  };
  s.keystore_type = upper(get("ssl.keystore.type"));
  s.keystore_location = get("ssl.keystore.location");
  s.keystore_password = get("ssl.keystore.password");
  s.key_password = get("ssl.key.password");
  s.keystore_certificate_chain = get("ssl.keystore.certificate.chain");
  s.keystore_key = get("ssl.keystore.key");
  s.truststore_type = upper(get("ssl.truststore.type"));
  s.truststore_location = get("ssl.truststore.location");
  s.truststore_password = get("ssl.truststore.password");
  s.truststore_certificates = get("ssl.truststore.certificates");
  if (auto rules = lookup("ssl.principal.mapping.rules")) s.principal_mapping_rules = *rules;

  for (const auto& type : {s.keystore_type, s.truststore_type}) {
    if (type == "JKS") {
      return bad("JKS keystores cannot be read (Samsa uses OpenSSL, not Java): convert the store with "
                 "`keytool -importkeystore -srckeystore <file>.jks -destkeystore <file>.p12 -deststoretype PKCS12` "
                 "and set ssl.keystore.type=PKCS12, or use PEM files (ssl.keystore.type=PEM)");
    }
    if (!type.empty() && type != "PEM" && type != "PKCS12") {
      return bad("keystore/truststore type '" + type + "' is not supported (PEM, PKCS12)");
    }
  }
  bool inline_pem = !s.keystore_certificate_chain.empty() || !s.keystore_key.empty();
  if (inline_pem) {
    if (s.keystore_certificate_chain.empty() || s.keystore_key.empty()) {
      return bad("ssl.keystore.certificate.chain and ssl.keystore.key must be given together");
    }
    if (!s.keystore_location.empty()) {
      return bad("set either ssl.keystore.location or ssl.keystore.certificate.chain/ssl.keystore.key, not both");
    }
    if (!s.keystore_type.empty() && s.keystore_type != "PEM") {
      return bad("ssl.keystore.certificate.chain needs ssl.keystore.type=PEM");
    }
    s.keystore_type = "PEM";
  } else if (s.keystore_location.empty()) {
    return bad("a TLS listener needs a certificate: set ssl.keystore.location (PEM or PKCS12) or "
               "ssl.keystore.certificate.chain and ssl.keystore.key (PEM text)");
  }
  if (!s.truststore_certificates.empty()) {
    if (!s.truststore_location.empty()) {
      return bad("set either ssl.truststore.location or ssl.truststore.certificates, not both");
    }
    if (!s.truststore_type.empty() && s.truststore_type != "PEM") {
      return bad("ssl.truststore.certificates needs ssl.truststore.type=PEM");
    }
    s.truststore_type = "PEM";
  }

  std::string auth = get("ssl.client.auth");
  if (auth.empty() || auth == "none") {
    s.auth = client_auth::none;
  } else if (auth == "requested") {
    s.auth = client_auth::requested;
  } else if (auth == "required") {
    s.auth = client_auth::required;
  } else {
    return bad("ssl.client.auth: '" + auth + "' is not required, requested or none");
  }
  bool has_truststore = !s.truststore_location.empty() || !s.truststore_certificates.empty();
  if (s.auth != client_auth::none && !has_truststore) {
    return bad("ssl.client.auth=" + auth +
               " needs a truststore holding the CA of client certificates (ssl.truststore.location or "
               "ssl.truststore.certificates)");
  }

  if (auto protocols = lookup("ssl.enabled.protocols")) {
    s.tls12 = s.tls13 = false;
    for (const auto& p : split_list(*protocols)) {
      if (p == "TLSv1.2") {
        s.tls12 = true;
      } else if (p == "TLSv1.3") {
        s.tls13 = true;
      } else {
        return bad("ssl.enabled.protocols: '" + p + "' is not supported; only TLSv1.2 and TLSv1.3 are");
      }
    }
    if (!s.tls12 && !s.tls13) return bad("ssl.enabled.protocols: no protocol given (TLSv1.2, TLSv1.3)");
  }
  if (auto protocol = lookup("ssl.protocol")) {
    // The protocol of Java's SSLContext; the enabled list is what counts.
    if (*protocol != "TLS" && *protocol != "TLSv1.2" && *protocol != "TLSv1.3") {
      return bad("ssl.protocol: '" + *protocol + "' is not supported (TLS, TLSv1.2, TLSv1.3)");
    }
  }
  if (auto suites = lookup("ssl.cipher.suites")) s.cipher_suites = split_list(*suites);
  return s;
}

}  // namespace samsa::security::tls
