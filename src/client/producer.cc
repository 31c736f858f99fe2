#include "client/producer.h"

#include <atomic>
#include <thread>

#include <fmt/format.h>

#include "client/kafka_error.h"
#include "client/rd_handle.h"

namespace samsa::client {

struct producer::impl {
  detail::handle_ptr handle;
  std::string bootstrap;
  std::chrono::milliseconds flush_on_close{10000};
  std::atomic<bool> stop{false};
  std::thread poller;

  ~impl() {
    if (handle) (void)rd_kafka_flush(handle.get(), static_cast<int>(flush_on_close.count()));
    stop = true;
    if (poller.joinable()) poller.join();
    // Records that never got an answer still own a callback: fail them so
    // futures do not wait forever, then free the callbacks.
    if (handle) {
      (void)rd_kafka_purge(handle.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      rd_kafka_poll(handle.get(), 0);
    }
  }
};

namespace {

struct delivery_context {
  delivery_callback callback;
  std::string bootstrap;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  auto* ctx = static_cast<delivery_context*>(m->_private);
  if (ctx == nullptr) return;
  std::string topic = m->rkt ? rd_kafka_topic_name(m->rkt) : "";
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    ctx->callback(make_kafka_error(fmt::format("produce to {}", topic), m->err, rd_kafka_err2str(m->err),
                                   ctx->bootstrap));
  } else {
    delivery_report r;
    r.topic = std::move(topic);
    r.partition = m->partition;
    r.offset = m->offset;
    rd_kafka_timestamp_type_t type;
    r.timestamp_ms = rd_kafka_message_timestamp(m, &type);
    ctx->callback(r);
  }
  delete ctx;
}

}  // namespace

producer::producer(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
producer::producer(producer&&) noexcept = default;
producer& producer::operator=(producer&&) noexcept = default;
producer::~producer() = default;

result<producer> producer::create(const client_config& config, const producer_options& options) {
  client_config effective = config;
  if (!effective.get("partitioner")) effective.set("partitioner", "murmur2_random", "producer default");
  if (options.acks) effective.set("acks", *options.acks, "producer option acks");
  if (options.compression) effective.set("compression.type", *options.compression, "producer option compression");
  if (options.partitioner) effective.set("partitioner", *options.partitioner, "producer option partitioner");
  auto conf = detail::make_conf(effective);
  if (!conf) return conf.err();
  rd_kafka_conf_set_dr_msg_cb(conf->get(), on_delivery);
  auto p = std::make_unique<impl>();
  p->bootstrap = effective.bootstrap_servers();
  p->flush_on_close = options.flush_on_close;
  auto handle = detail::make_handle(RD_KAFKA_PRODUCER, std::move(*conf), "create producer", p->bootstrap);
  if (!handle) return handle.err();
  p->handle = std::move(*handle);
  rd_kafka_t* h = p->handle.get();
  std::atomic<bool>* stop = &p->stop;
  p->poller = std::thread([h, stop] {
    while (!stop->load()) rd_kafka_poll(h, 100);
  });
  return producer(std::move(p));
}

status producer::send(const outgoing_message& message, delivery_callback callback) {
  std::string op = fmt::format("produce to {}", message.topic);
  if (message.topic.empty()) return make_usage_error("produce", "the topic name is empty");
  rd_kafka_headers_t* headers = nullptr;
  if (!message.headers.empty()) {
    headers = rd_kafka_headers_new(message.headers.size());
    for (const auto& h : message.headers) {
      rd_kafka_header_add(headers, h.key.data(), static_cast<ssize_t>(h.key.size()),
                          h.value ? h.value->data() : nullptr, h.value ? static_cast<ssize_t>(h.value->size()) : 0);
    }
  }
  auto* ctx = new delivery_context{std::move(callback), impl_->bootstrap};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  const void* key = message.key ? message.key->data() : nullptr;
  size_t key_size = message.key ? message.key->size() : 0;
  void* value = message.value ? const_cast<char*>(message.value->data()) : nullptr;
  size_t value_size = message.value ? message.value->size() : 0;
  int32_t partition = message.partition.value_or(RD_KAFKA_PARTITION_UA);
  int64_t timestamp = message.timestamp_ms.value_or(0);
  while (true) {
    // producev copies key and value (RD_KAFKA_MSG_F_COPY) so the caller's strings may go away.
    rd_kafka_resp_err_t err = rd_kafka_producev(
        impl_->handle.get(), RD_KAFKA_V_TOPIC(message.topic.c_str()),
        RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY(key, key_size), RD_KAFKA_V_VALUE(value, value_size), RD_KAFKA_V_TIMESTAMP(timestamp),
        RD_KAFKA_V_HEADERS(headers),
        RD_KAFKA_V_OPAQUE(ctx), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return {};  // headers now belong to the message
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the poller thread drains the queue
      continue;
    }
    if (headers) rd_kafka_headers_destroy(headers);
    delete ctx;
    return make_kafka_error(op, err, rd_kafka_err2str(err), impl_->bootstrap);
  }
}

std::future<result<delivery_report>> producer::send(const outgoing_message& message) {
  auto promise = std::make_shared<std::promise<result<delivery_report>>>();
  auto future = promise->get_future();
  if (auto s = send(message, [promise](const result<delivery_report>& r) { promise->set_value(r); }); !s)
    promise->set_value(s.err());
  return future;
}

status producer::flush(std::chrono::milliseconds timeout) {
  rd_kafka_resp_err_t err = rd_kafka_flush(impl_->handle.get(), static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return make_kafka_error(fmt::format("flush ({} records still in flight)", rd_kafka_outq_len(impl_->handle.get())),
                            err, rd_kafka_err2str(err), impl_->bootstrap);
  return {};
}

int producer::in_flight() const { return rd_kafka_outq_len(impl_->handle.get()); }

}  // namespace samsa::client
