#include "registry/kafka_schema_log.h"

#include <chrono>

#include "client/admin.h"
#include "client/consumer.h"
#include "http/on_broker.h"

namespace samsa::registry {

namespace asio = boost::asio;
using namespace std::chrono_literals;

kafka_schema_log::kafka_schema_log(client::client_config config, std::string topic)
    : config_(std::move(config)), topic_(std::move(topic)), work_(io_.get_executor()), thread_([this] { io_.run(); }) {}

kafka_schema_log::~kafka_schema_log() {
  work_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
  producer_.reset();
}

std::string kafka_schema_log::describe() const { return topic_ + " on " + config_.bootstrap_servers(); }

status kafka_schema_log::ensure_topic() {
  if (topic_known_) return {};
  auto admin = client::admin::create(config_);
  if (!admin) return admin.err();
  if (!admin->describe_topic(topic_, false)) {
    client::new_topic t;
    t.name = topic_;
    t.partitions = 1;
    t.configs["cleanup.policy"] = "compact";
    auto created = admin->create_topic(t);
    // Another registry may have created it in between: only its absence is an error.
    if (!created && !admin->describe_topic(topic_, false)) return created;
  }
  topic_known_ = true;
  return {};
}

status kafka_schema_log::append_now(const std::vector<log_record>& records) {
  if (auto s = ensure_topic(); !s) return s;
  if (!producer_) {
    client::producer_options options;
    options.acks = "all";
    auto p = client::producer::create(config_, options);
    if (!p) return p.err();
    producer_.emplace(std::move(*p));
  }
  // In order, each acknowledged before the next: the log's order is the state's.
  for (const auto& r : records) {
    client::outgoing_message m;
    m.topic = topic_;
    m.partition = 0;
    m.key = r.key;
    m.value = r.value;
    auto delivered = producer_->send(m);
    if (delivered.wait_for(60s) != std::future_status::ready)
      return make_error(std::errc::timed_out, "no acknowledgement from " + describe() + " within 60 s");
    auto report = delivered.get();
    if (!report) return report.err();
  }
  return {};
}

result<std::vector<log_record>> kafka_schema_log::read_now() {
  if (auto s = ensure_topic(); !s) return s.err();
  client::consumer_options options;
  options.report_partition_end = true;
  auto consumer = client::consumer::create(config_, options);
  if (!consumer) return consumer.err();
  if (auto s = consumer->assign({client::topic_partition{topic_, 0, client::offset_beginning}}); !s) return s.err();
  std::vector<log_record> out;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto event = consumer->poll(500ms);
    if (!event) return event.err();
    if (auto* m = std::get_if<client::consumed_message>(&*event)) {
      out.push_back(log_record{m->key.value_or(""), m->value});
    } else if (std::holds_alternative<client::end_of_partition>(*event)) {
      (void)consumer->close();
      return out;
    }
  }
  return make_error(std::errc::timed_out, "did not reach the end of " + describe() + " within 60 s");
}

asio::awaitable<status> kafka_schema_log::append(std::vector<log_record> records) {
  auto job = [this, records = std::move(records)]() -> status { return append_now(records); };
  status s = co_await http::on_broker(io_, std::move(job));
  co_return s;
}

asio::awaitable<result<std::vector<log_record>>> kafka_schema_log::read_all() {
  // Wrapped in optional: co_spawn's completion needs a default-constructible value.
  auto job = [this]() -> std::optional<result<std::vector<log_record>>> { return read_now(); };
  std::optional<result<std::vector<log_record>>> r = co_await http::on_broker(io_, std::move(job));
  co_return std::move(*r);
}

}  // namespace samsa::registry
