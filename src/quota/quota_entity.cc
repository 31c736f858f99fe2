#include "quota/quota_entity.h"

#include <cmath>

namespace samsa::quota {

namespace {
std::string part_string(const entity_part& p) {
  return p.k == entity_part::kind::default_entity ? std::string("<default>") : p.name;
}
}  // namespace

std::string entity::to_string() const {
  std::string out;
  if (user.present()) out += "/users/" + part_string(user);
  if (client_id.present()) out += "/clients/" + part_string(client_id);
  return out.empty() ? "/" : out;
}

std::vector<entity> precedence(const std::string& user, const std::string& client_id) {
  auto u = entity_part::named_(user);
  auto c = entity_part::named_(client_id);
  auto d = entity_part::default_();
  auto none = entity_part::absent();
  return {
      {u, c}, {u, d}, {u, none}, {d, c}, {d, d}, {d, none}, {none, c}, {none, d},
  };
}

std::optional<quota_key> parse_quota_key(const std::string& name) {
  for (size_t i = 0; i < std::size(quota_key_names); ++i)
    if (name == quota_key_names[i]) return static_cast<quota_key>(i);
  return std::nullopt;
}

std::string check_quota_value(const std::string& key, double value) {
  auto k = parse_quota_key(key);
  if (!k) {
    if (key == "controller_mutation_rate" || key == "connection_creation_rate")
      return "quota key '" + key + "' is not supported by Samsa";
    return "unknown quota key '" + key + "'";
  }
  if (!std::isfinite(value) || value <= 0) return "quota " + key + " must be a positive number";
  if (*k != quota_key::request_percentage && value != std::floor(value))
    return "quota " + key + " must be a whole number of bytes per second";
  if (*k != quota_key::request_percentage && value > 9.2e18) return "quota " + key + " is out of range";
  return {};
}

}  // namespace samsa::quota
