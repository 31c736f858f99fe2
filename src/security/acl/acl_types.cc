#include "security/acl/acl_types.h"

#include <array>
#include <cctype>
#include <string>
#include <utility>

namespace samsa::acl {
namespace {

template <typename Enum, size_t N>
std::optional<Enum> parse_from(const std::array<std::pair<Enum, std::string_view>, N>& names, std::string_view text) {
  // Compare ignoring case and underscores, so CamelCase and SNAKE_CASE both work.
  auto squash = [](std::string_view s) {
    std::string out;
    for (char c : s)
      if (c != '_' && c != '-') out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    return out;
  };
  std::string wanted = squash(text);
  if (wanted.empty()) return std::nullopt;
  for (const auto& [value, spelled] : names)
    if (squash(spelled) == wanted) return value;
  return std::nullopt;
}

template <typename Enum, size_t N>
std::string_view name_from(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum v) {
  for (const auto& [value, spelled] : names)
    if (value == v) return spelled;
  return "UNKNOWN";
}

constexpr std::array<std::pair<resource_type, std::string_view>, 8> resource_names{{
    {resource_type::unknown, "UNKNOWN"},
    {resource_type::any, "ANY"},
    {resource_type::topic, "TOPIC"},
    {resource_type::group, "GROUP"},
    {resource_type::cluster, "CLUSTER"},
    {resource_type::transactional_id, "TRANSACTIONAL_ID"},
    {resource_type::delegation_token, "DELEGATION_TOKEN"},
    {resource_type::user, "USER"},
}};

constexpr std::array<std::pair<pattern_type, std::string_view>, 5> pattern_names{{
    {pattern_type::unknown, "UNKNOWN"},
    {pattern_type::any, "ANY"},
    {pattern_type::match, "MATCH"},
    {pattern_type::literal, "LITERAL"},
    {pattern_type::prefixed, "PREFIXED"},
}};

constexpr std::array<std::pair<operation, std::string_view>, 15> operation_names{{
    {operation::unknown, "UNKNOWN"},
    {operation::any, "ANY"},
    {operation::all, "ALL"},
    {operation::read, "READ"},
    {operation::write, "WRITE"},
    {operation::create, "CREATE"},
    {operation::remove, "DELETE"},
    {operation::alter, "ALTER"},
    {operation::describe, "DESCRIBE"},
    {operation::cluster_action, "CLUSTER_ACTION"},
    {operation::describe_configs, "DESCRIBE_CONFIGS"},
    {operation::alter_configs, "ALTER_CONFIGS"},
    {operation::idempotent_write, "IDEMPOTENT_WRITE"},
    {operation::create_tokens, "CREATE_TOKENS"},
    {operation::describe_tokens, "DESCRIBE_TOKENS"},
}};

constexpr std::array<std::pair<permission, std::string_view>, 4> permission_names{{
    {permission::unknown, "UNKNOWN"},
    {permission::any, "ANY"},
    {permission::deny, "DENY"},
    {permission::allow, "ALLOW"},
}};

}  // namespace

resource_type resource_type_from_code(int8_t c) {
  return c >= 0 && c <= 7 ? static_cast<resource_type>(c) : resource_type::unknown;
}
pattern_type pattern_type_from_code(int8_t c) {
  return c >= 0 && c <= 4 ? static_cast<pattern_type>(c) : pattern_type::unknown;
}
operation operation_from_code(int8_t c) { return c >= 0 && c <= 14 ? static_cast<operation>(c) : operation::unknown; }
permission permission_from_code(int8_t c) {
  return c >= 0 && c <= 3 ? static_cast<permission>(c) : permission::unknown;
}

std::string_view name(resource_type v) { return name_from(resource_names, v); }
std::string_view name(pattern_type v) { return name_from(pattern_names, v); }
std::string_view name(operation v) { return name_from(operation_names, v); }
std::string_view name(permission v) { return name_from(permission_names, v); }

std::optional<resource_type> parse_resource_type(std::string_view text) { return parse_from(resource_names, text); }
std::optional<pattern_type> parse_pattern_type(std::string_view text) { return parse_from(pattern_names, text); }
std::optional<operation> parse_operation(std::string_view text) { return parse_from(operation_names, text); }
std::optional<permission> parse_permission(std::string_view text) { return parse_from(permission_names, text); }

int32_t supported_operations(resource_type type) {
  using enum operation;
  switch (type) {
    case resource_type::topic:
      return bit(read) | bit(write) | bit(create) | bit(describe) | bit(remove) | bit(alter) |
             bit(describe_configs) | bit(alter_configs);
    case resource_type::group:
      return bit(read) | bit(describe) | bit(remove);
    case resource_type::cluster:
      return bit(create) | bit(cluster_action) | bit(describe_configs) | bit(alter_configs) |
             bit(idempotent_write) | bit(alter) | bit(describe);
    case resource_type::transactional_id:
      return bit(describe) | bit(write);
    case resource_type::delegation_token:
      return bit(describe);
    case resource_type::user:
      return bit(create_tokens) | bit(describe_tokens);
    default:
      return 0;
  }
}

}  // namespace samsa::acl
