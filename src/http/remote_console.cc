#include "http/remote_console.h"

#include <spdlog/spdlog.h>

#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <variant>

#include "base/kafka_error_codes.h"
#include "broker/serve.h"
#include "http/assets.h"
#include "http/group_history.h"
#include "http/on_broker.h"
#include "http/server.h"

namespace samsa::http {

namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

response reply(const json& j, int status = 200) {
  return response{status, "application/json", j.dump(-1, ' ', false, json::error_handler_t::replace), {}};
}

response refusal(int status, kafka::error_code code, std::string message) {
  return reply(json{{"error",
                     {{"code", kafka::to_int(code)},
                      {"name", std::string(kafka::error_name(code))},
                      {"message", std::move(message)}}}},
               status);
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    auto part = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!part.empty()) parts.emplace_back(part);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

std::optional<int64_t> query_int(const request& req, const std::string& key) {
  auto it = req.query.find(key);
  if (it == req.query.end()) return std::nullopt;
  try {
    size_t used = 0;
    int64_t v = std::stoll(it->second, &used);
    if (used == it->second.size()) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

const char* not_here =
    "not available in `samsa console --bootstrap`: it needs the broker's internals (use the console a Samsa broker "
    "serves itself)";

// A kit call's outcome, as the handlers pass it back: a body or an error.
struct outcome {
  int status = 200;
  json body;
  static outcome fail(const samsa::error& e, int status = 502) {
    return {status, json{{"error",
                          {{"code", kafka::to_int(kafka::error_code::unknown_server_error)},
                           {"name", "UNKNOWN_SERVER_ERROR"},
                           {"message", e.describe()}}}}};
  }
};

class remote_console {
 public:
  remote_console(remote_kit kit, remote_console_options options)
      : kit_(std::move(kit)), options_(std::move(options)), server_(server_limits{}),
        kit_work_(asio::make_work_guard(kit_io_)) {
    add_routes();
  }
  ~remote_console() { stop(); }

  status start() {
    auto address = parse_http_listener(options_.listen);
    if (!address) return address.err();
    if (auto s = server_.bind(address->host, address->port); !s) return s;
    url_ = "http://" + address->host + ":" + std::to_string(server_.bound_port()) + "/";
    if (options_.port_file) {
      if (auto s = broker::write_port_file(*options_.port_file, server_.bound_port()); !s) return s;
    }
    kit_thread_ = std::thread([this] { kit_io_.run(); });
    asio::co_spawn(server_.io(), sample(), asio::detached);
    server_.start();
    return {};
  }
  const std::string& url() const { return url_; }
  void stop() {
    server_.stop();
    kit_work_.reset();
    kit_io_.stop();
    if (kit_thread_.joinable()) kit_thread_.join();
  }

 private:
  // Kit thread only.
  result<client::admin*> admin() {
    if (!admin_) {
      auto a = kit_.make_admin();
      if (!a) return a.err();
      admin_.emplace(std::move(*a));
    }
    return &*admin_;
  }
  // Up to `limit` records of one partition from `from` (kit thread).
  result<std::vector<client::consumed_message>> read(const std::string& topic, int32_t partition, int64_t from,
                                                     int64_t end, size_t limit);
  asio::awaitable<outcome> on_kit(std::function<outcome()> fn) {
    outcome o = co_await on_broker(kit_io_, std::move(fn));
    co_return o;
  }
  void add_routes();
  outcome topics();
  outcome topic(const std::string& name);
  outcome messages(const std::string& topic, int32_t partition, const request& req);
  outcome groups();
  outcome group(const std::string& id);
  asio::awaitable<void> sample();

  remote_kit kit_;
  remote_console_options options_;
  server server_;
  std::string url_;
  asio::io_context kit_io_{1};
  asio::executor_work_guard<asio::io_context::executor_type> kit_work_;
  std::thread kit_thread_;
  std::optional<client::admin> admin_;  // kit thread only
  group_history history_;               // kit thread only
  std::map<std::string, std::pair<int32_t, std::string>> seen_;  // group -> (observed change, its members)
};

void remote_console::add_routes() {
  for (const auto& asset : embedded_assets()) {
    auto h = [asset](const request&) -> asio::awaitable<response> {
      co_return response{200, std::string(asset.content_type), std::string(asset.body), {}};
    };
    server_.route("GET", std::string("/") + std::string(asset.name), h);
    if (asset.name == "index.html") server_.route("GET", "/", h);
  }
  server_.route("GET", "/metrics", [](const request&) -> asio::awaitable<response> {
    co_return refusal(404, kafka::error_code::invalid_request,
                      std::string("/metrics ") + not_here + "; scrape the brokers' own exporters");
  });
  server_.route("GET", "/api/v1/cluster", [this](const request&) -> asio::awaitable<response> {
    std::function<outcome()> fn = [this]() -> outcome {
      auto a = admin();
      if (!a) return outcome::fail(a.err());
      auto c = (*a)->describe_cluster();
      if (!c) return outcome::fail(c.err());
      json listeners = json::array();
      for (const auto& b : c->brokers) listeners.push_back({{"name", "broker " + std::to_string(b.id)}, {"host", b.host}, {"port", b.port}});
      return {200, json{{"cluster_id", c->cluster_id}, {"listeners", listeners}, {"topics", c->topic_count}}};
    };
    outcome o = co_await on_kit(std::move(fn));
    if (o.status == 200)
      o.body["console"] = {{"url", url_}, {"write_enabled", false}, {"mode", "remote"}, {"bootstrap", options_.bootstrap},
                           {"internals", false}};
    co_return reply(o.body, o.status);
  });
  server_.route("GET", "/api/v1/topics", [this](const request&) -> asio::awaitable<response> {
    std::function<outcome()> fn = [this] { return topics(); };
    outcome o = co_await on_kit(std::move(fn));
    co_return reply(o.body, o.status);
  });
  server_.route("GET", "/api/v1/topics/", [this](const request& req) -> asio::awaitable<response> {
    auto parts = split_path(req.path);  // api v1 topics NAME [partitions P messages]
    if (parts.size() == 4) {
      std::string name = parts[3];
      std::function<outcome()> fn = [this, name] { return topic(name); };
      outcome o = co_await on_kit(std::move(fn));
      co_return reply(o.body, o.status);
    }
    if (parts.size() == 7 && parts[4] == "partitions" && parts[6] == "messages") {
      std::string name = parts[3];
      int32_t partition = -1;
      try {
        partition = std::stoi(parts[5]);
      } catch (const std::exception&) {
      }
      request copy = req;
      std::function<outcome()> fn = [this, name, partition, copy] { return messages(name, partition, copy); };
      outcome o = co_await on_kit(std::move(fn));
      co_return reply(o.body, o.status);
    }
    co_return refusal(501, kafka::error_code::invalid_request, req.path + " is " + not_here);
  }, true);
  server_.route("GET", "/api/v1/groups", [this](const request&) -> asio::awaitable<response> {
    std::function<outcome()> fn = [this] { return groups(); };
    outcome o = co_await on_kit(std::move(fn));
    co_return reply(o.body, o.status);
  });
  server_.route("GET", "/api/v1/groups/", [this](const request& req) -> asio::awaitable<response> {
    auto parts = split_path(req.path);
    if (parts.size() < 4 || parts.size() > 5)
      co_return refusal(404, kafka::error_code::invalid_request, "no such resource: " + req.path);
    std::string id = parts[3];
    std::string what = parts.size() == 5 ? parts[4] : "";
    std::function<outcome()> fn = [this, id, what]() -> outcome {
      if (what.empty()) return group(id);
      if (what == "lag-history") {
        json samples = json::array();
        if (const auto* lag = history_.lag(id))
          for (const auto& s : *lag) samples.push_back({{"time_ms", s.time_ms}, {"lag", s.lag}, {"lag_seconds", s.lag_seconds}});
        json partitions = json::array();
        if (const auto* series = history_.partition_lag(id)) {
          for (const auto& [tp, list] : *series) {
            json points = json::array();
            for (const auto& s : list) points.push_back({{"time_ms", s.time_ms}, {"lag", s.lag}, {"lag_seconds", s.lag_seconds}});
            partitions.push_back({{"topic", tp.topic}, {"partition", tp.partition}, {"samples", points}});
          }
        }
        return {200, json{{"group_id", id}, {"interval_ms", options_.lag_sample_ms}, {"sampled_by", "console"},
                          {"samples", samples}, {"partitions", partitions}}};
      }
      if (what == "rebalances") {
        json list = json::array();
        if (const auto* entries = history_.rebalances(id)) {
          for (const auto& e : *entries) {
            json moved = json::array();
            for (const auto& m : e.moved)
              moved.push_back({{"topic", m.partition.topic}, {"partition", m.partition.partition},
                               {"from", m.from.empty() ? json() : json(m.from)}, {"to", m.to.empty() ? json() : json(m.to)}});
            list.push_back({{"generation", e.generation}, {"started_ms", e.started_ms},
                            {"ended_ms", e.ended_ms ? json(*e.ended_ms) : json()},
                            {"duration_ms", e.ended_ms ? json(*e.ended_ms - e.started_ms) : json()},
                            {"outcome", e.outcome}, {"members", e.members}, {"joined", e.joined}, {"left", e.left},
                            {"moved", moved}});
          }
        }
        // No generation over the Admin API: each change of members or
        // assignment this process saw is numbered here.
        return {200, json{{"group_id", id}, {"type", "classic"}, {"sampled_by", "console"}, {"rebalances", list}}};
      }
      return {404, json{{"error", {{"code", 42}, {"name", "INVALID_REQUEST"}, {"message", "no such resource"}}}}};
    };
    outcome o = co_await on_kit(std::move(fn));
    co_return reply(o.body, o.status);
  }, true);
}

result<std::vector<client::consumed_message>> remote_console::read(const std::string& topic, int32_t partition,
                                                                   int64_t from, int64_t end, size_t limit) {
  std::vector<client::consumed_message> out;
  if (from >= end || limit == 0) return out;
  client::consumer_options o;
  o.report_partition_end = true;
  auto c = kit_.make_consumer(o);
  if (!c) return c.err();
  if (auto s = c->assign({{topic, partition, from}}); !s) return s.err();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (out.size() < limit && std::chrono::steady_clock::now() < deadline) {
    auto e = c->poll(std::chrono::milliseconds(200));
    if (!e) return e.err();
    if (auto* m = std::get_if<client::consumed_message>(&*e)) {
      out.push_back(std::move(*m));
      if (out.back().offset + 1 >= end) break;
    } else if (std::holds_alternative<client::end_of_partition>(*e)) {
      break;
    }
  }
  (void)c->close();
  return out;
}

outcome remote_console::topics() {
  auto a = admin();
  if (!a) return outcome::fail(a.err());
  auto list = (*a)->list_topics(false);
  if (!list) return outcome::fail(list.err());
  json topics = json::array();
  for (const auto& t : *list) {
    auto offsets = (*a)->topic_offsets(t.name);
    json parts = json::array();
    if (offsets)
      for (const auto& p : *offsets)
        parts.push_back({{"partition", p.partition}, {"log_start_offset", p.earliest}, {"high_watermark", p.latest},
                         {"size_bytes", nullptr}, {"segments", nullptr}});
    topics.push_back({{"name", t.name}, {"internal", false}, {"partitions", parts}});
  }
  return {200, json{{"topics", topics}}};
}

outcome remote_console::topic(const std::string& name) {
  auto a = admin();
  if (!a) return outcome::fail(a.err());
  auto offsets = (*a)->topic_offsets(name);
  if (!offsets) {
    return {404, json{{"error", {{"code", 3}, {"name", "UNKNOWN_TOPIC_OR_PARTITION"}, {"message", offsets.err().describe()}}}}};
  }
  json parts = json::array();
  for (const auto& p : *offsets)
    parts.push_back({{"partition", p.partition}, {"log_start_offset", p.earliest}, {"high_watermark", p.latest},
                     {"size_bytes", nullptr}, {"segments", nullptr}, {"segment_base_offsets", json::array()}});
  json effective = json::object(), overrides = json::object();
  if (auto configs = (*a)->describe_topic_config(name)) {
    for (const auto& c : *configs) {
      effective[c.name] = c.value ? json(*c.value) : json();
      if (c.source == "DYNAMIC_TOPIC_CONFIG") overrides[c.name] = effective[c.name];
    }
  }
  return {200, json{{"name", name}, {"partitions", parts}, {"configs", {{"overrides", overrides}, {"effective", effective}}}}};
}

outcome remote_console::messages(const std::string& topic, int32_t partition, const request& req) {
  auto a = admin();
  if (!a) return outcome::fail(a.err());
  auto ts = query_int(req, "timestamp");
  auto offsets = (*a)->topic_offsets(topic, ts);
  if (!offsets) return outcome::fail(offsets.err(), 404);
  const client::partition_offsets* p = nullptr;
  for (const auto& o : *offsets)
    if (o.partition == partition) p = &o;
  if (!p) {
    return {404, json{{"error", {{"code", 3}, {"name", "UNKNOWN_TOPIC_OR_PARTITION"},
                                 {"message", "no partition " + std::to_string(partition) + " of topic " + topic}}}}};
  }
  int64_t from = p->earliest;
  if (auto o = query_int(req, "offset")) from = *o;
  else if (ts) from = p->at_timestamp && *p->at_timestamp >= 0 ? *p->at_timestamp : p->latest;
  if (from < p->earliest || from > p->latest) {
    return {416, json{{"error", {{"code", 1}, {"name", "OFFSET_OUT_OF_RANGE"},
                                 {"message", "offset " + std::to_string(from) + " is outside [" +
                                                 std::to_string(p->earliest) + ", " + std::to_string(p->latest) + "]"}}}}};
  }
  size_t limit = static_cast<size_t>(std::clamp<int64_t>(query_int(req, "limit").value_or(50), 1, 500));
  auto got = read(topic, partition, from, p->latest, limit);
  if (!got) return outcome::fail(got.err());
  json records = json::array();
  int64_t next = from;
  for (const auto& m : *got) {
    json headers = json::array();
    for (const auto& h : m.headers) headers.push_back({{"key", h.key}, {"value", h.value ? json(*h.value) : json()}});
    records.push_back({{"offset", m.offset}, {"timestamp", m.timestamp_ms}, {"key", m.key ? json(*m.key) : json()},
                       {"value", m.value ? json(*m.value) : json()}, {"headers", headers}});
    next = m.offset + 1;
  }
  return {200, json{{"topic", topic}, {"partition", partition}, {"log_start_offset", p->earliest},
                    {"high_watermark", p->latest}, {"next_offset", next}, {"records", records}}};
}

outcome remote_console::groups() {
  auto a = admin();
  if (!a) return outcome::fail(a.err());
  auto list = (*a)->list_groups();
  if (!list) return outcome::fail(list.err());
  json out = json::array();
  for (const auto& g : *list) {
    int64_t lag = 0;
    if (auto l = (*a)->group_lag(g.group_id))
      for (const auto& p : *l) lag += std::max<int64_t>(0, p.lag);
    size_t members = 0;
    if (auto d = (*a)->describe_group(g.group_id)) members = d->members.size();
    const auto* sampled = history_.lag(g.group_id);
    out.push_back({{"group_id", g.group_id}, {"type", "classic"}, {"state", g.state}, {"protocol_type", "consumer"},
                   {"members", members}, {"lag", lag},
                   {"lag_seconds", sampled && !sampled->empty() ? json(sampled->back().lag_seconds) : json()}});
  }
  return {200, json{{"groups", out}}};
}

outcome remote_console::group(const std::string& id) {
  auto a = admin();
  if (!a) return outcome::fail(a.err());
  auto d = (*a)->describe_group(id);
  if (!d || d->state == "Dead") {
    return {404, json{{"error", {{"code", 69}, {"name", "GROUP_ID_NOT_FOUND"}, {"message", "no group " + id}}}}};
  }
  json members = json::array();
  for (const auto& m : d->members) {
    std::map<std::string, std::vector<int32_t>> by_topic;
    for (const auto& tp : m.assignment) by_topic[tp.topic].push_back(tp.partition);
    json assigned = json::array();
    for (const auto& [t, ps] : by_topic) assigned.push_back({{"topic", t}, {"partitions", ps}});
    members.push_back({{"member_id", m.member_id}, {"group_instance_id", m.instance_id.empty() ? json() : json(m.instance_id)},
                       {"client_id", m.client_id}, {"client_host", m.host}, {"assignment", assigned}});
  }
  json offsets = json::array();
  int64_t total = 0;
  double oldest = 0;
  if (auto lags = (*a)->group_lag(id)) {
    for (const auto& l : *lags) {
      if (l.committed < 0 || l.topic_deleted) continue;
      json o{{"topic", l.topic}, {"partition", l.partition}, {"committed_offset", l.committed},
             {"high_watermark", l.log_end}, {"lag", l.lag}, {"lag_seconds", 0}};
      if (l.lag > 0) {
        // Lag in time: the first record not consumed, read over the Kafka protocol.
        if (auto first = read(l.topic, l.partition, l.committed, l.log_end, 1); first && !first->empty()) {
          double age = static_cast<double>(std::max<int64_t>(0, now_ms() - first->front().timestamp_ms)) / 1000.0;
          o["lag_seconds"] = age;
          o["first_unconsumed_timestamp"] = first->front().timestamp_ms;
          oldest = std::max(oldest, age);
        }
      }
      total += std::max<int64_t>(0, l.lag);
      offsets.push_back(std::move(o));
    }
  }
  return {200, json{{"group_id", id}, {"type", "classic"}, {"state", d->state}, {"protocol_type", "consumer"},
                    {"protocol", d->assignor}, {"members", members}, {"offsets", offsets}, {"lag", total},
                    {"lag_seconds", oldest}}};
}

// Lag (records; seconds for lagging partitions) and membership changes of
// every group, every lag_sample_ms, into the history (kit thread).
asio::awaitable<void> remote_console::sample() {
  asio::steady_timer tick(server_.io());
  for (;;) {
    std::function<outcome()> fn = [this]() -> outcome {
      auto a = admin();
      if (!a) return outcome::fail(a.err());
      auto list = (*a)->list_groups();
      if (!list) return outcome::fail(list.err());
      std::set<std::string> existing;
      int64_t now = now_ms();
      for (const auto& g : *list) {
        existing.insert(g.group_id);
        std::vector<partition_lag_point> points;
        if (auto lags = (*a)->group_lag(g.group_id)) {
          for (const auto& l : *lags) {
            if (l.committed < 0 || l.topic_deleted) continue;
            partition_lag_point p{{l.topic, l.partition}, l.committed, std::max<int64_t>(0, l.lag), 0};
            if (l.lag > 0) {
              if (auto first = read(l.topic, l.partition, l.committed, l.log_end, 1); first && !first->empty())
                p.lag_seconds = static_cast<double>(std::max<int64_t>(0, now - first->front().timestamp_ms)) / 1000.0;
            }
            points.push_back(p);
          }
        }
        history_.sample_lag(g.group_id, now, points);
        if (auto d = (*a)->describe_group(g.group_id)) {
          std::map<std::string, std::vector<group::topic_partition>> owners;
          std::string fingerprint;
          for (const auto& m : d->members) {
            auto& list_of = owners[m.member_id];
            fingerprint += m.member_id + ":";
            for (const auto& tp : m.assignment) {
              list_of.push_back({tp.topic, tp.partition});
              fingerprint += tp.topic + "-" + std::to_string(tp.partition) + ",";
            }
            fingerprint += ";";
          }
          auto& [change, last] = seen_[g.group_id];
          if (last != fingerprint || change == 0) {
            ++change;
            last = fingerprint;
          }
          history_.observe_epoch(g.group_id, now, change, owners, d->state == "Stable" || d->state == "Empty");
        }
      }
      history_.keep_only(existing);
      std::erase_if(seen_, [&](const auto& kv) { return !existing.count(kv.first); });
      return {};
    };
    outcome o = co_await on_kit(std::move(fn));
    if (o.status != 200) spdlog::warn("console: lag sample failed: {}", o.body.dump());
    tick.expires_after(std::chrono::milliseconds(options_.lag_sample_ms));
    co_await tick.async_wait(asio::use_awaitable);
  }
}

}  // namespace

status run_remote_console(remote_kit kit, const remote_console_options& options) {
  remote_console console(std::move(kit), options);
  if (auto s = console.start(); !s) return s;
  spdlog::info("console {} for the cluster at {} (over the Kafka protocol: no broker internals, no /metrics)",
               console.url(), options.bootstrap);
  asio::io_context wait;
  asio::signal_set signals(wait, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int) {});
  wait.run();
  console.stop();
  return {};
}

}  // namespace samsa::http
