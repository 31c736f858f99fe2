#include "http/route_permissions.h"

#include <nlohmann/json.hpp>

#include "base/json_depth.h"
#include "base/kafka_error_codes.h"
#include "http/server.h"

namespace samsa::http {

namespace {

using acl::operation;
using acl::resource_type;
using kind = name_source::kind;

name_source segment(int i) { return {kind::path_segment, "", i, -1, false}; }
name_source body(std::string field, int fallback = -1) {
  return {kind::body_field, std::move(field), -1, fallback, false};
}
name_source optional_query(std::string key) { return {kind::query, std::move(key), -1, -1, true}; }
name_source query(std::string key) { return {kind::query, std::move(key), -1, -1, false}; }
name_source cluster() { return {kind::constant, cluster_resource_name, -1, -1, false}; }

permission_check topic(operation op, name_source n) { return {resource_type::topic, op, std::move(n)}; }
permission_check group(operation op, name_source n) { return {resource_type::group, op, std::move(n)}; }
permission_check on_cluster(operation op) { return {resource_type::cluster, op, cluster()}; }


// The table. Segment 3 of /api/v1/topics/T and /api/v1/groups/G is the name.
// Reads of records need READ, as a consumer's Fetch; writes need what the
// Kafka request the console sends on the principal's behalf needs (that
// request is checked again by its handler).
std::vector<route_permission> build_table() {
  const std::vector<std::string> topics = {"api", "v1", "topics"};
  const std::vector<std::string> groups = {"api", "v1", "groups"};
  auto under = [](std::vector<std::string> base, std::vector<std::string> more) {
    base.insert(base.end(), more.begin(), more.end());
    return base;
  };
  std::vector<route_permission> t;
  // The page itself (HTML, scripts, styles) holds no data: any authenticated principal.
  t.push_back({"GET", {}, {}, std::nullopt, listing::none, false});
  t.push_back({"GET", {"*"}, {}, std::nullopt, listing::none, false});
  // Every partition's figures and every group's state: the cluster's to describe.
  t.push_back({"GET", {"metrics"}, {on_cluster(operation::describe)}, std::nullopt, listing::none, false});
  t.push_back({"GET", {"api", "v1", "cluster"}, {on_cluster(operation::describe)}, std::nullopt, listing::none, false});
  t.push_back({"GET", topics, {}, std::nullopt, listing::topics, false});
  t.push_back({"POST", topics, {topic(operation::create, body("name"))}, on_cluster(operation::create), listing::none,
               false});
  t.push_back({"GET", under(topics, {"*"}), {topic(operation::describe, segment(3))}, std::nullopt, listing::none, false});
  t.push_back({"DELETE", under(topics, {"*"}), {topic(operation::remove, segment(3))}, std::nullopt, listing::none,
               false});
  t.push_back({"POST", under(topics, {"*", "messages"}), {topic(operation::write, segment(3))}, std::nullopt,
               listing::none, false});
  t.push_back({"POST", under(topics, {"*", "partitions"}), {topic(operation::alter, segment(3))}, std::nullopt,
               listing::none, false});
  t.push_back({"POST", under(topics, {"*", "configs"}), {topic(operation::alter_configs, segment(3))}, std::nullopt,
               listing::none, false});
  t.push_back({"GET", under(topics, {"*", "search"}), {topic(operation::read, segment(3))}, std::nullopt,
               listing::none, false});
  t.push_back({"GET", under(topics, {"*", "partitioner"}), {topic(operation::describe, segment(3))}, std::nullopt,
               listing::none, false});
  t.push_back({"GET", under(topics, {"*", "partitions", "*", "messages"}), {topic(operation::read, segment(3))},
               std::nullopt, listing::none, false});
  // Replay reads the record and produces it to the body's topic (default: the same one).
  t.push_back({"POST", under(topics, {"*", "partitions", "*", "messages", "*", "replay"}),
               {topic(operation::read, segment(3)), topic(operation::write, body("topic", 3))}, std::nullopt,
               listing::none, false});
  t.push_back({"GET", groups, {}, std::nullopt, listing::groups, false});
  t.push_back({"GET", under(groups, {"*"}), {group(operation::describe, segment(3))}, std::nullopt,
               listing::group_offsets, false});
  t.push_back({"GET", under(groups, {"*", "rebalances"}), {group(operation::describe, segment(3))}, std::nullopt,
               listing::none, false});
  t.push_back({"GET", under(groups, {"*", "lag-history"}), {group(operation::describe, segment(3))}, std::nullopt,
               listing::none, false});
  // Resetting offsets is an OffsetCommit: READ on the group and on the topic.
  t.push_back({"POST", under(groups, {"*", "offsets", "reset"}),
               {group(operation::read, segment(3)), topic(operation::read, body("topic"))}, std::nullopt,
               listing::none, false});
  // Live figures: of one topic (?topic=), or of every topic the principal may describe.
  t.push_back({"GET", {"api", "v1", "events"}, {topic(operation::describe, optional_query("topic"))}, std::nullopt,
               listing::topics, true});
  // The live tail reads the records of one topic (?topic=, required), like search.
  t.push_back({"GET", {"api", "v1", "tail"}, {topic(operation::read, query("topic"))}, std::nullopt, listing::none,
               true});
  return t;
}

bool matches(const route_permission& p, std::string_view method, const std::vector<std::string>& parts, bool stream) {
  if (p.method != method || p.stream != stream || p.segments.size() != parts.size()) return false;
  for (size_t i = 0; i < parts.size(); ++i)
    if (p.segments[i] != "*" && p.segments[i] != parts[i]) return false;
  return true;
}

}  // namespace

const std::vector<route_permission>& route_permission_table() {
  static const std::vector<route_permission> table = build_table();
  return table;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view part = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!part.empty()) parts.emplace_back(part);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

const route_permission* find_route_permission(std::string_view method, std::string_view path, bool stream) {
  return find_route_permission(route_permission_table(), method, path, stream);
}

const route_permission* find_route_permission(const std::vector<route_permission>& table, std::string_view method,
                                              std::string_view path, bool stream) {
  auto parts = split_path(path);
  // An exact segment beats "*" (GET /metrics is not an asset).
  const route_permission* best = nullptr;
  int best_exact = -1;
  for (const auto& p : table) {
    if (!matches(p, method, parts, stream)) continue;
    int exact = 0;
    for (const auto& s : p.segments) exact += s != "*";
    if (exact > best_exact) {
      best = &p;
      best_exact = exact;
    }
  }
  return best;
}

result<std::vector<resolved_check>> resolve_checks(const std::vector<permission_check>& checks, const request& req) {
  std::vector<resolved_check> out;
  auto parts = split_path(req.path);
  std::optional<nlohmann::json> body;
  for (const auto& c : checks) {
    const name_source& n = c.name;
    std::optional<std::string> name;
    switch (n.from) {
      case kind::constant:
        name = n.key;
        break;
      case kind::path_segment:
        if (n.segment >= 0 && static_cast<size_t>(n.segment) < parts.size()) name = parts[static_cast<size_t>(n.segment)];
        break;
      case kind::query:
        if (auto it = req.query.find(n.key); it != req.query.end()) name = it->second;
        break;
      case kind::body_field: {
        if (!body) body = req.body.empty() ? nlohmann::json::object() : parse_json_bounded<nlohmann::json>(req.body);
        if (body->is_object() && body->contains(n.key) && (*body)[n.key].is_string())
          name = (*body)[n.key].get<std::string>();
        else if (body->is_object() && body->contains(n.key) && !(*body)[n.key].is_null())
          return make_error(std::errc::invalid_argument, n.key + " must be a name");
        else if (n.fallback_segment >= 0 && static_cast<size_t>(n.fallback_segment) < parts.size())
          name = parts[static_cast<size_t>(n.fallback_segment)];
        break;
      }
    }
    if (!name && n.optional) continue;
    if (!name) {
      return make_error(std::errc::invalid_argument,
                        "this request names no " + std::string(acl::name(c.type)) + " (" +
                            (n.key.empty() ? "path" : n.key) + ")");
    }
    out.push_back({c.type, c.op, std::move(*name)});
  }
  return out;
}

int16_t denial_error_code(acl::resource_type type) {
  switch (type) {
    case resource_type::topic:
      return kafka::to_int(kafka::error_code::topic_authorization_failed);
    case resource_type::group:
      return kafka::to_int(kafka::error_code::group_authorization_failed);
    case resource_type::transactional_id:
      return kafka::to_int(kafka::error_code::transactional_id_authorization_failed);
    default:
      return kafka::to_int(kafka::error_code::cluster_authorization_failed);
  }
}

std::string_view denial_error_name(acl::resource_type type) {
  return kafka::error_name(static_cast<kafka::error_code>(denial_error_code(type)));
}

}  // namespace samsa::http
