// The one client configuration that the admin, producer, consumer, examples
// and CLI all share: librdkafka properties plus where each value came from.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace samsa::client {

inline constexpr const char* default_bootstrap_servers = "127.0.0.1:9092";

// Where a setting came from, so validation errors can point at the culprit.
struct config_value {
  std::string value;
  std::string origin;  // "default", "file client.properties:3", "env SAMSA_BOOTSTRAP_SERVERS", "flag --bootstrap"
};

// Looks up an environment variable; nullptr when unset. Tests pass a fake.
using env_lookup = std::function<const char*(const char*)>;

// Settings given on a command line. Empty fields mean "not given".
struct client_flags {
  std::optional<std::string> bootstrap_servers;  // --bootstrap
  std::optional<std::string> client_id;          // --client-id
  std::optional<std::string> config_file;        // --client-config FILE
  std::vector<std::string> properties;           // -X key=value (any librdkafka property)
};

class client_config {
 public:
  // Starts with bootstrap.servers=127.0.0.1:9092 and client.id=samsa.
  client_config();

  // Sets any librdkafka property. Keys are checked by validate().
  void set(const std::string& key, std::string value, std::string origin = "code");
  // Parses "key=value"; fails on a missing '=' or an empty key.
  [[nodiscard]] status set_pair(std::string_view pair, std::string origin);
  void erase(const std::string& key) { values_.erase(key); }

  std::optional<std::string> get(const std::string& key) const;
  std::string bootstrap_servers() const;
  const std::map<std::string, config_value>& values() const { return values_; }

  // Java-style properties: "key=value" or "key: value" lines, '#' or '!' comments.
  [[nodiscard]] status load_properties(std::string_view text, const std::string& origin);
  [[nodiscard]] status load_file(const std::string& path);
  // SAMSA_BOOTSTRAP_SERVERS, SAMSA_CLIENT_ID, SAMSA_SECURITY_PROTOCOL, SAMSA_SASL_MECHANISM,
  // SAMSA_SASL_USERNAME, SAMSA_SASL_PASSWORD, SAMSA_SSL_CA_LOCATION, and
  // SAMSA_KAFKA_<NAME> for any property (SAMSA_KAFKA_SOCKET_TIMEOUT_MS -> socket.timeout.ms).
  [[nodiscard]] status load_environment(const env_lookup& lookup);
  [[nodiscard]] status apply_flags(const client_flags& flags);

  // Checks bootstrap addresses, security settings and that librdkafka accepts
  // every property. The message names the property, its origin and a fix.
  [[nodiscard]] status validate() const;

 private:
  std::map<std::string, config_value> values_;
};

// Builds the configuration the usual way: defaults, then the properties file
// (flags.config_file or SAMSA_CLIENT_CONFIG), then the environment, then flags;
// then validates. The first failure is returned.
[[nodiscard]] result<client_config> load_client_config(const client_flags& flags, const env_lookup& lookup);
// Same, reading the process environment.
[[nodiscard]] result<client_config> load_client_config(const client_flags& flags);

// Names of the environment variables understood above, for --help texts.
const std::vector<std::string>& client_environment_variables();

}  // namespace samsa::client
