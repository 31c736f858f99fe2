// `samsa source http`: a webhook endpoint producing the JSON it receives
// into a topic (src/connect/webhook_source.h). Runs until SIGINT/SIGTERM.
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <fstream>
#include <sstream>

#include "broker/serve.h"
#include "cli/commands.h"
#include "client/kafka_error.h"
#include "connect/webhook_source.h"
#include "registry/schema_codec.h"

namespace samsa::cli {
namespace {
namespace file_cmd_source {

struct source_args {
  connect::source_options options;
  std::string listen = "127.0.0.1:8083";
  std::optional<std::string> value_schema;  // a schema file, registered under <topic>-value
  std::string schema_type;
  std::optional<std::string> port_file;
  int64_t ack_timeout_ms = 10000;
};

result<std::pair<std::string, uint16_t>> parse_listen(const std::string& text) {
  size_t colon = text.rfind(':');
  auto bad = [&] {
    return client::make_usage_error("--listen", fmt::format("\"{}\" is not HOST:PORT (e.g. 127.0.0.1:8083)", text));
  };
  if (colon == std::string::npos || colon == 0) return bad();
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = 0;
  try {
    size_t used = 0;
    port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1) return bad();
  } catch (const std::exception&) {
    return bad();
  }
  if (port < 0 || port > 65535) return bad();
  return std::make_pair(host, static_cast<uint16_t>(port));
}

// --value-schema FILE: registered under <topic>-value (the registry answers
// the existing id for a schema it has), as `samsa produce` does.
result<int32_t> register_value_schema(const source_args& a, const std::string& url, int timeout_ms) {
  std::ifstream in(*a.value_schema, std::ios::binary);
  if (!in) return client::make_usage_error("--value-schema", "cannot read " + *a.value_schema);
  std::stringstream text;
  text << in.rdbuf();
  std::string type = a.schema_type;
  if (type.empty()) {
    const std::string& f = *a.value_schema;
    type = f.ends_with(".proto") ? "PROTOBUF" : f.ends_with(".json") ? "JSON" : "AVRO";  // as `samsa produce`
  }
  auto parsed = registry::parse_type_name(type);
  if (!parsed) return client::make_usage_error("--schema-type", "AVRO, JSON or PROTOBUF, got " + type);
  registry::schema_codec codec(url, std::chrono::milliseconds(timeout_ms));
  return codec.register_schema(a.options.topic + "-value", *parsed, text.str());
}

int run_source(source_args a, cli_context& ctx) {
  auto address = parse_listen(a.listen);
  if (!address) return ctx.fail(address.err());
  if (a.value_schema && a.options.schema_id) {
    std::cerr << "error: --value-schema and --schema-id cannot be combined\n";
    return exit_usage;
  }
  if (a.options.registry_url.empty()) {
    const char* env = std::getenv("SAMSA_SCHEMA_REGISTRY_URL");
    a.options.registry_url = env && *env ? env : "http://127.0.0.1:8081";
  }
  if (a.value_schema) {
    auto id = register_value_schema(a, a.options.registry_url, ctx.timeout_ms);
    if (!id) return ctx.fail(id.err());
    a.options.schema_id = *id;
  }
  a.options.ack_timeout = std::chrono::milliseconds(a.ack_timeout_ms);
  auto config = ctx.config();
  if (!config) return ctx.fail(config.err());
  auto source = connect::webhook_source::create(a.options, *config);
  if (!source) return ctx.fail(source.err());
  if (auto s = (*source)->bind(address->first, address->second); !s) return ctx.fail(s.err());
  if (a.port_file)
    if (auto s = broker::write_port_file(*a.port_file, (*source)->port()); !s) return ctx.fail(s.err());
  std::signal(SIGPIPE, SIG_IGN);
  boost::asio::io_context waiter(1);
  boost::asio::signal_set signals(waiter, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int) {});
  (*source)->start();
  std::cerr << fmt::format("% source: POST JSON to http://{}:{}/ -> topic {}{}\n", address->first, (*source)->port(),
                           a.options.topic,
                           a.options.schema_id ? fmt::format(" (schema id {})", *a.options.schema_id) : "");
  waiter.run();
  (*source)->stop();
  return exit_ok;
}

}  // namespace file_cmd_source
}  // namespace

void register_source(CLI::App& app, cli_context& ctx) {
  using namespace file_cmd_source;
  auto* source = app.add_subcommand("source", "Feed a topic from outside")->require_subcommand(1);
  auto a = std::make_shared<source_args>();
  auto* cmd = source->add_subcommand(
      "http", "A webhook endpoint: POSTed JSON becomes records, answered once the brokers acknowledged them");
  cmd->add_option("--listen", a->listen, "HOST:PORT to serve on (0.0.0.0:PORT for other machines)")
      ->default_val("127.0.0.1:8083");
  cmd->add_option("--topic,-t", a->options.topic, "The topic to produce to")->required();
  cmd->add_option("--key-field", a->options.key_field, "This field of each JSON object becomes the record key");
  cmd->add_option("--value-schema", a->value_schema,
                  "Register this schema file under <topic>-value and encode values with it (a value that does not "
                  "fit is refused with 422)");
  cmd->add_option("--schema-type", a->schema_type, "AVRO, JSON or PROTOBUF (default: .proto PROTOBUF, .json JSON, else AVRO)");
  cmd->add_option("--schema-id", a->options.schema_id, "Encode values with this registered schema");
  cmd->add_option("--message", a->options.protobuf_message, "Protobuf: the message type's full name (default: the first)");
  cmd->add_option("--schema-registry,--registry", a->options.registry_url,
                  "Schema Registry URL (default $SAMSA_SCHEMA_REGISTRY_URL or http://127.0.0.1:8081; put USER:PASSWORD@ before the host for credentials)");
  cmd->add_option("--ack-timeout-ms", a->ack_timeout_ms, "Answer 503 when the brokers have not acknowledged by then")
      ->default_val(10000)
      ->check(CLI::Range(100, 300000));
  cmd->add_option("--max-body-bytes", a->options.max_body_bytes, "Larger bodies are refused with 413")
      ->default_val(1024 * 1024)
      ->check(CLI::Range(1024, 64 * 1024 * 1024));
  cmd->add_option("--max-records", a->options.limits.max_records, "Records per request, at most")
      ->default_val(1000)
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--port-file", a->port_file, "Write the bound port here")->group("");  // hidden: for tests
  cmd->footer(
      "\nExample:\n  samsa source http --listen 127.0.0.1:8083 --topic payments --key-field customer\n"
      "  curl -H 'Content-Type: application/json' -d '{\"customer\": \"c1\", \"amount\": 12.5}' http://127.0.0.1:8083/\n"
      "\nAnswers: 200 {\"offsets\": [...]} once stored; 400 bad JSON; 413 too large; 415 not JSON;\n"
      "422 does not fit the schema; 503 not acknowledged in time (may or may not be stored). See docs/pipeline.md.");
  cmd->callback([a, &ctx] { ctx.exit_status = run_source(*a, ctx); });
}

}  // namespace samsa::cli
