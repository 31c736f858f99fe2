// `samsa_load produce`: producer throughput with librdkafka's usual batching.
#pragma once

#include "load_common.h"

namespace samsa::bench {

struct produce_options {
  size_t size = 1024;
  int64_t count = 0;       // messages; 0 = run for duration_s
  double duration_s = 0;
  std::string acks = "1";  // 0, 1 or all
  std::string compression = "none";
  int linger_ms = 5;
  int batch_size = 1 << 20;
  bool round_robin = false;  // partition = n % partitions instead of librdkafka's partitioner
  std::string payload = "text";
  int timeout_s = 60;  // message.timeout.ms; the flush waits 30 s longer
};

int run_produce(const common_options& common, const produce_options& opt);

}  // namespace samsa::bench
