// admin: topics, partitions and their offsets.
#include <algorithm>

#include <fmt/format.h>

#include "client/admin_impl.h"
#include "client/kafka_error.h"

namespace samsa::client {
namespace {

topic_info to_topic(const rd_kafka_metadata_topic_t& t) {
  topic_info out;
  out.name = t.topic;
  for (int i = 0; i < t.partition_cnt; ++i) {
    const auto& p = t.partitions[i];
    partition_info info;
    info.id = p.id;
    info.leader = p.leader;
    info.replicas.assign(p.replicas, p.replicas + p.replica_cnt);
    info.in_sync.assign(p.isrs, p.isrs + p.isr_cnt);
    if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR) info.error = rd_kafka_err2name(p.err);
    out.partitions.push_back(std::move(info));
  }
  std::sort(out.partitions.begin(), out.partitions.end(),
            [](const partition_info& a, const partition_info& b) { return a.id < b.id; });
  return out;
}

// Checks the per-topic results of CreateTopics/DeleteTopics/CreatePartitions.
status topic_results(const rd_kafka_topic_result_t* const* results, size_t count, admin::impl& self,
                     std::string_view operation) {
  for (size_t i = 0; i < count; ++i) {
    if (auto e = rd_kafka_topic_result_error(results[i]); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* msg = rd_kafka_topic_result_error_string(results[i]);
      return self.fail(operation, e, msg ? msg : "");
    }
  }
  return {};
}

}  // namespace

result<std::vector<topic_info>> admin::list_topics(bool include_internal) {
  auto md = impl_->metadata("list topics");
  if (!md) return md.err();
  std::unique_ptr<const rd_kafka_metadata_t, metadata_deleter> owned(*md);
  std::vector<topic_info> out;
  for (int i = 0; i < owned->topic_cnt; ++i) {
    const auto& t = owned->topics[i];
    if (!include_internal && std::string_view(t.topic).substr(0, 2) == "__") continue;
    if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;  // e.g. being deleted
    out.push_back(to_topic(t));
  }
  std::sort(out.begin(), out.end(), [](const topic_info& a, const topic_info& b) { return a.name < b.name; });
  return out;
}

result<topic_info> admin::describe_topic(const std::string& name, bool with_offsets) {
  std::string op = fmt::format("describe topic {}", name);
  auto md = impl_->metadata(op);
  if (!md) return md.err();
  std::unique_ptr<const rd_kafka_metadata_t, metadata_deleter> owned(*md);
  for (int i = 0; i < owned->topic_cnt; ++i) {
    const auto& t = owned->topics[i];
    if (name != t.topic) continue;
    if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) return impl_->fail(op, t.err, rd_kafka_err2str(t.err));
    topic_info info = to_topic(t);
    if (with_offsets) {
      for (auto& p : info.partitions) {
        if (auto s = impl_->watermarks(name, p.id, p.earliest, p.latest); !s) return s.err();
      }
    }
    return info;
  }
  return impl_->fail(op, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, fmt::format("no topic named \"{}\"", name));
}

status admin::create_topic(const new_topic& topic) {
  std::string op = fmt::format("create topic {}", topic.name);
  char err[512];
  std::unique_ptr<rd_kafka_NewTopic_t, decltype(&rd_kafka_NewTopic_destroy)> nt(
      rd_kafka_NewTopic_new(topic.name.c_str(), topic.partitions, topic.replication_factor, err, sizeof err),
      &rd_kafka_NewTopic_destroy);
  if (!nt) return make_usage_error(op, err, "a topic needs a name and at least 1 partition");
  for (const auto& [k, v] : topic.configs) {
    if (auto e = rd_kafka_NewTopic_set_config(nt.get(), k.c_str(), v.c_str()); e != RD_KAFKA_RESP_ERR_NO_ERROR)
      return impl_->fail(op, e, fmt::format("config {}={}", k, v));
  }
  auto event = impl_->run(
      op,
      [&](rd_kafka_queue_t* q, rd_kafka_AdminOptions_t* o) {
        rd_kafka_NewTopic_t* list[] = {nt.get()};
        rd_kafka_CreateTopics(impl_->handle.get(), list, 1, o, q);
      },
      RD_KAFKA_ADMIN_OP_CREATETOPICS);
  if (!event) return event.err();
  size_t count = 0;
  const auto* results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event->get()), &count);
  return topic_results(results, count, *impl_, op);
}

status admin::delete_topic(const std::string& name) {
  std::string op = fmt::format("delete topic {}", name);
  std::unique_ptr<rd_kafka_DeleteTopic_t, decltype(&rd_kafka_DeleteTopic_destroy)> dt(
      rd_kafka_DeleteTopic_new(name.c_str()), &rd_kafka_DeleteTopic_destroy);
  auto event = impl_->run(
      op,
      [&](rd_kafka_queue_t* q, rd_kafka_AdminOptions_t* o) {
        rd_kafka_DeleteTopic_t* list[] = {dt.get()};
        rd_kafka_DeleteTopics(impl_->handle.get(), list, 1, o, q);
      },
      RD_KAFKA_ADMIN_OP_DELETETOPICS);
  if (!event) return event.err();
  size_t count = 0;
  const auto* results = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event->get()), &count);
  return topic_results(results, count, *impl_, op);
}

status admin::add_partitions(const std::string& name, int new_total) {
  std::string op = fmt::format("add partitions to {} (new total {})", name, new_total);
  char err[512];
  std::unique_ptr<rd_kafka_NewPartitions_t, decltype(&rd_kafka_NewPartitions_destroy)> np(
      rd_kafka_NewPartitions_new(name.c_str(), static_cast<size_t>(std::max(new_total, 0)), err, sizeof err),
      &rd_kafka_NewPartitions_destroy);
  if (!np) return make_usage_error(op, err);
  auto event = impl_->run(
      op,
      [&](rd_kafka_queue_t* q, rd_kafka_AdminOptions_t* o) {
        rd_kafka_NewPartitions_t* list[] = {np.get()};
        rd_kafka_CreatePartitions(impl_->handle.get(), list, 1, o, q);
      },
      RD_KAFKA_ADMIN_OP_CREATEPARTITIONS);
  if (!event) return event.err();
  size_t count = 0;
  const auto* results =
      rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(event->get()), &count);
  return topic_results(results, count, *impl_, op);
}

result<std::vector<partition_offsets>> admin::topic_offsets(const std::string& name,
                                                            std::optional<int64_t> timestamp_ms) {
  auto topic = describe_topic(name, true);
  if (!topic) return topic.err();
  std::vector<partition_offsets> out;
  for (const auto& p : topic->partitions) out.push_back({p.id, p.earliest, p.latest, std::nullopt});
  if (timestamp_ms) {
    detail::partition_list_ptr list(rd_kafka_topic_partition_list_new(static_cast<int>(out.size())));
    for (const auto& p : out) rd_kafka_topic_partition_list_add(list.get(), name.c_str(), p.partition)->offset = *timestamp_ms;
    std::string op = fmt::format("look up offsets of {} at timestamp {}", name, *timestamp_ms);
    if (auto e = rd_kafka_offsets_for_times(impl_->handle.get(), list.get(), static_cast<int>(impl_->timeout.count()));
        e != RD_KAFKA_RESP_ERR_NO_ERROR)
      return impl_->fail(op, e, rd_kafka_err2str(e));
    for (int i = 0; i < list->cnt; ++i) {
      for (auto& p : out) {
        if (p.partition == list->elems[i].partition) p.at_timestamp = list->elems[i].offset;
      }
    }
  }
  return out;
}

}  // namespace samsa::client
