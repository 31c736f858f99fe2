// Confluent REST Proxy v2 consumer instances: POST /consumers/{group}
// creates one, .../subscription subscribes it, .../records reads, .../offsets
// commits, DELETE removes it. Each instance is a real member of its classic
// consumer group: JoinGroup / SyncGroup / Heartbeat / LeaveGroup go through
// the broker's own handlers as the principal that created it (so `samsa group
// describe` lists it, and Kafka clients in the same group share the
// partitions with it). When it leads the group it assigns with the range
// assignor. Records are read from the partition logs on the worker pool,
// after READ on each topic is checked for the caller.
//
// Bounds: instances alive at once (http.proxy.consumer.max.instances), idle
// time (http.proxy.consumer.instance.timeout.ms: an instance not used that
// long leaves its group and is dropped), records and bytes per read (nothing
// is buffered between reads: a read takes what it returns from the log).
// Instances in a schema-registry format decode each key and value to JSON
// on the schema encoder's own threads.
// Everything here runs on the proxy's HTTP thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "http/broker_api.h"
#include "http/server.h"
#include "proxy/proxy_settings.h"
#include "proxy/schema_encoder.h"

namespace samsa::broker {
class api_table;
class broker_state;
}  // namespace samsa::broker

namespace samsa::proxy {

struct consumer_instance;

class consumer_instances {
 public:
  // `schemas` decodes records for instances in avro/jsonschema/protobuf.
  consumer_instances(broker::broker_state& broker, broker::api_table& apis, const proxy_settings& settings,
                     boost::asio::io_context& io, schema_encoder& schemas);
  ~consumer_instances();

  // segments: "consumers", group[, "instances", name[, what]].
  boost::asio::awaitable<http::response> handle(const http::request& req, const std::vector<std::string>& segments);
  void set_base_url(std::string url) { base_url_ = std::move(url); }
  // Starts the idle sweep; stop() ends it and the heartbeats.
  void start();
  void stop();
  size_t size() const { return instances_.size(); }

 private:
  using instance_ptr = std::shared_ptr<consumer_instance>;
  boost::asio::awaitable<http::response> create(const http::request& req, const std::string& group);
  boost::asio::awaitable<http::response> remove(const http::request& req, instance_ptr c);
  boost::asio::awaitable<http::response> subscribe(const http::request& req, instance_ptr c);
  boost::asio::awaitable<http::response> records(const http::request& req, instance_ptr c);
  boost::asio::awaitable<http::response> commit(const http::request& req, instance_ptr c);
  boost::asio::awaitable<http::response> committed(const http::request& req, instance_ptr c);
  boost::asio::awaitable<http::response> assignments(instance_ptr c);

  // Group membership.
  boost::asio::awaitable<bool> join(instance_ptr c);
  boost::asio::awaitable<void> heartbeat_loop(instance_ptr c);
  boost::asio::awaitable<void> leave(instance_ptr c);
  boost::asio::awaitable<void> fill_positions(instance_ptr c);
  // The first error of the commit (0: none); `failed`, when given, gets the
  // partition it came from.
  boost::asio::awaitable<int16_t> commit_positions(instance_ptr c, const std::map<std::pair<std::string, int32_t>, int64_t>& given,
                                                   std::pair<std::string, int32_t>* failed = nullptr);
  boost::asio::awaitable<void> sweep();

  broker::broker_state& broker_;
  http::broker_api api_;  // membership, offsets
  const proxy_settings& settings_;
  boost::asio::io_context& io_;
  schema_encoder& schemas_;
  std::string base_url_;
  std::map<std::pair<std::string, std::string>, instance_ptr> instances_;  // (group, name)
  uint64_t next_id_ = 0;
  std::shared_ptr<boost::asio::steady_timer> sweep_timer_;
  bool stopped_ = false;
};

}  // namespace samsa::proxy
