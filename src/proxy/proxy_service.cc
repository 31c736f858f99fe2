#include "proxy/proxy_service.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <nlohmann/json.hpp>

#include "base/kafka_error_codes.h"
#include "broker/acl_service.h"
#include "broker/broker_state.h"
#include "broker/topic_registry.h"
#include "registry/rest_client.h"
#include "http/http_auth.h"
#include "http/on_broker.h"
#include "http/route_permissions.h"
#include "proxy/consumer_instances.h"
#include "proxy/proxy_http.h"
#include "proxy/proxy_permissions.h"
#include "proxy/v3_produce.h"
#include "security/acl/authorizer.h"
#include "security/tls/tls_context.h"
#include "storage/partition_log.h"

namespace samsa::proxy {

namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

http::server_limits limits_for(const proxy_settings& s) {
  http::server_limits l;
  l.thread_name = "samsa-proxy";
  l.max_body_bytes = s.max_request_bytes;
  l.error_body = [](int status, std::string_view message) { return error_text(status, message); };
  return l;
}

http::response unsupported_media_type() {
  return error_answer(415, codes::unsupported_media_type, "HTTP 415 Unsupported Media Type");
}

std::optional<int32_t> partition_number(const std::string& text) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v > INT32_MAX) return std::nullopt;
  return static_cast<int32_t>(v);
}

json null_or(const std::optional<int32_t>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

proxy_service::proxy_service(broker::broker_state& broker, broker::api_table& apis, proxy_settings settings)
    : broker_(broker), settings_(std::move(settings)), server_(limits_for(settings_)), producer_(broker, apis),
      encoder_(settings_.registry_url, settings_.registry_auth),
      consumers_(std::make_unique<consumer_instances>(broker, apis, settings_, server_.io(), encoder_)) {
  for (const char* method : {"GET", "POST", "PUT", "DELETE"})
    server_.route(method, "/", [this](const http::request& r) { return handle(r); }, true);
  // v3 produce reads its body as it comes and answers each record as it is stored (streaming mode).
  server_.body_route(
      "POST",
      [](const std::string& path) {
        auto segs = http::split_path(path);
        return segs.size() == 6 && segs[0] == "v3" && segs[1] == "clusters" && segs[3] == "topics" &&
               segs[5] == "records";
      },
      [this](const http::request& r, http::body_exchange& io) { return produce_v3(r, io); });
}

proxy_service::~proxy_service() { stop(); }

status proxy_service::bind(const http::http_address& a) {
  if (auto s = server_.bind(a.host, a.port); !s) return s;
  std::string host = a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host;
  url_ = std::string(a.tls ? "https://" : "http://") + host + ":" + std::to_string(server_.bound_port());
  consumers_->set_base_url(url_);
  return {};
}

void proxy_service::start() {
  consumers_->start();
  server_.start();
}

void proxy_service::stop() {
  if (stopped_) return;
  stopped_ = true;
  // The instances leave their groups on the proxy's thread before it stops.
  asio::post(server_.io(), [this] { consumers_->stop(); });
  server_.stop();
  encoder_.stop();
}

asio::awaitable<http::response> proxy_service::handle(const http::request& req) {
  auto segs = http::split_path(req.path);
  const std::string& m = req.method;
  if (!segs.empty() && segs[0] == "topics") {
    if (segs.size() == 1 && m == "GET") co_return co_await list_topics(req);
    if (segs.size() == 2 && m == "GET") co_return co_await describe_topic(req, segs[1], false);
    if (segs.size() == 3 && segs[2] == "partitions" && m == "GET") co_return co_await describe_topic(req, segs[1], true);
    if (segs.size() == 2 && m == "POST") co_return co_await produce_v2(req, segs[1], std::nullopt);
    if (segs.size() == 4 && segs[2] == "partitions" && m == "POST") {
      auto p = partition_number(segs[3]);
      if (!p) co_return error_answer(404, codes::partition_not_found, "Partition " + segs[3] + " not found.");
      co_return co_await produce_v2(req, segs[1], p);
    }
  }
  if (!segs.empty() && segs[0] == "consumers" && segs.size() >= 2) co_return co_await consumers_->handle(req, segs);
  if (segs.size() >= 2 && segs[0] == "v3" && segs[1] == "clusters") {
    json cluster{{"kind", "KafkaCluster"}, {"cluster_id", broker_.cluster_id()}};
    if (segs.size() == 2 && m == "GET")
      co_return json_answer(json{{"kind", "KafkaClusterList"}, {"data", json::array({cluster})}}, 200, "application/json");
    if (segs.size() == 3 && m == "GET") {
      if (segs[2] != broker_.cluster_id()) co_return error_answer(404, 404, "Cluster " + segs[2] + " not found.");
      co_return json_answer(cluster, 200, "application/json");
    }
  }
  co_return error_answer(404, 404, "HTTP 404 Not Found: no " + m + " " + req.path + " here");
}

asio::awaitable<http::response> proxy_service::list_topics(const http::request& req) {
  auto gather = [this, who = req.principal, host = req.peer_host] {
    std::vector<std::string> names;
    const acl::authorizer* a = broker_.acls().enabled() ? broker_.acls().authorizer() : nullptr;
    for (const auto* t : broker_.topics().list()) {
      if (t->internal) continue;
      if (a && !a->authorize(who, host, acl::operation::describe, acl::resource_type::topic, t->name).allowed) continue;
      names.push_back(t->name);
    }
    return names;
  };
  std::vector<std::string> names = co_await http::on_broker(broker_.io(), std::move(gather));
  co_return json_answer(json(names));
}

asio::awaitable<http::response> proxy_service::describe_topic(const http::request&, const std::string& topic,
                                                              bool partitions_only) {
  const int32_t node = broker_.config().node_id;
  auto gather = [this, topic, node]() -> std::optional<json> {
    const auto* t = broker_.topics().find(topic);
    if (!t) return std::nullopt;
    json parts = json::array();
    for (size_t i = 0; i < t->partitions.size(); ++i) {
      parts.push_back({{"partition", static_cast<int32_t>(i)},
                       {"leader", node},
                       {"replicas", json::array({{{"broker", node}, {"leader", true}, {"in_sync", true}}})}});
    }
    json configs = json::object();
    const auto& c = t->config;
    configs["cleanup.policy"] = c.cleanup_compact && c.cleanup_delete ? "compact,delete"
                                : c.cleanup_compact                   ? "compact"
                                                                      : "delete";
    configs["retention.ms"] = std::to_string(c.retention_ms);
    configs["retention.bytes"] = std::to_string(c.retention_bytes);
    configs["segment.bytes"] = std::to_string(c.segment_bytes);
    configs["max.message.bytes"] = std::to_string(c.max_message_bytes);
    configs["compression.type"] = c.compression_type;
    for (const auto& [k, v] : t->overrides) configs[k] = v;
    return json{{"name", t->name}, {"configs", configs}, {"partitions", parts}};
  };
  std::optional<json> j = co_await http::on_broker(broker_.io(), std::move(gather));
  if (!j) co_return error_answer(404, codes::topic_not_found, "Topic " + topic + " not found.");
  if (partitions_only) co_return json_answer((*j)["partitions"]);
  co_return json_answer(*j);
}

asio::awaitable<http::response> proxy_service::produce_v2(const http::request& req, const std::string& topic,
                                                          std::optional<int32_t> partition) {
  auto f = v2_produce_format(req.content_type);
  if (!f) co_return unsupported_media_type();
  auto body = parse_v2_produce(req.body, *f, settings_.limits);
  if (!body) co_return error_answer(body.error());
  std::vector<outgoing_record> out(body->records.size());
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].key = body->records[i].key;
    out[i].value = body->records[i].value;
    out[i].partition = partition ? partition : body->records[i].partition;
  }
  // Before any schema is registered: an unknown topic or partition stores nothing.
  auto count = co_await producer_.partitions_of(topic);
  if (!count) co_return error_answer(count.error());
  if (auto chosen = producer_.choose_partitions(out, *count); !chosen) co_return error_answer(chosen.error());
  std::optional<int32_t> key_id;
  std::optional<int32_t> value_id;
  if (uses_schema(*f)) {
    for (bool is_key : {true, false}) {
      schema_side side;
      side.subject = topic + (is_key ? "-key" : "-value");
      const v2_schema& given = is_key ? body->key_schema : body->value_schema;
      side.schema_text = given.text;
      side.schema_id = given.id;
      side.embedded = *f;
      bool any = false;
      for (const auto& r : body->records) {
        side.values.push_back(is_key ? r.key : r.value);
        any = any || side.values.back().has_value();
      }
      if (!any && !given.given()) continue;
      auto encoded = co_await encoder_.encode(std::move(side), encoder_.authorization_for(req));
      if (!encoded) co_return error_answer(encoded.error());
      (is_key ? key_id : value_id) = encoded->schema_id;
      for (size_t i = 0; i < out.size(); ++i) (is_key ? out[i].key : out[i].value) = encoded->values[i];
    }
  }
  auto produced = co_await producer_.produce(topic, out, req);
  if (!produced) co_return error_answer(produced.error());
  json offsets = json::array();
  for (const auto& p : *produced) {
    json o{{"partition", p.partition}};
    if (p.error_code == 0) {
      o["offset"] = p.offset;
      o["error_code"] = nullptr;
      o["error"] = nullptr;
    } else {
      o["offset"] = nullptr;
      o["error_code"] = proxy_error_code(p.error_code);
      o["error"] = p.message;
    }
    offsets.push_back(std::move(o));
  }
  co_return json_answer(json{{"offsets", offsets}, {"key_schema_id", null_or(key_id)}, {"value_schema_id", null_or(value_id)}});
}

asio::awaitable<std::optional<http::response>> proxy_service::produce_v3(const http::request& req,
                                                                         http::body_exchange& io) {
  auto segs = http::split_path(req.path);
  const std::string& cluster = segs[2];
  const std::string& topic = segs[4];
  if (!v3_json_type(req.content_type)) co_return unsupported_media_type();
  if (cluster != broker_.cluster_id()) co_return error_answer(404, 404, "Cluster " + cluster + " not found.");
  auto count = co_await producer_.partitions_of(topic);
  if (!count) co_return error_answer(404, 404, count.error().message);
  v3_stream_limits limits;
  limits.max_record_bytes = settings_.max_request_bytes;
  limits.max_in_flight = settings_.limits.max_records;
  limits.buffer_bytes = settings_.stream_buffer_bytes;
  v3_target target{broker_.cluster_id(), topic, *count};
  // Named arguments: GCC 12 may destroy a temporary passed to a coroutine twice.
  std::optional<http::response> whole =
      co_await stream_v3_produce(req, io, std::move(target), producer_, encoder_, limits);
  co_return whole;
}

result<std::unique_ptr<broker::side_service>> start_http_proxy(broker::broker_state& broker, broker::api_table& apis,
                                                              const std::optional<std::string>& port_file,
                                                              const std::string& registry_url) {
  auto settings = proxy_settings_from(broker.config().raw);
  if (!settings) return settings.err();
  if (!settings->listener) {
    spdlog::info("http proxy: off (http.proxy.listeners=none)");
    return std::unique_ptr<broker::side_service>();
  }
  if (settings->registry_url.empty()) {
    settings->registry_url = registry_url;
    settings->registry_auth.pass_callers_on = true;
  }
  auto address = http::parse_http_listener(*settings->listener);
  if (!address) return make_error(std::errc::invalid_argument, "http.proxy.listeners: " + address.err().describe());
  auto service = std::make_unique<proxy_service>(broker, apis, *settings);
  if (address->tls) {
    // The Kafka listeners' settings: listener.name.http_proxy.ssl.* over ssl.*.
    const auto& raw = broker.config().raw;
    auto lookup = [&raw](const std::string& key) -> std::optional<std::string> {
      if (auto it = raw.find("listener.name.http_proxy." + key); it != raw.end()) return it->second;
      if (auto it = raw.find(key); it != raw.end()) return it->second;
      return std::nullopt;
    };
    auto tls_settings = security::tls::parse_tls_settings("HTTP_PROXY", lookup);
    if (!tls_settings) return tls_settings.err();
    auto context = security::tls::tls_context::create(*tls_settings);
    if (!context) return context.err();
    service->http_server().use_tls(*context, std::chrono::milliseconds(broker.config().ssl_handshake_timeout_ms));
  }
  auto security = http::http_security_from(broker);
  if (!security) return security.err();
  security->routes = &proxy_route_permissions();
  security->error_body = [](int status, int16_t, std::string_view, std::string message) {
    int code = status == 401 ? codes::unauthorized : status == 403 ? codes::forbidden : status;
    return error_answer(status, code, std::move(message));
  };
  const bool secured = security->enabled;
  http::install_http_security(service->http_server(), broker, std::move(*security));
  if (auto s = service->bind(*address); !s) {
    if (settings->listener_explicit) return make_error(std::errc::address_in_use, "http.proxy.listeners: " + s.err().describe());
    spdlog::warn("http proxy: {}; running without it (set http.proxy.listeners to another address, or none)",
                 s.err().describe());
    return std::unique_ptr<broker::side_service>();
  }
  if (port_file) {
    if (auto s = broker::write_port_file(*port_file + ".proxy", service->port()); !s) return s.err();
  }
  const bool loopback = address->host == "127.0.0.1" || address->host == "::1" || address->host == "localhost";
  if (!secured && !loopback)
    spdlog::warn("http proxy: listening on {} (not loopback) without an authorizer: anyone who can reach it can "
                 "produce to and read every topic",
                 address->host);
  service->start();
  spdlog::info("http proxy (Confluent REST v2/v3) on {}{}", service->url(),
               settings->registry_url.empty() ? "" : ", schemas from " + registry::without_password(settings->registry_url));
  return std::unique_ptr<broker::side_service>(std::move(service));
}

}  // namespace samsa::proxy
