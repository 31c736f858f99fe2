// Shared pieces of samsa_load: librdkafka handles and configuration, the
// payload pool, topic metadata look-ups, percentiles and fatal exits.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace samsa::bench {

using clock_type = std::chrono::steady_clock;

// What every subcommand takes: where the broker is, which topic, and raw
// librdkafka overrides (-X key=value) that win over the subcommand's defaults.
struct common_options {
  std::string bootstrap = "127.0.0.1:9092";
  std::string topic = "bench";
  std::vector<std::string> extra;
};

// Prints the message on stderr and exits with status 2: a benchmark that
// cannot run must never print a figure.
[[noreturn]] void fatal(const std::string& message);

using settings = std::vector<std::pair<std::string, std::string>>;

// Owns one rd_kafka_t; destroys it (after the caller's flush/close) on scope exit.
class rd_handle {
 public:
  rd_handle(rd_kafka_type_t type, const common_options& common, const settings& defaults,
            void (*dr_cb)(rd_kafka_t*, const rd_kafka_message_t*, void*) = nullptr, void* opaque = nullptr);
  ~rd_handle();
  rd_handle(const rd_handle&) = delete;
  rd_handle& operator=(const rd_handle&) = delete;
  rd_kafka_t* get() const { return rk_; }

 private:
  rd_kafka_t* rk_ = nullptr;
};

// Partition count of `topic` as the broker reports it; fatal if unknown.
int32_t partition_count(rd_kafka_t* rk, const std::string& topic, int timeout_ms = 10000);

// Low and high watermark of every partition (index = partition id).
std::vector<std::pair<int64_t, int64_t>> watermarks(rd_kafka_t* rk, const std::string& topic, int32_t partitions);

// `count` payloads of `size` bytes in one buffer. "text" is word salad that
// compresses roughly like log lines; "random" does not compress at all.
class payload_pool {
 public:
  payload_pool(size_t size, size_t count, const std::string& kind);
  const char* at(uint64_t i) const { return data_.data() + (i % count_) * size_; }
  size_t size() const { return size_; }

 private:
  size_t size_;
  size_t count_;
  std::string data_;
};

double seconds_between(clock_type::time_point a, clock_type::time_point b);

// Nearest-rank quantile of sorted samples (q in [0, 1]); 0 when empty.
double quantile(const std::vector<double>& sorted, double q);

// p50/p90/p99/p99.9/max and a CDF (quantile -> value) of the samples, in the samples' unit.
nlohmann::json summarize_latency(std::vector<double> samples);

// Prints the figure on stdout (one JSON object per line).
void emit(const nlohmann::json& result);

}  // namespace samsa::bench
