// SASL/PLAIN (RFC 4616) on the server: "[authzid] NUL authcid NUL passwd".
// Users come from the listener's JAAS config (user_<name>="password") and,
// for users not there, from the SCRAM credentials in the metadata log (the
// password is checked by deriving StoredKey with the stored salt). As in
// Kafka, the RFC's 255-byte field limit is not enforced (some deployments
// send tokens as passwords); the whole message is bounded instead.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/result.h"
#include "security/sasl/mechanism.h"
#include "security/sasl/scram.h"

namespace samsa::sasl {

struct plain_message {
  std::string authzid;   // empty when not given
  std::string user;
  std::string password;
};

constexpr size_t plain_max_message = 65536;

result<plain_message> parse_plain_message(std::string_view message);

struct plain_options {
  std::map<std::string, std::string> users;  // from the JAAS config
  scram_lookup scram;                        // optional: metadata-log users
  int64_t max_reauth_ms = 0;
  clock_fn now;
};

std::unique_ptr<server_mechanism> make_plain_server(plain_options options);

}  // namespace samsa::sasl
