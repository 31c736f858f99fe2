// What each console / API route needs when an authorizer is on: the ACL
// operation on a resource whose name comes from the path, the query or the
// JSON body, checked with the same authorizer and principal rules as a Kafka
// request. A route with no entry here is refused (fail closed), so a new
// route is unreachable until its line is added (route_permissions.cc).
//
// Listings (topics, groups, the live figures of every topic) are not refused
// but filtered to what the principal may DESCRIBE, as Kafka's Metadata and
// ListGroups filter.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "security/acl/acl_types.h"

namespace samsa::http {

struct request;

// Where a resource name comes from.
struct name_source {
  enum class kind { constant, path_segment, query, body_field };
  kind from = kind::constant;
  std::string key;       // constant: the name; query / body_field: the parameter or field
  int segment = -1;      // path_segment: index in the path's segments ("/api/v1/topics/T": T is 3)
  int fallback_segment = -1;  // body_field: used when the field is absent or null
  bool optional = false;      // query: no check when the parameter is absent
};

struct permission_check {
  acl::resource_type type = acl::resource_type::cluster;
  acl::operation op = acl::operation::describe;
  name_source name;
};

// Which JSON array of an answer (or of each live event) is filtered.
// group_offsets: a group's committed offsets, per topic (as Kafka's OffsetFetch
// leaves out topics the principal may not describe).
enum class listing { none, topics, groups, group_offsets };

struct route_permission {
  std::string method;                 // "GET"
  std::vector<std::string> segments;  // "api", "v1", "topics", "*": one segment each, "*" any non-empty one
  // All of these must be allowed...
  std::vector<permission_check> checks;
  // ...unless this one is (Kafka's CreateTopics: CREATE on the cluster, or on each topic).
  std::optional<permission_check> instead;
  listing filter = listing::none;
  bool stream = false;  // a Server-Sent Events route
};

// The entry for method and path; nullptr when there is none (refuse).
// A URL path's non-empty segments: "/api/v1/topics/t" -> api, v1, topics, t.
std::vector<std::string> split_path(std::string_view path);

const route_permission* find_route_permission(std::string_view method, std::string_view path, bool stream);
// The same in another listener's table (the Schema Registry's, the HTTP proxy's).
const route_permission* find_route_permission(const std::vector<route_permission>& table, std::string_view method,
                                              std::string_view path, bool stream);

// A check with its name resolved against one request.
struct resolved_check {
  acl::resource_type type;
  acl::operation op;
  std::string name;
};

// Resolves every check of `p` (and its `instead`) for the request; fails
// (a 400 for the client) when a name the route needs is missing.
result<std::vector<resolved_check>> resolve_checks(const std::vector<permission_check>& checks, const request& req);

// The Kafka error a denial of `type` answers with (TOPIC_AUTHORIZATION_FAILED ...).
int16_t denial_error_code(acl::resource_type type);
std::string_view denial_error_name(acl::resource_type type);

// Kafka's name of the one cluster resource.
inline constexpr const char* cluster_resource_name = "kafka-cluster";

// The console's whole table, for documentation and tests.
const std::vector<route_permission>& route_permission_table();

}  // namespace samsa::http
