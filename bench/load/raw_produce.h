// `samsa_load raw-produce`: produce load that costs the load generator almost
// nothing, for figures where librdkafka's own CPU would be the bottleneck
// (the network-threads comparison on a 2-core machine). One connection, one
// RecordBatch v2 per partition built once (uncompressed, no producer id) and
// sent again and again in Produce v3 requests, round-robin over the
// partitions, with up to --inflight requests outstanding; every response's
// error code is checked. The broker assigns offsets, so resending the same
// bytes appends new records each time.
#pragma once

#include "load_common.h"

namespace samsa::bench {

struct raw_produce_options {
  size_t size = 1024;
  int64_t count = 0;           // records (rounded up to whole batches)
  int32_t partitions = 1;      // the topic's partitions (not looked up: no Metadata round trip)
  int batch_bytes = 1 << 20;   // records per batch = batch_bytes / record size
  int inflight = 5;
  std::string acks = "1";      // 1 or all (acks=0 has no responses to check)
  int timeout_s = 60;
};

int run_raw_produce(const common_options& common, const raw_produce_options& opt);

}  // namespace samsa::bench
