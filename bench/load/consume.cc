// Catch-up consume. The target is the high watermarks seen at start. Bytes
// are counted once per offset (a per-partition high-water mark of what was
// seen), so messages redelivered after a rebalance do not inflate the figure;
// they are reported as `redelivered`. --topic may name several topics,
// comma-separated (the scale figure reads 10,000 partitions in 10 topics).
#include "consume.h"

#include "thread_cpu.h"

#include <unistd.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

namespace samsa::bench {

namespace {

struct shared_state {
  std::vector<std::string> topics;
  std::vector<size_t> first_slot;                       // per topic: its partition 0's index in marks
  std::vector<std::pair<int64_t, int64_t>> marks;       // low, high at start, every partition of every topic
  std::unique_ptr<std::atomic<int64_t>[]> next_offset;  // per partition: first offset not yet seen
  std::atomic<int64_t> remaining{0};
  std::atomic<int64_t> bytes{0};
  std::atomic<int64_t> redelivered{0};
  std::atomic<int64_t> errors{0};
  std::atomic<bool> done{false};
  std::mutex mu;
  bool have_first = false;
  clock_type::time_point first;
  clock_type::time_point last;
  // Every thread's CPU at the first message and at the last: which thread
  // (librdkafka's per-connection broker thread, or the polling one) bound the read.
  std::map<int64_t, thread_cpu> cpu_at_first;
  std::map<int64_t, thread_cpu> cpu_at_last;
  std::string first_error;
};

size_t slot_of(const shared_state& s, const rd_kafka_message_t* m) {
  if (s.topics.size() == 1) return static_cast<size_t>(m->partition);
  const char* name = rd_kafka_topic_name(m->rkt);
  for (size_t t = 0; t < s.topics.size(); ++t)
    if (s.topics[t] == name) return s.first_slot[t] + static_cast<size_t>(m->partition);
  return s.marks.size();  // not ours
}

void account(shared_state& s, const rd_kafka_message_t* m) {
  size_t p = slot_of(s, m);
  if (p >= s.marks.size() || m->offset >= s.marks[p].second) return;  // newer than the target
  auto& next = s.next_offset[p];
  int64_t seen = next.load();
  while (m->offset >= seen) {
    if (next.compare_exchange_weak(seen, m->offset + 1)) {
      // Compacted or deleted ranges skip offsets; count what the broker actually sent.
      s.bytes += static_cast<int64_t>(m->len);
      int64_t left = s.remaining -= (m->offset + 1 - seen);
      if (left <= 0) {
        std::lock_guard lock(s.mu);
        s.last = clock_type::now();
        s.cpu_at_last = thread_cpu_snapshot();
        s.done = true;
      }
      return;
    }
  }
  ++s.redelivered;
}

void consumer_thread(const common_options& common, const consume_options& opt, const std::string& group,
                     shared_state& s, int64_t& messages_out) {
  settings conf = {{"group.id", group},
                   {"auto.offset.reset", "earliest"},
                   {"enable.auto.commit", "false"},
                   {"enable.partition.eof", "false"}};
  rd_handle rk(RD_KAFKA_CONSUMER, common, conf);
  rd_kafka_poll_set_consumer(rk.get());
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(static_cast<int>(s.topics.size()));
  for (auto& t : s.topics) rd_kafka_topic_partition_list_add(topics, t.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(rk.get(), topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err) fatal(std::string("subscribe: ") + rd_kafka_err2str(err));
  auto deadline = clock_type::now() + std::chrono::seconds(opt.timeout_s);
  int64_t messages = 0;
  while (!s.done && clock_type::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 100);
    if (!m) continue;
    if (m->err) {
      ++s.errors;
      std::lock_guard lock(s.mu);
      if (s.first_error.empty()) s.first_error = rd_kafka_message_errstr(m);
    } else {
      {
        std::lock_guard lock(s.mu);
        if (!s.have_first) {
          s.have_first = true;
          s.first = clock_type::now();
          s.cpu_at_first = thread_cpu_snapshot();
        }
      }
      ++messages;
      account(s, m);
    }
    rd_kafka_message_destroy(m);
  }
  messages_out = messages;
  rd_kafka_consumer_close(rk.get());
}

}  // namespace

int run_consume(const common_options& common, const consume_options& opt) {
  if (opt.consumers < 1) fatal("--consumers must be at least 1");
  shared_state s;
  {
    rd_handle probe(RD_KAFKA_PRODUCER, common, {});
    for (size_t from = 0; from <= common.topic.size();) {
      size_t comma = common.topic.find(',', from);
      if (comma == std::string::npos) comma = common.topic.size();
      if (comma > from) s.topics.push_back(common.topic.substr(from, comma - from));
      from = comma + 1;
    }
    if (s.topics.empty()) fatal("consume: --topic names no topic");
    for (auto& t : s.topics) {
      s.first_slot.push_back(s.marks.size());
      int32_t partitions = partition_count(probe.get(), t);
      auto marks = watermarks(probe.get(), t, partitions);
      s.marks.insert(s.marks.end(), marks.begin(), marks.end());
    }
  }
  s.next_offset = std::make_unique<std::atomic<int64_t>[]>(s.marks.size());
  int64_t target = 0;
  for (size_t p = 0; p < s.marks.size(); ++p) {
    s.next_offset[p] = s.marks[p].first;
    target += s.marks[p].second - s.marks[p].first;
  }
  if (target == 0) fatal("topic " + common.topic + " is empty: nothing to catch up on");
  s.remaining = target;
  std::string group = opt.group.empty() ? "bench-consume-" + std::to_string(::getpid()) + "-" +
                                              std::to_string(clock_type::now().time_since_epoch().count())
                                        : opt.group;
  auto start = clock_type::now();
  std::vector<int64_t> per_consumer(static_cast<size_t>(opt.consumers), 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < opt.consumers; ++i) {
    threads.emplace_back(consumer_thread, std::cref(common), std::cref(opt), std::cref(group), std::ref(s),
                         std::ref(per_consumer[static_cast<size_t>(i)]));
  }
  for (auto& t : threads) t.join();

  bool ok = s.done && s.errors == 0;
  double seconds = ok ? seconds_between(s.first, s.last) : 0;
  int64_t read = target - std::max<int64_t>(s.remaining.load(), 0);
  double bytes = static_cast<double>(s.bytes.load());
  emit({{"mode", "consume"},
        {"ok", ok},
        {"topic", common.topic},
        {"topics", s.topics.size()},
        {"partitions", s.marks.size()},
        {"consumers", opt.consumers},
        {"target_messages", target},
        {"messages", read},
        {"bytes", bytes},
        {"redelivered", s.redelivered.load()},
        {"errors", s.errors.load()},
        {"first_error", s.first_error},
        {"per_consumer_messages", per_consumer},
        {"join_seconds", s.have_first ? seconds_between(start, s.first) : -1.0},
        {"seconds", seconds},
        {"mb_per_s", ok ? bytes / seconds / 1e6 : 0.0},
        {"msg_per_s", ok ? static_cast<double>(read) / seconds : 0.0},
        {"threads", ok ? thread_cpu_between(s.cpu_at_first, s.cpu_at_last, seconds) : nlohmann::json::array()}});
  if (!ok) {
    std::fprintf(stderr, "samsa_load consume: read %lld of %lld messages, %lld errors (%s)\n",
                 static_cast<long long>(read), static_cast<long long>(target),
                 static_cast<long long>(s.errors.load()), s.first_error.c_str());
  }
  return ok ? 0 : 1;
}

}  // namespace samsa::bench
