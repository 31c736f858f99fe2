// `samsa registry`: the Schema Registry on its own, keeping `_schemas` on any
// Kafka-compatible cluster (--bootstrap) through the client kit, as
// Confluent's registry does. Runs until SIGTERM/SIGINT.
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <iostream>

#include "broker/serve.h"
#include "cli/commands.h"
#include "registry/kafka_schema_log.h"
#include "registry/registry_service.h"

namespace samsa::cli {

void register_registry(CLI::App& app, cli_context& ctx) {
  struct options {
    std::string listener = "http://127.0.0.1:8081";
    std::string topic = registry::default_schemas_topic;
    std::optional<std::string> port_file;
  };
  auto o = std::make_shared<options>();
  auto* cmd = app.add_subcommand(
      "registry", "Run the Schema Registry (Confluent's REST API) against a Kafka cluster (--bootstrap)");
  cmd->add_option("--listeners", o->listener, "http://HOST:PORT to serve the REST API on")
      ->default_val("http://127.0.0.1:8081");
  cmd->add_option("--topic", o->topic, "The compacted topic that keeps the schemas")->default_val("_schemas");
  cmd->add_option("--port-file", o->port_file, "Write the bound port here")->group("");  // hidden: for tests
  cmd->footer(
      "The registry inside `samsa serve` needs none of this: it listens on schema.registry.listeners\n"
      "(default http://127.0.0.1:8081). Run only one registry per cluster: it is the only writer of the topic.");
  set_example(cmd, "samsa registry --bootstrap kafka1:9092 --listeners http://127.0.0.1:8081");
  cmd->callback([o, &ctx] {
    std::map<std::string, std::string> raw{{"schema.registry.listeners", o->listener},
                                           {"schema.registry.topic", o->topic}};
    auto settings = registry::registry_settings_from(raw);
    if (!settings) return void(ctx.exit_status = ctx.fail(settings.err()));
    if (!settings->listener) {
      return void(ctx.exit_status = ctx.fail(make_error(std::errc::invalid_argument, "--listeners none serves nothing")));
    }
    auto config = ctx.config();
    if (!config) return void(ctx.exit_status = ctx.fail(config.err()));
    auto address = http::parse_http_listener(*settings->listener);
    if (!address) return void(ctx.exit_status = ctx.fail(address.err()));
    registry::registry_service service(std::make_unique<registry::kafka_schema_log>(*config, settings->topic));
    if (auto s = service.bind(*address); !s) return void(ctx.exit_status = ctx.fail(s.err()));
    if (o->port_file) {
      if (auto s = broker::write_port_file(*o->port_file, service.port()); !s)
        return void(ctx.exit_status = ctx.fail(s.err()));
    }
    std::signal(SIGPIPE, SIG_IGN);
    boost::asio::io_context waiter(1);
    boost::asio::signal_set signals(waiter, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int signal_number) {
      spdlog::info("received signal {}, shutting down", signal_number);
    });
    service.start();
    spdlog::info("schema registry on {}, schemas in {} on {}", service.url(), settings->topic,
                 config->bootstrap_servers());
    waiter.run();
    service.stop();
    spdlog::info("schema registry stopped");
  });
}

}  // namespace samsa::cli
