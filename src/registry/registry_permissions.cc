#include "registry/registry_permissions.h"

#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "registry/rest_paths.h"

namespace samsa::registry {

namespace {

using acl::operation;
using acl::resource_type;

constexpr std::string_view key_suffix = "-key";
constexpr std::string_view value_suffix = "-value";

bool strip(std::string_view& s, std::string_view suffix) {
  if (s.size() <= suffix.size() || s.substr(s.size() - suffix.size()) != suffix) return false;
  s.remove_suffix(suffix.size());
  return true;
}

std::string_view action_name(subject_action a) {
  switch (a) {
    case subject_action::read:
      return "read";
    case subject_action::write:
      return "register a schema under";
    case subject_action::remove:
      return "delete";
    case subject_action::read_config:
      return "read the config or mode of";
    case subject_action::alter_config:
      return "change the config or mode of";
  }
  return "use";
}

operation topic_operation(subject_action a) {
  switch (a) {
    case subject_action::read:
      return operation::describe;
    case subject_action::write:
      return operation::write;
    case subject_action::remove:
      return operation::remove;
    case subject_action::read_config:
      return operation::describe_configs;
    case subject_action::alter_config:
      return operation::alter_configs;
  }
  return operation::all;
}

// The registry-wide grant: READ on the registry's topic for reads, WRITE for changes.
http::resolved_check registry_wide(subject_action a, const std::string& schemas_topic) {
  bool reads = a == subject_action::read || a == subject_action::read_config;
  return {resource_type::topic, reads ? operation::read : operation::write, schemas_topic};
}

std::optional<int32_t> id_of(const std::string& text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 1 || v > std::numeric_limits<int32_t>::max())
    return std::nullopt;
  return static_cast<int32_t>(v);
}

access_need open_to_authenticated() { return access_need{true, {}, "use the registry"}; }
access_need undefined() { return access_need{false, {}, "use this endpoint"}; }

// /config/<rest> and /mode/<rest>: the rest is the subject, empty for the global setting.
access_need settings_need(const http::request& req, const std::string& subject, const std::string& schemas_topic) {
  subject_action a;
  if (req.method == "GET") a = subject_action::read_config;
  else if (req.method == "PUT" || req.method == "DELETE") a = subject_action::alter_config;
  else return undefined();
  return subject.empty() ? global_need(a, schemas_topic) : subject_need(a, subject, schemas_topic);
}

}  // namespace

std::string subject_topic(std::string_view subject) {
  std::string_view s = subject;
  if (strip(s, value_suffix) || strip(s, key_suffix)) return std::string(s);
  return std::string(subject);
}

access_need subject_need(subject_action action, const std::string& subject, const std::string& schemas_topic) {
  access_need n;
  n.any_of.push_back({resource_type::topic, topic_operation(action), subject_topic(subject)});
  n.any_of.push_back(registry_wide(action, schemas_topic));
  n.what = std::string(action_name(action)) + " subject " + subject;
  return n;
}

access_need global_need(subject_action action, const std::string& schemas_topic) {
  access_need n;
  n.any_of.push_back({resource_type::cluster, topic_operation(action), http::cluster_resource_name});
  n.any_of.push_back(registry_wide(action, schemas_topic));
  n.what = std::string(action_name(action)) + " the registry (global)";
  return n;
}

access_need need_of(const http::request& req, const std::string& schemas_topic,
                    const std::function<std::vector<std::string>(int32_t)>& subjects_of_id) {
  const std::string& p = req.path;
  const std::string& m = req.method;
  if (p == "/") return m == "GET" ? open_to_authenticated() : undefined();
  if (auto rest = path_under(p, "/subjects")) {
    subject_path sp = parse_subject_path(*rest);
    switch (sp.what) {
      case subject_path::shape::list:
        // Filtered to the subjects the principal may read (registry_service).
        return m == "GET" ? open_to_authenticated() : undefined();
      case subject_path::shape::versions:
        if (m == "GET") return subject_need(subject_action::read, sp.subject, schemas_topic);
        if (m == "POST") return subject_need(subject_action::write, sp.subject, schemas_topic);
        return undefined();
      case subject_path::shape::version:
        if (m == "GET") return subject_need(subject_action::read, sp.subject, schemas_topic);
        if (m == "DELETE" && sp.leaf.empty()) return subject_need(subject_action::remove, sp.subject, schemas_topic);
        return undefined();
      case subject_path::shape::subject:
        if (m == "POST") return subject_need(subject_action::read, sp.subject, schemas_topic);  // lookup
        if (m == "DELETE") return subject_need(subject_action::remove, sp.subject, schemas_topic);
        return undefined();
    }
    return undefined();
  }
  if (auto rest = path_under(p, "/schemas")) {
    if (m != "GET") return undefined();
    auto parts = split_slash(*rest);
    if (parts.size() == 1 && parts[0] == "types") return open_to_authenticated();
    if (parts.size() >= 2 && parts.size() <= 3 && parts[0] == "ids") {
      std::string leaf = parts.size() == 3 ? parts[2] : "";
      if (!leaf.empty() && leaf != "schema" && leaf != "versions" && leaf != "subjects") return undefined();
      auto id = id_of(parts[1]);
      // No such id: the registry answers 40403 to anyone authenticated.
      if (!id) return open_to_authenticated();
      std::vector<std::string> users = subjects_of_id(*id);
      if (users.empty()) return open_to_authenticated();
      // Readable when one subject using it is (a consumer needs the writer's
      // schema of any topic it may read).
      access_need n;
      for (const auto& s : users)
        n.any_of.push_back({resource_type::topic, operation::describe, subject_topic(s)});
      n.any_of.push_back(registry_wide(subject_action::read, schemas_topic));
      n.what = "read schema " + parts[1];
      return n;
    }
    return undefined();
  }
  if (auto rest = path_under(p, "/config")) return settings_need(req, *rest, schemas_topic);
  if (auto rest = path_under(p, "/mode")) return settings_need(req, *rest, schemas_topic);
  if (auto rest = path_under(p, "/compatibility")) {
    auto cp = parse_compatibility_path(*rest);
    if (m != "POST" || !cp) return undefined();
    // A check changes nothing and tells no more than reading the versions does.
    return subject_need(subject_action::read, cp->subject, schemas_topic);
  }
  return undefined();
}

http::response registry_error_body(int status, std::string message) {
  int code = status == 401 ? 40101 : status == 403 ? 40301 : status;
  http::response r;
  r.status = status;
  r.content_type = "application/vnd.schemaregistry.v1+json";
  r.body = nlohmann::json{{"error_code", code}, {"message", std::move(message)}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

}  // namespace samsa::registry
