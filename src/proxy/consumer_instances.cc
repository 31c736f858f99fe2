#include "proxy/consumer_instances.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>

#include "base/json_depth.h"
#include "base/kafka_error_codes.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/topic_registry.h"
#include "http/consumer_assignment.h"
#include "http/internal_client.h"
#include "http/log_reader.h"
#include "http/on_broker.h"
#include "proxy/proxy_body.h"
#include "proxy/proxy_http.h"
#include "security/sasl/crypto.h"
#include "storage/partition_log.h"

namespace samsa::proxy {

namespace asio = boost::asio;
using json = nlohmann::json;
using clock_type = std::chrono::steady_clock;
using tp_key = std::pair<std::string, int32_t>;

// One instance: its group membership and where it reads. Owned by the map
// and by the coroutines working for it (a deleted instance's heartbeat loop
// sees `closed` and ends).
struct consumer_instance {
  std::string group;
  std::string name;
  consumer_config config;
  http::request caller;  // the creator's identity: every Kafka request goes as it
  std::string member_id;
  int32_t generation = -1;
  std::vector<std::string> topics;
  bool needs_join = false;  // subscribed, or the group rebalances
  bool joining = false;
  std::vector<tp_key> assignment;
  std::map<tp_key, int64_t> positions;  // the next offset to read
  std::map<tp_key, int64_t> uncommitted;  // read since the last commit (auto commit)
  clock_type::time_point last_used = clock_type::now();
  bool closed = false;
  std::shared_ptr<asio::steady_timer> wake;
};

namespace {

constexpr int32_t session_timeout_ms = 45'000;
constexpr int32_t rebalance_timeout_ms = 30'000;
constexpr auto heartbeat_every = std::chrono::milliseconds(1'000);

http::response instance_not_found() {
  return error_answer(404, codes::consumer_instance_not_found, "Consumer instance not found.");
}

std::vector<uint8_t> subscription_bytes(const std::vector<std::string>& topics) {
  protocol::consumer_protocol_subscription_data s;
  s.topics = topics;
  protocol::writer w;
  w.write_int16(0);
  s.encode(w, 0);
  return w.buffer();
}

std::vector<uint8_t> assignment_bytes(const std::map<std::string, std::vector<int32_t>>& parts) {
  protocol::consumer_protocol_assignment_data a;
  for (const auto& [topic, ps] : parts) {
    auto& t = a.assigned_partitions.emplace_back();
    t.topic = topic;
    t.partitions = ps;
  }
  protocol::writer w;
  w.write_int16(0);
  a.encode(w, 0);
  return w.buffer();
}

std::optional<std::vector<std::string>> decode_subscription(const std::vector<uint8_t>& bytes) {
  protocol::reader r(std::span<const uint8_t>(bytes.data(), bytes.size()));
  int16_t version = r.read_int16();
  if (!r.ok() || version < 0) return std::nullopt;
  protocol::consumer_protocol_subscription_data s;
  s.decode(r, std::min<int16_t>(version, 3));
  if (!r.ok()) return std::nullopt;
  return s.topics;
}

// The range assignor: per topic, the members subscribed to it (sorted by id)
// take consecutive ranges, the first ones one partition more.
std::map<std::string, std::map<std::string, std::vector<int32_t>>> range_assign(
    const std::map<std::string, std::vector<std::string>>& subscriptions, const std::map<std::string, int32_t>& counts) {
  std::map<std::string, std::map<std::string, std::vector<int32_t>>> out;
  for (const auto& [member, topics] : subscriptions) out[member];
  for (const auto& [topic, count] : counts) {
    std::vector<std::string> members;
    for (const auto& [member, topics] : subscriptions)
      if (std::find(topics.begin(), topics.end(), topic) != topics.end()) members.push_back(member);
    if (members.empty() || count <= 0) continue;
    int32_t n = static_cast<int32_t>(members.size());
    int32_t each = count / n, extra = count % n, next = 0;
    for (int32_t i = 0; i < n; ++i) {
      int32_t take = each + (i < extra ? 1 : 0);
      for (int32_t k = 0; k < take; ++k) out[members[static_cast<size_t>(i)]][topic].push_back(next++);
    }
  }
  return out;
}

}  // namespace

consumer_instances::consumer_instances(broker::broker_state& broker, broker::api_table& apis,
                                       const proxy_settings& settings, asio::io_context& io, schema_encoder& schemas)
    : broker_(broker), api_{broker.io(), apis}, settings_(settings), io_(io), schemas_(schemas) {}

consumer_instances::~consumer_instances() = default;

void consumer_instances::start() {
  sweep_timer_ = std::make_shared<asio::steady_timer>(io_);
  asio::co_spawn(io_, sweep(), asio::detached);
}

void consumer_instances::stop() {
  stopped_ = true;
  if (sweep_timer_) sweep_timer_->cancel();
  for (auto& [key, c] : instances_) {
    c->closed = true;
    if (c->wake) c->wake->cancel();
  }
  instances_.clear();
}

// Drops instances idle longer than the timeout; they leave their groups.
asio::awaitable<void> consumer_instances::sweep() {
  auto timer = sweep_timer_;
  const auto timeout = std::chrono::milliseconds(settings_.instance_timeout_ms);
  while (!stopped_) {
    timer->expires_after(std::min<clock_type::duration>(timeout / 4 + std::chrono::milliseconds(10), std::chrono::seconds(5)));
    (void)co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    if (stopped_) co_return;
    std::vector<instance_ptr> expired;
    const auto now = clock_type::now();
    for (auto it = instances_.begin(); it != instances_.end();) {
      if (now - it->second->last_used > timeout) {
        expired.push_back(it->second);
        it = instances_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& c : expired) {
      spdlog::info("http proxy: consumer instance {} of group {} expired after {} ms idle", c->name, c->group,
                   settings_.instance_timeout_ms);
      c->closed = true;
      if (c->wake) c->wake->cancel();
      co_await leave(c);
    }
  }
}

asio::awaitable<http::response> consumer_instances::handle(const http::request& req,
                                                          const std::vector<std::string>& segs) {
  const std::string& group = segs[1];
  if (!valid_name(group)) co_return error_answer(404, 404, "HTTP 404 Not Found: not a group name");
  if (segs.size() == 2) {
    if (req.method != "POST") co_return error_answer(405, 405, "HTTP 405 Method Not Allowed");
    co_return co_await create(req, group);
  }
  if (segs[2] != "instances" || segs.size() < 4 || segs.size() > 5)
    co_return error_answer(404, 404, "HTTP 404 Not Found: no " + req.method + " " + req.path + " here");
  auto it = instances_.find({group, segs[3]});
  // Another principal's instance is not there for this caller.
  if (it == instances_.end() || !(it->second->caller.principal == req.principal)) co_return instance_not_found();
  instance_ptr c = it->second;
  c->last_used = clock_type::now();
  if (segs.size() == 4) {
    if (req.method != "DELETE") co_return error_answer(405, 405, "HTTP 405 Method Not Allowed");
    co_return co_await remove(req, c);
  }
  const std::string& what = segs[4];
  if (what == "subscription") {
    if (req.method == "POST") co_return co_await subscribe(req, c);
    if (req.method == "GET") co_return json_answer(json{{"topics", c->topics}});
    if (req.method == "DELETE") {
      // Unsubscribed: out of the group until the next subscription.
      c->topics.clear();
      c->needs_join = false;
      co_await leave(c);
      c->generation = -1;
      c->assignment.clear();
      c->positions.clear();
      co_return http::response{204, v2_json_type, "", {}};
    }
  }
  if (what == "assignments" && req.method == "GET") co_return co_await assignments(c);
  if (what == "records" && req.method == "GET") co_return co_await records(req, c);
  if (what == "offsets" && req.method == "POST") co_return co_await commit(req, c);
  if (what == "offsets" && req.method == "GET") co_return co_await committed(req, c);
  co_return error_answer(404, 404, "HTTP 404 Not Found: no " + req.method + " " + req.path + " here");
}

asio::awaitable<http::response> consumer_instances::create(const http::request& req, const std::string& group) {
  if (!v2_plain_type(req.content_type)) co_return error_answer(415, codes::unsupported_media_type, "HTTP 415 Unsupported Media Type");
  auto config = parse_consumer_create(req.body);
  if (!config) co_return error_answer(config.error());
  std::string name = config->name ? *config->name : "rest-consumer-" + std::to_string(++next_id_);
  if (instances_.count({group, name}))
    co_return error_answer(409, codes::consumer_already_exists,
                           "Consumer with specified consumer ID already exists in the specified consumer group.");
  if (instances_.size() >= settings_.max_instances)
    co_return error_answer(429, codes::too_many_requests,
                           "at most " + std::to_string(settings_.max_instances) +
                               " consumer instances at once (http.proxy.consumer.max.instances); delete one first");
  auto c = std::make_shared<consumer_instance>();
  c->group = group;
  c->name = name;
  c->config = *config;
  c->caller = req;
  c->caller.body.clear();
  c->wake = std::make_shared<asio::steady_timer>(io_);
  instances_[{group, name}] = c;
  asio::co_spawn(io_, heartbeat_loop(c), asio::detached);
  co_return json_answer(json{{"instance_id", name}, {"base_uri", base_url_ + "/consumers/" + group + "/instances/" + name}});
}

asio::awaitable<http::response> consumer_instances::remove(const http::request&, instance_ptr c) {
  instances_.erase({c->group, c->name});
  if (c->config.auto_commit && !c->uncommitted.empty()) (void)co_await commit_positions(c, c->uncommitted);
  c->closed = true;
  if (c->wake) c->wake->cancel();
  co_await leave(c);
  co_return http::response{204, v2_json_type, "", {}};
}

asio::awaitable<http::response> consumer_instances::subscribe(const http::request& req, instance_ptr c) {
  if (!v2_plain_type(req.content_type)) co_return error_answer(415, codes::unsupported_media_type, "HTTP 415 Unsupported Media Type");
  auto topics = parse_subscription(req.body, settings_.limits);
  if (!topics) co_return error_answer(topics.error());
  // READ on each topic, as a consumer's Fetch needs; an unknown topic is 40401.
  auto check = [this, who = c->caller, list = *topics]() -> std::optional<problem> {
    broker::client_info client;
    client.principal = who.principal;
    client.host = who.peer_host.empty() ? "127.0.0.1" : who.peer_host;
    client.peer = "http proxy " + who.peer;
    for (const auto& t : list) {
      if (!broker::authorized(broker_, client, "Fetch", acl::operation::read, acl::resource_type::topic, t))
        return problem{403, codes::forbidden, "not authorized to READ topic " + t};
      if (!broker_.topics().find(t)) return problem{404, codes::topic_not_found, "Topic " + t + " not found."};
    }
    return std::nullopt;
  };
  std::optional<problem> refused = co_await http::on_broker(broker_.io(), std::move(check));
  if (refused) co_return error_answer(*refused);
  c->topics = *topics;
  c->needs_join = true;
  if (c->wake) c->wake->cancel();
  co_return http::response{204, v2_json_type, "", {}};
}

asio::awaitable<http::response> consumer_instances::assignments(instance_ptr c) {
  json parts = json::array();
  for (const auto& [t, p] : c->assignment) parts.push_back({{"topic", t}, {"partition", p}});
  co_return json_answer(json{{"partitions", parts}});
}

// JoinGroup (twice when the broker first hands out a member id), then, as
// the leader, the range assignment for every member, then SyncGroup.
asio::awaitable<bool> consumer_instances::join(instance_ptr c) {
  c->joining = true;
  struct done_flag {
    consumer_instance& c;
    ~done_flag() { c.joining = false; }
  } done{*c};
  protocol::join_group_response_data joined;
  for (int attempt = 0; attempt < 3; ++attempt) {
    protocol::join_group_request_data r;
    r.group_id = c->group;
    r.session_timeout_ms = session_timeout_ms;
    r.rebalance_timeout_ms = rebalance_timeout_ms;
    r.member_id = c->member_id;
    r.protocol_type = "consumer";
    auto& p = r.protocols.emplace_back();
    p.name = "range";
    p.metadata = subscription_bytes(c->topics);
    auto answer = co_await http::call_broker_api<protocol::join_group_response_data>(api_, 5, r, c->caller);
    if (!answer || c->closed) co_return false;
    if (answer->error_code == kafka::to_int(kafka::error_code::member_id_required)) {
      c->member_id = answer->member_id;
      continue;
    }
    if (answer->error_code == kafka::to_int(kafka::error_code::unknown_member_id)) {
      c->member_id.clear();
      continue;
    }
    if (answer->error_code != 0) {
      spdlog::warn("http proxy: consumer {} of group {}: JoinGroup: {}", c->name, c->group,
                   kafka::error_name(static_cast<kafka::error_code>(answer->error_code)));
      co_return false;
    }
    joined = std::move(*answer);
    break;
  }
  if (joined.member_id.empty()) co_return false;
  c->member_id = joined.member_id;
  c->generation = joined.generation_id;
  protocol::sync_group_request_data s;
  s.group_id = c->group;
  s.generation_id = joined.generation_id;
  s.member_id = c->member_id;
  s.protocol_type = "consumer";
  s.protocol_name = joined.protocol_name;
  if (joined.leader == c->member_id) {
    std::map<std::string, std::vector<std::string>> subs;
    std::set<std::string> all_topics;
    for (const auto& m : joined.members) {
      auto topics = decode_subscription(m.metadata);
      subs[m.member_id] = topics.value_or(std::vector<std::string>{});
      if (topics) all_topics.insert(topics->begin(), topics->end());
    }
    auto count = [this, all_topics] {
      std::map<std::string, int32_t> counts;
      for (const auto& t : all_topics)
        if (const auto* e = broker_.topics().find(t)) counts[t] = static_cast<int32_t>(e->partitions.size());
      return counts;
    };
    std::map<std::string, int32_t> counts = co_await http::on_broker(broker_.io(), std::move(count));
    for (const auto& [member, parts] : range_assign(subs, counts)) {
      auto& a = s.assignments.emplace_back();
      a.member_id = member;
      a.assignment = assignment_bytes(parts);
    }
  }
  auto synced = co_await http::call_broker_api<protocol::sync_group_response_data>(api_, 5, s, c->caller);
  if (!synced || c->closed) co_return false;
  if (synced->error_code != 0) {
    if (synced->error_code == kafka::to_int(kafka::error_code::unknown_member_id)) c->member_id.clear();
    co_return false;
  }
  c->assignment.clear();
  if (auto decoded = http::decode_consumer_assignment(synced->assignment)) {
    for (const auto& t : *decoded)
      for (int32_t p : t.partitions) c->assignment.push_back({t.topic, p});
  }
  // Positions of partitions no longer assigned are dropped; new ones start
  // from the committed offset (or auto.offset.reset).
  std::map<tp_key, int64_t> kept;
  for (const auto& tp : c->assignment)
    if (auto it = c->positions.find(tp); it != c->positions.end()) kept.insert(*it);
  c->positions = std::move(kept);
  co_await fill_positions(c);
  co_return true;
}

asio::awaitable<void> consumer_instances::fill_positions(instance_ptr c) {
  std::vector<tp_key> missing;
  for (const auto& tp : c->assignment)
    if (!c->positions.count(tp)) missing.push_back(tp);
  if (missing.empty()) co_return;
  protocol::offset_fetch_request_data r;
  r.group_id = c->group;
  std::map<std::string, std::vector<int32_t>> by_topic;
  for (const auto& [t, p] : missing) by_topic[t].push_back(p);
  std::vector<protocol::offset_fetch_request_data::offset_fetch_request_topic> topics;
  for (const auto& [t, ps] : by_topic) {
    auto& e = topics.emplace_back();
    e.name = t;
    e.partition_indexes = ps;
  }
  r.topics = std::move(topics);
  std::map<tp_key, int64_t> committed;
  auto answer = co_await http::call_broker_api<protocol::offset_fetch_response_data>(api_, 7, r, c->caller);
  if (answer) {
    for (const auto& t : answer->topics)
      for (const auto& p : t.partitions)
        if (p.error_code == 0 && p.committed_offset >= 0) committed[{t.name, p.partition_index}] = p.committed_offset;
  }
  auto bounds = [this, missing, earliest = c->config.reset_earliest] {
    std::map<tp_key, int64_t> out;
    for (const auto& tp : missing) {
      auto log = broker_.topics().partition(tp.first, tp.second);
      if (!log) continue;
      out[tp] = earliest ? log->figures().log_start.load(std::memory_order_relaxed) : log->high_watermark();
    }
    return out;
  };
  std::map<tp_key, int64_t> reset = co_await http::on_broker(broker_.io(), std::move(bounds));
  for (const auto& tp : missing) {
    if (auto it = committed.find(tp); it != committed.end()) c->positions[tp] = it->second;
    else if (auto r2 = reset.find(tp); r2 != reset.end()) c->positions[tp] = r2->second;
  }
}

// Keeps the membership alive: joins when told to (subscribe, a rebalance),
// heartbeats every second otherwise. Ends when the instance is closed.
asio::awaitable<void> consumer_instances::heartbeat_loop(instance_ptr c) {
  while (!c->closed && !stopped_) {
    if (c->needs_join && !c->topics.empty()) {
      c->needs_join = false;
      if (!co_await join(c) && !c->closed) c->needs_join = true;
    } else if (!c->member_id.empty() && c->generation >= 0) {
      protocol::heartbeat_request_data h;
      h.group_id = c->group;
      h.generation_id = c->generation;
      h.member_id = c->member_id;
      auto answer = co_await http::call_broker_api<protocol::heartbeat_response_data>(api_, 3, h, c->caller);
      if (c->closed) break;
      if (answer && answer->error_code != 0) {
        auto code = static_cast<kafka::error_code>(answer->error_code);
        if (code == kafka::error_code::unknown_member_id || code == kafka::error_code::illegal_generation)
          c->member_id.clear();
        if (!c->topics.empty()) c->needs_join = true;
        if (code == kafka::error_code::unknown_member_id || code == kafka::error_code::illegal_generation) {
          c->generation = -1;
          c->assignment.clear();
        }
        continue;
      }
    }
    if (c->closed) break;
    c->wake->expires_after(heartbeat_every);
    (void)co_await c->wake->async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> consumer_instances::leave(instance_ptr c) {
  if (c->member_id.empty()) co_return;
  protocol::leave_group_request_data r;
  r.group_id = c->group;
  auto& m = r.members.emplace_back();
  m.member_id = c->member_id;
  m.reason = "the REST proxy's consumer instance was deleted or expired";
  (void)co_await http::call_broker_api<protocol::leave_group_response_data>(api_, 5, r, c->caller);
  c->member_id.clear();
}

asio::awaitable<int16_t> consumer_instances::commit_positions(instance_ptr c, const std::map<tp_key, int64_t>& given,
                                                              tp_key* failed) {
  // A copy before the first suspension: callers pass the instance's own
  // map, which this changes (and which may change while the commit waits).
  const std::map<tp_key, int64_t> offsets = given;
  protocol::offset_commit_request_data r;
  r.group_id = c->group;
  // Outside a generation (between rebalances, or never joined) the commit
  // goes as a simple commit (generation -1, no member), as Kafka allows
  // only for a group with no members; otherwise as the member.
  r.generation_id_or_member_epoch = c->member_id.empty() ? -1 : c->generation;
  r.member_id = c->member_id;
  std::map<std::string, std::vector<std::pair<int32_t, int64_t>>> by_topic;
  for (const auto& [tp, off] : offsets) by_topic[tp.first].push_back({tp.second, off});
  for (const auto& [t, ps] : by_topic) {
    auto& e = r.topics.emplace_back();
    e.name = t;
    for (const auto& [p, off] : ps) {
      auto& pe = e.partitions.emplace_back();
      pe.partition_index = p;
      pe.committed_offset = off;
    }
  }
  auto answer = co_await http::call_broker_api<protocol::offset_commit_response_data>(api_, 8, r, c->caller);
  if (!answer) co_return kafka::to_int(kafka::error_code::unknown_server_error);
  for (const auto& t : answer->topics)
    for (const auto& p : t.partitions)
      if (p.error_code != 0) {
        if (failed) *failed = {t.name, p.partition_index};
        co_return p.error_code;
      }
  for (const auto& [tp, off] : offsets) {
    auto it = c->uncommitted.find(tp);
    if (it != c->uncommitted.end() && it->second <= off) c->uncommitted.erase(it);
  }
  co_return int16_t{0};
}

asio::awaitable<http::response> consumer_instances::records(const http::request& req, instance_ptr c) {
  // The Accept header names the format the instance was created with.
  const std::string fmt_type = "application/vnd.kafka." + std::string(format_name(c->config.embedded)) + ".v2+json";
  if (!req.accept.empty() && req.accept.find("*/*") == std::string::npos &&
      req.accept.find(fmt_type) == std::string::npos && req.accept.find("application/vnd.kafka.v2+json") == std::string::npos &&
      req.accept.find("application/json") == std::string::npos)
    co_return error_answer(406, codes::format_mismatch,
                           "The requested embedded data format does not match the deserializer for this consumer instance");
  if (c->topics.empty())
    co_return error_answer(409, codes::illegal_state, "Illegal state: Consumer is not subscribed to any topics or assigned any partitions");
  int64_t max_bytes = settings_.max_fetch_bytes;
  if (auto it = req.query.find("max_bytes"); it != req.query.end()) {
    try {
      max_bytes = std::clamp<int64_t>(std::stoll(it->second), 1, settings_.max_fetch_bytes);
    } catch (const std::exception&) {
      co_return error_answer(400, 400, "max_bytes must be a number");
    }
  }
  int64_t timeout_ms = 1000;
  if (auto it = req.query.find("timeout"); it != req.query.end()) {
    try {
      timeout_ms = std::clamp<int64_t>(std::stoll(it->second), 0, 30'000);
    } catch (const std::exception&) {
      co_return error_answer(400, 400, "timeout must be milliseconds");
    }
  }
  // Auto commit: what the previous reads returned is committed now, as the
  // Java consumer commits at its next poll.
  if (c->config.auto_commit && !c->uncommitted.empty()) (void)co_await commit_positions(c, c->uncommitted);
  const auto deadline = clock_type::now() + std::chrono::milliseconds(timeout_ms);
  // A join in progress (the first poll after subscribing) is waited for
  // within the timeout.
  while ((c->needs_join || c->joining || c->generation < 0) && clock_type::now() < deadline && !c->closed) {
    asio::steady_timer t(io_);
    t.expires_after(std::chrono::milliseconds(20));
    co_await t.async_wait(asio::use_awaitable);
  }
  // READ on each topic again: ACLs may have changed since the subscription.
  auto check = [this, who = c->caller, list = c->topics]() -> std::optional<std::string> {
    broker::client_info client;
    client.principal = who.principal;
    client.host = who.peer_host.empty() ? "127.0.0.1" : who.peer_host;
    client.peer = "http proxy " + who.peer;
    for (const auto& t : list)
      if (!broker::authorized(broker_, client, "Fetch", acl::operation::read, acl::resource_type::topic, t)) return t;
    return std::nullopt;
  };
  std::optional<std::string> denied = co_await http::on_broker(broker_.io(), std::move(check));
  if (denied) co_return error_answer(403, codes::forbidden, "not authorized to READ topic " + *denied);
  json out = json::array();
  size_t count = 0;
  int64_t bytes = 0;
  std::optional<std::string> undecodable;  // why a record could not be decoded
  bool registry_refused = false;           // ...because the registry refused the caller
  for (;;) {
    // A copy: a rebalance (the heartbeat coroutine) may change the
    // assignment and positions while this read waits on the broker; records
    // read from a position that moved meanwhile are dropped.
    const std::vector<tp_key> assigned = c->assignment;
    for (const auto& tp : assigned) {
      if (count >= settings_.max_records_per_fetch || bytes >= max_bytes) break;
      auto at = c->positions.find(tp);
      if (at == c->positions.end()) continue;
      const int64_t from = at->second;
      auto find = [this, tp] { return broker_.topics().partition(tp.first, tp.second); };
      std::shared_ptr<storage::partition_log> log = co_await http::on_broker(broker_.io(), std::move(find));
      if (!log) continue;
      http::read_limits limits;
      limits.limit = static_cast<int>(settings_.max_records_per_fetch - count);
      limits.max_bytes = max_bytes - bytes;
      auto read = [&log, from, limits] { return http::read_records(*log, from, limits); };
      result<http::read_outcome> got = co_await broker_.workers().run(read);
      // Schema formats: keys and values decoded (key, value, key, value...).
      decoded_blobs decoded;
      if (got && uses_schema(c->config.embedded)) {
        std::vector<std::optional<std::string>> blobs;
        blobs.reserve(got->records.size() * 2);
        for (const auto& r : got->records) {
          blobs.push_back(r.key);
          blobs.push_back(r.value);
        }
        decoded = co_await schemas_.decode(std::move(blobs), schemas_.authorization_for(req));
      }
      auto pos = c->positions.find(tp);
      if (pos == c->positions.end() || pos->second != from || c->closed) continue;
      if (!got) {
        // Out of range (retention moved the start): reset as configured.
        int64_t start = log->figures().log_start.load(std::memory_order_relaxed);
        pos->second = c->config.reset_earliest || from < start ? start : log->high_watermark();
        continue;
      }
      // Records past one that cannot be decoded stay unread: the position
      // stops at it, so every read fails there as Kafka's deserializer does.
      const size_t usable = decoded.failed_at ? *decoded.failed_at / 2 : got->records.size();
      for (size_t i = 0; i < usable; ++i) {
        const auto& r = got->records[i];
        json rec{{"topic", tp.first}, {"partition", tp.second}, {"offset", r.offset}};
        auto as_field = [&](const std::optional<std::string>& v, size_t blob) -> json {
          if (!v) return nullptr;
          if (uses_schema(c->config.embedded)) {
            // The codec writes JSON; a text it made that does not parse is a
            // bug, kept visible as a string rather than dropped.
            const auto& text = decoded.texts[blob];
            json parsed = parse_json_bounded<json>(*text);
            return parsed.is_discarded() ? json(*text) : parsed;
          }
          if (c->config.embedded == format::binary)
            return sasl::base64_encode(reinterpret_cast<const uint8_t*>(v->data()), v->size());
          json parsed = parse_json_bounded<json>(*v);
          // Bytes that are not JSON are given as a string rather than lost.
          return parsed.is_discarded() ? json(*v) : parsed;
        };
        rec["key"] = as_field(r.key, 2 * i);
        rec["value"] = as_field(r.value, 2 * i + 1);
        rec["timestamp"] = r.timestamp;
        out.push_back(std::move(rec));
        ++count;
        bytes += static_cast<int64_t>((r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0));
      }
      const int64_t next = decoded.failed_at ? got->records[usable].offset : got->next_offset;
      if (next > pos->second) {
        pos->second = next;
        c->uncommitted[tp] = next;
      }
      if (decoded.failed_at) {
        const auto& bad = got->records[usable];
        const std::string where = std::string(*decoded.failed_at % 2 == 0 ? "key" : "value") + " at " + tp.first +
                                  "-" + std::to_string(tp.second) + " offset " + std::to_string(bad.offset);
        registry_refused = decoded.refused;
        undecodable = registry_refused ? "The schema registry refused the request's credentials for the " + where +
                                             ": " + decoded.error
                                       : "Kafka error: the " + where + " cannot be read as " +
                                             std::string(format_name(c->config.embedded)) + ": " + decoded.error;
        break;
      }
    }
    // Records decoded before the bad one are answered; the next read fails.
    if (undecodable && count == 0 && registry_refused) co_return error_answer(403, codes::forbidden, *undecodable);
    if (undecodable && count == 0) co_return error_answer(500, codes::kafka_error, *undecodable);
    if (count > 0 || undecodable || clock_type::now() >= deadline || c->closed) break;
    asio::steady_timer t(io_);
    t.expires_after(std::chrono::milliseconds(50));
    co_await t.async_wait(asio::use_awaitable);
  }
  c->last_used = clock_type::now();
  co_return json_answer(out, 200, fmt_type);
}

asio::awaitable<http::response> consumer_instances::commit(const http::request& req, instance_ptr c) {
  if (!v2_plain_type(req.content_type)) co_return error_answer(415, codes::unsupported_media_type, "HTTP 415 Unsupported Media Type");
  auto given = parse_commit(req.body, settings_.limits);
  if (!given) co_return error_answer(given.error());
  std::map<tp_key, int64_t> offsets;
  if (*given) {
    // Confluent's body names the last record consumed; the group stores the next one to read.
    for (const auto& o : **given) offsets[{o.topic, o.partition}] = o.offset + 1;
  } else {
    offsets = c->positions;
  }
  if (offsets.empty()) co_return http::response{200, v2_json_type, "", {}};
  tp_key failed;
  int16_t code = co_await commit_positions(c, offsets, &failed);
  if (code != 0) {
    auto e = static_cast<kafka::error_code>(code);
    // The caller's mistakes get Confluent's own codes, not a Kafka error to retry.
    if (e == kafka::error_code::unknown_topic_or_partition) {
      auto topic_exists = [this, name = failed.first] { return broker_.topics().find(name) != nullptr; };
      const bool exists = co_await http::on_broker(broker_.io(), std::move(topic_exists));
      if (!exists) co_return error_answer(404, codes::topic_not_found, "Topic " + failed.first + " not found.");
      co_return error_answer(404, codes::partition_not_found, "Partition " + std::to_string(failed.second) +
                                                                  " of topic " + failed.first + " not found.");
    }
    if (e == kafka::error_code::topic_authorization_failed || e == kafka::error_code::group_authorization_failed)
      co_return error_answer(403, codes::forbidden, std::string(kafka::error_name(e)) + ": " + std::string(kafka::default_message(e)));
    co_return error_answer(kafka::is_retriable(e) ? 500 : 400, kafka::is_retriable(e) ? codes::kafka_retriable : codes::kafka_error,
                           std::string(kafka::error_name(e)) + ": " + std::string(kafka::default_message(e)));
  }
  co_return http::response{200, v2_json_type, "", {}};
}

asio::awaitable<http::response> consumer_instances::committed(const http::request& req, instance_ptr c) {
  auto parts = parse_partitions(req.body, settings_.limits);
  if (!parts) co_return error_answer(parts.error());
  protocol::offset_fetch_request_data r;
  r.group_id = c->group;
  std::map<std::string, std::vector<int32_t>> by_topic;
  for (const auto& p : *parts) by_topic[p.topic].push_back(p.partition);
  std::vector<protocol::offset_fetch_request_data::offset_fetch_request_topic> topics;
  for (const auto& [t, ps] : by_topic) {
    auto& e = topics.emplace_back();
    e.name = t;
    e.partition_indexes = ps;
  }
  r.topics = std::move(topics);
  auto answer = co_await http::call_broker_api<protocol::offset_fetch_response_data>(api_, 7, r, c->caller);
  if (!answer) co_return error_answer(500, codes::kafka_error, answer.err().describe());
  json offsets = json::array();
  for (const auto& t : answer->topics)
    for (const auto& p : t.partitions)
      if (p.error_code == 0 && p.committed_offset >= 0)
        offsets.push_back({{"topic", t.name},
                           {"partition", p.partition_index},
                           {"offset", p.committed_offset},
                           {"metadata", p.metadata.value_or("")}});
  co_return json_answer(json{{"offsets", offsets}});
}

}  // namespace samsa::proxy
