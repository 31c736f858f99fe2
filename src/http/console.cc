#include "http/console.h"

#include <spdlog/spdlog.h>

#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "base/json_depth.h"
#include "base/kafka_error_codes.h"
#include "base/key_hash.h"
#include "broker/broker_state.h"
#include "broker/group_service.h"
#include "broker/serve.h"
#include "broker/topic_registry.h"
#include "group/coordinator.h"
#include "group/lag.h"
#include "http/assets.h"
#include "http/consumer_assignment.h"
#include "http/group_history.h"
#include "http/http_auth.h"
#include "http/group_views.h"
#include "http/internal_client.h"
#include "http/log_reader.h"
#include "http/metrics_text.h"
#include "http/on_broker.h"
#include "http/record_search.h"
#include "http/route_permissions.h"
#include "http/server.h"
#include "http/start_position.h"
#include "record/batch_builder.h"
#include "security/tls/tls_context.h"
#include "storage/partition_log.h"
#include "http/record_decoding.h"

namespace samsa::http {

namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

response json_response(const json& j, int status = 200) { return response{status, "application/json", dump(j), {}}; }

// Errors as Kafka names them: the code a client would have got, its name and a message.
response error_response(int status, kafka::error_code code, std::string message) {
  json j;
  j["error"] = {{"code", kafka::to_int(code)},
                {"name", std::string(kafka::error_name(code))},
                {"message", std::move(message)}};
  return json_response(j, status);
}

std::optional<int64_t> parse_int(const std::map<std::string, std::string>& q, const std::string& key) {
  auto it = q.find(key);
  if (it == q.end() || it->second.empty()) return std::nullopt;
  try {
    size_t used = 0;
    int64_t v = std::stoll(it->second, &used);
    if (used != it->second.size()) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string cleanup_policy(const storage::log_config& c) {
  if (c.cleanup_compact && c.cleanup_delete) return "compact,delete";
  return c.cleanup_compact ? "compact" : "delete";
}

json partition_json(const storage::partition_log& log) {
  const auto& f = log.figures();
  return json{{"partition", log.partition()},
              {"log_start_offset", f.log_start.load(std::memory_order_relaxed)},
              {"high_watermark", log.high_watermark()},
              {"size_bytes", f.size_bytes.load(std::memory_order_relaxed)},
              {"segments", f.segments.load(std::memory_order_relaxed)},
              {"records_in", f.records_in.load(std::memory_order_relaxed)},
              {"bytes_in", f.bytes_in.load(std::memory_order_relaxed)},
              {"bytes_out", f.bytes_out.load(std::memory_order_relaxed)}};
}

json topic_json(const broker::topic_entry& t, bool detail) {
  json parts = json::array();
  for (const auto& p : t.partitions) {
    json pj = partition_json(*p);
    if (detail) {
      pj["last_stable_offset"] = p->last_stable_offset();
      pj["segment_base_offsets"] = p->segment_base_offsets();
    }
    parts.push_back(std::move(pj));
  }
  json j{{"name", t.name}, {"id", t.id.to_string()}, {"internal", t.internal}, {"partitions", std::move(parts)}};
  if (detail) {
    json overrides = json::object();
    for (const auto& [k, v] : t.overrides) overrides[k] = v;
    const auto& c = t.config;
    j["configs"] = {{"overrides", overrides},
                    {"effective",
                     {{"cleanup.policy", cleanup_policy(c)},
                      {"retention.ms", c.retention_ms},
                      {"retention.bytes", c.retention_bytes},
                      {"segment.bytes", c.segment_bytes},
                      {"segment.ms", c.segment_ms},
                      {"max.message.bytes", c.max_message_bytes},
                      {"compression.type", c.compression_type},
                      {"message.timestamp.type",
                       c.message_timestamp_type == storage::timestamp_type::log_append_time ? "LogAppendTime"
                                                                                           : "CreateTime"}}}};
  }
  return j;
}

// The steps of Kafka's default partitioner for one key, for the page to show.
json partition_steps(const std::string& key, int32_t partitions) {
  int32_t hash = murmur2(key);
  uint32_t positive = static_cast<uint32_t>(hash) & 0x7fffffffu;
  json j{{"key", key},
         {"key_bytes", key.size()},
         {"murmur2", hash},
         {"murmur2_hex", fmt::format("{:08x}", static_cast<uint32_t>(hash))},
         {"positive", positive},
         {"partitions", partitions}};
  j["partition"] = partitions > 0 ? json(positive % static_cast<uint32_t>(partitions)) : json(nullptr);
  return j;
}

json record_json(const read_record& r, int32_t partitions, record_decoder& decoder) {
  json headers = json::array();
  for (const auto& h : r.headers) headers.push_back({{"key", h.key}, {"value", h.value ? json(*h.value) : json()}});
  json j{{"offset", r.offset},
         {"timestamp", r.timestamp},
         {"timestamp_type", r.log_append_time ? "LogAppendTime" : "CreateTime"},
         {"key", r.key ? json(*r.key) : json()},
         {"value", r.value ? json(*r.value) : json()},
         {"headers", std::move(headers)}};
  if (r.key) j["partitioner"] = partition_steps(*r.key, partitions);
  decoder.annotate(r, j);
  return j;
}

class console_service final : public broker::side_service {
 public:
  console_service(broker::broker_state& broker, broker::api_table& apis, console_settings settings,
                  std::shared_ptr<const registry::schema_directory> schemas)
      : broker_(broker), api_{broker.io(), apis}, settings_(std::move(settings)), schemas_(std::move(schemas)), server_(server_limits{}),
        started_(std::chrono::steady_clock::now()) {
    add_routes();
  }

  status bind(const http_address& a) {
    if (auto s = server_.bind(a.host, a.port); !s) return s;
    std::string host = a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host;
    url_ = std::string(a.tls ? "https://" : "http://") + host + ":" + std::to_string(server_.bound_port()) + "/";
    return {};
  }
  // https listeners and, with an authorizer, authentication (http_auth.h).
  server& http_server() { return server_; }
  uint16_t port() const { return server_.bound_port(); }
  void start() {
    // The coordinator tells the history of every classic group's state
    // change, on the handler thread (the only one that touches the history).
    asio::post(broker_.io(), [this, history = history_] {
      broker_.groups().coordinator().set_transition_observer(
          [history](const group::group_metadata& g, group::group_state from, int64_t now) {
            history->on_transition(g, from, now);
          });
    });
    asio::co_spawn(server_.io(), sample_lag(), asio::detached);
    server_.start();
  }
  std::string url() const override { return url_; }
  void stop() override { server_.stop(); }

 private:
  void add_routes();
  asio::awaitable<response> metrics(const request&);
  asio::awaitable<response> cluster(const request&);
  asio::awaitable<response> topics(const request&);
  asio::awaitable<response> topic_path(const request&);
  asio::awaitable<response> topic_messages(const std::string& topic, const std::string& partition, const request&);
  asio::awaitable<response> produce(const std::string& topic, const request&);
  asio::awaitable<response> search(const std::string& topic, const request&);
  asio::awaitable<response> send_record(const std::string& topic, const std::optional<std::string>& key,
                                        const std::optional<std::string>& value,
                                        const std::vector<record::record_header>& headers,
                                        std::optional<int32_t> partition, const request& caller);
  asio::awaitable<response> replay(const std::string& topic, const std::string& partition, const std::string& offset,
                                   const request&);
  asio::awaitable<response> create_topic(const request&);
  asio::awaitable<response> groups(const request&);
  asio::awaitable<void> sample_lag();
  asio::awaitable<response> delete_topic(const std::string& topic, const request&);
  asio::awaitable<response> add_partitions(const std::string& topic, const request&);
  asio::awaitable<response> configure_topic(const std::string& topic, const request&);
  asio::awaitable<response> reset_offsets(const request&);
  asio::awaitable<response> group_rebalances(const std::string& id);
  asio::awaitable<response> group_lag_history(const std::string& id);
  asio::awaitable<response> group(const request&);
  asio::awaitable<void> events(const request&, event_stream&);
  asio::awaitable<void> tail(const request&, event_stream&);
  std::optional<response> refuse_write(const request& req) const;

  broker::broker_state& broker_;
  broker_api api_;  // the console's writes, as Kafka requests
  console_settings settings_;
  // The embedded registry's schemas (null: none), for decoding records.
  std::shared_ptr<const registry::schema_directory> schemas_;
  server server_;
  std::chrono::steady_clock::time_point started_;
  std::string url_;
  uint32_t round_robin_ = 0;  // console thread only: partitions for records without key
  // Handler thread only (the coordinator's observer and on_broker read it);
  // shared so the observer may outlive the console at shutdown.
  std::shared_ptr<group_history> history_ = std::make_shared<group_history>();
};

void console_service::add_routes() {
  for (const auto& asset : embedded_assets()) {
    std::string path = std::string("/") + std::string(asset.name);
    auto h = [asset](const request&) -> asio::awaitable<response> {
      co_return response{200, std::string(asset.content_type), std::string(asset.body), {}};
    };
    server_.route("GET", path, h);
    if (asset.name == "index.html") server_.route("GET", "/", h);
  }
  server_.route("GET", "/metrics", [this](const request& r) { return metrics(r); });
  server_.route("GET", "/api/v1/cluster", [this](const request& r) { return cluster(r); });
  server_.route("GET", "/api/v1/topics", [this](const request& r) { return topics(r); });
  server_.route("POST", "/api/v1/topics", [this](const request& r) { return create_topic(r); });
  server_.route("GET", "/api/v1/topics/", [this](const request& r) { return topic_path(r); }, true);
  server_.route("POST", "/api/v1/topics/", [this](const request& r) { return topic_path(r); }, true);
  server_.route("GET", "/api/v1/groups", [this](const request& r) { return groups(r); });
  server_.route("GET", "/api/v1/groups/", [this](const request& r) { return group(r); }, true);
  server_.route("DELETE", "/api/v1/topics/", [this](const request& r) { return topic_path(r); }, true);
  server_.route("POST", "/api/v1/groups/", [this](const request& r) { return reset_offsets(r); }, true);
  server_.stream("/api/v1/events", [this](const request& r, event_stream& s) { return events(r, s); });
  server_.stream("/api/v1/tail", [this](const request& r, event_stream& s) { return tail(r, s); });
}

asio::awaitable<response> console_service::metrics(const request&) {
  // Collected on the handler thread: which partitions and groups exist (no
  // partition lock). Figures are read and rendered here, from atomics.
  // Named, not a temporary in the co_await: GCC 12 destroys a temporary
  // lambda's captures twice there.
  auto gather = [this] {
    broker_sample s;
    for (const auto* t : broker_.topics().list()) {
      for (const auto& p : t->partitions) s.partitions.push_back({t->name, p->partition(), p});
    }
    auto& c = broker_.groups().coordinator();
    auto& consumer = broker_.groups().consumer_groups();
    s.offsets_held = static_cast<int64_t>(c.offsets_held().entries);
    s.offsets_held_bytes = static_cast<int64_t>(c.offsets_held().bytes);
    s.member_metadata_bytes = static_cast<int64_t>(c.members_held().bytes);
    s.consumer_member_metadata_bytes = static_cast<int64_t>(consumer.members_held().bytes);
    s.producer_ids = static_cast<int64_t>(broker_.producer_budget().held());
    for (const auto& g : c.list_groups().groups) {
      if (consumer.has_group(g.group_id)) continue;  // below, as the consumer group it is
      group_sample gs{g.group_id, g.state, 0, "classic", history_->rebalances_total(g.group_id)};
      auto d = c.describe_groups({g.group_id});
      if (!d.empty()) gs.members = static_cast<int64_t>(d.front().members.size());
      s.groups.push_back(std::move(gs));
    }
    for (const auto& row : list_consumer_and_share_groups(broker_)) {
      std::string id = row["group_id"].get<std::string>();
      s.groups.push_back({id, row["state"].get<std::string>(), row["members"].get<int64_t>(),
                          row["type"].get<std::string>(), history_->rebalances_total(id)});
    }
    // Committed offsets and lag in records now; lag in seconds from the last
    // sample (a scrape reads no log).
    for (const auto& g : c.list_groups().groups) {
      std::map<group::topic_partition, double> seconds;
      if (const auto* last = history_->last_partition_lag(g.group_id))
        for (const auto& p : *last) seconds[p.partition] = p.lag_seconds;
      for (const auto& l : group::group_lag(c, g.group_id, [this](const group::topic_partition& tp) -> std::optional<int64_t> {
             auto log = broker_.topics().partition(tp.topic, tp.partition);
             if (!log) return std::nullopt;
             return log->high_watermark();
           })) {
        if (!l.lag) continue;
        group_offset_sample o{g.group_id, l.topic, l.partition, l.committed, *l.lag, std::nullopt};
        if (auto it = seconds.find({l.topic, l.partition}); it != seconds.end()) o.lag_seconds = it->second;
        s.offsets.push_back(std::move(o));
      }
    }
    return s;
  };
  auto sample = co_await on_broker(broker_.io(), std::move(gather));
  double uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  co_return response{200, "text/plain; version=0.0.4; charset=utf-8",
                     render_metrics(sample, read_process_stats(), uptime), {}};
}

asio::awaitable<response> console_service::cluster(const request&) {
  auto gather = [this] {
    json listeners = json::array();
    for (const auto& a : broker_.advertised_listeners())
      listeners.push_back({{"name", a.name}, {"host", a.host}, {"port", a.port}});
    int64_t topics = 0;
    for (const auto* t : broker_.topics().list()) topics += t->internal ? 0 : 1;
    return json{{"cluster_id", broker_.cluster_id()},
                {"node_id", broker_.config().node_id},
                {"listeners", listeners},
                {"topics", topics},
                {"partitions", broker_.topics().partition_total()},
                {"groups", broker_.groups().coordinator().list_groups().groups.size()}};
  };
  json j = co_await on_broker(broker_.io(), std::move(gather));
  j["console"] = {{"url", url_}, {"write_enabled", settings_.write_enabled}};
  j["uptime_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  co_return json_response(j);
}

asio::awaitable<response> console_service::topics(const request& req) {
  bool internal = req.query.count("internal") && req.query.at("internal") == "true";
  auto gather = [this, internal] {
    json list = json::array();
    for (const auto* t : broker_.topics().list()) {
      if (t->internal && !internal) continue;
      list.push_back(topic_json(*t, false));
    }
    return json{{"topics", list}};
  };
  json j = co_await on_broker(broker_.io(), std::move(gather));
  co_return json_response(j);
}

std::optional<response> console_service::refuse_write(const request& req) const {
  if (!settings_.write_enabled) {
    return error_response(403, kafka::error_code::cluster_authorization_failed,
                          "writes from the console are off: start the broker with http.write.enabled=true");
  }
  // A form on another site cannot send this type without a CORS preflight,
  // which this server never grants.
  if (req.content_type.rfind("application/json", 0) != 0) {
    return error_response(415, kafka::error_code::invalid_request, "send the body as application/json");
  }
  return std::nullopt;
}

asio::awaitable<response> console_service::create_topic(const request& req) {
  if (auto refused = refuse_write(req)) co_return *refused;
  json body = parse_json_bounded<json>(req.body);
  if (body.is_discarded() || !body.is_object() || !body.contains("name") || !body["name"].is_string()) {
    co_return error_response(400, kafka::error_code::invalid_request, "expected {\"name\": ..., \"partitions\": N}");
  }
  protocol::create_topics_request_data r;
  auto& t = r.topics.emplace_back();
  t.name = body["name"].get<std::string>();
  t.num_partitions = body.value("partitions", -1);
  t.replication_factor = -1;
  if (body.contains("configs") && body["configs"].is_object()) {
    for (auto& [k, v] : body["configs"].items()) {
      auto& c = t.configs.emplace_back();
      c.name = k;
      c.value = v.is_string() ? v.get<std::string>() : v.dump();
    }
  }
  r.timeout_ms = 30000;
  auto answer = co_await call_broker_api<protocol::create_topics_response_data>(api_, 5, r, req);
  if (!answer) co_return error_response(500, kafka::error_code::unknown_server_error, answer.err().describe());
  if (answer->topics.empty()) co_return error_response(500, kafka::error_code::unknown_server_error, "no answer");
  const auto& res = answer->topics.front();
  if (res.error_code != 0) {
    auto code = static_cast<kafka::error_code>(res.error_code);
    co_return error_response(code == kafka::error_code::topic_already_exists ? 409 : 400, code,
                             res.error_message.value_or(std::string(kafka::default_message(code))));
  }
  co_return json_response(json{{"name", res.name}, {"partitions", res.num_partitions}}, 201);
}

asio::awaitable<response> console_service::topic_path(const request& req) {
  auto parts = split_path(req.path);  // api v1 topics NAME [...]
  if (parts.size() < 4) co_return error_response(404, kafka::error_code::invalid_request, "no topic named");
  const std::string& name = parts[3];
  if (parts.size() == 4 && req.method == "GET") {
    // null = no such topic (a plain json: GCC 12 mishandles std::optional<json> across co_await).
    auto gather = [this, name]() -> json {
      const auto* t = broker_.topics().find(name);
      if (!t) return json();
      return topic_json(*t, true);
    };
    json j = co_await on_broker(broker_.io(), std::move(gather));
    if (j.is_null()) co_return error_response(404, kafka::error_code::unknown_topic_or_partition, "no topic " + name);
    co_return json_response(j);
  }
  if (parts.size() == 5 && parts[4] == "messages" && req.method == "POST") {
    response r = co_await produce(name, req);
    co_return r;
  }
  if (parts.size() == 4 && req.method == "DELETE") {
    response r = co_await delete_topic(name, req);
    co_return r;
  }
  if (parts.size() == 5 && parts[4] == "partitions" && req.method == "POST") {
    response r = co_await add_partitions(name, req);
    co_return r;
  }
  if (parts.size() == 5 && parts[4] == "configs" && req.method == "POST") {
    response r = co_await configure_topic(name, req);
    co_return r;
  }
  if (parts.size() == 5 && parts[4] == "search" && req.method == "GET") {
    response r = co_await search(name, req);
    co_return r;
  }
  if (parts.size() == 5 && parts[4] == "partitioner" && req.method == "GET") {
    auto gather = [this, name]() -> int32_t {
      const auto* t = broker_.topics().find(name);
      return t ? static_cast<int32_t>(t->partitions.size()) : -1;
    };
    auto count = co_await on_broker(broker_.io(), std::move(gather));
    if (count < 0) co_return error_response(404, kafka::error_code::unknown_topic_or_partition, "no topic " + name);
    auto key = req.query.find("key");
    if (key == req.query.end())
      co_return error_response(400, kafka::error_code::invalid_request, "give ?key=");
    co_return json_response(partition_steps(key->second, count));
  }
  if (parts.size() == 9 && parts[4] == "partitions" && parts[6] == "messages" && parts[8] == "replay" &&
      req.method == "POST") {
    response r = co_await replay(name, parts[5], parts[7], req);
    co_return r;
  }
  if (parts.size() == 7 && parts[4] == "partitions" && parts[6] == "messages" && req.method == "GET") {
    response r = co_await topic_messages(name, parts[5], req);
    co_return r;
  }
  co_return error_response(404, kafka::error_code::invalid_request, "no such resource: " + req.path);
}

asio::awaitable<response> console_service::topic_messages(const std::string& topic, const std::string& partition_text,
                                                          const request& req) {
  int32_t partition = -1;
  try {
    partition = std::stoi(partition_text);
  } catch (const std::exception&) {
  }
  struct found {
    std::shared_ptr<storage::partition_log> log;
    int32_t partitions = 0;
  };
  auto gather = [this, topic, partition] {
    found out;
    const auto* t = broker_.topics().find(topic);
    if (!t) return out;
    out.partitions = static_cast<int32_t>(t->partitions.size());
    out.log = broker_.topics().partition(topic, partition);
    return out;
  };
  auto f = co_await on_broker(broker_.io(), std::move(gather));
  if (!f.log) {
    co_return error_response(404, kafka::error_code::unknown_topic_or_partition,
                             "no partition " + partition_text + " of topic " + topic);
  }
  read_limits limits;
  if (auto l = parse_int(req.query, "limit")) limits.limit = static_cast<int>(std::clamp<int64_t>(*l, 1, 500));
  int64_t from = f.log->log_start_offset();
  if (auto o = parse_int(req.query, "offset")) {
    from = *o;
  } else if (auto ts = parse_int(req.query, "timestamp")) {
    auto at = f.log->offset_for_timestamp(*ts);
    if (!at) co_return error_response(500, kafka::error_code::kafka_storage_error, at.err().describe());
    from = *at ? (*at)->offset : f.log->high_watermark();
  } else if (req.query.count("offset") || req.query.count("timestamp") || req.query.count("limit")) {
    if (!req.query.count("limit") || !parse_int(req.query, "limit"))
      co_return error_response(400, kafka::error_code::invalid_request, "offset, timestamp and limit are integers");
  }
  if (int64_t start = f.log->log_start_offset(), end = f.log->high_watermark(); from < start || from > end) {
    co_return error_response(416, kafka::error_code::offset_out_of_range,
                             "offset " + std::to_string(from) + " is outside [" + std::to_string(start) + ", " +
                                 std::to_string(end) + "] of " + topic + "-" + std::to_string(partition));
  }
  auto read_job = [&f, from, &limits] { return read_records(*f.log, from, limits); };
  result<read_outcome> read = co_await broker_.workers().run(read_job);
  if (!read) {
    co_return error_response(416, kafka::error_code::offset_out_of_range, read.err().describe());
  }
  json records = json::array();
  record_decoder decoder(schemas_.get());
  for (const auto& r : read->records) records.push_back(record_json(r, f.partitions, decoder));
  co_return json_response(json{{"topic", topic},
                               {"partition", partition},
                               {"log_start_offset", f.log->log_start_offset()},
                               {"high_watermark", read->high_watermark},
                               {"next_offset", read->next_offset},
                               {"records", std::move(records)}});
}

// A search over a topic, one page at a time: each call scans until its
// budget (records visited, bytes read, matches) is spent and answers with
// how far it got and a cursor to continue from. The scan runs on the worker
// pool; the handler thread only names the partitions.
asio::awaitable<response> console_service::search(const std::string& topic, const request& req) {
  auto parsed = parse_search_query(req.query);
  if (!parsed) co_return error_response(400, kafka::error_code::invalid_request, parsed.err().describe());
  const search_criteria& criteria = parsed->first;
  const search_budget& budget = parsed->second;
  std::optional<int32_t> only;
  if (req.query.count("partition")) {
    auto p = parse_int(req.query, "partition");
    if (!p || *p < 0 || *p > INT32_MAX)
      co_return error_response(400, kafka::error_code::invalid_request, "partition must be a partition number");
    only = static_cast<int32_t>(*p);
  }
  auto cursor_text = req.query.count("cursor") ? req.query.at("cursor") : std::string();
  auto cursor = parse_search_cursor(cursor_text);
  if (!cursor) co_return error_response(400, kafka::error_code::invalid_request, cursor.err().describe());
  // Where the first page starts in each partition (a cursor carries it on).
  auto start = parse_start_position(req.query, start_position{});
  if (!start) co_return error_response(400, kafka::error_code::invalid_request, start.err().describe());
  if (!cursor_text.empty() && (req.query.count("from") || req.query.count("from_offset") ||
                               req.query.count("from_timestamp"))) {
    co_return error_response(400, kafka::error_code::invalid_request,
                             "a cursor continues a search: from=, from_offset= and from_timestamp= start one");
  }

  struct target {
    int32_t partition = 0;
    int64_t from = 0;
    std::shared_ptr<storage::partition_log> log;
  };
  struct plan {
    bool found = false;
    int32_t partitions = 0;
    std::vector<target> targets;
  };
  bool resumed = !cursor_text.empty();
  auto gather = [this, topic, only, resumed, positions = *cursor] {
    plan out;
    const auto* t = broker_.topics().find(topic);
    if (!t) return out;
    out.found = true;
    out.partitions = static_cast<int32_t>(t->partitions.size());
    for (const auto& p : t->partitions) {
      if (only && p->partition() != *only) continue;
      int64_t from = 0;
      if (resumed) {
        auto it = positions.find(p->partition());
        if (it == positions.end()) continue;  // finished on an earlier page
        from = it->second;
      }
      out.targets.push_back({p->partition(), from, p});
    }
    return out;
  };
  plan pl = co_await on_broker(broker_.io(), std::move(gather));
  if (!pl.found) co_return error_response(404, kafka::error_code::unknown_topic_or_partition, "no topic " + topic);
  if (only && *only >= pl.partitions) {
    co_return error_response(404, kafka::error_code::unknown_topic_or_partition,
                             "no partition " + std::to_string(*only) + " of topic " + topic);
  }

  struct page {
    std::string error;
    search_spent spent;
    std::vector<std::pair<int32_t, read_record>> matches;
    std::vector<std::pair<int32_t, partition_scan>> scans;
  };
  const bool resumed_page = resumed;
  const start_position first = *start;
  auto scan = [&pl, &criteria, &budget, resumed_page, first]() {
    page out;
    for (const auto& t : pl.targets) {
      std::vector<read_record> found;
      int64_t from = t.from;
      if (!resumed_page) {
        auto at = resolve_start(*t.log, first);
        if (!at) {
          out.error = "partition " + std::to_string(t.partition) + ": " + at.err().describe();
          return out;
        }
        from = *at;
      }
      auto s = search_partition(*t.log, from, criteria, budget, out.spent, found);
      if (!s) {
        out.error = "partition " + std::to_string(t.partition) + ": " + s.err().describe();
        return out;
      }
      for (auto& r : found) out.matches.emplace_back(t.partition, std::move(r));
      // Once the budget is spent, the partitions after this one answer at
      // once, not done, where they would have started.
      out.scans.emplace_back(t.partition, *s);
    }
    return out;
  };
  page result_page = co_await broker_.workers().run(scan);
  if (!result_page.error.empty())
    co_return error_response(500, kafka::error_code::kafka_storage_error, result_page.error);

  json matches = json::array();
  record_decoder decoder(schemas_.get());
  for (const auto& [partition, r] : result_page.matches) {
    json j = record_json(r, pl.partitions, decoder);
    j["partition"] = partition;
    matches.push_back(std::move(j));
  }
  json positions = json::array();
  search_cursor next;
  for (const auto& [partition, s] : result_page.scans) {
    positions.push_back(
        {{"partition", partition}, {"next_offset", s.next_offset}, {"high_watermark", s.high_watermark}, {"done", s.done}});
    if (!s.done) next[partition] = s.next_offset;
  }
  json criteria_json = json::object();
  if (criteria.key_contains) criteria_json["key"] = *criteria.key_contains;
  if (criteria.value_contains) criteria_json["value"] = *criteria.value_contains;
  if (criteria.pointer_text) {
    criteria_json["pointer"] = *criteria.pointer_text;
    criteria_json["equals"] = criteria.equals;
  }
  if (criteria.header) criteria_json["header"] = *criteria.header;
  if (criteria.header_value) criteria_json["header_value"] = *criteria.header_value;
  co_return json_response(json{
      {"topic", topic},
      {"criteria", criteria_json},
      {"budget", {{"max_records", budget.records}, {"max_bytes", budget.bytes}, {"limit", budget.matches}}},
      {"scanned", {{"records", result_page.spent.records}, {"bytes", result_page.spent.bytes}}},
      {"matches", std::move(matches)},
      {"positions", std::move(positions)},
      {"complete", next.empty()},
      {"cursor", next.empty() ? json() : json(format_search_cursor(next))}});
}

asio::awaitable<response> console_service::produce(const std::string& topic, const request& req) {
  if (auto refused = refuse_write(req)) co_return *refused;
  json body = parse_json_bounded<json>(req.body);
  if (body.is_discarded() || !body.is_object()) {
    co_return error_response(400, kafka::error_code::invalid_request,
                             "expected {\"key\": ..., \"value\": ..., \"headers\": {...}, \"partition\": N}");
  }
  auto text_of = [](const json& v) -> std::optional<std::string> {
    if (v.is_null()) return std::nullopt;
    return v.is_string() ? v.get<std::string>() : v.dump();
  };
  std::optional<std::string> key = body.contains("key") ? text_of(body["key"]) : std::nullopt;
  std::optional<std::string> value = body.contains("value") ? text_of(body["value"]) : std::nullopt;
  std::vector<record::record_header> headers;
  if (body.contains("headers")) {
    const json& h = body["headers"];
    if (h.is_object()) {
      for (auto& [k, v] : h.items()) {
        auto text = text_of(v);
        headers.push_back({k, text ? std::optional<record::bytes>(record::bytes(text->begin(), text->end()))
                                   : std::nullopt});
      }
    } else if (h.is_array()) {
      for (const auto& e : h) {
        if (!e.is_object() || !e.contains("key") || !e["key"].is_string())
          co_return error_response(400, kafka::error_code::invalid_request, "each header needs a string key");
        auto text = e.contains("value") ? text_of(e["value"]) : std::nullopt;
        headers.push_back({e["key"].get<std::string>(),
                           text ? std::optional<record::bytes>(record::bytes(text->begin(), text->end()))
                                : std::nullopt});
      }
    } else {
      co_return error_response(400, kafka::error_code::invalid_request, "headers: an object or a list");
    }
  }
  std::optional<int32_t> partition;
  if (body.contains("partition") && !body["partition"].is_null()) {
    if (!body["partition"].is_number_integer())
      co_return error_response(400, kafka::error_code::invalid_request, "partition must be an integer");
    partition = body["partition"].get<int32_t>();
  }
  response r = co_await send_record(topic, key, value, headers, partition, req);
  co_return r;
}

// One record through the broker's Produce handler (v9, acks=all), as a client
// would send it: the produce endpoint and replay both come here.
asio::awaitable<response> console_service::send_record(const std::string& topic,
                                                       const std::optional<std::string>& key,
                                                       const std::optional<std::string>& value,
                                                       const std::vector<record::record_header>& headers,
                                                       std::optional<int32_t> given_partition, const request& caller) {
  auto gather = [this, topic]() -> int32_t {
    const auto* t = broker_.topics().find(topic);
    return t ? static_cast<int32_t>(t->partitions.size()) : -1;
  };
  int32_t count = co_await on_broker(broker_.io(), std::move(gather));
  if (count < 0) co_return error_response(404, kafka::error_code::unknown_topic_or_partition, "no topic " + topic);
  int32_t partition = -1;
  std::string chosen_by;
  if (given_partition) {
    partition = *given_partition;
    chosen_by = "given";
  } else if (key) {
    partition = partition_for_key(*key, count);
    chosen_by = "murmur2(key) % partitions";
  } else {
    partition = static_cast<int32_t>(round_robin_++ % static_cast<uint32_t>(count));
    chosen_by = "round robin (no key)";
  }
  record::batch_options options;
  record::batch_builder builder(options);
  auto bytes_of = [](const std::optional<std::string>& s) -> std::optional<std::span<const uint8_t>> {
    if (!s) return std::nullopt;
    return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s->data()), s->size());
  };
  if (auto s = builder.append(now_ms(), bytes_of(key), bytes_of(value), headers); !s)
    co_return error_response(400, kafka::error_code::invalid_record, s.err().describe());
  auto batch = builder.build();
  if (!batch) co_return error_response(400, kafka::error_code::invalid_record, batch.err().describe());

  protocol::produce_request_data r;
  r.acks = -1;
  r.timeout_ms = 30000;
  auto& td = r.topic_data.emplace_back();
  td.name = topic;
  auto& pd = td.partition_data.emplace_back();
  pd.index = partition;
  pd.records = protocol::records::owned(std::move(*batch));
  auto answer = co_await call_broker_api<protocol::produce_response_data>(api_, 9, r, caller);
  if (!answer) co_return error_response(500, kafka::error_code::unknown_server_error, answer.err().describe());
  if (answer->responses.empty() || answer->responses.front().partition_responses.empty())
    co_return error_response(500, kafka::error_code::unknown_server_error, "the broker's answer names no partition");
  const auto& pr = answer->responses.front().partition_responses.front();
  if (pr.error_code != 0) {
    auto code = static_cast<kafka::error_code>(pr.error_code);
    co_return error_response(400, code, pr.error_message.value_or(std::string(kafka::default_message(code))));
  }
  json j{{"topic", topic}, {"partition", partition}, {"offset", pr.base_offset}, {"chosen_by", chosen_by}};
  if (key) j["partitioner"] = partition_steps(*key, count);
  co_return json_response(j, 201);
}

// Re-produces one stored record (key, value, headers; a new timestamp) to the
// same or another topic, through the same Produce path as the produce
// endpoint. Body (optional): {"topic": "...", "partition": N}; without a
// partition the destination's partitioner places it (murmur2 of the key).
asio::awaitable<response> console_service::replay(const std::string& topic, const std::string& partition_text,
                                                  const std::string& offset_text, const request& req) {
  if (auto refused = refuse_write(req)) co_return *refused;
  json body = req.body.empty() ? json::object() : parse_json_bounded<json>(req.body);
  if (body.is_discarded() || !body.is_object())
    co_return error_response(400, kafka::error_code::invalid_request, "expected {\"topic\": ..., \"partition\": N}");
  std::string destination = topic;
  if (body.contains("topic") && !body["topic"].is_null()) {
    if (!body["topic"].is_string() || body["topic"].get<std::string>().empty())
      co_return error_response(400, kafka::error_code::invalid_request, "topic must be a topic name");
    destination = body["topic"].get<std::string>();
  }
  std::optional<int32_t> to_partition;
  if (body.contains("partition") && !body["partition"].is_null()) {
    if (!body["partition"].is_number_integer())
      co_return error_response(400, kafka::error_code::invalid_request, "partition must be an integer");
    to_partition = body["partition"].get<int32_t>();
  }
  std::map<std::string, std::string> numbers{{"p", partition_text}, {"o", offset_text}};
  auto partition = parse_int(numbers, "p");
  auto offset = parse_int(numbers, "o");
  if (!partition || !offset || *partition < 0 || *partition > INT32_MAX || *offset < 0)
    co_return error_response(400, kafka::error_code::invalid_request, "partition and offset are numbers");
  int32_t from_partition = static_cast<int32_t>(*partition);
  auto gather = [this, topic, from_partition] { return broker_.topics().partition(topic, from_partition); };
  std::shared_ptr<storage::partition_log> log = co_await on_broker(broker_.io(), std::move(gather));
  if (!log) {
    co_return error_response(404, kafka::error_code::unknown_topic_or_partition,
                             "no partition " + partition_text + " of topic " + topic);
  }
  int64_t at = *offset;
  auto read = [&log, at]() -> result<read_outcome> {
    int64_t start = log->log_start_offset(), end = log->high_watermark();
    if (at < start || at >= end) {
      return make_error(std::errc::result_out_of_range, "offset " + std::to_string(at) + " is outside [" +
                                                            std::to_string(start) + ", " + std::to_string(end) + ")");
    }
    read_limits one;
    one.limit = 1;
    return read_records(*log, at, one);
  };
  result<read_outcome> found = co_await broker_.workers().run(read);
  if (!found) co_return error_response(416, kafka::error_code::offset_out_of_range, found.err().describe());
  if (found->records.empty() || found->records.front().offset != at) {
    co_return error_response(404, kafka::error_code::offset_out_of_range,
                             "no record at offset " + offset_text + " of " + topic + "-" + partition_text +
                                 " (compacted away, or a transaction marker)");
  }
  const read_record& original = found->records.front();
  std::vector<record::record_header> headers;
  for (const auto& h : original.headers) {
    headers.push_back({h.key, h.value ? std::optional<record::bytes>(record::bytes(h.value->begin(), h.value->end()))
                                      : std::nullopt});
  }
  response sent = co_await send_record(destination, original.key, original.value, headers, to_partition, req);
  if (sent.status == 201) {
    json j = json::parse(sent.body);
    j["replayed_from"] = {{"topic", topic}, {"partition", from_partition}, {"offset", at}};
    co_return json_response(j, 201);
  }
  co_return sent;
}

asio::awaitable<response> console_service::groups(const request&) {
  auto gather = [this] {
    auto& c = broker_.groups().coordinator();
    auto& consumer = broker_.groups().consumer_groups();
    auto high_watermark = [this](const group::topic_partition& tp) -> std::optional<int64_t> {
      auto log = broker_.topics().partition(tp.topic, tp.partition);
      if (!log) return std::nullopt;
      return log->high_watermark();
    };
    // Lag in seconds as of the last sample (reading logs is not for the handler thread).
    auto sampled_seconds = [this](const std::string& id) -> json {
      const auto* sampled = history_->lag(id);
      return sampled && !sampled->empty() ? json(sampled->back().lag_seconds) : json();
    };
    json list = json::array();
    for (const auto& g : c.list_groups().groups) {
      if (consumer.has_group(g.group_id)) continue;  // listed below, as the consumer group it is
      auto d = c.describe_groups({g.group_id});
      list.push_back({{"group_id", g.group_id},
                      {"type", "classic"},
                      {"state", g.state},
                      {"protocol_type", g.protocol_type},
                      {"members", d.empty() ? 0 : d.front().members.size()},
                      {"lag", group::total_lag(group::group_lag(c, g.group_id, high_watermark))},
                      {"lag_seconds", sampled_seconds(g.group_id)}});
    }
    for (auto& row : list_consumer_and_share_groups(broker_)) {
      const std::string id = row["group_id"].get<std::string>();
      if (row["type"] == "consumer") {
        row["lag"] = group::total_lag(group::group_lag(c, id, high_watermark));
        row["lag_seconds"] = sampled_seconds(id);
      } else {
        int64_t lag = 0;
        json share = share_group_json(broker_, id);
        for (const auto& p : share["partitions"]) lag += p["lag"].get<int64_t>();
        row["lag"] = lag;
        row["lag_seconds"] = json();
      }
      list.push_back(std::move(row));
    }
    return json{{"groups", list}};
  };
  json j = co_await on_broker(broker_.io(), std::move(gather));
  co_return json_response(j);
}

// --- management: each a Kafka request through the broker's own handlers ---

asio::awaitable<response> console_service::delete_topic(const std::string& topic, const request& req) {
  if (auto refused = refuse_write(req)) co_return *refused;
  protocol::delete_topics_request_data r;
  r.topic_names.push_back(topic);
  r.timeout_ms = 30000;
  auto answer = co_await call_broker_api<protocol::delete_topics_response_data>(api_, 5, r, req);
  if (!answer) co_return error_response(500, kafka::error_code::unknown_server_error, answer.err().describe());
  if (answer->responses.empty()) co_return error_response(500, kafka::error_code::unknown_server_error, "no answer");
  const auto& res = answer->responses.front();
  if (res.error_code != 0) {
    auto code = static_cast<kafka::error_code>(res.error_code);
    co_return error_response(code == kafka::error_code::unknown_topic_or_partition ? 404 : 400, code,
                             res.error_message.value_or(std::string(kafka::default_message(code))));
  }
  co_return json_response(json{{"deleted", topic}});
}

asio::awaitable<response> console_service::add_partitions(const std::string& topic, const request& req) {
  if (auto refused = refuse_write(req)) co_return *refused;
  json body = parse_json_bounded<json>(req.body);
  if (body.is_discarded() || !body.is_object() || !body.contains("count") || !body["count"].is_number_integer())
    co_return error_response(400, kafka::error_code::invalid_request, "expected {\"count\": N} (the new total)");
  protocol::create_partitions_request_data r;
  auto& t = r.topics.emplace_back();
  t.name = topic;
  t.count = body["count"].get<int32_t>();
  t.assignments.reset();
  r.timeout_ms = 30000;
  r.validate_only = body.value("validate_only", false);
  auto answer = co_await call_broker_api<protocol::create_partitions_response_data>(api_, 2, r, req);
  if (!answer) co_return error_response(500, kafka::error_code::unknown_server_error, answer.err().describe());
  if (answer->results.empty()) co_return error_response(500, kafka::error_code::unknown_server_error, "no answer");
  const auto& res = answer->results.front();
  if (res.error_code != 0) {
    auto code = static_cast<kafka::error_code>(res.error_code);
    co_return error_response(code == kafka::error_code::unknown_topic_or_partition ? 404 : 400, code,
                             res.error_message.value_or(std::string(kafka::default_message(code))));
  }
  co_return json_response(json{{"topic", topic}, {"partitions", t.count}, {"validate_only", r.validate_only}});
}

// {"set": {"retention.ms": "60000"}, "delete": ["segment.bytes"]}: an
// IncrementalAlterConfigs of the topic (delete = back to the default).
asio::awaitable<response> console_service::configure_topic(const std::string& topic, const request& req) {
  if (auto refused = refuse_write(req)) co_return *refused;
  json body = parse_json_bounded<json>(req.body);
  if (body.is_discarded() || !body.is_object())
    co_return error_response(400, kafka::error_code::invalid_request, "expected {\"set\": {...}, \"delete\": [...]}");
  protocol::incremental_alter_configs_request_data r;
  auto& res = r.resources.emplace_back();
  res.resource_type = 2;  // TOPIC
  res.resource_name = topic;
  if (body.contains("set")) {
    if (!body["set"].is_object())
      co_return error_response(400, kafka::error_code::invalid_request, "set: an object of config names to values");
    for (auto& [k, v] : body["set"].items()) {
      auto& c = res.configs.emplace_back();
      c.name = k;
      c.config_operation = 0;  // SET
      c.value = v.is_string() ? v.get<std::string>() : v.dump();
    }
  }
  if (body.contains("delete")) {
    if (!body["delete"].is_array())
      co_return error_response(400, kafka::error_code::invalid_request, "delete: a list of config names");
    for (const auto& k : body["delete"]) {
      if (!k.is_string()) co_return error_response(400, kafka::error_code::invalid_request, "delete: names are strings");
      auto& c = res.configs.emplace_back();
      c.name = k.get<std::string>();
      c.config_operation = 1;  // DELETE
      c.value.reset();
    }
  }
  if (res.configs.empty()) co_return error_response(400, kafka::error_code::invalid_request, "nothing to change");
  r.validate_only = body.value("validate_only", false);
  auto answer = co_await call_broker_api<protocol::incremental_alter_configs_response_data>(api_, 1, r, req);
  if (!answer) co_return error_response(500, kafka::error_code::unknown_server_error, answer.err().describe());
  if (answer->responses.empty()) co_return error_response(500, kafka::error_code::unknown_server_error, "no answer");
  const auto& out = answer->responses.front();
  if (out.error_code != 0) {
    auto code = static_cast<kafka::error_code>(out.error_code);
    co_return error_response(code == kafka::error_code::unknown_topic_or_partition ? 404 : 400, code,
                             out.error_message.value_or(std::string(kafka::default_message(code))));
  }
  co_return json_response(json{{"topic", topic}, {"changed", res.configs.size()}, {"validate_only", r.validate_only}});
}

// POST /api/v1/groups/G/offsets/reset {"topic": T, "to": "earliest" | "latest" | N, "execute": false}:
// the plan (each partition's committed offset and the new one) as a dry run
// unless "execute" is true, as `samsa group reset-offsets` does. Executed
// as an OffsetCommit from outside the group (generation -1), which the
// coordinator accepts only while the group has no members, as Kafka does.
asio::awaitable<response> console_service::reset_offsets(const request& req) {
  auto parts = split_path(req.path);  // api v1 groups G offsets reset
  if (parts.size() != 6 || parts[4] != "offsets" || parts[5] != "reset")
    co_return error_response(404, kafka::error_code::invalid_request, "no such resource: " + req.path);
  if (auto refused = refuse_write(req)) co_return *refused;
  const std::string group_id = parts[3];
  json body = parse_json_bounded<json>(req.body);
  if (body.is_discarded() || !body.is_object() || !body.contains("topic") || !body["topic"].is_string() ||
      !body.contains("to") || !(body["to"].is_string() || body["to"].is_number_integer())) {
    co_return error_response(400, kafka::error_code::invalid_request,
                             "expected {\"topic\": T, \"to\": \"earliest\" | \"latest\" | OFFSET, \"execute\": false}");
  }
  const std::string topic = body["topic"].get<std::string>();
  std::string to = body["to"].is_string() ? body["to"].get<std::string>() : "";
  std::optional<int64_t> to_offset;
  if (body["to"].is_number_integer()) to_offset = body["to"].get<int64_t>();
  if (!to_offset && to != "earliest" && to != "latest")
    co_return error_response(400, kafka::error_code::invalid_request, "to: \"earliest\", \"latest\" or an offset");
  const bool execute = body.value("execute", false);
  struct plan_row {
    int32_t partition;
    std::optional<int64_t> current;
    int64_t target;
  };
  struct plan {
    int status = 200;
    kafka::error_code code = kafka::error_code::none;
    std::string message;
    std::string state;
    std::vector<plan_row> rows;
  };
  auto gather = [this, group_id, topic, to, to_offset] {
    plan p;
    const auto* t = broker_.topics().find(topic);
    if (!t) {
      p.status = 404;
      p.code = kafka::error_code::unknown_topic_or_partition;
      p.message = "no topic " + topic;
      return p;
    }
    auto& c = broker_.groups().coordinator();
    std::map<int32_t, int64_t> committed;
    if (c.find_group(group_id)) {
      auto d = c.describe_groups({group_id});
      p.state = d.empty() ? "" : d.front().state;
      if (!d.empty() && !d.front().members.empty()) {
        p.status = 409;
        p.code = kafka::error_code::non_empty_group;
        p.message = "group " + group_id + " has " + std::to_string(d.front().members.size()) +
                    " members: stop its consumers first (offsets of an active group are reset by no one but it)";
        return p;
      }
      for (const auto& l : group::group_lag(c, group_id, [](const group::topic_partition&) { return std::nullopt; }))
        if (l.topic == topic) committed[l.partition] = l.committed;
    } else {
      p.state = "Empty";
    }
    for (const auto& log : t->partitions) {
      plan_row row{log->partition(), std::nullopt, 0};
      if (auto it = committed.find(row.partition); it != committed.end()) row.current = it->second;
      int64_t start = log->log_start_offset(), end = log->high_watermark();
      if (to_offset) row.target = std::clamp(*to_offset, start, end);
      else row.target = to == "earliest" ? start : end;
      p.rows.push_back(row);
    }
    return p;
  };
  plan p = co_await on_broker(broker_.io(), std::move(gather));
  if (p.status != 200) co_return error_response(p.status, p.code, p.message);
  json rows = json::array();
  for (const auto& r : p.rows)
    rows.push_back({{"partition", r.partition}, {"current", r.current ? json(*r.current) : json()}, {"new", r.target}});
  json out{{"group_id", group_id}, {"topic", topic}, {"executed", false}, {"partitions", rows}};
  if (!execute) co_return json_response(out);

  protocol::offset_commit_request_data commit;
  commit.group_id = group_id;
  commit.generation_id_or_member_epoch = -1;
  commit.member_id = "";
  auto& ct = commit.topics.emplace_back();
  ct.name = topic;
  for (const auto& r : p.rows) {
    auto& cp = ct.partitions.emplace_back();
    cp.partition_index = r.partition;
    cp.committed_offset = r.target;
    cp.committed_metadata = "";
  }
  auto answer = co_await call_broker_api<protocol::offset_commit_response_data>(api_, 8, commit, req);
  if (!answer) co_return error_response(500, kafka::error_code::unknown_server_error, answer.err().describe());
  for (const auto& t : answer->topics) {
    for (const auto& pr : t.partitions) {
      if (pr.error_code != 0) {
        auto code = static_cast<kafka::error_code>(pr.error_code);
        co_return error_response(code == kafka::error_code::rebalance_in_progress ||
                                         code == kafka::error_code::unknown_member_id ||
                                         code == kafka::error_code::illegal_generation
                                     ? 409
                                     : 400,
                                 code,
                                 "partition " + std::to_string(pr.partition_index) + ": " +
                                     std::string(kafka::default_message(code)));
      }
    }
  }
  out["executed"] = true;
  co_return json_response(out);
}

// Each group's lag, every lag_sample_ms, into the bounded history; groups
// that are gone are forgotten. Three steps: committed offsets and high
// watermarks on the handler thread, lag in seconds (the timestamp of the
// first unconsumed record, a read) on the worker pool, the history written
// back on the handler thread (the only one that touches it).
asio::awaitable<void> console_service::sample_lag() {
  asio::steady_timer tick(server_.io());
  struct row {
    std::string group_id;
    partition_lag_point point;
    std::shared_ptr<storage::partition_log> log;
  };
  struct sample {
    std::set<std::string> existing;
    std::vector<row> rows;
    int64_t time_ms = 0;
  };
  for (;;) {
    auto gather = [this] {
      sample s;
      s.time_ms = now_ms();
      auto& c = broker_.groups().coordinator();
      s.existing = every_group_id(broker_);
      for (const auto& g : c.list_groups().groups) {
        for (auto& l : group::group_lag(c, g.group_id, [this](const group::topic_partition& tp) -> std::optional<int64_t> {
               auto log = broker_.topics().partition(tp.topic, tp.partition);
               if (!log) return std::nullopt;
               return log->high_watermark();
             })) {
          if (!l.lag) continue;  // its partition is gone
          auto log = broker_.topics().partition(l.topic, l.partition);
          s.rows.push_back({g.group_id, {{l.topic, l.partition}, l.committed, *l.lag, 0}, std::move(log)});
        }
      }
      return s;
    };
    sample s = co_await on_broker(broker_.io(), std::move(gather));
    auto seconds = [&s] {
      for (auto& r : s.rows) {
        if (r.point.lag <= 0 || !r.log) continue;
        if (auto ts = first_timestamp_at(*r.log, r.point.committed))
          r.point.lag_seconds = static_cast<double>(std::max<int64_t>(0, s.time_ms - *ts)) / 1000.0;
      }
      return true;
    };
    (void)co_await broker_.workers().run(seconds);
    auto store = [this, s = std::move(s)] {
      std::map<std::string, std::vector<partition_lag_point>> by_group;
      for (const auto& id : s.existing) by_group[id];
      for (const auto& r : s.rows) by_group[r.group_id].push_back(r.point);
      for (const auto& [id, points] : by_group) history_->sample_lag(id, s.time_ms, points);
      observe_group_epochs(broker_, *history_, s.time_ms);
      history_->keep_only(s.existing);
      return true;
    };
    (void)co_await on_broker(broker_.io(), std::move(store));
    tick.expires_after(std::chrono::milliseconds(settings_.lag_sample_ms));
    co_await tick.async_wait(asio::use_awaitable);
  }
}

asio::awaitable<response> console_service::group_rebalances(const std::string& id) {
  auto gather = [this, id]() -> json {
    if (type_of_group(broker_, id) == group_type::none) return json();
    json list = json::array();
    if (const auto* entries = history_->rebalances(id)) {
      for (const auto& e : *entries) {
        json moved = json::array();
        for (const auto& m : e.moved)
          moved.push_back({{"topic", m.partition.topic},
                           {"partition", m.partition.partition},
                           {"from", m.from.empty() ? json() : json(m.from)},
                           {"to", m.to.empty() ? json() : json(m.to)}});
        json assignment = json::object();
        for (const auto& [member, tps] : e.assignment) {
          json parts = json::array();
          for (const auto& tp : tps) parts.push_back({{"topic", tp.topic}, {"partition", tp.partition}});
          assignment[member] = std::move(parts);
        }
        list.push_back({{"generation", e.generation},
                        {"started_ms", e.started_ms},
                        {"joined_ms", e.joined_ms ? json(*e.joined_ms) : json()},
                        {"ended_ms", e.ended_ms ? json(*e.ended_ms) : json()},
                        {"duration_ms", e.ended_ms ? json(*e.ended_ms - e.started_ms) : json()},
                        {"outcome", e.outcome},
                        {"members", e.members},
                        {"joined", e.joined},
                        {"left", e.left},
                        {"moved", std::move(moved)},
                        {"assignment", std::move(assignment)}});
      }
    }
    // Classic groups: observed join/sync rounds; consumer and share groups:
    // group epochs as the lag sampler saw them.
    return json{{"group_id", id}, {"type", to_string(type_of_group(broker_, id))}, {"rebalances", std::move(list)}};
  };
  json j = co_await on_broker(broker_.io(), std::move(gather));
  if (j.is_null()) co_return error_response(404, kafka::error_code::group_id_not_found, "no group " + id);
  co_return json_response(j);
}

asio::awaitable<response> console_service::group_lag_history(const std::string& id) {
  auto gather = [this, id]() -> json {
    if (type_of_group(broker_, id) == group_type::none) return json();
    auto sample_json = [](const lag_sample& s) {
      return json{{"time_ms", s.time_ms}, {"lag", s.lag}, {"lag_seconds", s.lag_seconds}};
    };
    json samples = json::array();
    if (const auto* lag = history_->lag(id))
      for (const auto& s : *lag) samples.push_back(sample_json(s));
    json partitions = json::array();
    if (const auto* series = history_->partition_lag(id)) {
      for (const auto& [tp, list] : *series) {
        json points = json::array();
        for (const auto& s : list) points.push_back(sample_json(s));
        partitions.push_back({{"topic", tp.topic}, {"partition", tp.partition}, {"samples", std::move(points)}});
      }
    }
    return json{{"group_id", id},
                {"interval_ms", settings_.lag_sample_ms},
                {"samples", std::move(samples)},
                {"partitions", std::move(partitions)}};
  };
  json j = co_await on_broker(broker_.io(), std::move(gather));
  if (j.is_null()) co_return error_response(404, kafka::error_code::group_id_not_found, "no group " + id);
  co_return json_response(j);
}

asio::awaitable<response> console_service::group(const request& req) {
  auto parts = split_path(req.path);
  if (parts.size() == 5 && parts[4] == "rebalances") {
    response r = co_await group_rebalances(parts[3]);
    co_return r;
  }
  if (parts.size() == 5 && parts[4] == "lag-history") {
    response r = co_await group_lag_history(parts[3]);
    co_return r;
  }
  if (parts.size() != 4) co_return error_response(404, kafka::error_code::invalid_request, "no such resource");
  const std::string id = parts[3];
  struct lag_row {
    group::partition_lag lag;
    std::shared_ptr<storage::partition_log> log;
  };
  struct snapshot {
    bool found = false;
    json body;
    std::vector<lag_row> rows;
  };
  auto gather = [this, id] {
    snapshot s;
    auto& c = broker_.groups().coordinator();
    const group_type type = type_of_group(broker_, id);
    if (type == group_type::none) return s;
    s.found = true;
    if (type == group_type::share) {
      s.body = share_group_json(broker_, id);  // its own offsets: the share partitions' state
      return s;
    }
    auto d = c.describe_groups({id});
    json members = json::array();
    if (type == group_type::consumer) {
      s.body = consumer_group_json(broker_, id);  // offsets stay with the classic coordinator
    } else if (!d.empty()) {
      for (const auto& m : d.front().members) {
        json assigned = json::array();
        if (auto a = decode_consumer_assignment(m.assignment)) {
          for (const auto& t : *a) assigned.push_back({{"topic", t.topic}, {"partitions", t.partitions}});
        }
        members.push_back({{"member_id", m.member_id},
                           {"group_instance_id", m.group_instance_id ? json(*m.group_instance_id) : json()},
                           {"client_id", m.client_id},
                           {"client_host", m.client_host},
                           {"assignment", assigned}});
      }
      s.body = {{"group_id", id},
                {"type", "classic"},
                {"state", d.front().state},
                {"protocol_type", d.front().protocol_type},
                {"protocol", d.front().protocol},
                {"members", members}};
    }
    for (auto& l : group::group_lag(c, id, [this](const group::topic_partition& tp) -> std::optional<int64_t> {
           auto log = broker_.topics().partition(tp.topic, tp.partition);
           if (!log) return std::nullopt;
           return log->high_watermark();
         })) {
      auto log = broker_.topics().partition(l.topic, l.partition);
      s.rows.push_back({std::move(l), std::move(log)});
    }
    return s;
  };
  auto snap = co_await on_broker(broker_.io(), std::move(gather));
  if (!snap.found) co_return error_response(404, kafka::error_code::group_id_not_found, "no group " + id);
  if (snap.body.value("type", "") == "share") co_return json_response(snap.body);
  // Lag in time: how old the first record the group has not consumed is
  // (read on the worker pool, off the handler thread).
  int64_t now = now_ms();
  std::vector<std::optional<int64_t>> first_unconsumed(snap.rows.size());
  auto read_timestamps = [&snap, &first_unconsumed] {
    for (size_t i = 0; i < snap.rows.size(); ++i) {
      const auto& row = snap.rows[i];
      if (row.lag.lag && *row.lag.lag > 0 && row.log)
        first_unconsumed[i] = first_timestamp_at(*row.log, row.lag.committed);
    }
    return true;
  };
  (void)co_await broker_.workers().run(read_timestamps);
  json offsets = json::array();
  int64_t total = 0;
  double oldest = 0;
  for (size_t i = 0; i < snap.rows.size(); ++i) {
    const auto& row = snap.rows[i];
    json o{{"topic", row.lag.topic},
           {"partition", row.lag.partition},
           {"committed_offset", row.lag.committed},
           {"high_watermark", row.lag.high_watermark},
           {"lag", row.lag.lag ? json(*row.lag.lag) : json()}};
    json seconds = 0;
    if (first_unconsumed[i]) {
      if (auto ts = first_unconsumed[i]) {
        double age = static_cast<double>(std::max<int64_t>(0, now - *ts)) / 1000.0;
        seconds = age;
        oldest = std::max(oldest, age);
        o["first_unconsumed_timestamp"] = *ts;
      }
    }
    o["lag_seconds"] = seconds;
    if (row.lag.lag) total += *row.lag.lag;
    offsets.push_back(std::move(o));
  }
  snap.body["offsets"] = std::move(offsets);
  snap.body["lag"] = total;
  snap.body["lag_seconds"] = oldest;  // the group is as late as its latest partition
  co_return json_response(snap.body);
}

// A search that streams (Server-Sent Events) and, with follow (the default),
// keeps delivering new matching records as they arrive: a live tail, with or
// without criteria. Bounded by the scan budget (records, bytes), the number
// of matches (limit) and a duration (max_ms); each event is built when the
// previous one has been written, so a slow page slows only its own stream.
// Events: `match` (a record with its partition), `caught_up` (once, when
// every partition has been scanned to its high watermark), `end` (why it
// stopped, what it scanned, and a search cursor to continue from), and
// `progress` every few seconds of quiet (what it scanned so far; a page that
// has gone is noticed then).
// What a tail asks for, parsed and checked before the stream starts.
struct tail_request {
  std::string topic;
  search_criteria criteria;
  search_budget budget;
  bool follow = true;
  start_position start;
  int64_t max_ms = 60'000;
  std::optional<int32_t> only;
};

result<tail_request> parse_tail_request(const std::map<std::string, std::string>& q) {
  tail_request t;
  if (auto it = q.find("topic"); it != q.end()) t.topic = it->second;
  if (t.topic.empty()) return make_error(std::errc::invalid_argument, "give ?topic=");
  auto parsed = parse_search_query(q, search_mode::stream);
  if (!parsed) return parsed.err();
  t.criteria = parsed->first;
  t.budget = parsed->second;
  if (auto f = q.find("follow"); f != q.end()) {
    if (f->second != "true" && f->second != "false")
      return make_error(std::errc::invalid_argument, "follow is true or false, got '" + f->second + "'");
    t.follow = f->second == "true";
  }
  // A tail starts at the end by default; a one-shot streamed search at the start.
  auto start = parse_start_position(
      q, start_position{t.follow ? start_position::kind::latest : start_position::kind::earliest, 0});
  if (!start) return start.err();
  t.start = *start;
  if (q.count("max_ms")) {
    auto v = parse_int(q, "max_ms");
    if (!v || *v < 1 || *v > 3'600'000)
      return make_error(std::errc::invalid_argument, "max_ms: milliseconds from 1 to 3600000");
    t.max_ms = *v;
  }
  if (q.count("partition")) {
    auto p = parse_int(q, "partition");
    if (!p || *p < 0 || *p > INT32_MAX)
      return make_error(std::errc::invalid_argument, "partition must be a partition number");
    t.only = static_cast<int32_t>(*p);
  }
  return t;
}

json stream_error(kafka::error_code code, const std::string& message) {
  return json{{"reason", "error"},
              {"error",
               {{"code", kafka::to_int(code)}, {"name", std::string(kafka::error_name(code))}, {"message", message}}}};
}

asio::awaitable<void> console_service::tail(const request& req, event_stream& out) {
  auto parsed = parse_tail_request(req.query);
  if (!parsed) {
    co_await out.send("end", dump(stream_error(kafka::error_code::invalid_request, parsed.err().describe())));
    co_return;
  }
  const tail_request tr = std::move(*parsed);
  const std::string topic = tr.topic;
  const search_criteria& criteria = tr.criteria;
  const search_budget& budget = tr.budget;
  const bool follow = tr.follow;
  const std::optional<int32_t> only = tr.only;
  const int64_t max_ms = tr.max_ms;
  const start_position start_at = tr.start;

  struct follower {
    int32_t partition = 0;
    std::shared_ptr<storage::partition_log> log;
    std::optional<partition_records> walk;  // opened on the worker pool (a timestamp lookup takes the lock)
    bool started_late = false;              // a partition added while following: read from its start
  };
  std::vector<follower> followers;
  int32_t partitions = 0;
  // Partitions added to the topic while the stream runs are followed too.
  auto refresh = [this, topic, only, &followers, &partitions]() -> asio::awaitable<bool> {
    auto gather = [this, topic] {
      std::vector<std::shared_ptr<storage::partition_log>> logs;
      if (const auto* t = broker_.topics().find(topic)) logs = t->partitions;
      return logs;
    };
    auto logs = co_await on_broker(broker_.io(), std::move(gather));
    if (logs.empty()) co_return false;
    bool first = followers.empty() && partitions == 0;
    partitions = static_cast<int32_t>(logs.size());
    for (const auto& log : logs) {
      if (only && log->partition() != *only) continue;
      bool known = std::any_of(followers.begin(), followers.end(),
                               [&](const follower& f) { return f.partition == log->partition(); });
      if (!known) followers.push_back({log->partition(), log, std::nullopt, !first});
    }
    co_return true;
  };
  bool exists = co_await refresh();
  if (!exists || followers.empty()) {
    std::string message = exists ? "no partition " + std::to_string(only.value_or(-1)) + " of topic " + topic
                                  : "no topic " + topic;
    co_await out.send("end", dump(stream_error(kafka::error_code::unknown_topic_or_partition, message)));
    co_return;
  }

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_ms);
  search_spent spent;
  bool caught_up_sent = false;
  int quiet_rounds = 0;
  std::string reason;
  asio::steady_timer tick(server_.io());
  for (int round = 0;; ++round) {
    // One scan step on the worker pool: each partition until its high
    // watermark, the budget, or a step's share of matches (so they flow).
    struct step_result {
      std::string error;
      std::vector<std::pair<int32_t, read_record>> matches;
      bool all_at_end = true;
    };
    const start_position first = start_at;
    auto step = [&followers, &criteria, &budget, &spent, first]() {
      step_result r;
      search_budget share = budget;
      share.matches = std::min(budget.matches, spent.matches + 50);
      for (auto& f : followers) {
        if (!f.walk) {
          auto at = f.started_late ? result<int64_t>(f.log->log_start_offset()) : resolve_start(*f.log, first);
          if (!at) {
            r.error = "partition " + std::to_string(f.partition) + ": " + at.err().describe();
            return r;
          }
          f.walk.emplace(*f.log, *at);
        }
        std::vector<read_record> found;
        auto s = search_partition(*f.walk, criteria, share, spent, found);
        if (!s) {
          r.error = "partition " + std::to_string(f.partition) + ": " + s.err().describe();
          return r;
        }
        for (auto& m : found) r.matches.emplace_back(f.partition, std::move(m));
        if (!s->done) r.all_at_end = false;
      }
      return r;
    };
    // Nothing new since the last step: skip the trip to the pool (the high
    // watermark is an atomic read).
    bool anything = round == 0 || std::any_of(followers.begin(), followers.end(), [](const follower& f) {
                      return !f.walk || f.walk->position() < f.log->high_watermark();
                    });
    step_result r;
    if (anything) r = co_await broker_.workers().run(step);
    if (!r.error.empty()) {
      co_await out.send("end", dump(stream_error(kafka::error_code::kafka_storage_error, r.error)));
      co_return;
    }
    record_decoder decoder(schemas_.get());  // per step: a schema registered meanwhile is seen
    for (const auto& [partition, rec] : r.matches) {
      json j = record_json(rec, partitions, decoder);
      j["partition"] = partition;
      if (!co_await out.send("match", dump(j))) co_return;
    }
    if (spent.matches >= budget.matches) {
      reason = "limit";
      break;
    }
    if (spent.records >= budget.records || spent.bytes >= budget.bytes) {
      reason = "budget";
      break;
    }
    if (!r.all_at_end) continue;  // more to scan now
    if (!follow) {
      reason = "complete";
      break;
    }
    if (!caught_up_sent) {
      caught_up_sent = true;
      json positions = json::array();
      for (const auto& f : followers)
        positions.push_back({{"partition", f.partition}, {"next_offset", f.walk ? f.walk->position() : 0}});
      json caught_up{{"positions", positions}};
      if (!co_await out.send("caught_up", dump(caught_up))) co_return;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      reason = "time";
      break;
    }
    if (++quiet_rounds % 25 == 0) {
      json p{{"scanned", {{"records", spent.records}, {"bytes", spent.bytes}}}, {"matches", spent.matches}};
      if (!co_await out.send("progress", dump(p))) co_return;
    }
    // Poll for new records: cheap (atomic reads), and bounded by max_ms.
    tick.expires_after(std::min<std::chrono::steady_clock::duration>(std::chrono::milliseconds(200),
                                                                      deadline - std::chrono::steady_clock::now()));
    co_await tick.async_wait(asio::use_awaitable);
    if (round % 10 == 0) {
      bool still_there = co_await refresh();
      if (!still_there) {
        reason = "topic deleted";
        break;
      }
    }
  }
  search_cursor next;
  json positions = json::array();
  for (const auto& f : followers) {
    int64_t at = f.walk ? f.walk->position() : 0;
    positions.push_back({{"partition", f.partition}, {"next_offset", at}});
    if (f.walk) next[f.partition] = at;
  }
  json end{{"reason", reason},
           {"scanned", {{"records", spent.records}, {"bytes", spent.bytes}}},
           {"matches", spent.matches},
           {"positions", positions},
           {"cursor", format_search_cursor(next)}};
  co_await out.send("end", dump(end));
}

// Live figures, once a second: the partitions of one topic (?topic=) or the
// totals of every topic. Each event is built when the previous one has been
// written, so a page that reads slowly gets fewer events, never a queue.
asio::awaitable<void> console_service::events(const request& req, event_stream& out) {
  std::string topic = req.query.count("topic") ? req.query.at("topic") : "";
  asio::steady_timer tick(server_.io());
  for (int sent = 0; sent < 3600; ++sent) {  // an hour, then the page reconnects
    auto gather = [this, topic] {
      json body{{"time_ms", now_ms()}};
      if (!topic.empty()) {
        const auto* t = broker_.topics().find(topic);
        json parts = json::array();
        if (t)
          for (const auto& p : t->partitions) parts.push_back(partition_json(*p));
        body["topic"] = topic;
        body["exists"] = t != nullptr;
        body["partitions"] = parts;
      } else {
        json topics = json::array();
        for (const auto* t : broker_.topics().list()) {
          if (t->internal) continue;
          int64_t records = 0, size = 0, end = 0;
          for (const auto& p : t->partitions) {
            records += p->figures().records_in.load(std::memory_order_relaxed);
            size += p->figures().size_bytes.load(std::memory_order_relaxed);
            end += p->high_watermark();
          }
          topics.push_back({{"name", t->name},
                            {"partitions", t->partitions.size()},
                            {"records_in", records},
                            {"size_bytes", size},
                            {"end_offsets", end}});
        }
        body["topics"] = topics;
      }
      return body;
    };
    json j = co_await on_broker(broker_.io(), std::move(gather));
    if (!co_await out.send("figures", dump(j))) co_return;
    tick.expires_after(std::chrono::seconds(1));
    co_await tick.async_wait(asio::use_awaitable);
  }
}

}  // namespace

result<console_settings> console_settings_from(const std::map<std::string, std::string>& raw) {
  console_settings s;
  if (auto it = raw.find("http.listeners"); it != raw.end()) {
    s.listener_explicit = true;
    std::string v = it->second;
    if (v == "none" || v.empty()) {
      s.listener.reset();
    } else {
      if (v.find(',') != std::string::npos)
        return make_error(std::errc::invalid_argument, "http.listeners: one listener is served, got '" + v + "'");
      if (auto a = parse_http_listener(v); !a) return a.err();
      s.listener = v;
    }
  }
  if (auto it = raw.find("http.lag.sample.ms"); it != raw.end()) {
    int64_t v = -1;
    auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
    if (ec != std::errc() || end != it->second.data() + it->second.size() || v < 100 || v > 3'600'000)
      return make_error(std::errc::invalid_argument,
                        "http.lag.sample.ms: milliseconds from 100 to 3600000, got '" + it->second + "'");
    s.lag_sample_ms = v;
  }
  if (auto it = raw.find("http.write.enabled"); it != raw.end()) {
    if (it->second == "true") s.write_enabled = true;
    else if (it->second == "false") s.write_enabled = false;
    else return make_error(std::errc::invalid_argument, "http.write.enabled: true or false, got '" + it->second + "'");
  }
  return s;
}

result<std::unique_ptr<broker::side_service>> start_console(broker::broker_state& broker, broker::api_table& apis,
                                                            const std::optional<std::string>& port_file,
                                                            std::shared_ptr<const registry::schema_directory> schemas) {
  auto settings = console_settings_from(broker.config().raw);
  if (!settings) return settings.err();
  if (!settings->listener) {
    spdlog::info("console: off (http.listeners=none)");
    return std::unique_ptr<broker::side_service>();
  }
  auto address = parse_http_listener(*settings->listener);
  if (!address) return address.err();
  auto console = std::make_unique<console_service>(broker, apis, *settings, std::move(schemas));
  if (address->tls) {
    // The Kafka listeners' settings: listener.name.http.ssl.* over ssl.*.
    const auto& raw = broker.config().raw;
    auto lookup = [&raw](const std::string& key) -> std::optional<std::string> {
      if (auto it = raw.find("listener.name.http." + key); it != raw.end()) return it->second;
      if (auto it = raw.find(key); it != raw.end()) return it->second;
      return std::nullopt;
    };
    auto tls_settings = security::tls::parse_tls_settings("HTTP", lookup);
    if (!tls_settings) return tls_settings.err();
    auto context = security::tls::tls_context::create(*tls_settings);
    if (!context) return context.err();
    console->http_server().use_tls(*context, std::chrono::milliseconds(broker.config().ssl_handshake_timeout_ms));
  }
  auto security = http_security_from(broker);
  if (!security) return security.err();
  install_http_security(console->http_server(), broker, *security);
  if (auto s = console->bind(*address); !s) {
    if (settings->listener_explicit) return s.err();
    // The default port is taken (another broker, another tool): the broker
    // still starts; the console is what a user can do without.
    spdlog::warn("console: {}; running without it (set http.listeners to another address, or none)",
                 s.err().describe());
    return std::unique_ptr<broker::side_service>();
  }
  if (port_file) {
    if (auto s = broker::write_port_file(*port_file + ".http", console->port()); !s) return s.err();
  }
  const bool loopback = address->host == "127.0.0.1" || address->host == "::1" || address->host == "localhost";
  if (security->enabled && !address->tls && !loopback) {
    spdlog::warn("console: listening on {} over plain http with authentication on: passwords cross the network in "
                 "clear text (use https://)",
                 address->host);
  }
  if (!security->enabled && !loopback) {
    spdlog::warn("console: listening on {} (not loopback): anyone who can reach it can read every topic{}",
                 address->host, settings->write_enabled ? " and write to it" : "");
  }
  console->start();
  return std::unique_ptr<broker::side_service>(std::move(console));
}

}  // namespace samsa::http
