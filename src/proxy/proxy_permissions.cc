#include "proxy/proxy_permissions.h"

namespace samsa::proxy {

namespace {

using acl::operation;
using acl::resource_type;
using http::listing;
using http::name_source;
using http::permission_check;
using http::route_permission;

name_source segment(int i) { return {name_source::kind::path_segment, "", i, -1, false}; }
permission_check topic(operation op, int seg) { return {resource_type::topic, op, segment(seg)}; }
permission_check group(operation op, int seg) { return {resource_type::group, op, segment(seg)}; }

std::vector<route_permission> build() {
  std::vector<route_permission> t;
  auto add = [&t](const char* method, std::vector<std::string> segs, std::vector<permission_check> checks) {
    t.push_back({method, std::move(segs), std::move(checks), std::nullopt, listing::none, false});
  };
  // /topics: filtered in the route. /topics/T...: segment 1 is the topic.
  add("GET", {"topics"}, {});
  add("GET", {"topics", "*"}, {topic(operation::describe, 1)});
  add("GET", {"topics", "*", "partitions"}, {topic(operation::describe, 1)});
  add("POST", {"topics", "*"}, {topic(operation::write, 1)});
  add("POST", {"topics", "*", "partitions", "*"}, {topic(operation::write, 1)});
  // v3: /v3/clusters/C/topics/T/records, segment 4 is the topic.
  add("GET", {"v3", "clusters"}, {});
  add("GET", {"v3", "clusters", "*"}, {});
  add("POST", {"v3", "clusters", "*", "topics", "*", "records"}, {topic(operation::write, 4)});
  // Consumers: /consumers/G..., segment 1 is the group.
  add("POST", {"consumers", "*"}, {group(operation::read, 1)});
  add("DELETE", {"consumers", "*", "instances", "*"}, {group(operation::read, 1)});
  for (const char* method : {"GET", "POST", "DELETE"}) {
    add(method, {"consumers", "*", "instances", "*", "subscription"}, {group(operation::read, 1)});
  }
  add("GET", {"consumers", "*", "instances", "*", "assignments"}, {group(operation::read, 1)});
  add("GET", {"consumers", "*", "instances", "*", "records"}, {group(operation::read, 1)});
  add("POST", {"consumers", "*", "instances", "*", "offsets"}, {group(operation::read, 1)});
  add("GET", {"consumers", "*", "instances", "*", "offsets"}, {group(operation::read, 1)});
  return t;
}

}  // namespace

const std::vector<route_permission>& proxy_route_permissions() {
  static const std::vector<route_permission> table = build();
  return table;
}

}  // namespace samsa::proxy
