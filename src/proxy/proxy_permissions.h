// What each REST proxy route needs when an authorizer is on (the console's
// hooks, src/http/http_auth.h, judge it with this table): producing needs
// WRITE on the topic, consumer instances READ on their group (and the
// instance checks READ on each topic it subscribes to and reads), topic
// details DESCRIBE. GET /topics is filtered by DESCRIBE in the route itself
// (Confluent answers a bare list, which the console's filter does not read).
// A route missing here is refused (fail closed).
#pragma once

#include <vector>

#include "http/route_permissions.h"

namespace samsa::proxy {

const std::vector<http::route_permission>& proxy_route_permissions();

}  // namespace samsa::proxy
