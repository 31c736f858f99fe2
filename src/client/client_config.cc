#include "client/client_config.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "client/kafka_error.h"
#include "client/rd_handle.h"

namespace samsa::client {
namespace {

constexpr std::string_view kOp = "client config";

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

struct env_name {
  const char* variable;
  const char* property;
};

constexpr env_name kNamedEnv[] = {
    {"SAMSA_BOOTSTRAP_SERVERS", "bootstrap.servers"}, {"SAMSA_CLIENT_ID", "client.id"},
    {"SAMSA_SECURITY_PROTOCOL", "security.protocol"}, {"SAMSA_SASL_MECHANISM", "sasl.mechanism"},
    {"SAMSA_SASL_USERNAME", "sasl.username"},         {"SAMSA_SASL_PASSWORD", "sasl.password"},
    {"SAMSA_SSL_CA_LOCATION", "ssl.ca.location"},
};

// The variables that may carry a SAMSA_KAFKA_<NAME> property. The process
// environment is scanned through `environ` only when no fake lookup is given,
// so tests stay hermetic; see load_environment().
extern "C" char** environ;

status check_host_port(std::string_view server, const config_value& origin) {
  auto fail = [&](std::string_view why) -> status {
    return make_usage_error(kOp, fmt::format("bootstrap.servers \"{}\" (from {}): {}", origin.value, origin.origin, why),
                            "use HOST:PORT[,HOST:PORT...], e.g. 127.0.0.1:9092");
  };
  std::string_view s = server;
  // Accept an optional "PLAINTEXT://"-style scheme as librdkafka does.
  if (auto pos = s.find("://"); pos != std::string_view::npos) s.remove_prefix(pos + 3);
  if (s.empty()) return fail("an address is empty");
  auto colon = s.rfind(':');
  if (colon == std::string_view::npos) return fail(fmt::format("\"{}\" has no port", server));
  std::string_view host = s.substr(0, colon);
  std::string_view port = s.substr(colon + 1);
  if (host.empty()) return fail(fmt::format("\"{}\" has no host", server));
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return fail(fmt::format("\"{}\" has a port that is not a number", server));
  int n = std::stoi(std::string(port));
  if (n < 1 || n > 65535) return fail(fmt::format("\"{}\" has a port outside 1-65535", server));
  return {};
}

}  // namespace

client_config::client_config() {
  values_["bootstrap.servers"] = {default_bootstrap_servers, "default"};
  values_["client.id"] = {"samsa", "default"};
}

void client_config::set(const std::string& key, std::string value, std::string origin) {
  values_[key] = {std::move(value), std::move(origin)};
}

status client_config::set_pair(std::string_view pair, std::string origin) {
  auto eq = pair.find('=');
  if (eq == std::string_view::npos)
    return make_usage_error(kOp, fmt::format("\"{}\" (from {}) is not key=value", pair, origin),
                            "write it as name=value, e.g. -X socket.timeout.ms=5000");
  std::string_view key = trim(pair.substr(0, eq));
  if (key.empty()) return make_usage_error(kOp, fmt::format("\"{}\" (from {}) has an empty key", pair, origin));
  set(std::string(key), std::string(trim(pair.substr(eq + 1))), std::move(origin));
  return {};
}

std::optional<std::string> client_config::get(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  return it->second.value;
}

std::string client_config::bootstrap_servers() const {
  return get("bootstrap.servers").value_or("");
}

status client_config::load_properties(std::string_view text, const std::string& origin) {
  int line_no = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#' || line.front() == '!') continue;
    auto sep = line.find_first_of("=:");
    if (sep == std::string_view::npos)
      return make_usage_error(kOp, fmt::format("{}:{}: \"{}\" is not key=value", origin, line_no, line),
                              "each line must look like name=value; '#' starts a comment");
    std::string_view key = trim(line.substr(0, sep));
    if (key.empty()) return make_usage_error(kOp, fmt::format("{}:{}: empty property name", origin, line_no));
    set(std::string(key), std::string(trim(line.substr(sep + 1))), fmt::format("file {}:{}", origin, line_no));
  }
  return {};
}

status client_config::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return make_usage_error(kOp, fmt::format("cannot open properties file \"{}\"", path),
                            "check the path given with --client-config or SAMSA_CLIENT_CONFIG");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return load_properties(buffer.str(), path);
}

status client_config::load_environment(const env_lookup& lookup) {
  for (const auto& e : kNamedEnv) {
    if (const char* v = lookup(e.variable); v != nullptr && *v != '\0')
      set(e.property, v, fmt::format("env {}", e.variable));
  }
  // SAMSA_KAFKA_<NAME>: any property. The lookup cannot enumerate, so scan
  // the process environment for names and read the values through `lookup`.
  constexpr std::string_view prefix = "SAMSA_KAFKA_";
  for (char** env = environ; env != nullptr && *env != nullptr; ++env) {
    std::string_view entry(*env);
    if (entry.substr(0, prefix.size()) != prefix) continue;
    auto eq = entry.find('=');
    std::string name(entry.substr(0, eq));
    const char* v = lookup(name.c_str());
    if (v == nullptr) continue;
    std::string key = lower(std::string_view(name).substr(prefix.size()));
    std::replace(key.begin(), key.end(), '_', '.');
    if (key.empty()) continue;
    set(key, v, fmt::format("env {}", name));
  }
  return {};
}

status client_config::apply_flags(const client_flags& flags) {
  if (flags.bootstrap_servers) set("bootstrap.servers", *flags.bootstrap_servers, "flag --bootstrap");
  if (flags.client_id) set("client.id", *flags.client_id, "flag --client-id");
  for (const auto& p : flags.properties) {
    if (auto s = set_pair(p, "flag -X"); !s) return s;
  }
  return {};
}

status client_config::validate() const {
  auto bootstrap = values_.find("bootstrap.servers");
  if (bootstrap == values_.end() || trim(bootstrap->second.value).empty())
    return make_usage_error(kOp, "bootstrap.servers is empty",
                            "pass --bootstrap HOST:PORT or set SAMSA_BOOTSTRAP_SERVERS");
  std::string_view list = bootstrap->second.value;
  while (true) {
    auto comma = list.find(',');
    if (auto s = check_host_port(trim(list.substr(0, comma)), bootstrap->second); !s) return s;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }

  std::string protocol = lower(get("security.protocol").value_or("plaintext"));
  if (protocol != "plaintext" && protocol != "ssl" && protocol != "sasl_plaintext" && protocol != "sasl_ssl")
    return make_usage_error(kOp, fmt::format("security.protocol \"{}\" (from {}) is unknown", protocol,
                                             values_.at("security.protocol").origin),
                            "use one of plaintext, ssl, sasl_plaintext, sasl_ssl");
  bool sasl = protocol.rfind("sasl_", 0) == 0;
  if (auto mech = get("sasl.mechanism"); mech && !sasl)
    return make_usage_error(kOp, fmt::format("sasl.mechanism is set but security.protocol is {}", protocol),
                            "set security.protocol=sasl_plaintext or sasl_ssl");
  if (sasl) {
    std::string mech = get("sasl.mechanism").value_or(get("sasl.mechanisms").value_or("GSSAPI"));
    if ((mech == "PLAIN" || mech.rfind("SCRAM-", 0) == 0) && (!get("sasl.username") || !get("sasl.password")))
      return make_usage_error(kOp, fmt::format("sasl.mechanism {} needs sasl.username and sasl.password", mech),
                              "set SAMSA_SASL_USERNAME and SAMSA_SASL_PASSWORD or -X sasl.username=...");
  }
  // Let librdkafka judge every name and value: it knows them all.
  auto conf = detail::make_conf(*this);
  if (!conf) return conf.err();
  return {};
}

result<client_config> load_client_config(const client_flags& flags, const env_lookup& lookup) {
  client_config config;
  std::optional<std::string> file = flags.config_file;
  if (!file) {
    if (const char* v = lookup("SAMSA_CLIENT_CONFIG"); v != nullptr && *v != '\0') file = v;
  }
  if (file) {
    if (auto s = config.load_file(*file); !s) return s.err();
  }
  if (auto s = config.load_environment(lookup); !s) return s.err();
  if (auto s = config.apply_flags(flags); !s) return s.err();
  if (auto s = config.validate(); !s) return s.err();
  return config;
}

result<client_config> load_client_config(const client_flags& flags) {
  return load_client_config(flags, [](const char* name) -> const char* { return std::getenv(name); });
}

const std::vector<std::string>& client_environment_variables() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out{"SAMSA_CLIENT_CONFIG"};
    for (const auto& e : kNamedEnv) out.emplace_back(e.variable);
    out.emplace_back("SAMSA_KAFKA_<PROPERTY> (e.g. SAMSA_KAFKA_SOCKET_TIMEOUT_MS)");
    return out;
  }();
  return names;
}

}  // namespace samsa::client
