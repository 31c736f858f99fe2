#include "load_common.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace samsa::bench {

void fatal(const std::string& message) {
  std::fprintf(stderr, "samsa_load: %s\n", message.c_str());
  std::exit(2);
}

namespace {

void set_or_die(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
    fatal("config " + key + "=" + value + ": " + err);
  }
}

// Warnings and errors only, unless -X debug=... asked for librdkafka's chatter.
bool verbose_log = false;

void log_cb(const rd_kafka_t*, int level, const char* fac, const char* buf) {
  if (level <= 4 || verbose_log) std::fprintf(stderr, "librdkafka %s: %s\n", fac, buf);
}

}  // namespace

rd_handle::rd_handle(rd_kafka_type_t type, const common_options& common, const settings& defaults,
                     void (*dr_cb)(rd_kafka_t*, const rd_kafka_message_t*, void*), void* opaque) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  set_or_die(conf, "bootstrap.servers", common.bootstrap);
  for (const auto& [key, value] : defaults) set_or_die(conf, key, value);
  for (const auto& kv : common.extra) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) fatal("-X wants key=value, got " + kv);
    set_or_die(conf, kv.substr(0, eq), kv.substr(eq + 1));
    if (kv.substr(0, eq) == "debug") verbose_log = true;
  }
  rd_kafka_conf_set_log_cb(conf, log_cb);
  if (dr_cb) rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
  if (opaque) rd_kafka_conf_set_opaque(conf, opaque);
  char err[512];
  rk_ = rd_kafka_new(type, conf, err, sizeof err);
  if (!rk_) {
    rd_kafka_conf_destroy(conf);
    fatal(std::string("rd_kafka_new: ") + err);
  }
}

rd_handle::~rd_handle() {
  if (rk_) rd_kafka_destroy(rk_);
}

int32_t partition_count(rd_kafka_t* rk, const std::string& topic, int timeout_ms) {
  auto deadline = clock_type::now() + std::chrono::milliseconds(timeout_ms);
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  std::string last = "no answer";
  while (clock_type::now() < deadline) {
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, 5000);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      int32_t n = -1;
      for (int i = 0; i < md->topic_cnt; ++i) {
        if (topic == md->topics[i].topic && md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
          n = md->topics[i].partition_cnt;
        } else if (topic == md->topics[i].topic) {
          last = rd_kafka_err2str(md->topics[i].err);
        }
      }
      rd_kafka_metadata_destroy(md);
      if (n > 0) {
        rd_kafka_topic_destroy(rkt);
        return n;
      }
    } else {
      last = rd_kafka_err2str(err);
    }
    rd_kafka_poll(rk, 100);
  }
  rd_kafka_topic_destroy(rkt);
  fatal("topic " + topic + " has no partitions in metadata: " + last);
}

std::vector<std::pair<int64_t, int64_t>> watermarks(rd_kafka_t* rk, const std::string& topic, int32_t partitions) {
  std::vector<std::pair<int64_t, int64_t>> out(static_cast<size_t>(partitions));
  for (int32_t p = 0; p < partitions; ++p) {
    int64_t low = 0, high = 0;
    rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &low, &high, 10000);
    if (err) fatal("watermarks of " + topic + "/" + std::to_string(p) + ": " + rd_kafka_err2str(err));
    out[static_cast<size_t>(p)] = {low, high};
  }
  return out;
}

payload_pool::payload_pool(size_t size, size_t count, const std::string& kind) : size_(size), count_(count) {
  if (size == 0 || count == 0) fatal("payload size and pool size must be positive");
  static const char* const words[] = {
      "user",  "login", "order", "paid",  "ship",   "cart",   "event", "click", "view",  "error", "ok",
      "id",    "time",  "path",  "GET",   "POST",  "status", "200",   "404",   "500",   "region", "eu",
      "us",    "item",  "price", "qty",   "trace", "span",   "host",  "node",  "level", "info",  "warn"};
  constexpr size_t n_words = sizeof words / sizeof words[0];
  data_.resize(size * count);
  uint64_t x = 0x9e3779b97f4a7c15ULL;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  if (kind == "random") {
    for (auto& c : data_) c = static_cast<char>(next() & 0xff);
  } else if (kind == "text") {
    size_t i = 0;
    while (i < data_.size()) {
      const char* w = words[next() % n_words];
      for (const char* p = w; *p && i < data_.size(); ++p) data_[i++] = *p;
      if (i < data_.size()) data_[i++] = (next() % 4 == 0) ? static_cast<char>('0' + next() % 10) : ' ';
    }
  } else {
    fatal("payload kind must be text or random, got " + kind);
  }
}

double seconds_between(clock_type::time_point a, clock_type::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  if (rank == 0) rank = 1;
  return sorted[std::min(rank, sorted.size()) - 1];
}

nlohmann::json summarize_latency(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  nlohmann::json cdf = nlohmann::json::array();
  for (double q : {0.0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999,
                   0.9995, 0.9999, 1.0}) {
    cdf.push_back({q, quantile(samples, q)});
  }
  return {{"samples", samples.size()},        {"p50", quantile(samples, 0.5)},
          {"p90", quantile(samples, 0.9)},    {"p99", quantile(samples, 0.99)},
          {"p999", quantile(samples, 0.999)}, {"max", samples.empty() ? 0.0 : samples.back()},
          {"cdf", cdf}};
}

void emit(const nlohmann::json& result) {
  std::cout << result.dump() << std::endl;
}

}  // namespace samsa::bench
