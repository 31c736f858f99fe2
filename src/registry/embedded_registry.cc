#include "registry/embedded_registry.h"

#include <spdlog/spdlog.h>

#include "broker/broker_state.h"
#include "http/http_auth.h"
#include "security/tls/tls_context.h"
#include "registry/broker_schema_log.h"
#include "registry/registry_service.h"

namespace samsa::registry {

namespace {

class embedded_service : public broker::side_service {
 public:
  explicit embedded_service(std::unique_ptr<registry_service> s) : service_(std::move(s)) {}
  std::string url() const override { return service_->url(); }
  void stop() override { service_->stop(); }

 private:
  std::unique_ptr<registry_service> service_;
};

}  // namespace

result<std::unique_ptr<broker::side_service>> start_embedded_registry(broker::broker_state& broker, broker::api_table& apis,
                                                                      const std::optional<std::string>& port_file,
                                                                      std::shared_ptr<schema_directory> directory) {
  auto settings = registry_settings_from(broker.config().raw);
  if (!settings) return settings.err();
  if (!settings->listener) {
    spdlog::info("schema registry: off (schema.registry.listeners=none)");
    return std::unique_ptr<broker::side_service>();
  }
  auto address = http::parse_http_listener(*settings->listener);
  if (!address) return address.err();
  auto service = std::make_unique<registry_service>(std::make_unique<broker_schema_log>(broker, apis, settings->topic));
  if (address->tls) {
    // The Kafka listeners' TLS settings, as the console takes them:
    // listener.name.registry.ssl.* over ssl.*.
    const auto& raw = broker.config().raw;
    auto lookup = [&raw](const std::string& key) -> std::optional<std::string> {
      if (auto it = raw.find("listener.name.registry." + key); it != raw.end()) return it->second;
      if (auto it = raw.find(key); it != raw.end()) return it->second;
      return std::nullopt;
    };
    auto tls_settings = security::tls::parse_tls_settings("REGISTRY", lookup);
    if (!tls_settings) return make_error(std::errc::invalid_argument, "schema.registry.listeners: " + tls_settings.err().describe());
    auto context = security::tls::tls_context::create(*tls_settings);
    if (!context) return make_error(std::errc::invalid_argument, "schema.registry.listeners: " + context.err().describe());
    service->http_server().use_tls(*context, std::chrono::milliseconds(broker.config().ssl_handshake_timeout_ms));
  }
  // With an authorizer on: every request authenticates as the console's do
  // (HTTP Basic against the SCRAM/PLAIN users, or the client certificate on
  // https) and is checked against the ACLs (registry_permissions.h).
  auto security = http::http_security_from(broker);
  if (!security) return security.err();
  if (security->enabled) {
    registry_service* s = service.get();
    access_control access;
    access.schemas_topic = settings->topic;
    access.decide = [&broker](const http::request& req, std::vector<http::resolved_check> checks) {
      return http::decide_checks(broker, req, std::move(checks));
    };
    access.audit = http::audit_http_denial;
    service->set_access_control(std::move(access));
    security->error_body = [](int status, int16_t, std::string_view, std::string message) {
      return registry_error_body(status, std::move(message));
    };
    security->authorize = [s](http::request& req) { return s->authorize(req); };
    http::install_http_security(service->http_server(), broker, *security);
  }
  if (auto s = service->bind(*address); !s) {
    if (settings->listener_explicit) return make_error(std::errc::address_in_use, "schema.registry.listeners: " + s.err().describe());
    spdlog::warn("schema registry: {}; running without it (set schema.registry.listeners to another address, or none)",
                 s.err().describe());
    return std::unique_ptr<broker::side_service>();
  }
  if (port_file) {
    if (auto s = broker::write_port_file(*port_file + ".registry", service->port()); !s) return s.err();
  }
  const bool loopback = address->host == "127.0.0.1" || address->host == "::1" || address->host == "localhost";
  if (!security->enabled && !loopback)
    spdlog::warn("schema registry: listening on {} (not loopback) without authentication (no authorizer): anyone who "
                 "can reach it can register and delete schemas",
                 address->host);
  if (security->enabled && !address->tls && !loopback)
    spdlog::warn("schema registry: listening on {} over plain http with authentication on: passwords cross the "
                 "network in clear text (use https://)",
                 address->host);
  service->publish_to(std::move(directory));
  service->start();
  spdlog::info("schema registry on {} (schemas in the topic {})", service->url(), settings->topic);
  return std::unique_ptr<broker::side_service>(std::make_unique<embedded_service>(std::move(service)));
}

}  // namespace samsa::registry
