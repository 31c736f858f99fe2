// `samsa serve`: runs the broker in this process.
#include "broker/authorizer_settings.h"
#include "broker/serve.h"
#include "http/console.h"
#include "proxy/proxy_service.h"
#include "registry/embedded_registry.h"
#include "cli/commands.h"

namespace samsa::cli {

void register_serve(CLI::App& app, cli_context& ctx) {
  auto options = std::make_shared<broker::serve_options>();
  auto* cmd = app.add_subcommand(
      "serve", "Run the broker (Kafka protocol on 127.0.0.1:9092, console on http://127.0.0.1:8080 by default)");
  cmd->add_option("--config", options->config_file, "Java-style properties file");
  cmd->add_option("--set", options->overrides, "key=value broker setting (repeatable)");
  auto authorizer = std::make_shared<bool>(false);
  cmd->add_flag("--authorizer", *authorizer,
                "Enforce ACLs (as authorizer.class.name=" + std::string(broker::standard_authorizer_class) +
                    "); manage them with `samsa acl`");
  cmd->add_option("--port-file", options->port_file,
                  "Write the bound port here (the console's to <file>.http)")
      ->group("");  // hidden: for tests and the tour
  // After the example's footer (set_example replaces the footer), so both show.
  const std::string listeners_help =
      "Console: http.listeners=http://HOST:PORT (default http://127.0.0.1:8080; none = off) serves the page,\n"
      "/metrics (Prometheus) and /api/v1 (JSON); http.write.enabled=true allows producing and creating topics.\n"
      "Schema Registry: schema.registry.listeners=http://HOST:PORT (default http://127.0.0.1:8081; none = off),\n"
      "Confluent's REST API, schemas kept in the compacted topic _schemas (schema.registry.topic).\n"
      "REST proxy: http.proxy.listeners=http://HOST:PORT (default http://127.0.0.1:8082; none = off), Confluent\n"
      "REST Proxy v2 (produce, topics, consumer instances) and v3 produce; docs/http-proxy.md.";
  // The console decodes schema-registry records with the embedded registry's
  // schemas, read in-process through this directory (empty when it is off).
  auto schemas = std::make_shared<registry::schema_directory>();
  options->start_console = [schemas](broker::broker_state& b, broker::api_table& apis,
                                     const std::optional<std::string>& port_file) {
    return http::start_console(b, apis, port_file, schemas);
  };
  // The proxy encodes schema-registry formats with the embedded registry
  // unless schema.registry.url names another.
  auto registry_url = std::make_shared<std::string>();
  options->start_registry = [schemas, registry_url](broker::broker_state& b, broker::api_table& apis,
                                                    const std::optional<std::string>& port_file) {
    auto started = registry::start_embedded_registry(b, apis, port_file, schemas);
    if (started && *started) *registry_url = (*started)->url();
    return started;
  };
  options->start_proxy = [registry_url](broker::broker_state& b, broker::api_table& apis,
                                        const std::optional<std::string>& port_file) {
    return proxy::start_http_proxy(b, apis, port_file, *registry_url);
  };
  set_example(cmd, "samsa serve --set log.dirs=./data --set num.partitions=3");
  cmd->footer("\n" + listeners_help + "\n" + cmd->get_footer());
  cmd->callback([options, authorizer, &ctx] {
    // Given first, so a --set authorizer.class.name=... still wins.
    if (*authorizer)
      options->overrides.insert(options->overrides.begin(),
                                std::string("authorizer.class.name=") + broker::standard_authorizer_class);
    ctx.exit_status = broker::serve(*options);
  });
}

}  // namespace samsa::cli
