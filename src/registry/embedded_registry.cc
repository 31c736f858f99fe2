#include "registry/embedded_registry.h"

#include <spdlog/spdlog.h>

#include "broker/broker_state.h"
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

result<std::unique_ptr<broker::side_service>> start_embedded_registry(broker::broker_state& broker,
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
  auto service = std::make_unique<registry_service>(std::make_unique<broker_schema_log>(broker, settings->topic));
  if (auto s = service->bind(*address); !s) {
    if (settings->listener_explicit) return make_error(std::errc::address_in_use, "schema.registry.listeners: " + s.err().describe());
    spdlog::warn("schema registry: {}; running without it (set schema.registry.listeners to another address, or none)",
                 s.err().describe());
    return std::unique_ptr<broker::side_service>();
  }
  if (port_file) {
    if (auto s = broker::write_port_file(*port_file + ".registry", service->port()); !s) return s.err();
  }
  if (address->host != "127.0.0.1" && address->host != "::1" && address->host != "localhost")
    spdlog::warn("schema registry: listening on {} (not loopback) without authentication: anyone who can reach it "
                 "can register and delete schemas",
                 address->host);
  service->publish_to(std::move(directory));
  service->start();
  spdlog::info("schema registry on {} (schemas in the topic {})", service->url(), settings->topic);
  return std::unique_ptr<broker::side_service>(std::make_unique<embedded_service>(std::move(service)));
}

}  // namespace samsa::registry
