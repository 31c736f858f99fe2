// `samsa_load produce`: throughput of one librdkafka producer with its usual
// batching. Every delivery report is checked; any failed or undelivered
// message makes the run fail (exit 1) after printing what happened.
#include "produce.h"

#include <cerrno>
#include <chrono>
#include <map>

namespace samsa::bench {

namespace {

struct delivery_stats {
  int64_t ok = 0;
  int64_t failed = 0;
  std::map<std::string, int64_t> errors;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* stats = static_cast<delivery_stats*>(opaque);
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++stats->ok;
  } else {
    ++stats->failed;
    ++stats->errors[rd_kafka_err2name(m->err)];
  }
}

double unix_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

int run_produce(const common_options& common, const produce_options& opt) {
  if (opt.count <= 0 && opt.duration_s <= 0) fatal("produce needs --count or --duration");
  delivery_stats stats;
  settings conf = {{"acks", opt.acks},
                   {"compression.codec", opt.compression},
                   {"linger.ms", std::to_string(opt.linger_ms)},
                   {"batch.size", std::to_string(opt.batch_size)},
                   {"queue.buffering.max.messages", "1000000"},
                   {"queue.buffering.max.kbytes", "1048576"},
                   {"message.timeout.ms", std::to_string(opt.timeout_s * 1000)},
                   {"enable.idempotence", "false"}};
  rd_handle rk(RD_KAFKA_PRODUCER, common, conf, on_delivery, &stats);
  int32_t partitions = partition_count(rk.get(), common.topic);
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk.get(), common.topic.c_str(), nullptr);
  payload_pool pool(opt.size, 64, opt.payload);

  int64_t sent = 0;
  int64_t queue_full_waits = 0;
  auto start = clock_type::now();
  // Wall-clock bounds too, so runs of several producers at once can be put on one time line.
  double start_unix = unix_seconds();
  auto until = start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(opt.duration_s));
  while (opt.count > 0 ? sent < opt.count : clock_type::now() < until) {
    int32_t partition = opt.round_robin ? static_cast<int32_t>(sent % partitions) : RD_KAFKA_PARTITION_UA;
    // Flag 0: librdkafka neither copies nor frees the payload; the pool outlives the handle's queue.
    while (rd_kafka_produce(rkt, partition, 0, const_cast<char*>(pool.at(static_cast<uint64_t>(sent))), opt.size,
                            nullptr, 0, nullptr) != 0) {
      rd_kafka_resp_err_t err = rd_kafka_last_error();
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) fatal(std::string("produce: ") + rd_kafka_err2str(err));
      ++queue_full_waits;
      rd_kafka_poll(rk.get(), 1);
    }
    ++sent;
    if ((sent & 1023) == 0) rd_kafka_poll(rk.get(), 0);
  }
  rd_kafka_resp_err_t flush_err = rd_kafka_flush(rk.get(), (opt.timeout_s + 30) * 1000);
  auto end = clock_type::now();
  double end_unix = unix_seconds();
  int undelivered = rd_kafka_outq_len(rk.get());
  rd_kafka_topic_destroy(rkt);

  double seconds = seconds_between(start, end);
  double bytes = static_cast<double>(stats.ok) * static_cast<double>(opt.size);
  bool ok = stats.failed == 0 && stats.ok == sent && flush_err == RD_KAFKA_RESP_ERR_NO_ERROR;
  emit({{"mode", "produce"},
        {"ok", ok},
        {"topic", common.topic},
        {"partitions", partitions},
        {"size", opt.size},
        {"acks", opt.acks},
        {"compression", opt.compression},
        {"linger_ms", opt.linger_ms},
        {"batch_size", opt.batch_size},
        {"payload", opt.payload},
        {"sent", sent},
        {"delivered", stats.ok},
        {"failed", stats.failed},
        {"undelivered", undelivered},
        {"errors", stats.errors},
        {"queue_full_waits", queue_full_waits},
        {"bytes", bytes},
        {"seconds", seconds},
        {"start_unix", start_unix},
        {"end_unix", end_unix},
        {"mb_per_s", bytes / seconds / 1e6},
        {"msg_per_s", static_cast<double>(stats.ok) / seconds}});
  if (!ok) {
    std::fprintf(stderr, "samsa_load produce: %lld sent, %lld delivered, %lld failed, %d undelivered\n",
                 static_cast<long long>(sent), static_cast<long long>(stats.ok), static_cast<long long>(stats.failed),
                 undelivered);
  }
  return ok ? 0 : 1;
}

}  // namespace samsa::bench
