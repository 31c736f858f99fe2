// The HTTP REST proxy (Confluent REST Proxy v2 subset and v3 produce) on
// http.proxy.listeners: src/http's bounded server on its own thread, one
// catch-all route that dispatches on the path (so unknown paths answer in
// Confluent's error shape). Broker state is read on the handler thread
// through on_broker; records are written through the broker's own Produce
// handler as the HTTP caller's principal; consumer instances
// (consumer_instances.h) join groups through the group handlers.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/serve.h"
#include "http/server.h"
#include "proxy/proxy_settings.h"
#include "proxy/record_producer.h"
#include "proxy/schema_encoder.h"

namespace samsa::broker {
class api_table;
class broker_state;
}  // namespace samsa::broker

namespace samsa::proxy {

class consumer_instances;

class proxy_service final : public broker::side_service {
 public:
  proxy_service(broker::broker_state& broker, broker::api_table& apis, proxy_settings settings);
  ~proxy_service() override;

  http::server& http_server() { return server_; }
  status bind(const http::http_address& address);
  uint16_t port() const { return server_.bound_port(); }
  void start();
  std::string url() const override { return url_; }
  void stop() override;

 private:
  boost::asio::awaitable<http::response> handle(const http::request& req);
  boost::asio::awaitable<http::response> list_topics(const http::request& req);
  boost::asio::awaitable<http::response> describe_topic(const http::request& req, const std::string& topic,
                                                        bool partitions_only);
  boost::asio::awaitable<http::response> produce_v2(const http::request& req, const std::string& topic,
                                                    std::optional<int32_t> partition);
  // Streamed: reads the records from `io` and answers each as it is stored (v3_produce.h).
  boost::asio::awaitable<std::optional<http::response>> produce_v3(const http::request& req, http::body_exchange& io);

  broker::broker_state& broker_;
  proxy_settings settings_;
  http::server server_;
  record_producer producer_;
  schema_encoder encoder_;
  std::unique_ptr<consumer_instances> consumers_;
  std::string url_;
  bool stopped_ = false;
};

// Null when http.proxy.listeners=none (or its default port is busy, which
// only warns). `registry_url`: the embedded registry's, used when
// schema.registry.url is not set. Writes the port to "<port_file>.proxy".
result<std::unique_ptr<broker::side_service>> start_http_proxy(broker::broker_state& broker, broker::api_table& apis,
                                                              const std::optional<std::string>& port_file,
                                                              const std::string& registry_url);

}  // namespace samsa::proxy
