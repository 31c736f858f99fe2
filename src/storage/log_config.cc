#include "storage/log_config.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "storage/errc.h"

namespace samsa::storage {
namespace {

// A value as quoted in an error message: long ones are cut, so a refused
// megabyte value does not come back to the client (or the log) whole.
std::string quoted(const std::string& value) {
  constexpr size_t shown = 64;
  if (value.size() <= shown) return "'" + value + "'";
  return "'" + value.substr(0, shown) + "...' (" + std::to_string(value.size()) + " bytes)";
}

error bad(const std::string& name, const std::string& value, const std::string& why) {
  return make_storage_error(errc::invalid_config, name + ": " + quoted(value) + " " + why);
}

status check_length(const std::string& name, const std::string& value) {
  if (value.size() <= max_config_value_bytes) return {};
  return make_storage_error(errc::invalid_config, name + ": the value is " + std::to_string(value.size()) +
                                                      " bytes long; a config value may have at most " +
                                                      std::to_string(max_config_value_bytes));
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

result<int64_t> parse_long(const std::string& name, const std::string& raw, int64_t lo, int64_t hi) {
  std::string v = trim(raw);
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec == std::errc::invalid_argument || p != v.data() + v.size())
    return bad(name, raw, "is not a number");
  if (ec == std::errc::result_out_of_range) return bad(name, raw, "is out of range");
  if (out < lo) return bad(name, raw, "must be at least " + std::to_string(lo));
  if (out > hi) return bad(name, raw, "must be at most " + std::to_string(hi));
  return out;
}

result<double> parse_double(const std::string& name, const std::string& raw, double lo, double hi) {
  std::string v = trim(raw);
  double out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size()) return bad(name, raw, "is not a number");
  if (out < lo || out > hi)
    return bad(name, raw, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return out;
}

result<bool> parse_bool(const std::string& name, const std::string& raw) {
  std::string v = trim(raw);
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  if (v == "true") return true;
  if (v == "false") return false;
  return bad(name, raw, "is not true or false");
}

constexpr int64_t int32_max = std::numeric_limits<int32_t>::max();

// Builders for the apply functions, one per value shape.
template <typename Field>
std::function<status(log_config&, const std::string&)> long_field(Field log_config::*field, const char* name,
                                                                  int64_t lo, int64_t hi = no_limit) {
  return [=](log_config& c, const std::string& v) -> status {
    auto r = parse_long(name, v, lo, hi);
    if (!r) return r.err();
    c.*field = static_cast<Field>(*r);
    return {};
  };
}

std::function<status(log_config&, const std::string&)> bool_field(bool log_config::*field, const char* name) {
  return [=](log_config& c, const std::string& v) -> status {
    auto r = parse_bool(name, v);
    if (!r) return r.err();
    c.*field = *r;
    return {};
  };
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return c >= '0' && c <= '9'; });
}

// Kafka's format for the throttled-replicas lists: "*" (every replica) or a
// comma-separated list of partition:broker pairs; blanks around items and
// empty items are fine, as in Kafka.
std::function<status(log_config&, const std::string&)> replica_list_field(std::string log_config::*field,
                                                                         const char* name) {
  return [=](log_config& c, const std::string& v) -> status {
    std::string t = trim(v);
    if (t != "*") {
      size_t start = 0;
      while (!t.empty() && start <= t.size()) {
        size_t comma = t.find(',', start);
        std::string item = trim(t.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        size_t colon = item.find(':');
        if (!item.empty() && (colon == std::string::npos || !all_digits(item.substr(0, colon)) || !all_digits(item.substr(colon + 1))))
          return bad(name, v, "is not '*' or a list of partition:broker pairs such as 0:1,1:1");
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
    c.*field = t;
    return {};
  };
}

status apply_cleanup_policy(log_config& c, const std::string& v) {
  bool del = false, compact = false;
  std::string rest = v;
  size_t start = 0;
  while (start <= rest.size()) {
    size_t comma = rest.find(',', start);
    std::string item = trim(rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (item == "delete") {
      del = true;
    } else if (item == "compact") {
      compact = true;
    } else if (!item.empty() || trim(v).size() > 0) {
      return bad("cleanup.policy", v, "is not a list of delete and compact");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  c.cleanup_delete = del;
  c.cleanup_compact = compact;
  return {};
}

status apply_compression(log_config& c, const std::string& v) {
  static const char* names[] = {"producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"};
  std::string t = trim(v);
  for (const char* n : names) {
    if (t == n) {
      c.compression_type = t;
      return {};
    }
  }
  return bad("compression.type", v, "is not one of producer, uncompressed, gzip, snappy, lz4, zstd");
}

status apply_timestamp_type(log_config& c, const std::string& v) {
  std::string t = trim(v);
  if (t == "CreateTime") {
    c.message_timestamp_type = timestamp_type::create_time;
  } else if (t == "LogAppendTime") {
    c.message_timestamp_type = timestamp_type::log_append_time;
  } else {
    return bad("message.timestamp.type", v, "is not CreateTime or LogAppendTime");
  }
  return {};
}

status apply_dirty_ratio(log_config& c, const std::string& v) {
  auto r = parse_double("min.cleanable.dirty.ratio", v, 0.0, 1.0);
  if (!r) return r.err();
  c.min_cleanable_dirty_ratio = *r;
  return {};
}

std::vector<config_def> build_defs() {
  using L = log_config;
  const std::string max_long = std::to_string(no_limit);
  std::vector<config_def> d = {
      {"cleanup.policy", config_type::list, "delete", "log.cleanup.policy",
       "delete old segments, compact by key, or both", apply_cleanup_policy},
      {"compression.gzip.level", config_type::int_, "-1", "compression.gzip.level", "gzip level when recompressing",
       long_field(&L::compression_gzip_level, "compression.gzip.level", -1, 9)},
      {"compression.lz4.level", config_type::int_, "9", "compression.lz4.level", "lz4 level when recompressing",
       long_field(&L::compression_lz4_level, "compression.lz4.level", 1, 17)},
      {"compression.type", config_type::string, "producer", "compression.type",
       "codec of stored batches; producer keeps the producer's", apply_compression},
      {"compression.zstd.level", config_type::int_, "3", "compression.zstd.level", "zstd level when recompressing",
       long_field(&L::compression_zstd_level, "compression.zstd.level", -131072, 22)},
      {"delete.retention.ms", config_type::long_, "86400000", "log.cleaner.delete.retention.ms",
       "how long compaction keeps tombstones", long_field(&L::delete_retention_ms, "delete.retention.ms", 0)},
      {"file.delete.delay.ms", config_type::long_, "60000", "log.segment.delete.delay.ms",
       "delay before a deleted segment's file goes", long_field(&L::file_delete_delay_ms, "file.delete.delay.ms", 0)},
      {"flush.messages", config_type::long_, max_long, "log.flush.interval.messages",
       "fsync after this many messages", long_field(&L::flush_messages, "flush.messages", 1)},
      {"flush.ms", config_type::long_, max_long, "log.flush.interval.ms", "fsync at least this often",
       long_field(&L::flush_ms, "flush.ms", 0)},
      {"follower.replication.throttled.replicas", config_type::list, "",
       "follower.replication.throttled.replicas", "accepted for compatibility; single broker",
       replica_list_field(&L::follower_replication_throttled_replicas, "follower.replication.throttled.replicas")},
      {"index.interval.bytes", config_type::int_, "4096", "log.index.interval.bytes",
       "bytes of log between index entries", long_field(&L::index_interval_bytes, "index.interval.bytes", 0, int32_max)},
      {"leader.replication.throttled.replicas", config_type::list, "", "leader.replication.throttled.replicas",
       "accepted for compatibility; single broker",
       replica_list_field(&L::leader_replication_throttled_replicas, "leader.replication.throttled.replicas")},
      {"local.retention.bytes", config_type::long_, "-2", "log.local.retention.bytes",
       "tiered storage local limit (no tiered storage yet)",
       long_field(&L::local_retention_bytes, "local.retention.bytes", -2)},
      {"local.retention.ms", config_type::long_, "-2", "log.local.retention.ms",
       "tiered storage local limit (no tiered storage yet)",
       long_field(&L::local_retention_ms, "local.retention.ms", -2)},
      {"max.compaction.lag.ms", config_type::long_, max_long, "log.cleaner.max.compaction.lag.ms",
       "longest a record stays uncompacted", long_field(&L::max_compaction_lag_ms, "max.compaction.lag.ms", 1)},
      {"max.message.bytes", config_type::int_, "1048588", "message.max.bytes", "largest batch accepted",
       long_field(&L::max_message_bytes, "max.message.bytes", 0, int32_max)},
      {"message.downconversion.enable", config_type::boolean, "true", "log.message.downconversion.enable",
       "allow old fetch versions", bool_field(&L::message_downconversion_enable, "message.downconversion.enable")},
      {"message.timestamp.after.max.ms", config_type::long_, "3600000", "log.message.timestamp.after.max.ms",
       "how far in the future a CreateTime may be",
       long_field(&L::message_timestamp_after_max_ms, "message.timestamp.after.max.ms", 0)},
      {"message.timestamp.before.max.ms", config_type::long_, max_long, "log.message.timestamp.before.max.ms",
       "how far in the past a CreateTime may be",
       long_field(&L::message_timestamp_before_max_ms, "message.timestamp.before.max.ms", 0)},
      {"message.timestamp.difference.max.ms", config_type::long_, max_long,
       "log.message.timestamp.difference.max.ms", "deprecated: both directions",
       long_field(&L::message_timestamp_difference_max_ms, "message.timestamp.difference.max.ms", 0)},
      {"message.timestamp.type", config_type::string, "CreateTime", "log.message.timestamp.type",
       "CreateTime keeps the producer's, LogAppendTime stamps at append", apply_timestamp_type},
      {"min.cleanable.dirty.ratio", config_type::double_, "0.5", "log.cleaner.min.cleanable.ratio",
       "dirty share of the log that triggers compaction", apply_dirty_ratio},
      {"min.compaction.lag.ms", config_type::long_, "0", "log.cleaner.min.compaction.lag.ms",
       "shortest a record stays uncompacted", long_field(&L::min_compaction_lag_ms, "min.compaction.lag.ms", 0)},
      {"min.insync.replicas", config_type::int_, "1", "min.insync.replicas", "replicas that must ack for acks=all",
       long_field(&L::min_insync_replicas, "min.insync.replicas", 1, int32_max)},
      {"preallocate", config_type::boolean, "false", "log.preallocate", "preallocate segment files",
       bool_field(&L::preallocate, "preallocate")},
      {"remote.storage.enable", config_type::boolean, "false", "", "tiered storage (not supported; must be false)",
       [](log_config& c, const std::string& v) -> status {
         auto r = parse_bool("remote.storage.enable", v);
         if (!r) return r.err();
         if (*r) return bad("remote.storage.enable", v, "is not supported by this broker");
         c.remote_storage_enable = false;
         return {};
       }},
      {"retention.bytes", config_type::long_, "-1", "log.retention.bytes", "per-partition size limit; -1 = none",
       long_field(&L::retention_bytes, "retention.bytes", -1)},
      {"retention.ms", config_type::long_, "604800000", "log.retention.ms", "age limit; -1 = keep forever",
       long_field(&L::retention_ms, "retention.ms", -1)},
      // The segment minimums are Kafka's (KIP-1030): segment.bytes 1 MiB as in
      // Kafka 4.0, segment.ms 1 minute and segment.index.bytes 1 KiB as it
      // plans for 5.0 (Kafka 4.0 still takes 1 ms and 4 bytes). Each segment
      // holds about 1.4 KB of broker memory and three files until retention
      // removes it, so smaller values let one producer make a segment per
      // batch.
      {"segment.bytes", config_type::int_, "1073741824", "log.segment.bytes", "segment size before rolling",
       long_field(&L::segment_bytes, "segment.bytes", min_segment_bytes, int32_max)},
      {"segment.index.bytes", config_type::int_, "10485760", "log.index.size.max.bytes",
       "largest offset index before rolling",
       long_field(&L::segment_index_bytes, "segment.index.bytes", min_segment_index_bytes, int32_max)},
      {"segment.jitter.ms", config_type::long_, "0", "log.roll.jitter.ms", "random reduction of segment.ms",
       long_field(&L::segment_jitter_ms, "segment.jitter.ms", 0)},
      {"segment.ms", config_type::long_, "604800000", "log.roll.ms", "segment age before rolling",
       long_field(&L::segment_ms, "segment.ms", min_segment_ms)},
      {"unclean.leader.election.enable", config_type::boolean, "false", "unclean.leader.election.enable",
       "accepted for compatibility; single broker",
       bool_field(&L::unclean_leader_election_enable, "unclean.leader.election.enable")},
  };
  std::sort(d.begin(), d.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return d;
}

// The broker-level value for a topic config, after Kafka's unit synonyms
// (log.retention.hours etc.). Returns {broker key, value in the topic's unit}.
std::optional<std::pair<std::string, std::string>> broker_value(const config_def& def,
                                                                const std::map<std::string, std::string>& broker) {
  struct alt {
    const char* key;
    int64_t factor;
  };
  std::vector<alt> alts;
  if (def.name == "retention.ms") {
    alts = {{"log.retention.ms", 1}, {"log.retention.minutes", 60000}, {"log.retention.hours", 3600000}};
  } else if (def.name == "segment.ms") {
    alts = {{"log.roll.ms", 1}, {"log.roll.hours", 3600000}};
  } else if (def.name == "segment.jitter.ms") {
    alts = {{"log.roll.jitter.ms", 1}, {"log.roll.jitter.hours", 3600000}};
  } else if (!def.broker_synonym.empty()) {
    alts = {{def.broker_synonym.c_str(), 1}};
  }
  for (auto& a : alts) {
    auto it = broker.find(a.key);
    if (it == broker.end()) continue;
    if (a.factor == 1) return std::make_pair(it->first, it->second);
    auto n = parse_long(a.key, it->second, -1, no_limit / a.factor);
    if (!n) return std::make_pair(it->first, it->second);  // apply() reports it
    return std::make_pair(it->first, std::to_string(*n < 0 ? *n : *n * a.factor));
  }
  return std::nullopt;
}

}  // namespace

const std::vector<config_def>& topic_config_defs() {
  static const std::vector<config_def> defs = build_defs();
  return defs;
}

const config_def* find_topic_config(const std::string& name) {
  for (auto& d : topic_config_defs())
    if (d.name == name) return &d;
  return nullptr;
}

status validate_topic_config(const std::string& name, const std::string& value) {
  const config_def* def = find_topic_config(name);
  if (def == nullptr) return make_storage_error(errc::invalid_config, "unknown topic config " + quoted(name));
  if (auto s = check_length(name, value); !s) return s;
  log_config scratch;
  return def->apply(scratch, value);
}

namespace {

// Defaults, then the broker's settings.
result<log_config> broker_level(const std::map<std::string, std::string>& broker_settings) {
  log_config cfg;
  for (auto& def : topic_config_defs()) {
    if (auto bv = broker_value(def, broker_settings)) {
      if (auto s = check_length(bv->first, bv->second); !s) return s.err();
      if (auto s = def.apply(cfg, bv->second); !s)
        return make_storage_error(errc::invalid_config, "broker setting " + bv->first + ": " + s.err().message);
    }
  }
  return cfg;
}

status apply_override(log_config& cfg, const std::string& name, const std::string& value) {
  const config_def* def = find_topic_config(name);
  if (def == nullptr) return make_storage_error(errc::invalid_config, "unknown topic config " + quoted(name));
  if (auto s = check_length(name, value); !s) return s;
  return def->apply(cfg, value);
}

}  // namespace

result<log_config> resolve(const std::map<std::string, std::string>& topic_overrides,
                           const std::map<std::string, std::string>& broker_settings) {
  auto cfg = broker_level(broker_settings);
  if (!cfg) return cfg;
  for (auto& [name, value] : topic_overrides)
    if (auto s = apply_override(*cfg, name, value); !s) return s.err();
  return cfg;
}

result<log_config> resolve_stored(const std::map<std::string, std::string>& topic_overrides,
                                  const std::map<std::string, std::string>& broker_settings,
                                  std::vector<std::string>* dropped) {
  auto cfg = broker_level(broker_settings);
  if (!cfg) return cfg;
  for (auto& [name, value] : topic_overrides) {
    log_config tried = *cfg;  // an apply that fails leaves nothing half-set
    if (auto s = apply_override(tried, name, value); !s) {
      if (dropped != nullptr) dropped->push_back(s.err().message);
      continue;
    }
    *cfg = std::move(tried);
  }
  return cfg;
}

std::vector<config_entry> describe(const std::map<std::string, std::string>& topic_overrides,
                                   const std::map<std::string, std::string>& broker_settings) {
  std::vector<config_entry> out;
  for (auto& def : topic_config_defs()) {
    config_entry e{def.name, def.default_value, config_source::default_config, def.type, def.broker_synonym,
                   def.doc, {}};
    auto topic = topic_overrides.find(def.name);
    auto bv = broker_value(def, broker_settings);
    if (topic != topic_overrides.end()) {
      e.value = trim(topic->second);
      e.source = config_source::topic_config;
      e.synonyms.push_back({def.name, e.value, config_source::topic_config});
    } else if (bv) {
      e.value = trim(bv->second);
      e.source = config_source::static_broker_config;
    }
    if (bv) e.synonyms.push_back({bv->first, trim(broker_settings.at(bv->first)), config_source::static_broker_config});
    if (!def.broker_synonym.empty())
      e.synonyms.push_back({def.broker_synonym, def.default_value, config_source::default_config});
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace samsa::storage
