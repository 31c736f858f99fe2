// Client-quota entities as Kafka models them (KIP-55): a user, a client id,
// or both, where either part may be the `<default>` entity. Pure: no I/O.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace samsa::quota {

// One part of an entity: absent, a name, or the default (`<default>`,
// sent as a null name on the wire).
struct entity_part {
  enum class kind : uint8_t { absent = 0, named = 1, default_entity = 2 };
  kind k = kind::absent;
  std::string name;  // only for kind::named

  static entity_part absent() { return {}; }
  static entity_part named_(std::string n) { return {kind::named, std::move(n)}; }
  static entity_part default_() { return {kind::default_entity, {}}; }
  bool present() const { return k != kind::absent; }
  auto operator<=>(const entity_part&) const = default;
};

struct entity {
  entity_part user;
  entity_part client_id;
  auto operator<=>(const entity&) const = default;
  // "/users/alice/clients/<default>", the form Kafka's docs use.
  std::string to_string() const;
};

inline constexpr const char* entity_type_user = "user";
inline constexpr const char* entity_type_client_id = "client-id";
inline constexpr const char* entity_type_ip = "ip";

// The entities whose quotas apply to a connection of (user, client id), most
// specific first, in KIP-55's order: /users/u/clients/c, /users/u/clients/<default>,
// /users/u, /users/<default>/clients/c, /users/<default>/clients/<default>,
// /users/<default>, /clients/c, /clients/<default>.
std::vector<entity> precedence(const std::string& user, const std::string& client_id);

// Quota keys Samsa knows and how their values are checked.
enum class quota_key : uint8_t { producer_byte_rate, consumer_byte_rate, request_percentage };
inline constexpr const char* quota_key_names[] = {"producer_byte_rate", "consumer_byte_rate", "request_percentage"};
std::optional<quota_key> parse_quota_key(const std::string& name);

// Why a key/value pair is refused, empty if it is fine (Kafka: the byte rates
// are whole numbers, every quota is positive). `controller_mutation_rate` and
// the ip entity's `connection_creation_rate` are Kafka keys Samsa does not
// enforce; they are refused with a message saying so.
std::string check_quota_value(const std::string& key, double value);

}  // namespace samsa::quota
