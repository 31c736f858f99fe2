#include <fmt/format.h>

#include "client/admin_impl.h"
#include "client/kafka_error.h"

namespace samsa::client {
namespace {

void on_error(rd_kafka_t*, int err, const char*, void* opaque) {
  auto* self = static_cast<admin::impl*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__TRANSPORT || err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ||
      err == RD_KAFKA_RESP_ERR__RESOLVE)
    self->transport_error = err;
}

}  // namespace

samsa::error admin::impl::fail(std::string_view operation, int code, std::string_view detail) const {
  if (code == RD_KAFKA_RESP_ERR__TIMED_OUT && transport_error.load() != 0)
    return make_kafka_error(operation, RD_KAFKA_RESP_ERR__TRANSPORT, fmt::format("cannot connect to {}", bootstrap),
                            bootstrap);
  return make_kafka_error(operation, code, detail, bootstrap);
}

result<detail::event_ptr> admin::impl::run(
    std::string_view operation, const std::function<void(rd_kafka_queue_t*, rd_kafka_AdminOptions_t*)>& start,
    rd_kafka_admin_op_t op) {
  detail::queue_ptr queue(rd_kafka_queue_new(handle.get()));
  detail::options_ptr options(rd_kafka_AdminOptions_new(handle.get(), op));
  char err[256];
  (void)rd_kafka_AdminOptions_set_request_timeout(options.get(), static_cast<int>(timeout.count()), err, sizeof err);
  if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS || op == RD_KAFKA_ADMIN_OP_DELETETOPICS ||
      op == RD_KAFKA_ADMIN_OP_CREATEPARTITIONS)
    (void)rd_kafka_AdminOptions_set_operation_timeout(options.get(), static_cast<int>(timeout.count()), err,
                                                      sizeof err);
  start(queue.get(), options.get());
  // The request timeout bounds the wait; add slack for the local queue.
  detail::event_ptr event(rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout.count()) + 5000));
  if (!event) return fail(operation, RD_KAFKA_RESP_ERR__TIMED_OUT, "no result in time");
  if (auto e = rd_kafka_event_error(event.get()); e != RD_KAFKA_RESP_ERR_NO_ERROR)
    return fail(operation, e, rd_kafka_event_error_string(event.get()));
  return event;
}

result<const rd_kafka_metadata_t*> admin::impl::metadata(std::string_view operation) {
  const rd_kafka_metadata_t* md = nullptr;
  auto e = rd_kafka_metadata(handle.get(), 1, nullptr, &md, static_cast<int>(timeout.count()));
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return fail(operation, e, rd_kafka_err2str(e));
  return md;
}

status admin::impl::watermarks(const std::string& topic, int32_t partition, int64_t& low, int64_t& high) {
  auto e = rd_kafka_query_watermark_offsets(handle.get(), topic.c_str(), partition, &low, &high,
                                            static_cast<int>(timeout.count()));
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
    return fail(fmt::format("read offsets of {}[{}]", topic, partition), e, rd_kafka_err2str(e));
  return {};
}

admin::admin(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
admin::admin(admin&&) noexcept = default;
admin& admin::operator=(admin&&) noexcept = default;
admin::~admin() = default;

const std::string& admin::bootstrap() const { return impl_->bootstrap; }

result<admin> admin::create(const client_config& config, std::chrono::milliseconds timeout) {
  client_config effective = config;
  // Describing a topic must never create it as a side effect.
  effective.set("allow.auto.create.topics", "false", "admin default");
  auto conf = detail::make_conf(effective);
  if (!conf) return conf.err();
  auto p = std::make_unique<impl>();
  p->bootstrap = effective.bootstrap_servers();
  p->timeout = timeout;
  rd_kafka_conf_set_opaque(conf->get(), p.get());
  rd_kafka_conf_set_error_cb(conf->get(), on_error);
  auto handle = detail::make_handle(RD_KAFKA_PRODUCER, std::move(*conf), "create admin client", p->bootstrap);
  if (!handle) return handle.err();
  p->handle = std::move(*handle);
  return admin(std::move(p));
}

result<cluster_info> admin::describe_cluster() {
  auto md = impl_->metadata("describe cluster");
  if (!md) return md.err();
  std::unique_ptr<const rd_kafka_metadata_t, metadata_deleter> owned(*md);
  cluster_info info;
  for (int i = 0; i < owned->broker_cnt; ++i) {
    const auto& b = owned->brokers[i];
    info.brokers.push_back({b.id, b.host, b.port});
  }
  for (int i = 0; i < owned->topic_cnt; ++i) {
    if (std::string_view(owned->topics[i].topic).substr(0, 2) != "__") ++info.topic_count;
  }
  int ms = static_cast<int>(impl_->timeout.count());
  if (char* id = rd_kafka_clusterid(impl_->handle.get(), ms); id != nullptr) {
    info.cluster_id = id;
    rd_kafka_mem_free(impl_->handle.get(), id);
  }
  info.controller_id = rd_kafka_controllerid(impl_->handle.get(), ms);
  return info;
}

}  // namespace samsa::client
