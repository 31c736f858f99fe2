// The Schema Registry's REST API (Confluent's), on its own HTTP listener
// (schema.registry.listeners, default http://127.0.0.1:8081; `none` = off),
// served by src/http's bounded server on its own thread. The state
// (registry_state) lives on that thread; changes are written to the
// `_schemas` log first and applied once stored, one at a time (async_lock).
// At start, and after a failed write, the state is rebuilt by replaying the
// log, before any request is answered.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "http/server.h"
#include "registry/async_lock.h"
#include "registry/registry_permissions.h"
#include "registry/registry_state.h"
#include "registry/schema_directory.h"
#include "registry/schema_log.h"

namespace samsa::registry {

struct registry_settings {
  // nullopt = `none` (off).
  std::optional<std::string> listener = "http://127.0.0.1:8081";
  bool listener_explicit = false;  // a busy default port only warns; a busy chosen one stops the start
  std::string topic = default_schemas_topic;
};

// schema.registry.listeners, schema.registry.topic.
result<registry_settings> registry_settings_from(const std::map<std::string, std::string>& raw);

class registry_service {
 public:
  explicit registry_service(std::unique_ptr<schema_log> log);
  ~registry_service();

  status bind(const http::http_address& address);
  uint16_t port() const { return server_.bound_port(); }
  std::string url() const;
  // Lets in-process readers (the console) look schemas up in this registry's
  // state, through `directory` (before start()).
  void publish_to(std::shared_ptr<schema_directory> directory);
  // Starts the HTTP thread and the first replay of the log.
  void start();
  void stop();

  // For https and the authentication hooks (before start()).
  http::server& http_server() { return server_; }
  // Checks every request against the broker's ACLs (registry_permissions.h)
  // and filters listings; call before start(). Without it everything is
  // allowed (no authorizer, or the standalone registry).
  void set_access_control(access_control access) { access_ = std::move(access); }
  // The authorization step of http_security_settings::authorize: runs on the
  // server's thread once the request is authenticated; a response refuses.
  boost::asio::awaitable<std::optional<http::response>> authorize(const http::request& req);

 private:
  boost::asio::awaitable<http::response> handle(const http::request& req);
  boost::asio::awaitable<std::optional<api_error>> ensure_loaded();
  boost::asio::awaitable<std::optional<api_error>> store(std::vector<log_record> records);

  boost::asio::awaitable<http::response> subjects_route(const http::request& req, const std::string& rest);
  boost::asio::awaitable<http::response> register_schema(const http::request& req, const std::string& subject);
  boost::asio::awaitable<http::response> delete_subject(const http::request& req, const std::string& subject);
  boost::asio::awaitable<http::response> delete_version(const http::request& req, const std::string& subject,
                                                        const std::string& version);
  boost::asio::awaitable<http::response> config_route(const http::request& req, const std::string& subject);
  boost::asio::awaitable<http::response> mode_route(const http::request& req, const std::string& subject);
  boost::asio::awaitable<http::response> schemas_route(const http::request& req, const std::string& rest);
  // The subjects of `all` the request's principal may read (all of them without access control).
  boost::asio::awaitable<std::vector<std::string>> visible_subjects(const http::request& req,
                                                                   std::vector<std::string> all);
  http::response compatibility_route(const http::request& req, const std::string& rest);
  // Held while state_ changes, when a directory reads it from other threads.
  std::unique_lock<std::mutex> lock_for_change();

  std::unique_ptr<schema_log> log_;
  http::server server_;
  registry_state state_;
  std::shared_ptr<schema_directory> directory_;
  async_lock lock_;
  std::optional<access_control> access_;
  bool loaded_ = false;
  bool stopped_ = false;
};

}  // namespace samsa::registry
