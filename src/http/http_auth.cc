#include "http/http_auth.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "base/json_depth.h"
#include "base/kafka_error_codes.h"
#include "broker/acl_service.h"
#include "broker/broker_state.h"
#include "base/refusal_log.h"
#include "http/basic_auth_cache.h"
#include "http/http_auth_header.h"
#include "http/on_broker.h"
#include "http/route_permissions.h"
#include "http/server.h"
#include "security/acl/authorizer.h"
#include "security/sasl/crypto.h"
#include "security/sasl/jaas.h"
#include "security/sasl/plain.h"
#include "security/sasl/sasl_config.h"
#include "storage/metadata_store.h"

namespace samsa::http {

namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

response console_error(int status, int16_t code, std::string_view name, std::string message) {
  json j;
  j["error"] = {{"code", code}, {"name", std::string(name)}, {"message", std::move(message)}};
  return response{status, "application/json", j.dump(-1, ' ', false, json::error_handler_t::replace), {}};
}

// The audit line of a denied request: the same fields as the Kafka side's
// (principal, operation, resource, client address), at most a few lines a
// second so a flood of denials cannot fill the disk; every one is counted.
}  // namespace

void audit_http_denial(const request& req, const resolved_check& c, const std::string& rule) {
  static std::atomic<int64_t> second{0};
  static std::atomic<int> lines{0};
  static std::atomic<uint64_t> skipped{0};
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch())
                    .count();
  if (second.exchange(now) != now) {
    lines = 0;
    if (uint64_t n = skipped.exchange(0); n > 0) spdlog::warn("audit: {} more HTTP denials not logged", n);
  }
  if (lines.fetch_add(1) >= 10) {
    skipped.fetch_add(1);
    return;
  }
  spdlog::warn("audit: Principal = {} is Denied operation = {} from host = {} on resource = {}:{} for request = HTTP {} "
               "{} based on rule {}",
               req.principal.to_string(), acl::name(c.op), req.peer_host, acl::name(c.type), c.name, req.method,
               req.path, rule);
}

namespace {

void audit_denied(const request& req, const resolved_check& c, const std::string& rule) {
  audit_http_denial(req, c, rule);
}

struct guard_state {
  broker::broker_state& broker;
  http_security_settings settings;
  // Verified credentials (basic_auth_cache.h): a page's requests after the
  // first cost no PBKDF2 until the user's credentials change.
  std::shared_ptr<basic_auth_cache> verified = std::make_shared<basic_auth_cache>(1024, std::chrono::seconds(600));

  const route_permission* find(const request& req, bool stream) const {
    return settings.routes ? find_route_permission(*settings.routes, req.method, req.path, stream)
                           : find_route_permission(req.method, req.path, stream);
  }
  response error(int status, int16_t code, std::string_view name, std::string message) const {
    return settings.error_body ? settings.error_body(status, code, name, std::move(message))
                               : console_error(status, code, name, std::move(message));
  }
  response unauthorized() const {
    // No word on what was wrong: a missing user, a wrong password and an
    // unknown user all read the same.
    response r = error(401, kafka::to_int(kafka::error_code::sasl_authentication_failed),
                       kafka::error_name(kafka::error_code::sasl_authentication_failed),
                       "Authentication failed: invalid credentials");
    r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"samsa\", charset=\"UTF-8\"");
    return r;
  }
};

// Checks user and password on the worker pool (PBKDF2 is CPU-heavy): the
// PLAIN mechanism's own check, so HTTP and SASL/PLAIN accept exactly the
// same credentials (JAAS users, then the metadata log's SCRAM users; an
// unknown user costs the same work as a known one).
// What the user's stored credentials are now (a digest): a cached
// verification counts only while it is unchanged.
std::string credential_fingerprint(guard_state& g, const std::string& user) {
  std::string text;
  if (auto it = g.settings.plain_users.find(user); it != g.settings.plain_users.end()) {
    auto digest = sasl::hash(sasl::hash_kind::sha256, it->second);
    text += "plain:" + std::string(digest.begin(), digest.end());
  }
  for (int8_t m : {int8_t{1}, int8_t{2}}) {
    auto r = g.broker.metadata().scram_credential(user, m);
    if (!r) continue;
    text += "|scram" + std::to_string(m) + ":" + std::to_string(r->iterations) + ":" +
            std::string(r->salt.begin(), r->salt.end()) + ":" + std::string(r->stored_key.begin(), r->stored_key.end());
  }
  auto digest = sasl::hash(sasl::hash_kind::sha256, text);
  return std::string(digest.begin(), digest.end());
}

asio::awaitable<std::optional<security::principal>> verify(guard_state& g, const basic_credentials& c) {
  auto check = [&g, &c]() -> std::optional<security::principal> {
    std::string fingerprint = credential_fingerprint(g, c.user);
    auto now = basic_auth_cache::clock::now();
    if (auto known = g.verified->find(c.user, c.password, fingerprint, now)) return known;
    sasl::plain_options o;
    o.users = g.settings.plain_users;
    storage::metadata_store& store = g.broker.metadata();
    o.scram = [&store](const std::string& user, sasl::scram_mechanism m) -> std::optional<sasl::scram_credential> {
      auto r = store.scram_credential(user, static_cast<int8_t>(m));
      if (!r) return std::nullopt;
      return sasl::scram_credential{r->salt, r->stored_key, r->server_key, r->iterations};
    };
    auto mechanism = sasl::make_plain_server(std::move(o));
    std::string message;
    message.push_back('\0');
    message += c.user;
    message.push_back('\0');
    message += c.password;
    auto step = mechanism->step(sasl::to_bytes(message));
    if (!step.is_success()) return std::nullopt;
    // The fingerprint read before the check: a change made meanwhile makes
    // the entry miss next time, never a stale one count.
    g.verified->put(c.user, c.password, fingerprint, step.principal, now);
    return step.principal;
  };
  std::optional<security::principal> who = co_await g.broker.workers().run(check);
  co_return who;
}

// The first check the authorizer denies, or nullopt. Handler thread only.
std::optional<std::pair<resolved_check, std::string>> first_denied(broker::broker_state& broker,
                                                                   const security::principal& who,
                                                                   const std::string& host,
                                                                   const std::vector<resolved_check>& checks,
                                                                   const std::optional<resolved_check>& instead) {
  const acl::authorizer* a = broker.acls().authorizer();
  if (!a) return std::nullopt;
  if (instead && a->authorize(who, host, instead->op, instead->type, instead->name).allowed) return std::nullopt;
  for (const auto& c : checks) {
    auto d = a->authorize(who, host, c.op, c.type, c.name);
    if (!d.allowed) return std::pair{c, acl::describe(d)};
  }
  return std::nullopt;
}

asio::awaitable<std::optional<response>> before(std::shared_ptr<guard_state> g, request& req, bool stream) {
  // Authentication: Basic when sent (it decides), else the client certificate.
  std::optional<security::principal> who;
  if (!req.authorization.empty()) {
    auto credentials = parse_basic_authorization(req.authorization);
    if (credentials) who = co_await verify(*g, *credentials);
    if (!who) {
      log_refusal(refusal::unauthenticated,
                          "console: authentication failed for " + req.method + " " + req.path + " from " + req.peer);
      // A short delay before the answer (a timer: nothing else waits for it).
      asio::steady_timer delay(co_await asio::this_coro::executor);
      delay.expires_after(g->settings.failure_delay);
      co_await delay.async_wait(asio::use_awaitable);
      co_return g->unauthorized();
    }
  } else if (req.certificate_principal) {
    who = req.certificate_principal;
  } else {
    co_return g->unauthorized();
  }
  req.principal = *who;

  // A listener that decides itself (the Schema Registry).
  if (g->settings.authorize) {
    std::optional<response> refused = co_await g->settings.authorize(req);
    co_return refused;
  }

  // Authorization: the route's entry, fail closed.
  const route_permission* p = g->find(req, stream);
  if (!p) {
    resolved_check none{acl::resource_type::cluster, acl::operation::all, cluster_resource_name};
    audit_denied(req, none, "NoRoutePermission");
    co_return g->error(403, kafka::to_int(kafka::error_code::cluster_authorization_failed),
                         kafka::error_name(kafka::error_code::cluster_authorization_failed),
                         "no permission is defined for " + req.method + " " + req.path +
                             ": refused while an authorizer is on");
  }
  auto checks = resolve_checks(p->checks, req);
  if (!checks) {
    co_return g->error(400, kafka::to_int(kafka::error_code::invalid_request),
                         kafka::error_name(kafka::error_code::invalid_request), checks.err().describe());
  }
  std::optional<resolved_check> instead;
  if (p->instead) {
    auto alt = resolve_checks({*p->instead}, req);
    if (alt && !alt->empty()) instead = alt->front();
  }
  if (checks->empty()) co_return std::nullopt;
  auto decide = [g, who = *who, host = req.peer_host, list = *checks, instead] {
    return first_denied(g->broker, who, host, list, instead);
  };
  auto denied = co_await on_broker(g->broker.io(), std::move(decide));
  if (!denied) co_return std::nullopt;
  const resolved_check& c = denied->first;
  audit_denied(req, c, denied->second);
  co_return g->error(403, denial_error_code(c.type), denial_error_name(c.type),
                       std::string("not authorized to ") + std::string(acl::name(c.op)) + " " +
                           std::string(acl::name(c.type)) + " " + c.name);
}

// Keeps the entries of `array` whose `key` names a resource of `type` the
// principal may DESCRIBE.
asio::awaitable<void> filter_listing(std::shared_ptr<guard_state> g, const request& req, json& body,
                                     const char* array, const char* key, acl::resource_type type) {
  if (!body.is_object() || !body.contains(array) || !(*body.find(array)).is_array()) co_return;
  std::vector<std::string> names;
  for (const auto& e : body[array])
    names.push_back(e.is_object() && e.contains(key) && e[key].is_string() ? e[key].get<std::string>() : "");
  auto decide = [g, who = req.principal, host = req.peer_host, names, type] {
    std::vector<bool> keep;
    const acl::authorizer* a = g->broker.acls().authorizer();
    for (const auto& n : names)
      keep.push_back(!a || a->authorize(who, host, acl::operation::describe, type, n).allowed);
    return keep;
  };
  std::vector<bool> keep = co_await on_broker(g->broker.io(), std::move(decide));
  json kept = json::array();
  for (size_t i = 0; i < keep.size(); ++i)
    if (keep[i]) kept.push_back(std::move(body[array][i]));
  body[array] = std::move(kept);
}

asio::awaitable<void> filter_body(std::shared_ptr<guard_state> g, const request& req, listing what, std::string& text) {
  if (what == listing::none) co_return;
  json body = parse_json_bounded<json>(text);
  if (body.is_discarded()) co_return;
  if (what == listing::topics) co_await filter_listing(g, req, body, "topics", "name", acl::resource_type::topic);
  if (what == listing::groups) co_await filter_listing(g, req, body, "groups", "group_id", acl::resource_type::group);
  if (what == listing::group_offsets) {
    co_await filter_listing(g, req, body, "offsets", "topic", acl::resource_type::topic);
    // The total follows what is shown.
    if (body.is_object() && body.contains("offsets") && body.contains("lag")) {
      int64_t total = 0;
      for (const auto& o : body["offsets"])
        if (o.is_object() && o.contains("lag") && o["lag"].is_number_integer()) total += o["lag"].get<int64_t>();
      body["lag"] = total;
    }
  }
  text = body.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

result<http_security_settings> http_security_from(broker::broker_state& broker) {
  http_security_settings s;
  s.enabled = broker.acls().enabled();
  const auto& raw = broker.config().raw;
  if (auto it = raw.find("connection.failed.authentication.delay.ms"); it != raw.end()) {
    try {
      size_t used = 0;
      long long v = std::stoll(it->second, &used);
      if (used != it->second.size() || v < 0 || v > 60'000) throw std::out_of_range("delay");
      s.failure_delay = std::chrono::milliseconds(v);
    } catch (const std::exception&) {
      return make_error(std::errc::invalid_argument,
                        "connection.failed.authentication.delay.ms: milliseconds from 0 to 60000, got '" + it->second +
                            "'");
    }
  }
  // PLAIN users: the SASL listeners' (their settings were checked at start)...
  for (const auto& l : broker.config().listeners) {
    if (!broker::uses_sasl(l.protocol)) continue;
    auto sasl = sasl::read_listener_sasl_config(raw, l.name);
    if (!sasl || !sasl->enabled("PLAIN")) continue;
    for (const auto& [user, password] : sasl->plain_users) s.plain_users.emplace(user, password);
  }
  // ...and the HTTP listener's own, which win.
  if (auto it = raw.find("listener.name.http.plain.sasl.jaas.config"); it != raw.end()) {
    auto module = sasl::parse_jaas_property(it->second);
    if (!module) return make_error(std::errc::invalid_argument, it->first + ": " + module.err().message);
    for (const auto& [k, v] : module->options)
      if (k.starts_with("user_") && k.size() > 5) s.plain_users[k.substr(5)] = v;
  }
  return s;
}

asio::awaitable<std::vector<check_decision>> decide_checks(broker::broker_state& broker, const request& req,
                                                           std::vector<resolved_check> checks) {
  auto decide = [&broker, who = req.principal, host = req.peer_host, list = std::move(checks)] {
    std::vector<check_decision> out;
    const acl::authorizer* a = broker.acls().authorizer();
    for (const auto& c : list) {
      if (!a) {
        out.push_back({true, ""});
        continue;
      }
      auto d = a->authorize(who, host, c.op, c.type, c.name);
      out.push_back({d.allowed, acl::describe(d)});
    }
    return out;
  };
  std::vector<check_decision> decisions = co_await on_broker(broker.io(), std::move(decide));
  co_return decisions;
}

void install_http_security(server& srv, broker::broker_state& broker, http_security_settings settings) {
  if (!settings.enabled) return;
  auto g = std::make_shared<guard_state>(guard_state{broker, std::move(settings)});
  request_hooks hooks;
  hooks.before = [g](request& req, bool stream) { return before(g, req, stream); };
  hooks.after = [g](const request& req, response& out) -> asio::awaitable<void> {
    // A listener that authorizes itself filters its own listings.
    if (out.status != 200 || g->settings.authorize) co_return;
    const route_permission* p = g->find(req, false);
    if (p) co_await filter_body(g, req, p->filter, out.body);
  };
  hooks.event = [g](const request& req, std::string data) -> asio::awaitable<std::string> {
    if (g->settings.authorize) co_return data;
    const route_permission* p = g->find(req, true);
    if (p) co_await filter_body(g, req, p->filter, data);
    co_return data;
  };
  srv.set_hooks(std::move(hooks));
}

}  // namespace samsa::http
