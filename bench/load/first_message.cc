// Each round creates a consumer handle with a new group id, subscribes, and
// times from rd_kafka_new() to the first message poll returns. The topic must
// already hold messages.
#include "first_message.h"

#include <unistd.h>

#include <algorithm>

namespace samsa::bench {

int run_first_message(const common_options& common, const first_message_options& opt) {
  std::vector<double> seconds;
  int failures = 0;
  std::string first_error;
  for (int round = 0; round < opt.repeat; ++round) {
    std::string group = "bench-first-" + std::to_string(::getpid()) + "-" +
                        std::to_string(clock_type::now().time_since_epoch().count()) + "-" + std::to_string(round);
    auto start = clock_type::now();
    rd_handle rk(RD_KAFKA_CONSUMER, common,
                 {{"group.id", group}, {"auto.offset.reset", "earliest"}, {"enable.auto.commit", "false"}});
    rd_kafka_poll_set_consumer(rk.get());
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, common.topic.c_str(), RD_KAFKA_PARTITION_UA);
    if (rd_kafka_resp_err_t err = rd_kafka_subscribe(rk.get(), topics)) {
      fatal(std::string("subscribe: ") + rd_kafka_err2str(err));
    }
    rd_kafka_topic_partition_list_destroy(topics);
    auto deadline = start + std::chrono::seconds(opt.timeout_s);
    bool got = false;
    while (!got && clock_type::now() < deadline) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 10);
      if (!m) continue;
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        seconds.push_back(seconds_between(start, clock_type::now()));
        got = true;
      } else if (first_error.empty()) {
        first_error = rd_kafka_message_errstr(m);
      }
      rd_kafka_message_destroy(m);
    }
    if (!got) ++failures;
    rd_kafka_consumer_close(rk.get());
  }
  auto sorted = seconds;
  std::sort(sorted.begin(), sorted.end());
  bool ok = failures == 0;
  emit({{"mode", "first-message"},
        {"ok", ok},
        {"topic", common.topic},
        {"rounds", opt.repeat},
        {"failures", failures},
        {"first_error", first_error},
        {"seconds", seconds},
        {"median_s", quantile(sorted, 0.5)}});
  return ok ? 0 : 1;
}

}  // namespace samsa::bench
