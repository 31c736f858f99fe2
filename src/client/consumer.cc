#include "client/consumer.h"

#include <cstring>
#include <deque>

#include <fmt/format.h>

#include "client/kafka_error.h"
#include "client/partition_list.h"
#include "client/rd_handle.h"

namespace samsa::client {

struct consumer::impl {
  detail::handle_ptr handle;
  std::string bootstrap;
  std::string group;
  std::deque<consumer_event> pending;  // rebalances seen inside librdkafka's poll, in order
  std::optional<samsa::error> rebalance_error;
  bool closed = false;
};

namespace {

void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* self = static_cast<consumer::impl*>(opaque);
  bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
  rebalance_event event;
  event.partitions = detail::from_list(partitions);
  detail::error_ptr error;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    event.what = rebalance_event::kind::assigned;
    if (cooperative) {
      error.reset(rd_kafka_incremental_assign(rk, partitions));
    } else if (auto e = rd_kafka_assign(rk, partitions); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      error.reset(rd_kafka_error_new(e, "%s", rd_kafka_err2str(e)));
    }
  } else {
    event.what = rd_kafka_assignment_lost(rk) ? rebalance_event::kind::lost : rebalance_event::kind::revoked;
    if (cooperative) {
      error.reset(rd_kafka_incremental_unassign(rk, partitions));
    } else if (auto e = rd_kafka_assign(rk, nullptr); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      error.reset(rd_kafka_error_new(e, "%s", rd_kafka_err2str(e)));
    }
  }
  if (error) self->rebalance_error = detail::from_error(error.get(), "apply rebalance", self->bootstrap).err();
  self->pending.emplace_back(std::move(event));
}

consumed_message to_message(const rd_kafka_message_t* m) {
  consumed_message out;
  out.topic = rd_kafka_topic_name(m->rkt);
  out.partition = m->partition;
  out.offset = m->offset;
  if (m->key != nullptr) out.key.emplace(static_cast<const char*>(m->key), m->key_len);
  if (m->payload != nullptr) out.value.emplace(static_cast<const char*>(m->payload), m->len);
  rd_kafka_timestamp_type_t type;
  out.timestamp_ms = rd_kafka_message_timestamp(m, &type);
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers != nullptr) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
      header h{name, std::nullopt};
      if (value != nullptr) h.value.emplace(static_cast<const char*>(value), size);
      out.headers.push_back(std::move(h));
    }
  }
  return out;
}

struct message_deleter {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};

}  // namespace

consumer::consumer(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
consumer::consumer(consumer&&) noexcept = default;
consumer& consumer::operator=(consumer&&) noexcept = default;
consumer::~consumer() {
  if (impl_) (void)close();
}

result<consumer> consumer::create(const client_config& config, const consumer_options& options) {
  client_config effective = config;
  if (!options.group_id.empty()) {
    effective.set("group.id", options.group_id, "consumer option group");
  } else if (!effective.get("group.id")) {
    // librdkafka wants a group.id even for assign(); this one never joins or commits.
    effective.set("group.id", "samsa-assign-only", "consumer default");
  }
  effective.set("auto.offset.reset", options.auto_offset_reset, "consumer option auto_offset_reset");
  effective.set("enable.auto.commit", options.auto_commit ? "true" : "false", "consumer option auto_commit");
  effective.set("enable.partition.eof", options.report_partition_end ? "true" : "false", "consumer option");
  if (options.assignment_strategy)
    effective.set("partition.assignment.strategy", *options.assignment_strategy, "consumer option assignment_strategy");
  if (options.group_instance_id) effective.set("group.instance.id", *options.group_instance_id, "consumer option");
  auto conf = detail::make_conf(effective);
  if (!conf) return conf.err();
  auto p = std::make_unique<impl>();
  p->bootstrap = effective.bootstrap_servers();
  p->group = options.group_id.empty() ? config.get("group.id").value_or("") : options.group_id;
  rd_kafka_conf_set_opaque(conf->get(), p.get());  // impl has a stable address even when the consumer moves
  rd_kafka_conf_set_rebalance_cb(conf->get(), on_rebalance);
  auto handle = detail::make_handle(RD_KAFKA_CONSUMER, std::move(*conf), "create consumer", p->bootstrap);
  if (!handle) return handle.err();
  p->handle = std::move(*handle);
  rd_kafka_poll_set_consumer(p->handle.get());
  return consumer(std::move(p));
}

status consumer::subscribe(const std::vector<std::string>& topics) {
  if (impl_->group.empty())
    return make_usage_error("subscribe", "a consumer group id is required to subscribe", "pass a group id (--group)");
  auto list = detail::to_list({});
  for (const auto& t : topics) rd_kafka_topic_partition_list_add(list.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  if (auto e = rd_kafka_subscribe(impl_->handle.get(), list.get()); e != RD_KAFKA_RESP_ERR_NO_ERROR)
    return make_kafka_error("subscribe", e, rd_kafka_err2str(e), impl_->bootstrap);
  return {};
}

status consumer::assign(const std::vector<topic_partition>& partitions) {
  auto list = detail::to_list(partitions);
  if (auto e = rd_kafka_assign(impl_->handle.get(), list.get()); e != RD_KAFKA_RESP_ERR_NO_ERROR)
    return make_kafka_error("assign partitions", e, rd_kafka_err2str(e), impl_->bootstrap);
  return {};
}

result<consumer_event> consumer::poll(std::chrono::milliseconds timeout) {
  if (impl_->closed) return make_usage_error("poll", "the consumer is closed");
  if (impl_->pending.empty()) {
    std::unique_ptr<rd_kafka_message_t, message_deleter> m(
        rd_kafka_consumer_poll(impl_->handle.get(), static_cast<int>(timeout.count())));
    if (m) {
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        impl_->pending.emplace_back(end_of_partition{{rd_kafka_topic_name(m->rkt), m->partition, m->offset}});
      } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        std::string topic = m->rkt ? rd_kafka_topic_name(m->rkt) : "";
        return make_kafka_error(topic.empty() ? "consume" : fmt::format("consume from {}", topic), m->err,
                                rd_kafka_message_errstr(m.get()), impl_->bootstrap);
      } else {
        impl_->pending.emplace_back(to_message(m.get()));
      }
    }
  }
  if (impl_->rebalance_error) {
    samsa::error e = std::move(*impl_->rebalance_error);
    impl_->rebalance_error.reset();
    return e;
  }
  if (impl_->pending.empty()) return consumer_event{};
  consumer_event event = std::move(impl_->pending.front());
  impl_->pending.pop_front();
  return event;
}

status consumer::commit() {
  auto e = rd_kafka_commit(impl_->handle.get(), nullptr, 0);
  if (e == RD_KAFKA_RESP_ERR_NO_ERROR || e == RD_KAFKA_RESP_ERR__NO_OFFSET) return {};
  return make_kafka_error(fmt::format("commit offsets of group {}", impl_->group), e, rd_kafka_err2str(e),
                          impl_->bootstrap);
}

status consumer::commit(const std::vector<topic_partition>& offsets) {
  auto list = detail::to_list(offsets);
  std::string op = fmt::format("commit offsets of group {}", impl_->group);
  auto e = rd_kafka_commit(impl_->handle.get(), list.get(), 0);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return make_kafka_error(op, e, rd_kafka_err2str(e), impl_->bootstrap);
  return detail::first_partition_error(list.get(), op, impl_->bootstrap);
}

status consumer::commit_async() {
  auto e = rd_kafka_commit(impl_->handle.get(), nullptr, 1);
  if (e == RD_KAFKA_RESP_ERR_NO_ERROR || e == RD_KAFKA_RESP_ERR__NO_OFFSET) return {};
  return make_kafka_error("commit offsets (async)", e, rd_kafka_err2str(e), impl_->bootstrap);
}

status consumer::seek(const topic_partition& to, std::chrono::milliseconds timeout) {
  auto list = detail::to_list({to});
  std::string op = fmt::format("seek {}[{}] to {}", to.topic, to.partition, to.offset);
  detail::error_ptr error(rd_kafka_seek_partitions(impl_->handle.get(), list.get(), static_cast<int>(timeout.count())));
  if (auto s = detail::from_error(error.get(), op, impl_->bootstrap); !s) return s;
  return detail::first_partition_error(list.get(), op, impl_->bootstrap);
}

status consumer::pause(const std::vector<topic_partition>& partitions) {
  auto list = detail::to_list(partitions);
  if (auto e = rd_kafka_pause_partitions(impl_->handle.get(), list.get()); e != RD_KAFKA_RESP_ERR_NO_ERROR)
    return make_kafka_error("pause partitions", e, rd_kafka_err2str(e), impl_->bootstrap);
  return detail::first_partition_error(list.get(), "pause partitions", impl_->bootstrap);
}

status consumer::resume(const std::vector<topic_partition>& partitions) {
  auto list = detail::to_list(partitions);
  if (auto e = rd_kafka_resume_partitions(impl_->handle.get(), list.get()); e != RD_KAFKA_RESP_ERR_NO_ERROR)
    return make_kafka_error("resume partitions", e, rd_kafka_err2str(e), impl_->bootstrap);
  return detail::first_partition_error(list.get(), "resume partitions", impl_->bootstrap);
}

result<std::vector<topic_partition>> consumer::assignment() const {
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (auto e = rd_kafka_assignment(impl_->handle.get(), &raw); e != RD_KAFKA_RESP_ERR_NO_ERROR)
    return make_kafka_error("read assignment", e, rd_kafka_err2str(e), impl_->bootstrap);
  detail::partition_list_ptr list(raw);
  return detail::from_list(list.get());
}

result<std::vector<topic_partition>> consumer::committed(const std::vector<topic_partition>& partitions,
                                                         std::chrono::milliseconds timeout) const {
  auto list = detail::to_list(partitions);
  std::string op = fmt::format("read committed offsets of group {}", impl_->group);
  if (auto e = rd_kafka_committed(impl_->handle.get(), list.get(), static_cast<int>(timeout.count()));
      e != RD_KAFKA_RESP_ERR_NO_ERROR)
    return make_kafka_error(op, e, rd_kafka_err2str(e), impl_->bootstrap);
  return detail::from_list(list.get());
}

result<std::vector<topic_partition>> consumer::position(const std::vector<topic_partition>& partitions) const {
  auto list = detail::to_list(partitions);
  if (auto e = rd_kafka_position(impl_->handle.get(), list.get()); e != RD_KAFKA_RESP_ERR_NO_ERROR)
    return make_kafka_error("read positions", e, rd_kafka_err2str(e), impl_->bootstrap);
  return detail::from_list(list.get());
}

std::string consumer::member_id() const {
  char* id = rd_kafka_memberid(impl_->handle.get());
  if (id == nullptr) return {};
  std::string out(id);
  rd_kafka_mem_free(impl_->handle.get(), id);
  return out;
}

const std::string& consumer::group_id() const { return impl_->group; }

status consumer::close() {
  if (impl_->closed) return {};
  impl_->closed = true;
  auto e = rd_kafka_consumer_close(impl_->handle.get());
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
    return make_kafka_error(fmt::format("leave group {}", impl_->group), e, rd_kafka_err2str(e), impl_->bootstrap);
  return {};
}

}  // namespace samsa::client
