// SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677) on the server: the
// credential form kept in the metadata log (salt, StoredKey, ServerKey,
// iterations; never the password), the client messages' parsers, and the
// exchange itself. Channel binding (-PLUS) and SCRAM extensions are not
// offered: Samsa has no delegation tokens, so even Kafka's one extension
// (tokenauth) is refused.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "security/sasl/mechanism.h"

namespace samsa::sasl {

// Kafka's numbers for the mechanisms on the wire (DescribeUserScramCredentials).
enum class scram_mechanism : int8_t { sha256 = 1, sha512 = 2 };

// Kafka's bounds for stored credentials; the same for both mechanisms.
constexpr int32_t scram_min_iterations = 4096;
constexpr int32_t scram_max_iterations = 16384;

std::optional<scram_mechanism> scram_mechanism_from_name(std::string_view name);  // "SCRAM-SHA-256"
std::optional<scram_mechanism> scram_mechanism_from_wire(int8_t value);
std::string scram_mechanism_name(scram_mechanism m);
hash_kind scram_hash(scram_mechanism m);

struct scram_credential {
  bytes salt;
  bytes stored_key;   // H(HMAC(SaltedPassword, "Client Key"))
  bytes server_key;   // HMAC(SaltedPassword, "Server Key")
  int32_t iterations = 0;
  bool operator==(const scram_credential&) const = default;
};

// Hi(password, salt, iterations): what a client (samsa user create) computes.
bytes scram_salted_password(scram_mechanism m, std::string_view password, const bytes& salt, int32_t iterations);
// What the broker stores, from the salted password AlterUserScramCredentials carries.
scram_credential scram_credential_from_salted(scram_mechanism m, const bytes& salted_password, const bytes& salt,
                                              int32_t iterations);

// Looks up a user's stored credential for one mechanism.
using scram_lookup = std::function<std::optional<scram_credential>(const std::string& user, scram_mechanism)>;

struct scram_client_first {
  std::string gs2_header;             // "n,," or "y,,", with "a=..." if given
  std::optional<std::string> authzid;  // decoded
  std::string user;                   // decoded saslname
  std::string nonce;
  std::vector<std::pair<std::string, std::string>> extensions;
  std::string bare;                   // client-first-message-bare, for AuthMessage
};

struct scram_client_final {
  bytes channel_binding;  // decoded c=
  std::string nonce;
  std::vector<std::pair<std::string, std::string>> extensions;
  bytes proof;            // decoded p=
  std::string without_proof;
};

// Largest SCRAM client message accepted; real ones are a few hundred bytes.
constexpr size_t scram_max_message = 8192;

result<scram_client_first> parse_scram_client_first(std::string_view message);
result<scram_client_final> parse_scram_client_final(std::string_view message);

struct scram_options {
  scram_mechanism mechanism = scram_mechanism::sha256;
  scram_lookup lookup;
  int64_t max_reauth_ms = 0;   // connections.max.reauth.ms
  clock_fn now;                // defaults to the system clock
  // The server's part of the nonce; random (24 bytes, base64) unless a
  // test fixes it to replay the RFC's example exchange.
  std::function<std::string()> server_nonce;
};

std::unique_ptr<server_mechanism> make_scram_server(scram_options options);

}  // namespace samsa::sasl
