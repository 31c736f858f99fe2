// samsa_load: the load generator of the benchmark suite (bench/README.md).
// Each subcommand prints one JSON object on stdout and exits 0 only when no
// message was lost or failed.
#include <malloc.h>

#include <cstdlib>

#include <CLI/CLI.hpp>

#include "admin.h"
#include "connections.h"
#include "consume.h"
#include "raw_produce.h"
#include "e2e.h"
#include "first_message.h"
#include "produce.h"

using namespace samsa::bench;

namespace {

void add_common(CLI::App* cmd, common_options& common, bool with_topic = true) {
  cmd->add_option("-b,--bootstrap", common.bootstrap, "host:port of the broker")->capture_default_str();
  if (with_topic) cmd->add_option("-t,--topic", common.topic, "topic")->capture_default_str();
  cmd->add_option("-X", common.extra, "librdkafka setting key=value (overrides the defaults)");
}

// librdkafka builds each produce request in freshly allocated buffers and
// frees them when the broker answers. With glibc's defaults that memory goes
// back to the kernel (heap trimming, mmap for large blocks) and every new
// batch page-faults it in again: at 1 KiB acks=1 that was about 0.8 of the
// generator's 2.1 CPU s per GB, and more the longer the broker took to
// answer. On a 2-core machine those faults take CPU from the broker being
// measured, so the generator keeps what it frees. SAMSA_LOAD_DEFAULT_MALLOC=1
// restores glibc's defaults (the figures before 2026-12-06).
void keep_freed_memory() {
  if (std::getenv("SAMSA_LOAD_DEFAULT_MALLOC") != nullptr) return;
  constexpr int largest_mmap_threshold = 32 << 20;  // glibc's ceiling on 64-bit
  mallopt(M_MMAP_THRESHOLD, largest_mmap_threshold);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  keep_freed_memory();
  CLI::App app{"samsa_load: load generator for the Samsa benchmark suite"};
  app.require_subcommand(1);
  common_options common;

  produce_options produce;
  auto* p = app.add_subcommand("produce", "producer throughput (MB/s, msg/s)");
  add_common(p, common);
  p->add_option("--size", produce.size, "message size in bytes")->capture_default_str();
  p->add_option("--count", produce.count, "messages to send");
  p->add_option("--duration", produce.duration_s, "seconds to send (when --count is not given)");
  p->add_option("--acks", produce.acks, "0, 1 or all")->capture_default_str();
  p->add_option("--compression", produce.compression, "none, gzip, snappy, lz4 or zstd")->capture_default_str();
  p->add_option("--linger-ms", produce.linger_ms, "linger.ms")->capture_default_str();
  p->add_option("--batch-size", produce.batch_size, "batch.size in bytes")->capture_default_str();
  p->add_flag("--round-robin", produce.round_robin, "message n goes to partition n % partitions");
  p->add_option("--payload", produce.payload, "text (compressible) or random")->capture_default_str();
  p->add_option("--timeout", produce.timeout_s, "message.timeout.ms in seconds")->capture_default_str();

  raw_produce_options raw;
  auto* rp = app.add_subcommand("raw-produce", "produce pre-built batches over one raw connection (cheap load)");
  add_common(rp, common);
  rp->add_option("--size", raw.size, "record size in bytes")->capture_default_str();
  rp->add_option("--count", raw.count, "records (whole batches)")->required();
  rp->add_option("--partitions", raw.partitions, "the topic's partitions, sent to in turn")->capture_default_str();
  rp->add_option("--batch-size", raw.batch_bytes, "bytes of records per batch")->capture_default_str();
  rp->add_option("--inflight", raw.inflight, "requests outstanding at once")->capture_default_str();
  rp->add_option("--acks", raw.acks, "1 or all")->capture_default_str();
  rp->add_option("--timeout", raw.timeout_s, "Produce timeout in seconds")->capture_default_str();

  consume_options consume;
  auto* c = app.add_subcommand("consume", "catch-up consume of everything in the topic (MB/s)");
  add_common(c, common);
  c->add_option("--consumers", consume.consumers, "consumers in the group (threads)")->capture_default_str();
  c->add_option("--group", consume.group, "group id (default: a new one)");
  c->add_option("--timeout", consume.timeout_s, "seconds before giving up")->capture_default_str();

  e2e_options e2e;
  auto* e = app.add_subcommand("e2e", "produce-to-consume latency at a fixed rate");
  add_common(e, common);
  e->add_option("--rate", e2e.rate, "messages per second")->capture_default_str();
  e->add_option("--size", e2e.size, "message size in bytes")->capture_default_str();
  e->add_option("--duration", e2e.duration_s, "measured seconds")->capture_default_str();
  e->add_option("--warmup", e2e.warmup_s, "unmeasured seconds first")->capture_default_str();
  e->add_option("--acks", e2e.acks, "0, 1 or all")->capture_default_str();
  e->add_option("--linger-ms", e2e.linger_ms, "linger.ms")->capture_default_str();
  e->add_option("--timeout", e2e.timeout_s, "seconds to wait for the tail")->capture_default_str();

  first_message_options first;
  auto* f = app.add_subcommand("first-message", "time to the first message for a new consumer group");
  add_common(f, common);
  f->add_option("--repeat", first.repeat, "rounds, one new group each")->capture_default_str();
  f->add_option("--timeout", first.timeout_s, "seconds per round")->capture_default_str();

  connections_options conns;
  auto* n = app.add_subcommand("connections", "hold N idle connections (raw sockets)");
  add_common(n, common, false);
  n->add_option("--count", conns.count, "connections")->capture_default_str();
  n->add_flag("--wait-stdin", conns.wait_stdin, "after READY on stderr, hold until stdin closes");
  n->add_option("--hold", conns.hold_s, "seconds to hold (without --wait-stdin)");

  topics_options topics;
  auto* ct = app.add_subcommand("create-topics", "create topics (CreateTopics)");
  add_common(ct, common, false);
  ct->add_option("names", topics.names, "topic names")->required();
  ct->add_option("--partitions", topics.partitions, "partitions per topic")->capture_default_str();
  ct->add_option("--timeout", topics.timeout_s, "seconds")->capture_default_str();
  auto* dt = app.add_subcommand("delete-topics", "delete topics (DeleteTopics)");
  add_common(dt, common, false);
  dt->add_option("names", topics.names, "topic names")->required();

  auto* w = app.add_subcommand("watermarks", "messages in the topic (high - low watermark, all partitions)");
  add_common(w, common);

  CLI11_PARSE(app, argc, argv);
  if (p->parsed()) return run_produce(common, produce);
  if (rp->parsed()) return run_raw_produce(common, raw);
  if (c->parsed()) return run_consume(common, consume);
  if (e->parsed()) return run_e2e(common, e2e);
  if (f->parsed()) return run_first_message(common, first);
  if (n->parsed()) return run_connections(common, conns);
  if (ct->parsed()) return run_create_topics(common, topics);
  if (w->parsed()) return run_watermarks(common);
  return run_delete_topics(common, topics);
}
