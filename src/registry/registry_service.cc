#include "registry/registry_service.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <cctype>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "base/json_depth.h"
#include "base/utf8.h"
#include "registry/registry_permissions.h"
#include "registry/rest_paths.h"

namespace samsa::registry {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

constexpr const char* content_type = "application/vnd.schemaregistry.v1+json";

http::response json_answer(const json& body, int status = 200) {
  http::response r;
  r.status = status;
  r.content_type = content_type;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);  // paths echo raw bytes
  return r;
}

http::response error_answer(const api_error& e) {
  return json_answer(json{{"error_code", e.error_code}, {"message", e.message}}, e.http_status());
}

http::response error_answer(int code, const std::string& message) { return error_answer(api_error{code, message}); }

bool flag(const http::request& req, const char* name) {
  auto it = req.query.find(name);
  return it != req.query.end() && (it->second == "true" || it->second.empty());
}

// The media types Confluent's registry accepts for a body, in any case; no
// Content-Type at all counts as application/octet-stream, as there (Go's
// lensesio client sends none). A browser page of another origin could send
// such a body without asking first, but the HTTP server refuses its writes
// before they get here (http/cross_origin.h).
bool body_type_accepted(const std::string& type) {
  std::string base = type.substr(0, type.find(';'));
  while (!base.empty() && (base.back() == ' ' || base.back() == '\t')) base.pop_back();
  while (!base.empty() && (base.front() == ' ' || base.front() == '\t')) base.erase(base.begin());
  for (char& c : base) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return base.empty() || base == "application/vnd.schemaregistry.v1+json" ||
         base == "application/vnd.schemaregistry+json" || base == "application/json" ||
         base == "application/octet-stream";
}

// "latest", -1 or 1..2^31-1.
std::optional<int32_t> parse_version(const std::string& text) {
  if (text == "latest" || text == "-1") return -1;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 1 || v > std::numeric_limits<int32_t>::max())
    return std::nullopt;
  return static_cast<int32_t>(v);
}

api_error bad_version(const std::string& text) {
  return fail(codes::invalid_version, "The specified version '" + text +
                                          "' is not a valid version id. Allowed values are between [1, 2^31-1] and "
                                          "the string \"latest\"");
}

std::optional<int32_t> parse_id(const std::string& text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 1 || v > std::numeric_limits<int32_t>::max())
    return std::nullopt;
  return static_cast<int32_t>(v);
}

json references_json(const std::vector<schema_reference>& refs) {
  json a = json::array();
  for (const auto& r : refs) a.push_back({{"name", r.name}, {"subject", r.subject}, {"version", r.version}});
  return a;
}

// Confluent leaves schemaType out for AVRO, and references out when there are none.
void add_schema_fields(json& j, schema_type type, const std::string& text, const std::vector<schema_reference>& refs) {
  if (type != schema_type::avro) j["schemaType"] = std::string(type_name(type));
  if (!refs.empty()) j["references"] = references_json(refs);
  j["schema"] = text;
}

json version_json(const version_view& v) {
  json j{{"subject", v.subject}, {"version", v.version}, {"id", v.id}};
  add_schema_fields(j, v.type, v.schema, v.references);
  return j;
}

outcome<json> body_json(const http::request& req) {
  if (!body_type_accepted(req.content_type))
    return fail(415, "HTTP 415 Unsupported Media Type: send " + std::string(content_type) + " or application/json");
  json j = parse_json_bounded<json>(req.body);
  if (j.is_discarded() || !j.is_object()) return fail(400, "The request body is not a JSON object");
  return j;
}

outcome<schema_request> schema_request_from(const http::request& req) {
  auto body = body_json(req);
  if (!body) return body.err();
  const json& j = *body;
  schema_request r;
  auto schema = j.find("schema");
  if (schema == j.end() || !schema->is_string() || schema->get<std::string>().empty())
    return fail(codes::invalid_schema, "Empty schema");
  r.schema = schema->get<std::string>();
  if (auto t = j.find("schemaType"); t != j.end() && !t->is_null()) {
    auto type = t->is_string() ? parse_type_name(t->get<std::string>()) : std::nullopt;
    if (!type) return fail(codes::invalid_schema, "Invalid schema type " + t->dump() + " (AVRO, JSON or PROTOBUF)");
    r.type = *type;
  }
  if (auto refs = j.find("references"); refs != j.end() && !refs->is_null()) {
    if (!refs->is_array()) return fail(codes::invalid_schema, "references must be an array");
    if (refs->size() > max_references)
      return fail(codes::invalid_schema, "more than " + std::to_string(max_references) + " references");
    for (const auto& ref : *refs) {
      if (!ref.is_object() || !ref.contains("name") || !ref["name"].is_string() || !ref.contains("subject") ||
          !ref["subject"].is_string() || !ref.contains("version") || !ref["version"].is_number_integer())
        return fail(codes::invalid_schema, "a reference is {\"name\", \"subject\", \"version\"}");
      int64_t v = ref["version"].get<int64_t>();
      if (v != -1 && (v < 1 || v > std::numeric_limits<int32_t>::max()))
        return fail(codes::invalid_schema, "a reference's version is a positive number or -1 (latest)");
      r.references.push_back(
          schema_reference{ref["name"].get<std::string>(), ref["subject"].get<std::string>(), static_cast<int32_t>(v)});
    }
  }
  for (const char* key : {"id", "version"}) {
    if (auto it = j.find(key); it != j.end() && !it->is_null()) {
      if (!it->is_number_integer() || it->get<int64_t>() < -1 ||
          it->get<int64_t>() > std::numeric_limits<int32_t>::max())
        return fail(codes::invalid_schema, std::string(key) + " must be a positive number");
      // Confluent's clients send -1 / 0 for "not given".
      if (it->get<int64_t>() > 0) (std::string(key) == "id" ? r.id : r.version) = static_cast<int32_t>(it->get<int64_t>());
    }
  }
  r.normalize = flag(req, "normalize");
  return r;
}

}  // namespace

result<registry_settings> registry_settings_from(const std::map<std::string, std::string>& raw) {
  registry_settings s;
  if (auto it = raw.find("schema.registry.listeners"); it != raw.end()) {
    s.listener_explicit = true;
    if (it->second == "none" || it->second.empty()) {
      s.listener.reset();
    } else {
      if (it->second.find(',') != std::string::npos)
        return make_error(std::errc::invalid_argument,
                          "schema.registry.listeners: one listener is served, got '" + it->second + "'");
      auto a = http::parse_http_listener(it->second);
      if (!a)
        return make_error(std::errc::invalid_argument,
                          "schema.registry.listeners: '" + it->second + "' is not http://HOST:PORT (or none)");
      s.listener = it->second;
    }
  }
  if (auto it = raw.find("schema.registry.topic"); it != raw.end()) {
    const std::string& t = it->second;
    bool valid = !t.empty() && t.size() <= 249 && t != "." && t != ".." &&
                 std::all_of(t.begin(), t.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'; });
    if (!valid) return make_error(std::errc::invalid_argument, "schema.registry.topic: '" + t + "' is not a topic name");
    s.topic = t;
  }
  return s;
}

namespace {
http::server_limits http_limits() {
  http::server_limits l;
  l.thread_name = "samsa-registry";
  // A schema may be up to 1 MiB, JSON-escaped inside the request body.
  l.max_body_bytes = 4 * max_schema_bytes;
  // The server's own refusals (a body too large or too deep, a header too
  // long, a wrong Host) in Confluent's {"error_code", "message"}, which
  // registry clients read, not the console's format.
  l.error_body = [](int status, std::string_view message) {
    return registry_error_body(status, std::string(message)).body;
  };
  return l;
}
}  // namespace

registry_service::registry_service(std::unique_ptr<schema_log> log)
    : log_(std::move(log)), server_(http_limits()) {
  for (const char* method : {"GET", "POST", "PUT", "DELETE"}) {
    server_.route(method, "/", [this](const http::request& r) { return handle(r); }, true);
  }
}

registry_service::~registry_service() {
  if (directory_) directory_->detach();
  stop();
  // The log first: work it still holds would resume on the server's
  // io_context, which must outlive it.
  log_.reset();
}

void registry_service::publish_to(std::shared_ptr<schema_directory> directory) {
  directory_ = std::move(directory);
  if (directory_) directory_->attach(&state_);
}

std::unique_lock<std::mutex> registry_service::lock_for_change() {
  return directory_ ? std::unique_lock<std::mutex>(directory_->mutex()) : std::unique_lock<std::mutex>();
}

status registry_service::bind(const http::http_address& address) { return server_.bind(address.host, address.port); }

std::string registry_service::url() const {
  return std::string(server_.uses_tls() ? "https://" : "http://") + server_.bound_host() + ":" + std::to_string(server_.bound_port());
}

void registry_service::start() {
  // Replays the log at once, so the first request rarely waits for it.
  asio::co_spawn(
      server_.io(),
      [this]() -> asio::awaitable<void> {
        auto failed = co_await ensure_loaded();
        if (failed) spdlog::warn("schema registry: {} (retried at the next request)", failed->message);
      },
      asio::detached);
  server_.start();
}

void registry_service::stop() {
  if (stopped_) return;
  stopped_ = true;
  server_.stop();
}

asio::awaitable<std::optional<api_error>> registry_service::ensure_loaded() {
  if (loaded_) co_return std::nullopt;
  co_await lock_.acquire();
  lock_hold hold(lock_);
  if (loaded_) co_return std::nullopt;
  auto records = co_await log_->read_all();
  if (!records) co_return fail(codes::store_error, "cannot read " + log_->describe() + ": " + records.err().describe());
  registry_state fresh;
  size_t problems = 0;
  for (const auto& r : *records) {
    if (auto s = fresh.apply(r); !s && ++problems <= 5) spdlog::warn("schema registry: replay: {}", s.err().describe());
  }
  {
    auto changing = lock_for_change();
    state_ = std::move(fresh);
  }
  loaded_ = true;
  spdlog::info("schema registry: {} records replayed from {} ({} subjects, next id {}{})", records->size(),
               log_->describe(), state_.subjects(true).size(), state_.next_id(),
               problems ? ", " + std::to_string(problems) + " skipped" : "");
  co_return std::nullopt;
}

// Called with the lock held and the state loaded.
asio::awaitable<std::optional<api_error>> registry_service::store(std::vector<log_record> records) {
  if (records.empty()) co_return std::nullopt;
  auto copy = records;
  status s = co_await log_->append(std::move(copy));
  if (!s) {
    // The write may have landed anyway (a timeout): the log decides, so the
    // next request replays it before answering.
    loaded_ = false;
    co_return fail(codes::store_error, "Error while writing to " + log_->describe() + ": " + s.err().describe());
  }
  auto changing = lock_for_change();
  for (const auto& r : records) {
    if (auto applied = state_.apply(r); !applied) spdlog::warn("schema registry: {}", applied.err().describe());
  }
  co_return std::nullopt;
}

asio::awaitable<http::response> registry_service::handle(const http::request& req) {
  try {
    // Writes wait for the lock inside their routes; reads only need the state loaded.
    if (auto failed = co_await ensure_loaded()) co_return error_answer(*failed);
    const std::string& p = req.path;
    auto under = [&p](const std::string& prefix) { return path_under(p, prefix); };
    if (p == "/" && req.method == "GET") co_return json_answer(json::object());
    // Subjects are stored and answered as JSON text: one that is not UTF-8
    // (a percent-escaped 0x99) names nothing that can exist.
    if (!utf8::valid(p)) co_return error_answer(404, "HTTP 404 Not Found: the path is not UTF-8");
    if (auto rest = under("/subjects")) {
      http::response r = co_await subjects_route(req, *rest);
      co_return r;
    }
    if (auto rest = under("/schemas")) {
      http::response r = co_await schemas_route(req, *rest);
      co_return r;
    }
    if (auto rest = under("/config")) {
      // Subjects may hold '/': everything after /config/ is the subject.
      http::response r = co_await config_route(req, *rest);
      co_return r;
    }
    if (auto rest = under("/mode")) {
      http::response r = co_await mode_route(req, *rest);
      co_return r;
    }
    if (auto rest = under("/compatibility")) co_return compatibility_route(req, *rest);
    co_return error_answer(404, "HTTP 404 Not Found: " + req.method + " " + p);
  } catch (const std::exception& e) {
    spdlog::warn("schema registry: {} {} failed: {}", req.method, req.path, e.what());
    co_return error_answer(codes::store_error, std::string("Internal error: ") + e.what());
  }
}

asio::awaitable<http::response> registry_service::subjects_route(const http::request& req, const std::string& rest) {
  bool deleted = flag(req, "deleted");
  const subject_path path = parse_subject_path(rest);
  const std::string& subject = path.subject;
  switch (path.what) {
    case subject_path::shape::list: {
      if (req.method != "GET") co_return error_answer(405, "HTTP 405 Method Not Allowed");
      std::string prefix;
      if (auto it = req.query.find("subjectPrefix"); it != req.query.end()) prefix = it->second;
      std::vector<std::string> subjects = co_await visible_subjects(req, state_.subjects(deleted, prefix));
      co_return json_answer(subjects);
    }
    case subject_path::shape::versions: {
      if (req.method == "GET") {
        auto v = state_.versions(subject, deleted);
        co_return v ? json_answer(*v) : error_answer(v.err());
      }
      if (req.method == "POST") {
        http::response r = co_await register_schema(req, subject);
        co_return r;
      }
      co_return error_answer(405, "HTTP 405 Method Not Allowed");
    }
    case subject_path::shape::version: {
      if (req.method == "DELETE" && path.leaf.empty()) {
        http::response r = co_await delete_version(req, subject, path.version);
        co_return r;
      }
      if (req.method != "GET") co_return error_answer(405, "HTTP 405 Method Not Allowed");
      auto version = parse_version(path.version);
      if (!version) co_return error_answer(bad_version(path.version));
      if (path.leaf == "referencedby") {
        auto ids = state_.referenced_by(subject, *version);
        co_return ids ? json_answer(*ids) : error_answer(ids.err());
      }
      auto v = state_.version(subject, *version, deleted);
      if (!v) co_return error_answer(v.err());
      if (path.leaf == "schema") {
        http::response r;
        r.content_type = content_type;
        r.body = v->schema;
        co_return r;
      }
      co_return json_answer(version_json(*v));
    }
    case subject_path::shape::subject:
      break;
  }
  if (req.method == "POST") {
    auto r = schema_request_from(req);
    if (!r) co_return error_answer(r.err());
    auto found = state_.lookup(subject, *r, deleted);
    co_return found ? json_answer(version_json(*found)) : error_answer(found.err());
  }
  if (req.method == "DELETE") {
    http::response r = co_await delete_subject(req, subject);
    co_return r;
  }
  co_return error_answer(405, "HTTP 405 Method Not Allowed");
}

asio::awaitable<http::response> registry_service::register_schema(const http::request& req, const std::string& subject) {
  auto r = schema_request_from(req);
  if (!r) co_return error_answer(r.err());
  co_await lock_.acquire();
  lock_hold hold(lock_);
  if (!loaded_) co_return error_answer(codes::store_error, "the registry is reloading " + log_->describe() + "; retry");
  auto planned = state_.plan_register(subject, *r);
  if (!planned) co_return error_answer(planned.err());
  if (auto failed = co_await store(std::move(planned->records))) co_return error_answer(*failed);
  co_return json_answer(json{{"id", planned->answer}});
}

asio::awaitable<http::response> registry_service::delete_subject(const http::request& req, const std::string& subject) {
  co_await lock_.acquire();
  lock_hold hold(lock_);
  if (!loaded_) co_return error_answer(codes::store_error, "the registry is reloading " + log_->describe() + "; retry");
  auto planned = state_.plan_delete_subject(subject, flag(req, "permanent"));
  if (!planned) co_return error_answer(planned.err());
  if (auto failed = co_await store(std::move(planned->records))) co_return error_answer(*failed);
  co_return json_answer(planned->answer);
}

asio::awaitable<http::response> registry_service::delete_version(const http::request& req, const std::string& subject,
                                                                 const std::string& version_text) {
  auto version = parse_version(version_text);
  if (!version) co_return error_answer(bad_version(version_text));
  co_await lock_.acquire();
  lock_hold hold(lock_);
  if (!loaded_) co_return error_answer(codes::store_error, "the registry is reloading " + log_->describe() + "; retry");
  auto planned = state_.plan_delete_version(subject, *version, flag(req, "permanent"));
  if (!planned) co_return error_answer(planned.err());
  if (auto failed = co_await store(std::move(planned->records))) co_return error_answer(*failed);
  co_return json_answer(planned->answer);
}

asio::awaitable<http::response> registry_service::config_route(const http::request& req, const std::string& subject) {
  if (req.method == "GET") {
    if (subject.empty())
      co_return json_answer(json{{"compatibilityLevel", std::string(compatibility_name(state_.global_compatibility()))}});
    auto level = state_.subject_compatibility(subject);
    if (!level && flag(req, "defaultToGlobal")) level = state_.global_compatibility();
    if (!level)
      co_return error_answer(codes::subject_compatibility_not_configured,
                             "Subject '" + subject + "' does not have subject-level compatibility configured");
    co_return json_answer(json{{"compatibilityLevel", std::string(compatibility_name(*level))}});
  }
  std::optional<std::string> level;
  if (req.method == "PUT") {
    auto body = body_json(req);
    if (!body) co_return error_answer(body.err());
    auto c = body->find("compatibility");
    if (c == body->end()) c = body->find("compatibilityLevel");
    if (c == body->end() || !c->is_string())
      co_return error_answer(codes::invalid_compatibility_level, "Invalid compatibility level: expected {\"compatibility\": LEVEL}");
    level = c->get<std::string>();
  } else if (req.method != "DELETE") {
    co_return error_answer(405, "HTTP 405 Method Not Allowed");
  }
  co_await lock_.acquire();
  lock_hold hold(lock_);
  if (!loaded_) co_return error_answer(codes::store_error, "the registry is reloading " + log_->describe() + "; retry");
  auto planned = state_.plan_config(subject, level);
  if (!planned) co_return error_answer(planned.err());
  if (auto failed = co_await store(std::move(planned->records))) co_return error_answer(*failed);
  co_return json_answer(req.method == "PUT" ? json{{"compatibility", planned->answer}}
                                            : json{{"compatibilityLevel", planned->answer}});
}

asio::awaitable<http::response> registry_service::mode_route(const http::request& req, const std::string& subject) {
  if (req.method == "GET") {
    if (subject.empty()) co_return json_answer(json{{"mode", std::string(mode_name(state_.global_mode()))}});
    auto mode = state_.subject_mode(subject);
    if (!mode && flag(req, "defaultToGlobal")) mode = state_.global_mode();
    if (!mode)
      co_return error_answer(codes::subject_mode_not_configured,
                             "Subject '" + subject + "' does not have subject-level mode configured");
    co_return json_answer(json{{"mode", std::string(mode_name(*mode))}});
  }
  std::optional<std::string> mode;
  if (req.method == "PUT") {
    auto body = body_json(req);
    if (!body) co_return error_answer(body.err());
    auto m = body->find("mode");
    if (m == body->end() || !m->is_string())
      co_return error_answer(codes::invalid_mode, "Invalid mode: expected {\"mode\": READWRITE|READONLY|IMPORT}");
    mode = m->get<std::string>();
  } else if (req.method != "DELETE" || subject.empty()) {
    co_return error_answer(405, "HTTP 405 Method Not Allowed");
  }
  co_await lock_.acquire();
  lock_hold hold(lock_);
  if (!loaded_) co_return error_answer(codes::store_error, "the registry is reloading " + log_->describe() + "; retry");
  auto planned = state_.plan_mode(subject, mode, flag(req, "force"));
  if (!planned) co_return error_answer(planned.err());
  if (auto failed = co_await store(std::move(planned->records))) co_return error_answer(*failed);
  co_return json_answer(json{{"mode", planned->answer}});
}

asio::awaitable<std::optional<http::response>> registry_service::authorize(const http::request& req) {
  if (!access_) co_return std::nullopt;
  // A schema id's readers depend on the subjects using it: the state first.
  if (auto failed = co_await ensure_loaded()) co_return error_answer(*failed);
  auto subjects_of_id = [this](int32_t id) {
    std::vector<std::string> out;
    auto uses = state_.versions_of_id(id, true);
    if (uses) {
      for (const auto& [subject, version] : *uses) out.push_back(subject);
    }
    return out;
  };
  access_need need = need_of(req, access_->schemas_topic, subjects_of_id);
  if (!need.defined) {
    http::resolved_check none{acl::resource_type::cluster, acl::operation::all, http::cluster_resource_name};
    access_->audit(req, none, "NoRoutePermission");
    co_return registry_error_body(403, "no permission is defined for " + req.method + " " + req.path +
                                           ": refused while an authorizer is on");
  }
  if (need.any_of.empty()) co_return std::nullopt;
  std::vector<http::check_decision> decisions = co_await access_->decide(req, need.any_of);
  for (const auto& d : decisions)
    if (d.allowed) co_return std::nullopt;
  // The audit line names the first way it could have been allowed (the subject's topic).
  const http::resolved_check& first = need.any_of.front();
  access_->audit(req, first, decisions.empty() ? std::string("DefaultDeny") : decisions.front().rule);
  co_return registry_error_body(403, "User " + req.principal.to_string() + " is not authorized to " + need.what +
                                         " (needs " + std::string(acl::name(first.op)) + " on " +
                                         std::string(acl::name(first.type)) + " " + first.name + ")");
}

asio::awaitable<std::vector<std::string>> registry_service::visible_subjects(const http::request& req,
                                                                            std::vector<std::string> all) {
  if (!access_ || all.empty()) co_return all;
  std::vector<http::resolved_check> checks;
  for (const auto& s : all) checks.push_back(subject_need(subject_action::read, s, access_->schemas_topic).any_of.front());
  checks.push_back(subject_need(subject_action::read, "", access_->schemas_topic).any_of.back());
  std::vector<http::check_decision> decisions = co_await access_->decide(req, std::move(checks));
  if (decisions.size() != all.size() + 1 || decisions.back().allowed) co_return all;
  std::vector<std::string> kept;
  for (size_t i = 0; i < all.size(); ++i)
    if (decisions[i].allowed) kept.push_back(std::move(all[i]));
  co_return kept;
}

asio::awaitable<http::response> registry_service::schemas_route(const http::request& req, const std::string& rest) {
  if (req.method != "GET") co_return error_answer(405, "HTTP 405 Method Not Allowed");
  auto parts = split_slash(rest);
  if (parts.size() == 1 && parts[0] == "types") co_return json_answer(state_.schema_types());
  if (parts.size() >= 2 && parts.size() <= 3 && parts[0] == "ids") {
    auto id = parse_id(parts[1]);
    if (!id) co_return error_answer(codes::schema_not_found, "Schema " + parts[1] + " not found");
    std::string leaf = parts.size() == 3 ? parts[2] : "";
    if (leaf.empty() || leaf == "schema") {
      auto s = state_.schema_by_id(*id);
      if (!s) co_return error_answer(s.err());
      if (leaf == "schema") {
        http::response r;
        r.content_type = content_type;
        r.body = s->schema;
        co_return r;
      }
      json j = json::object();
      add_schema_fields(j, s->type, s->schema, s->references);
      co_return json_answer(j);
    }
    if (leaf == "versions" || leaf == "subjects") {
      auto uses = state_.versions_of_id(*id, flag(req, "deleted"));
      if (!uses) co_return error_answer(uses.err());
      // Only the subjects the principal may read are listed.
      std::vector<std::string> names;
      for (const auto& [subject, version] : *uses)
        if (std::find(names.begin(), names.end(), subject) == names.end()) names.push_back(subject);
      std::vector<std::string> visible = co_await visible_subjects(req, names);
      json out = json::array();
      for (const auto& [subject, version] : *uses) {
        if (std::find(visible.begin(), visible.end(), subject) == visible.end()) continue;
        if (leaf == "versions") {
          out.push_back({{"subject", subject}, {"version", version}});
        } else if (std::find(out.begin(), out.end(), json(subject)) == out.end()) {
          out.push_back(subject);
        }
      }
      co_return json_answer(out);
    }
  }
  co_return error_answer(404, "HTTP 404 Not Found: GET /schemas/" + rest);
}

http::response registry_service::compatibility_route(const http::request& req, const std::string& rest) {
  // subjects/{s}/versions/{v} or subjects/{s}/versions
  if (req.method != "POST") return error_answer(405, "HTTP 405 Method Not Allowed");
  auto path = parse_compatibility_path(rest);
  if (!path) return error_answer(404, "HTTP 404 Not Found: POST /compatibility/" + rest);
  std::optional<int32_t> version;
  if (path->version) {
    version = parse_version(*path->version);
    if (!version) return error_answer(bad_version(*path->version));
  }
  auto r = schema_request_from(req);
  if (!r) return error_answer(r.err());
  auto answer = state_.check(path->subject, version, *r);
  if (!answer) return error_answer(answer.err());
  json j{{"is_compatible", answer->compatible}};
  if (flag(req, "verbose")) j["messages"] = answer->messages;
  return json_answer(j);
}

}  // namespace samsa::registry
