// HTTP authentication and authorization, on when the broker runs an
// authorizer (authorizer.class.name / --authorizer); without one nothing
// here is installed and the console behaves as before.
//
// Every request then authenticates: HTTP Basic with a SCRAM user of the
// metadata log (the password checked by deriving StoredKey with the stored
// salt and iterations, compared in constant time, on the worker pool) or a
// PLAIN user of the JAAS configuration, or the client certificate's
// principal on an https listener. A missing or wrong credential gets 401
// with WWW-Authenticate, after connection.failed.authentication.delay.ms for
// a wrong one, never a hint which part was wrong. Then the route's entry in
// route_permissions is checked with the broker's authorizer, on the handler
// thread (it is not thread-safe), as that principal from the client's
// address: a denial is 403 with Kafka's error code and an audit line; a
// route with no entry is refused. Listings are filtered to what the
// principal may DESCRIBE.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "base/result.h"
#include "http/route_permissions.h"

namespace samsa::broker {
class broker_state;
}

namespace samsa::http {

class server;
struct response;

struct http_security_settings {
  bool enabled = false;  // an authorizer is on
  // PLAIN users (JAAS user_<name>="<password>"): those of
  // listener.name.http.plain.sasl.jaas.config, and of every SASL listener
  // that enables PLAIN.
  std::map<std::string, std::string> plain_users;
  std::chrono::milliseconds failure_delay{100};  // connection.failed.authentication.delay.ms

  // What the listener's routes need (route_permissions.h); nullptr: the
  // console's table. The table must outlive the server.
  const std::vector<route_permission>* routes = nullptr;
  // How a refusal is written for this listener's clients (the Schema
  // Registry and the REST proxy have their own error bodies); empty: the
  // console's {"error": {code, name, message}}. The arguments are the HTTP
  // status, Kafka's error code and name, and the message.
  std::function<response(int status, int16_t code, std::string_view name, std::string message)> error_body;
  // A listener whose checks depend on its own state (the Schema Registry: a
  // subject's topic, the subjects using a schema id) authorizes itself: when
  // set, this is called (on the server's thread) once the request is
  // authenticated, instead of the route table; a response refuses the
  // request, nullopt lets it through. Listings are then the listener's to
  // filter (decide_checks below).
  std::function<boost::asio::awaitable<std::optional<response>>(request&)> authorize;
};

result<http_security_settings> http_security_from(broker::broker_state& broker);

// Installs the hooks on `s` when settings.enabled (the server must not be started yet).
void install_http_security(server& s, broker::broker_state& broker, http_security_settings settings);

// For a listener that authorizes itself: the authorizer's answer to each
// check for the request's principal and address, decided on the broker's
// handler thread (the authorizer is not thread-safe); nothing is logged.
// Every check is allowed when the broker runs no authorizer.
struct check_decision {
  bool allowed = true;
  std::string rule;  // "DefaultDeny", "DenyAcl (...)": for the audit line
};
boost::asio::awaitable<std::vector<check_decision>> decide_checks(broker::broker_state& broker, const request& req,
                                                                  std::vector<resolved_check> checks);

// The audit line of a denied HTTP request (principal, operation, resource,
// client address; at most a few lines a second), as the console's guard writes.
void audit_http_denial(const request& req, const resolved_check& c, const std::string& rule);

}  // namespace samsa::http
