// CreateTopics / DeleteTopics in one request each, waiting for the result.
// A topic that already exists is not an error for create (re-runs reuse it).
#include "admin.h"

#include <memory>

namespace samsa::bench {

namespace {

using result_event = std::unique_ptr<rd_kafka_event_t, decltype(&rd_kafka_event_destroy)>;

result_event wait_result(rd_kafka_queue_t* queue, int timeout_s) {
  rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, timeout_s * 1000);
  if (!ev) fatal("admin request: no result within " + std::to_string(timeout_s) + " s");
  if (rd_kafka_event_error(ev)) fatal(std::string("admin request: ") + rd_kafka_event_error_string(ev));
  return {ev, rd_kafka_event_destroy};
}

int report(const char* mode, const rd_kafka_topic_result_t** results, size_t n, rd_kafka_resp_err_t tolerated,
           double seconds) {
  nlohmann::json errors = nlohmann::json::object();
  for (size_t i = 0; i < n; ++i) {
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err && err != tolerated) {
      const char* msg = rd_kafka_topic_result_error_string(results[i]);
      errors[rd_kafka_topic_result_name(results[i])] = msg ? msg : rd_kafka_err2str(err);
    }
  }
  bool ok = errors.empty();
  emit({{"mode", mode}, {"ok", ok}, {"topics", n}, {"errors", errors}, {"seconds", seconds}});
  return ok ? 0 : 1;
}

}  // namespace

int run_create_topics(const common_options& common, const topics_options& opt) {
  rd_handle rk(RD_KAFKA_PRODUCER, common, {});
  std::vector<rd_kafka_NewTopic_t*> topics;
  char err[512];
  for (const auto& name : opt.names) {
    rd_kafka_NewTopic_t* t = rd_kafka_NewTopic_new(name.c_str(), opt.partitions, 1, err, sizeof err);
    if (!t) fatal("topic " + name + ": " + err);
    topics.push_back(t);
  }
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(options, opt.timeout_s * 1000, err, sizeof err);
  rd_kafka_AdminOptions_set_request_timeout(options, opt.timeout_s * 1000, err, sizeof err);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk.get());
  auto start = clock_type::now();
  rd_kafka_CreateTopics(rk.get(), topics.data(), topics.size(), options, queue);
  auto ev = wait_result(queue, opt.timeout_s + 5);
  double seconds = seconds_between(start, clock_type::now());
  size_t n = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.get()), &n);
  int rc = report("create-topics", results, n, RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS, seconds);
  ev.reset();
  rd_kafka_NewTopic_destroy_array(topics.data(), topics.size());
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_queue_destroy(queue);
  return rc;
}

int run_delete_topics(const common_options& common, const topics_options& opt) {
  rd_handle rk(RD_KAFKA_PRODUCER, common, {});
  std::vector<rd_kafka_DeleteTopic_t*> topics;
  for (const auto& name : opt.names) topics.push_back(rd_kafka_DeleteTopic_new(name.c_str()));
  char err[512];
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk.get(), RD_KAFKA_ADMIN_OP_DELETETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(options, opt.timeout_s * 1000, err, sizeof err);
  rd_kafka_AdminOptions_set_request_timeout(options, opt.timeout_s * 1000, err, sizeof err);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk.get());
  auto start = clock_type::now();
  rd_kafka_DeleteTopics(rk.get(), topics.data(), topics.size(), options, queue);
  auto ev = wait_result(queue, opt.timeout_s + 5);
  double seconds = seconds_between(start, clock_type::now());
  size_t n = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev.get()), &n);
  int rc = report("delete-topics", results, n, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, seconds);
  ev.reset();
  rd_kafka_DeleteTopic_destroy_array(topics.data(), topics.size());
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_queue_destroy(queue);
  return rc;
}

int run_watermarks(const common_options& common) {
  rd_handle rk(RD_KAFKA_PRODUCER, common, {});
  int32_t partitions = partition_count(rk.get(), common.topic);
  int64_t messages = 0;
  nlohmann::json per_partition = nlohmann::json::array();
  for (const auto& [low, high] : watermarks(rk.get(), common.topic, partitions)) {
    messages += high - low;
    per_partition.push_back({low, high});
  }
  emit({{"mode", "watermarks"}, {"ok", true}, {"topic", common.topic}, {"partitions", partitions},
        {"messages", messages}, {"per_partition", per_partition}});
  return 0;
}

}  // namespace samsa::bench
