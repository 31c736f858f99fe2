#include "connect/webhook_source.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "client/producer.h"
#include "registry/rest_client.h"
#include "registry/schema_codec.h"

namespace samsa::connect {

namespace asio = boost::asio;

struct webhook_source::impl {
  impl(source_options o, http::server_limits limits, client::producer p)
      : options(std::move(o)), server(limits), producer(std::move(p)) {}
  source_options options;
  // Before the producer: the producer's last delivery callbacks (while it
  // flushes on destruction) post to the server's io_context, which must
  // still exist then.
  http::server server;
  std::optional<registry::schema_codec> codec;  // server thread only
  client::producer producer;
};

namespace {

// The same shape as the errors src/http's server answers by itself (413 for
// an oversized body, 405 for another method), so callers parse one format.
http::response error_response(int status, const std::string& message) {
  const char* name = status == 400   ? "BAD_REQUEST"
                     : status == 415 ? "UNSUPPORTED_MEDIA_TYPE"
                     : status == 422 ? "SCHEMA_MISMATCH"
                     : status == 503 ? "NOT_ACKNOWLEDGED"
                                     : "INVALID_REQUEST";
  nlohmann::json body{{"error", {{"code", status}, {"name", name}, {"message", message}}}};
  return {status, "application/json", body.dump() + "\n", {}};
}

// What the delivery callbacks (librdkafka's thread) report into; read on
// the server thread once the timer is cancelled or expires.
struct acks {
  explicit acks(asio::io_context& io, size_t n) : timer(io), results(n) {}
  asio::steady_timer timer;
  std::vector<std::optional<result<client::delivery_report>>> results;
  size_t done = 0;  // server thread only
};

asio::awaitable<http::response> handle(webhook_source::impl& self, const http::request& req) {
  const auto& o = self.options;
  if (req.method != "POST") co_return error_response(405, "POST a JSON object or an array of objects");
  if (!is_json_content_type(req.content_type))
    co_return error_response(415, fmt::format("Content-Type must be application/json, got \"{}\"",
                                              req.content_type.empty() ? "(none)" : req.content_type));
  auto records = records_from_body(req.body, o.key_field, o.limits);
  if (!records) co_return error_response(400, records.err().message);
  std::vector<client::outgoing_message> messages;
  messages.reserve(records->size());
  for (size_t i = 0; i < records->size(); ++i) {
    auto& r = (*records)[i];
    client::outgoing_message m;
    m.topic = o.topic;
    m.key = std::move(r.key);
    if (self.codec) {
      auto encoded = self.codec->encode(*o.schema_id, r.value, o.protobuf_message);
      if (!encoded) {
        std::string which = records->size() > 1 ? fmt::format("record {}", i) : std::string("the value");
        co_return error_response(
            422, fmt::format("{} does not fit schema {}: {}", which, *o.schema_id, encoded.err().message));
      }
      m.value = std::move(*encoded);
    } else {
      m.value = std::move(r.value);
    }
    messages.push_back(std::move(m));
  }

  auto& io = self.server.io();
  auto state = std::make_shared<acks>(io, messages.size());
  state->timer.expires_after(o.ack_timeout + std::chrono::seconds(1));  // librdkafka times out first, normally
  for (size_t i = 0; i < messages.size(); ++i) {
    auto sent = self.producer.send(messages[i], [state, i, &io](const result<client::delivery_report>& r) {
      asio::post(io, [state, i, r] {
        state->results[i] = r;
        if (++state->done == state->results.size()) state->timer.cancel();
      });
    });
    if (!sent) {
      // Already queued records still complete and post into `state`; the
      // answer does not wait for them.
      co_return error_response(503, "the producer refused the record: " + sent.err().message);
    }
  }
  co_await state->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  if (state->done < state->results.size())
    co_return error_response(
        503, fmt::format("{} of {} records not acknowledged by the brokers within {} ms; they may or may not be stored",
                         state->results.size() - state->done, state->results.size(), o.ack_timeout.count()));
  nlohmann::json offsets = nlohmann::json::array();
  for (const auto& r : state->results) {
    if (!*r)
      co_return error_response(503, fmt::format("not acknowledged: {}", r->err().message));
    offsets.push_back({{"partition", (*r)->partition}, {"offset", (*r)->offset}});
  }
  nlohmann::json body{{"topic", o.topic}, {"offsets", offsets}};
  if (o.schema_id) body["value_schema_id"] = *o.schema_id;
  co_return http::response{200, "application/json", body.dump() + "\n", {}};
}

}  // namespace

result<std::unique_ptr<webhook_source>> webhook_source::create(const source_options& options,
                                                               const client::client_config& config) {
  client::client_config effective = config;
  // Idempotence: a retry inside the producer never writes a record twice.
  effective.set("enable.idempotence", "true", "samsa source http");
  effective.set("message.timeout.ms", std::to_string(options.ack_timeout.count()), "samsa source http --ack-timeout-ms");
  client::producer_options po;
  po.acks = "all";
  auto producer = client::producer::create(effective, po);
  if (!producer) return producer.err();
  http::server_limits limits;
  limits.thread_name = "samsa-webhook";
  limits.max_body_bytes = options.max_body_bytes;
  std::unique_ptr<webhook_source> out(new webhook_source());
  out->impl_ = std::make_unique<impl>(options, limits, std::move(*producer));
  if (options.schema_id) {
    auto found = registry::rest_call(options.registry_url, "GET", fmt::format("/schemas/ids/{}", *options.schema_id), "",
                                     std::chrono::milliseconds(10'000));
    if (!found)
      return error(found.err().code, fmt::format("schema registry at {}: {}", registry::without_password(options.registry_url), found.err().message));
    if (found->status != 200)
      return make_error(std::errc::no_such_file_or_directory,
                        fmt::format("schema registry at {} has no schema id {} (HTTP {})", registry::without_password(options.registry_url),
                                    *options.schema_id, found->status));
    auto& codec = out->impl_->codec.emplace(options.registry_url, std::chrono::milliseconds(10'000));
    // Caches the schema now: a request never waits on the registry, and an
    // encoding failure later is always the value's fault (422).
    (void)codec.encode(*options.schema_id, "{}", options.protobuf_message);
  }
  auto* self = out->impl_.get();
  self->server.route("POST", "/", [self](const http::request& req) { return handle(*self, req); }, true);
  return out;
}

webhook_source::~webhook_source() {
  if (impl_) impl_->server.stop();
}

status webhook_source::bind(const std::string& host, uint16_t port) { return impl_->server.bind(host, port); }
uint16_t webhook_source::port() const { return impl_->server.bound_port(); }
void webhook_source::start() { impl_->server.start(); }
void webhook_source::stop() { impl_->server.stop(); }

}  // namespace samsa::connect
