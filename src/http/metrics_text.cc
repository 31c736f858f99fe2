#include "http/metrics_text.h"

#include <fmt/format.h>

#include "base/kafka_error_codes.h"
#include "base/metrics.h"
#include "broker/api_table.h"
#include "broker/connection.h"
#include "storage/partition_log.h"

namespace samsa::http {

std::string escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

namespace {

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

std::string seconds_text(double s) { return fmt::format("{}", s); }

// The bucket, _sum and _count lines of one histogram series. `labels` is
// empty or ends without a comma; `sum_scale` turns the stored integer sum
// into the family's unit (1e-6 for microseconds to seconds).
template <size_t Bounds>
void histogram_lines(std::string& out, std::string_view name, const std::string& labels,
                     const std::array<double, Bounds>& bounds, const metrics::histogram<Bounds>& h, double sum_scale) {
  const std::string sep = labels.empty() ? "" : ",";
  uint64_t cumulative = 0;
  for (size_t b = 0; b < Bounds; ++b) {
    cumulative += h.buckets[b].load(std::memory_order_relaxed);
    fmt::format_to(std::back_inserter(out), "{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, seconds_text(bounds[b]),
                   cumulative);
  }
  cumulative += h.buckets.back().load(std::memory_order_relaxed);
  fmt::format_to(std::back_inserter(out), "{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, cumulative);
  const std::string braces = labels.empty() ? "" : "{" + labels + "}";
  fmt::format_to(std::back_inserter(out), "{}_sum{} {}\n", name, braces,
                 seconds_text(static_cast<double>(h.sum.load(std::memory_order_relaxed)) * sum_scale));
  fmt::format_to(std::back_inserter(out), "{}_count{} {}\n", name, braces, cumulative);
}

uint64_t histogram_count(const metrics::time_histogram& h) {
  uint64_t n = 0;
  for (const auto& b : h.buckets) n += b.load(std::memory_order_relaxed);
  return n;
}

// Queue times, fsyncs, group commits, parked fetches and connections per
// listener: what the broker's threads record in base/metrics.h.
void pipeline_families(std::string& out) {
  auto& reg = metrics::registry::instance();
  family(out, "samsa_request_queue_time_seconds", "histogram",
         "Time a request waited between its network thread handing it over and the handler thread starting it, by API.");
  for (int16_t k = 0; k < metrics::max_api_keys; ++k) {
    const auto* h = reg.queue_time(k);
    if (histogram_count(*h) == 0) continue;
    histogram_lines(out, "samsa_request_queue_time_seconds",
                    fmt::format("api=\"{}\"", escape_label(broker::api_name(k))), metrics::latency_bounds_seconds, *h,
                    1e-6);
  }
  family(out, "samsa_fsync_duration_seconds", "histogram", "Time of one fdatasync of a partition's files (group commit).");
  histogram_lines(out, "samsa_fsync_duration_seconds", "", metrics::latency_bounds_seconds, reg.fsyncs(), 1e-6);
  family(out, "samsa_group_commit_requests", "histogram",
         "Flush requests (acks=all produces and other durable writes) one group-commit sync of a partition answered.");
  histogram_lines(out, "samsa_group_commit_requests", "", metrics::batch_size_bounds, reg.group_commits(), 1.0);
  family(out, "samsa_fetch_parked_requests", "gauge", "Long-poll fetches parked waiting for data (fetch.max.wait.ms).");
  fmt::format_to(std::back_inserter(out), "samsa_fetch_parked_requests {}\n", reg.parked_fetches());
  family(out, "samsa_fetch_sessions", "gauge",
         "Incremental fetch sessions (KIP-227) in the cache (max.incremental.fetch.session.cache.slots).");
  fmt::format_to(std::back_inserter(out), "samsa_fetch_sessions {}\n", reg.fetch_sessions());
  family(out, "samsa_fetch_session_partitions", "gauge",
         "Partitions the fetch sessions hold together (fetch.session.cache.max.partitions).");
  fmt::format_to(std::back_inserter(out), "samsa_fetch_session_partitions {}\n", reg.fetch_session_partitions());
  family(out, "samsa_fetch_session_evictions_total", "counter",
         "Fetch sessions evicted to make room for another.");
  fmt::format_to(std::back_inserter(out), "samsa_fetch_session_evictions_total {}\n", reg.fetch_session_evictions());
  family(out, "samsa_listener_connections", "gauge", "Open Kafka-protocol connections, by listener.");
  for (size_t i = 0; i < reg.listener_count(); ++i) {
    const auto& l = reg.listener_at(i);
    fmt::format_to(std::back_inserter(out), "samsa_listener_connections{{listener=\"{}\"}} {}\n",
                   escape_label(l.name.data()), l.open.load(std::memory_order_relaxed));
  }
  family(out, "samsa_listener_connections_accepted_total", "counter", "Kafka-protocol connections accepted, by listener.");
  for (size_t i = 0; i < reg.listener_count(); ++i) {
    const auto& l = reg.listener_at(i);
    fmt::format_to(std::back_inserter(out), "samsa_listener_connections_accepted_total{{listener=\"{}\"}} {}\n",
                   escape_label(l.name.data()), l.accepted.load(std::memory_order_relaxed));
  }
}

void api_families(std::string& out) {
  auto& reg = metrics::registry::instance();
  struct series {
    int16_t key;
    int16_t version;
    const metrics::api_version_stats* stats;
  };
  std::vector<series> used;
  for (int16_t k = 0; k < metrics::max_api_keys; ++k) {
    for (int16_t v = 0; v < metrics::max_api_versions; ++v) {
      const auto* s = reg.api(k, v);
      if (s != nullptr && s->requests.load(std::memory_order_relaxed) > 0) used.push_back({k, v, s});
    }
  }
  auto labels = [](const series& s) {
    return fmt::format("api=\"{}\",version=\"{}\"", escape_label(broker::api_name(s.key)), s.version);
  };
  family(out, "samsa_requests_total", "counter", "Kafka requests answered, by API and version.");
  for (auto& s : used)
    fmt::format_to(std::back_inserter(out), "samsa_requests_total{{{}}} {}\n", labels(s),
                   s.stats->requests.load(std::memory_order_relaxed));
  family(out, "samsa_request_failures_total", "counter",
         "Requests that closed their connection (malformed, unsupported version, unencodable answer).");
  for (auto& s : used)
    fmt::format_to(std::back_inserter(out), "samsa_request_failures_total{{{}}} {}\n", labels(s),
                   s.stats->failed.load(std::memory_order_relaxed));
  family(out, "samsa_request_bytes_total", "counter", "Request bytes received (with the size prefix).");
  for (auto& s : used)
    fmt::format_to(std::back_inserter(out), "samsa_request_bytes_total{{{}}} {}\n", labels(s),
                   s.stats->request_bytes.load(std::memory_order_relaxed));
  family(out, "samsa_response_bytes_total", "counter", "Response bytes sent (with the size prefix and records).");
  for (auto& s : used)
    fmt::format_to(std::back_inserter(out), "samsa_response_bytes_total{{{}}} {}\n", labels(s),
                   s.stats->response_bytes.load(std::memory_order_relaxed));
  family(out, "samsa_request_duration_seconds", "histogram",
         "Time from a request's start to its answer being ready (handler time, parked long polls included).");
  for (auto& s : used) {
    uint64_t cumulative = 0;
    for (size_t b = 0; b < metrics::latency_bounds_seconds.size(); ++b) {
      cumulative += s.stats->latency_buckets[b].load(std::memory_order_relaxed);
      fmt::format_to(std::back_inserter(out), "samsa_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n",
                     labels(s), seconds_text(metrics::latency_bounds_seconds[b]), cumulative);
    }
    cumulative += s.stats->latency_buckets.back().load(std::memory_order_relaxed);
    fmt::format_to(std::back_inserter(out), "samsa_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n",
                   labels(s), cumulative);
    fmt::format_to(std::back_inserter(out), "samsa_request_duration_seconds_sum{{{}}} {}\n", labels(s),
                   seconds_text(static_cast<double>(s.stats->latency_micros.load(std::memory_order_relaxed)) / 1e6));
    fmt::format_to(std::back_inserter(out), "samsa_request_duration_seconds_count{{{}}} {}\n", labels(s),
                   cumulative);
  }
  family(out, "samsa_request_errors_total", "counter",
         "Error codes in answers (top level and per topic/partition), by API and Kafka error.");
  for (int16_t k = 0; k < metrics::max_api_keys; ++k) {
    for (int16_t code = metrics::min_error_code; code <= metrics::max_error_code; ++code) {
      uint64_t n = reg.errors(k, code);
      if (n == 0) continue;
      fmt::format_to(std::back_inserter(out), "samsa_request_errors_total{{api=\"{}\",code=\"{}\",error=\"{}\"}} {}\n",
                     escape_label(broker::api_name(k)), code,
                     kafka::error_name(static_cast<kafka::error_code>(code)), n);
    }
  }
}

void partition_families(std::string& out, const broker_sample& sample) {
  struct gauge {
    const char* name;
    const char* type;
    const char* help;
    std::atomic<int64_t> storage::partition_log::live_figures::*field;
  };
  static const gauge gauges[] = {
      {"samsa_partition_bytes_in_total", "counter", "Record batch bytes appended since start.",
       &storage::partition_log::live_figures::bytes_in},
      {"samsa_partition_records_in_total", "counter", "Records appended since start.",
       &storage::partition_log::live_figures::records_in},
      {"samsa_partition_bytes_out_total", "counter", "Record batch bytes handed to fetches since start.",
       &storage::partition_log::live_figures::bytes_out},
      {"samsa_partition_offsets_out_total", "counter",
       "Offsets covered by the batches handed to fetches since start (records out, compaction gaps included).",
       &storage::partition_log::live_figures::offsets_out},
      {"samsa_partition_log_start_offset", "gauge", "First offset a consumer can read.",
       &storage::partition_log::live_figures::log_start},
      {"samsa_partition_size_bytes", "gauge", "Bytes of the partition's segment files.",
       &storage::partition_log::live_figures::size_bytes},
      {"samsa_partition_segments", "gauge", "Segment files of the partition.",
       &storage::partition_log::live_figures::segments},
  };
  for (const auto& g : gauges) {
    family(out, g.name, g.type, g.help);
    for (const auto& p : sample.partitions) {
      fmt::format_to(std::back_inserter(out), "{}{{topic=\"{}\",partition=\"{}\"}} {}\n", g.name,
                     escape_label(p.topic), p.partition, (p.log->figures().*(g.field)).load(std::memory_order_relaxed));
    }
  }
  family(out, "samsa_partition_log_end_offset", "gauge", "Offset the next appended record gets (high watermark).");
  for (const auto& p : sample.partitions) {
    fmt::format_to(std::back_inserter(out), "samsa_partition_log_end_offset{{topic=\"{}\",partition=\"{}\"}} {}\n",
                   escape_label(p.topic), p.partition, p.log->log_end_offset());
  }
}

void group_families(std::string& out, const broker_sample& sample) {
  std::map<std::string, int64_t> by_state;
  for (const char* s : {"Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead"}) by_state[s] = 0;
  for (const auto& g : sample.groups) ++by_state[g.state];
  family(out, "samsa_groups", "gauge", "Consumer groups by state (classic, KIP-848 consumer and share groups).");
  for (auto& [state, n] : by_state)
    fmt::format_to(std::back_inserter(out), "samsa_groups{{state=\"{}\"}} {}\n", escape_label(state), n);
  family(out, "samsa_group_offsets", "gauge", "Committed and pending transactional offsets held, all groups.");
  fmt::format_to(std::back_inserter(out), "samsa_group_offsets {}\n", sample.offsets_held);
  family(out, "samsa_group_offsets_bytes", "gauge",
         "Memory those offsets hold, as offsets.max.memory.bytes counts it.");
  fmt::format_to(std::back_inserter(out), "samsa_group_offsets_bytes {}\n", sample.offsets_held_bytes);
  family(out, "samsa_group_member_metadata_bytes", "gauge",
         "Memory the members of classic groups hold (protocol metadata, assignments, identities), as "
         "group.classic.member.metadata.max.bytes counts it.");
  fmt::format_to(std::back_inserter(out), "samsa_group_member_metadata_bytes {}\n", sample.member_metadata_bytes);
  family(out, "samsa_consumer_group_member_metadata_bytes", "gauge",
         "Memory the members of consumer-protocol groups hold (subscriptions, assignments, identities), as "
         "group.consumer.member.metadata.max.bytes counts it.");
  fmt::format_to(std::back_inserter(out), "samsa_consumer_group_member_metadata_bytes {}\n",
                 sample.consumer_member_metadata_bytes);
  family(out, "samsa_group_members", "gauge", "Members of each consumer group.");
  for (const auto& g : sample.groups)
    fmt::format_to(std::back_inserter(out), "samsa_group_members{{group=\"{}\",type=\"{}\"}} {}\n",
                   escape_label(g.group_id), g.type, g.members);
  family(out, "samsa_group_rebalances_total", "counter",
         "Rebalances (classic) or new group epochs (consumer and share groups, as sampled) since the broker started.");
  for (const auto& g : sample.groups)
    fmt::format_to(std::back_inserter(out), "samsa_group_rebalances_total{{group=\"{}\",type=\"{}\"}} {}\n",
                   escape_label(g.group_id), g.type, g.rebalances);
  auto labels = [](const group_offset_sample& o) {
    return fmt::format("group=\"{}\",topic=\"{}\",partition=\"{}\"", escape_label(o.group_id), escape_label(o.topic),
                       o.partition);
  };
  family(out, "samsa_group_committed_offset", "gauge", "A group's committed offset, per partition.");
  for (const auto& o : sample.offsets)
    fmt::format_to(std::back_inserter(out), "samsa_group_committed_offset{{{}}} {}\n", labels(o), o.committed);
  family(out, "samsa_group_lag_records", "gauge", "Records between a group's committed offset and the high watermark.");
  for (const auto& o : sample.offsets)
    fmt::format_to(std::back_inserter(out), "samsa_group_lag_records{{{}}} {}\n", labels(o), o.lag);
  family(out, "samsa_group_lag_seconds", "gauge",
         "Age of the first record a group has not consumed (0 when caught up), as of the last lag sample.");
  for (const auto& o : sample.offsets)
    if (o.lag_seconds)
      fmt::format_to(std::back_inserter(out), "samsa_group_lag_seconds{{{}}} {}\n", labels(o), *o.lag_seconds);
}

}  // namespace

std::string render_metrics(const broker_sample& sample, const process_stats& process, double uptime_seconds) {
  std::string out;
  out.reserve(4096 + sample.partitions.size() * 800);
  api_families(out);
  partition_families(out, sample);
  group_families(out, sample);
  pipeline_families(out);
  family(out, "samsa_producer_ids", "gauge",
         "Idempotent and transactional producers the partitions remember, all together, as max.producer.ids "
         "counts them.");
  fmt::format_to(std::back_inserter(out), "samsa_producer_ids {}\n", sample.producer_ids);
  auto& reg = metrics::registry::instance();
  family(out, "samsa_connections", "gauge", "Open Kafka-protocol connections.");
  fmt::format_to(std::back_inserter(out), "samsa_connections {}\n", reg.connections_open());
  family(out, "samsa_connections_accepted_total", "counter", "Kafka-protocol connections accepted since start.");
  fmt::format_to(std::back_inserter(out), "samsa_connections_accepted_total {}\n", reg.connections_accepted());
  family(out, "samsa_connection_pinned_file_bytes", "gauge",
         "Bytes of log files held by fetch answers not yet written to their clients (a deleted segment's disk "
         "space comes back only when they are written or their connection closes).");
  fmt::format_to(std::back_inserter(out), "samsa_connection_pinned_file_bytes {}\n",
                 broker::connection::pinned_file_bytes());
  family(out, "samsa_uptime_seconds", "gauge", "Seconds since the broker started.");
  fmt::format_to(std::back_inserter(out), "samsa_uptime_seconds {}\n", uptime_seconds);
  family(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  fmt::format_to(std::back_inserter(out), "process_resident_memory_bytes {}\n", process.resident_bytes);
  family(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
  fmt::format_to(std::back_inserter(out), "process_virtual_memory_bytes {}\n", process.virtual_bytes);
  family(out, "process_cpu_seconds_total", "counter", "User and system CPU time spent in seconds.");
  fmt::format_to(std::back_inserter(out), "process_cpu_seconds_total {}\n", process.cpu_seconds);
  family(out, "process_open_fds", "gauge", "Open file descriptors.");
  fmt::format_to(std::back_inserter(out), "process_open_fds {}\n", process.open_fds);
  family(out, "process_max_fds", "gauge", "Limit of open file descriptors.");
  fmt::format_to(std::back_inserter(out), "process_max_fds {}\n", process.max_fds);
  family(out, "process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch in seconds.");
  fmt::format_to(std::back_inserter(out), "process_start_time_seconds {}\n", process.start_time_seconds);
  return out;
}

}  // namespace samsa::http
