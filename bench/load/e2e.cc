// End-to-end latency. One process holds a producer thread and a consumer
// (assigned to every partition at its high watermark before the first send),
// so both read the same steady clock. Each payload carries its scheduled send
// time and its sequence number. Latency is measured from the scheduled time,
// not from the moment the producer got round to sending, so a stalled broker
// shows up as latency instead of as a lower send rate (no coordinated omission).
// The producer's acknowledgements are timed the same way (from the scheduled
// send to the delivery report), on a thread that does nothing but poll for
// them: with acks=all that is the durable write's latency, which the
// consumer's side does not wait for (it reads up to the high watermark).
#include "e2e.h"

#include <sys/prctl.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

namespace samsa::bench {

namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch()).count();
}

struct e2e_state {
  std::atomic<int64_t> delivered{0};
  std::atomic<int64_t> failed{0};
  int64_t warm = 0;                   // sequence numbers below this are not timed
  std::mutex mu;                      // the vectors below (delivery reports may come on two threads)
  std::vector<double> ack_ms;         // scheduled send -> delivery report
  std::vector<double> ack_from_send_ms;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  int64_t t = now_ns();
  auto* s = static_cast<e2e_state*>(opaque);
  if (m->err) {
    ++s->failed;
    return;
  }
  ++s->delivered;
  if (m->len < 24 || m->payload == nullptr) return;
  int64_t scheduled, sent, seq;
  std::memcpy(&scheduled, m->payload, 8);
  std::memcpy(&sent, static_cast<const char*>(m->payload) + 8, 8);
  std::memcpy(&seq, static_cast<const char*>(m->payload) + 16, 8);
  if (seq < s->warm) return;
  std::lock_guard lock(s->mu);
  s->ack_ms.push_back(static_cast<double>(t - scheduled) / 1e6);
  s->ack_from_send_ms.push_back(static_cast<double>(t - sent) / 1e6);
}


}  // namespace

int run_e2e(const common_options& common, const e2e_options& opt) {
  if (opt.size < 24) fatal("e2e payloads must be at least 24 bytes (timestamps and sequence)");
  if (opt.rate <= 0) fatal("--rate must be positive");
  e2e_state state;
  settings pconf = {{"acks", opt.acks},
                    {"linger.ms", std::to_string(opt.linger_ms)},
                    {"message.timeout.ms", std::to_string(opt.timeout_s * 1000)},
                    {"enable.idempotence", "false"}};
  rd_handle producer(RD_KAFKA_PRODUCER, common, pconf, on_delivery, &state);
  int32_t partitions = partition_count(producer.get(), common.topic);
  auto marks = watermarks(producer.get(), common.topic, partitions);

  settings cconf = {{"group.id", "bench-e2e"}, {"enable.auto.commit", "false"}, {"enable.partition.eof", "false"}};
  rd_handle consumer(RD_KAFKA_CONSUMER, common, cconf);
  rd_kafka_poll_set_consumer(consumer.get());
  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(partitions);
  for (int32_t p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(assignment, common.topic.c_str(), p)->offset =
        marks[static_cast<size_t>(p)].second;
  }
  if (rd_kafka_resp_err_t err = rd_kafka_assign(consumer.get(), assignment)) {
    fatal(std::string("assign: ") + rd_kafka_err2str(err));
  }
  rd_kafka_topic_partition_list_destroy(assignment);

  auto total = static_cast<int64_t>((opt.duration_s + opt.warmup_s) * opt.rate);
  auto warm = static_cast<int64_t>(opt.warmup_s * opt.rate);
  state.warm = warm;
  state.ack_ms.reserve(static_cast<size_t>(total));
  state.ack_from_send_ms.reserve(static_cast<size_t>(total));
  std::vector<double> from_schedule_ms;  // latency from the scheduled send time
  std::vector<double> from_send_ms;      // latency from the actual produce() call
  from_schedule_ms.reserve(static_cast<size_t>(total));
  from_send_ms.reserve(static_cast<size_t>(total));
  std::atomic<int64_t> received{0};
  std::atomic<int64_t> consume_errors{0};
  std::atomic<bool> stop{false};

  std::thread reader([&] {
    while (!stop) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer.get(), 50);
      if (!m) continue;
      if (m->err) {
        ++consume_errors;
      } else if (m->len >= 24) {
        int64_t t = now_ns();
        int64_t scheduled, sent, seq;
        std::memcpy(&scheduled, m->payload, 8);
        std::memcpy(&sent, static_cast<const char*>(m->payload) + 8, 8);
        std::memcpy(&seq, static_cast<const char*>(m->payload) + 16, 8);
        if (seq >= warm) {
          from_schedule_ms.push_back(static_cast<double>(t - scheduled) / 1e6);
          from_send_ms.push_back(static_cast<double>(t - sent) / 1e6);
        }
        ++received;
      }
      rd_kafka_message_destroy(m);
    }
  });

  // Delivery reports are served as they come, not when the sending loop
  // next gets round to it (up to a send interval late).
  std::atomic<bool> stop_acks{false};
  std::thread acker([&] {
    while (!stop_acks) rd_kafka_poll(producer.get(), 10);
  });

  // Give the consumer time to fetch from the assigned offsets before the clock starts.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(producer.get(), common.topic.c_str(), nullptr);
  payload_pool pool(opt.size, 16, "text");
  std::string buf(opt.size, ' ');
  ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);  // sleep to the microsecond, not 50 us late
  auto start = clock_type::now();
  int64_t start_ns = now_ns();
  double interval_ns = 1e9 / opt.rate;
  int64_t lagging = 0;
  for (int64_t i = 0; i < total; ++i) {
    auto scheduled = start_ns + static_cast<int64_t>(static_cast<double>(i) * interval_ns);
    int64_t now = now_ns();
    if (now < scheduled) {
      std::this_thread::sleep_for(std::chrono::nanoseconds(scheduled - now));
    } else if (now - scheduled > 1000000) {
      ++lagging;  // more than 1 ms behind schedule: the generator cannot keep the rate
    }
    std::memcpy(buf.data() + 24, pool.at(static_cast<uint64_t>(i)) + 24, opt.size - 24);
    int64_t sent = now_ns();
    std::memcpy(buf.data(), &scheduled, 8);
    std::memcpy(buf.data() + 8, &sent, 8);
    std::memcpy(buf.data() + 16, &i, 8);
    while (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, buf.data(), opt.size, nullptr, 0,
                            nullptr) != 0) {
      if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        fatal(std::string("produce: ") + rd_kafka_err2str(rd_kafka_last_error()));
      }
      rd_kafka_poll(producer.get(), 1);
    }
  }
  double send_seconds = seconds_between(start, clock_type::now());
  rd_kafka_flush(producer.get(), opt.timeout_s * 1000);
  stop_acks = true;
  acker.join();
  auto wait_until = clock_type::now() + std::chrono::seconds(opt.timeout_s);
  while (received < total && clock_type::now() < wait_until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop = true;
  reader.join();
  rd_kafka_topic_destroy(rkt);
  rd_kafka_consumer_close(consumer.get());

  int undelivered = rd_kafka_outq_len(producer.get());
  bool ok = state.failed == 0 && undelivered == 0 && state.delivered == total && received == total &&
            consume_errors == 0;
  emit({{"mode", "e2e"},
        {"ok", ok},
        {"topic", common.topic},
        {"partitions", partitions},
        {"rate", opt.rate},
        {"achieved_rate", static_cast<double>(total) / send_seconds},
        {"size", opt.size},
        {"acks", opt.acks},
        {"linger_ms", opt.linger_ms},
        {"sent", total},
        {"delivered", state.delivered.load()},
        {"failed", state.failed.load()},
        {"undelivered", undelivered},
        {"received", received.load()},
        {"consume_errors", consume_errors.load()},
        {"sends_over_1ms_late", lagging},
        {"latency_ms", summarize_latency(std::move(from_schedule_ms))},
        {"latency_from_send_ms", summarize_latency(std::move(from_send_ms))},
        {"ack_latency_ms", summarize_latency(std::move(state.ack_ms))},
        {"ack_latency_from_send_ms", summarize_latency(std::move(state.ack_from_send_ms))}});
  if (!ok) {
    std::fprintf(stderr, "samsa_load e2e: %lld sent, %lld delivered, %lld failed, %lld received\n",
                 static_cast<long long>(total), static_cast<long long>(state.delivered.load()),
                 static_cast<long long>(state.failed.load()), static_cast<long long>(received.load()));
  }
  return ok ? 0 : 1;
}

}  // namespace samsa::bench
