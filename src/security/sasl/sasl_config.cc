#include "security/sasl/sasl_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <type_traits>
#include <sstream>

#include "security/sasl/jaas.h"
#include "security/sasl/oauthbearer.h"
#include "security/sasl/plain.h"

namespace samsa::sasl {
namespace {

const std::vector<std::string> supported = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"};

// Kafka's class names for the secured validator: 3.x's "secured" package and 4.x's.
const std::vector<std::string> secured_handlers = {
    "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler",
    "org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerValidatorCallbackHandler"};
const std::string unsecured_handler =
    "org.apache.kafka.common.security.oauthbearer.internals.unsecured.OAuthBearerUnsecuredValidatorCallbackHandler";

error bad_sasl_config(std::string what) { return make_error(std::errc::invalid_argument, std::move(what)); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  std::stringstream in{std::string(s)};
  std::string item;
  while (std::getline(in, item, ',')) {
    item = trim(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

struct lookup {
  const properties& props;
  std::string listener;

  // The most specific of listener+mechanism, listener, then plain; with the
  // name that was found, for error messages.
  std::optional<std::pair<std::string, std::string>> find(const std::string& name,
                                                          std::string_view mechanism = {}) const {
    std::vector<std::string> keys;
    if (!mechanism.empty()) keys.push_back("listener.name." + listener + "." + lower(mechanism) + "." + name);
    keys.push_back("listener.name." + listener + "." + name);
    keys.push_back(name);
    for (const auto& k : keys)
      if (auto it = props.find(k); it != props.end()) return std::pair{k, it->second};
    return std::nullopt;
  }
};

result<int64_t> number(const std::pair<std::string, std::string>& found) {
  int64_t v = 0;
  std::string t = trim(found.second);
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size()) return bad_sasl_config(found.first + ": not a number: " + found.second);
  return v;
}

std::optional<std::string> jaas_option(const std::map<std::string, std::string>& o, const char* name) {
  if (auto it = o.find(name); it != o.end()) return it->second;
  return std::nullopt;
}

status read_plain(const lookup& l, listener_sasl_config& out) {
  auto jaas = l.find("sasl.jaas.config", "PLAIN");
  if (!jaas) return {};  // users may all come from the metadata log
  auto module = parse_jaas_property(jaas->second);
  if (!module) return bad_sasl_config(jaas->first + ": " + module.err().message);
  if (!module->class_name.ends_with("PlainLoginModule"))
    return bad_sasl_config(jaas->first + ": expected org.apache.kafka.common.security.plain.PlainLoginModule, not " +
               module->class_name);
  for (const auto& [k, v] : module->options)
    if (k.starts_with("user_") && k.size() > 5) out.plain_users[k.substr(5)] = v;
  return {};
}

status read_oauth(const lookup& l, listener_sasl_config& out) {
  if (auto handler = l.find("sasl.server.callback.handler.class", "OAUTHBEARER")) {
    std::string cls = trim(handler->second);
    if (std::find(secured_handlers.begin(), secured_handlers.end(), cls) != secured_handlers.end()) {
      out.oauth_secured = true;
    } else if (cls != unsecured_handler) {
      return bad_sasl_config(handler->first + ": " + cls + " is not a handler Samsa has (use " + secured_handlers.front() + ")");
    }
  }
  if (auto jaas = l.find("sasl.jaas.config", "OAUTHBEARER")) {
    auto module = parse_jaas_property(jaas->second);
    if (!module) return bad_sasl_config(jaas->first + ": " + module.err().message);
    const auto& o = module->options;
    auto& u = out.oauth_unsecured;
    if (auto v = jaas_option(o, "unsecuredValidatorPrincipalClaimName")) u.principal_claim = *v;
    if (auto v = jaas_option(o, "unsecuredValidatorScopeClaimName")) u.scope_claim = *v;
    if (auto v = jaas_option(o, "unsecuredValidatorRequiredScope")) {
      u.required_scope.clear();
      std::istringstream in(*v);
      std::string s;
      while (in >> s) u.required_scope.push_back(s);
    }
    if (auto v = jaas_option(o, "unsecuredValidatorAllowableClockSkewMs")) {
      auto n = number({jaas->first + " unsecuredValidatorAllowableClockSkewMs", *v});
      if (!n || *n < 0) return bad_sasl_config(jaas->first + ": unsecuredValidatorAllowableClockSkewMs must be a number >= 0");
      u.clock_skew_ms = *n;
    }
  }
  auto& s = out.oauth_secured_options;
  if (auto v = l.find("sasl.oauthbearer.expected.audience", "OAUTHBEARER")) s.expected_audience = split_list(v->second);
  if (auto v = l.find("sasl.oauthbearer.expected.issuer", "OAUTHBEARER"); v && !trim(v->second).empty())
    s.expected_issuer = trim(v->second);
  if (auto v = l.find("sasl.oauthbearer.scope.claim.name", "OAUTHBEARER")) s.scope_claim = trim(v->second);
  if (auto v = l.find("sasl.oauthbearer.sub.claim.name", "OAUTHBEARER")) s.sub_claim = trim(v->second);
  if (auto v = l.find("sasl.oauthbearer.clock.skew.seconds", "OAUTHBEARER")) {
    auto n = number(*v);
    if (!n) return n.err();
    if (*n < 0) return bad_sasl_config(v->first + " must be >= 0");
    s.clock_skew_s = *n;
  }
  if (!out.oauth_secured) return {};
  auto url = l.find("sasl.oauthbearer.jwks.endpoint.url", "OAUTHBEARER");
  if (!url) return bad_sasl_config("OAUTHBEARER with " + secured_handlers.front() + " needs sasl.oauthbearer.jwks.endpoint.url");
  std::string u = trim(url->second);
  // Samsa reads a local JWKS file; fetching one over HTTPS is not built.
  if (!u.starts_with("file://"))
    return bad_sasl_config(url->first + ": only file:// URLs are supported (a local JWKS file), not " + u);
  auto keys = jwks::load_file(u.substr(7));
  if (!keys) return bad_sasl_config(url->first + ": " + keys.err().message);
  s.keys = std::make_shared<const jwks>(std::move(*keys));
  return {};
}

}  // namespace

bool is_sasl_key(std::string_view key) {
  static const std::vector<std::string_view> plain_names = {
      "sasl.enabled.mechanisms", "sasl.jaas.config", "sasl.server.callback.handler.class",
      "connections.max.reauth.ms", "sasl.server.max.receive.size", "connection.failed.authentication.delay.ms",
      "sasl.authentication.timeout.ms", "sasl.mechanism.inter.broker.protocol"};
  auto known = [&](std::string_view k) {
    if (k.starts_with("sasl.oauthbearer.")) return true;
    return std::find(plain_names.begin(), plain_names.end(), k) != plain_names.end();
  };
  if (known(key)) return true;
  // listener.name.<listener>.<name> or listener.name.<listener>.<mechanism>.<name>
  constexpr std::string_view prefix = "listener.name.";
  if (!key.starts_with(prefix)) return false;
  std::string_view rest = key.substr(prefix.size());
  size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return false;
  rest = rest.substr(dot + 1);
  if (known(rest)) return true;
  for (const auto& m : supported) {
    std::string mech = lower(m) + ".";
    if (rest.starts_with(mech) && known(rest.substr(mech.size()))) return true;
  }
  return false;
}

bool listener_sasl_config::enabled(std::string_view mechanism) const {
  return std::find(mechanisms.begin(), mechanisms.end(), mechanism) != mechanisms.end();
}

result<listener_sasl_config> read_listener_sasl_config(const properties& props, std::string_view listener) {
  listener_sasl_config out;
  out.listener = lower(listener);
  lookup l{props, out.listener};
  auto mechs = l.find("sasl.enabled.mechanisms");
  if (!mechs)
    return bad_sasl_config("listener " + out.listener +
               ": sasl.enabled.mechanisms is not set (Kafka's default, GSSAPI, is not supported)");
  for (const auto& m : split_list(mechs->second)) {
    std::string upper = m;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (std::find(supported.begin(), supported.end(), upper) == supported.end())
      return bad_sasl_config(mechs->first + ": mechanism " + m + " is not supported (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER)");
    if (!out.enabled(upper)) out.mechanisms.push_back(upper);
  }
  if (out.mechanisms.empty()) return bad_sasl_config(mechs->first + " names no mechanism");
  auto bounded = [&](const char* name, auto& field, int64_t lo, int64_t hi) -> status {
    auto v = l.find(name);
    if (!v) return {};
    auto n = number(*v);
    if (!n) return n.err();
    if (*n < lo || *n > hi)
      return bad_sasl_config(v->first + ": " + std::to_string(*n) + " is outside [" + std::to_string(lo) + ", " +
                 std::to_string(hi) + "]");
    field = static_cast<std::remove_reference_t<decltype(field)>>(*n);
    return {};
  };
  for (status s : {bounded("sasl.server.max.receive.size", out.max_receive_size, 64, INT32_MAX),
                   bounded("connection.failed.authentication.delay.ms", out.failed_authentication_delay_ms, 0,
                           60000),
                   bounded("sasl.authentication.timeout.ms", out.authentication_timeout_ms, 1, INT32_MAX)})
    if (!s) return s.err();
  for (const auto& m : out.mechanisms) {
    int64_t reauth = 0;
    if (auto v = l.find("connections.max.reauth.ms", m)) {
      auto n = number(*v);
      if (!n) return n.err();
      reauth = *n;
    }
    out.max_reauth_ms[m] = reauth;
  }
  if (out.enabled("PLAIN"))
    if (auto s = read_plain(l, out); !s) return s.err();
  if (out.enabled("OAUTHBEARER"))
    if (auto s = read_oauth(l, out); !s) return s.err();
  return out;
}

result<std::unique_ptr<server_mechanism>> start(const listener_sasl_config& config, std::string_view mechanism,
                                                scram_lookup scram, clock_fn now) {
  std::string m(mechanism);
  if (!config.enabled(m))
    return make_error(std::errc::protocol_not_supported,
                      "Unsupported SASL mechanism " + m + " on listener " + config.listener);
  int64_t reauth = config.max_reauth_ms.contains(m) ? config.max_reauth_ms.at(m) : 0;
  if (m == "PLAIN") {
    plain_options o;
    o.users = config.plain_users;
    o.scram = std::move(scram);
    o.max_reauth_ms = reauth;
    o.now = std::move(now);
    return make_plain_server(std::move(o));
  }
  if (auto sm = scram_mechanism_from_name(m)) {
    scram_options o;
    o.mechanism = *sm;
    o.lookup = std::move(scram);
    o.max_reauth_ms = reauth;
    o.now = std::move(now);
    return make_scram_server(std::move(o));
  }
  oauthbearer_options o;
  o.secured = config.oauth_secured;
  o.unsecured = config.oauth_unsecured;
  o.secure = config.oauth_secured_options;
  o.max_reauth_ms = reauth;
  o.now = std::move(now);
  return make_oauthbearer_server(std::move(o));
}

}  // namespace samsa::sasl
