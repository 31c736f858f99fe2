#include "connect/postgres_sink.h"

#include <iostream>
#include <map>
#include <set>
#include <span>
#include <thread>

#include <fmt/format.h>

#include "client/consumer.h"
#include "client/producer.h"
#include "client/kafka_error.h"
#include "registry/schema_codec.h"

namespace samsa::connect {
namespace {

class sink_loop {
 public:
  sink_loop(const sink_options& o, postgres_writer& writer, client::consumer& consumer,
            client::producer* dead_letters)
      : o_(o), writer_(writer), consumer_(consumer), dead_letters_(dead_letters) {
    if (o.registry_url) codec_.emplace(*o.registry_url, o.registry_timeout);
  }

  result<sink_totals> run(const std::atomic<bool>& stop) {
    stop_ = &stop;
    while (!stop) {
      auto event = consumer_.poll(std::chrono::milliseconds(100));
      if (!event) {
        // librdkafka retries broker trouble itself; only a missing topic will not heal.
        if (client::is_not_found_error(event.err())) return event.err();
        note(fmt::format("warning: {}", event.err().message));
        continue;
      }
      if (auto* r = std::get_if<client::rebalance_event>(&*event)) {
        if (auto s = on_rebalance(*r); !s) return s.err();
      } else if (auto* m = std::get_if<client::consumed_message>(&*event)) {
        if (auto s = on_record(std::move(*m)); !s) return s.err();
      }
      bool full = batch_.size() >= o_.batch_size;
      bool old = !batch_.empty() && std::chrono::steady_clock::now() - batch_started_ >= o_.linger;
      if (full || old || (std::holds_alternative<std::monostate>(*event) && !batch_.empty()))
        if (auto s = flush(); !s) return s.err();
    }
    if (auto s = flush(); !s) return s.err();
    commit_to_kafka(true);
    return totals_;
  }

 private:
  void note(const std::string& text) const {
    if (!o_.quiet) std::cerr << "% sink: " << text << "\n";
  }

  // The database says where each newly assigned partition starts; Kafka's
  // committed offset is ignored. No stored row: from the log start.
  status on_rebalance(const client::rebalance_event& r) {
    if (r.what != client::rebalance_event::kind::assigned) {
      // Whatever is in hand is written first: the fenced offset update makes
      // that safe even if the partition already has a new owner.
      if (auto s = flush(); !s) return s;
      for (const auto& p : r.partitions) {
        stored_.erase({p.topic, p.partition});
        next_.erase({p.topic, p.partition});
      }
      return {};
    }
    std::string where;
    for (const auto& p : r.partitions) {
      if (auto s = seek_to_stored({p.topic, p.partition}); !s) return s;
      auto at = stored_[{p.topic, p.partition}];
      where += fmt::format("{}{}[{}] at {}", where.empty() ? "" : ", ", p.topic, p.partition,
                           at ? fmt::format("offset {} (stored in PostgreSQL)", *at) : "the log start (nothing stored)");
    }
    note(fmt::format("group {} assigned {}", o_.writer.sink_name, where.empty() ? "(none)" : where));
    return {};
  }

  status seek_to_stored(const partition_key& k) {
    auto at = read_stored(k);
    if (!at) return at.err();
    stored_[k] = *at;
    next_[k] = at->value_or(-1);
    client::topic_partition to{k.first, k.second, at->value_or(client::offset_beginning)};
    // A seek just after an assignment can time out, or be refused with
    // _STATE, while the client is still starting the partition (both seen in
    // CI: the first on a loaded machine right after waiting out a database
    // restart, the second at a first assignment): try again for as long as a
    // lost database is waited for, rather than ending the sink over a
    // transient state.
    auto deadline = std::chrono::steady_clock::now() + o_.db_retry;
    for (;;) {
      auto s = consumer_.seek(to, std::chrono::milliseconds(10'000));
      const std::string name = !s && s.err().code.category() == client::kafka_category()
                                   ? client::kafka_error_name(s.err().code.value())
                                   : "";
      bool transient = name == "_TIMED_OUT" || name == "_STATE";
      if (s || !transient || *stop_ || std::chrono::steady_clock::now() >= deadline) return s;
      note(fmt::format("warning: {}; trying again", s.err().message));
      if (name == "_STATE") std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  status on_record(client::consumed_message m) {
    partition_key k{m.topic, m.partition};
    auto n = next_.find(k);
    if (n == next_.end()) return {};            // not (or no longer) ours
    if (n->second >= 0 && m.offset < n->second) return {};  // fetched before the seek took effect
    n->second = m.offset + 1;
    pending_record p;
    p.meta = {m.topic, m.partition, m.offset, m.key, m.timestamp_ms};
    if (m.value) {
      if (dead_letters_) p.original_value = *m.value;
      std::string value = std::move(*m.value);
      if (codec_) {
        auto bytes = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(value.data()), value.size());
        // Plain Avro JSON: a column takes a union field's value, not the
        // {"branch": value} wrapper of the Avro JSON encoding.
        auto decoded = codec_->decode(bytes, registry::avro::json_style::plain);
        if (!decoded) return refuse(std::move(p), "its value does not decode: " + decoded.err().message);
        value = std::move(*decoded);
      }
      auto mapped = map_record(writer_.table(), p.meta, value);
      if (!mapped) return refuse(std::move(p), mapped.err().message);
      if (auto s = writer_.check_key(*mapped); !s) return refuse(std::move(p), s.err().message);
      p.values = std::move(*mapped);
    }
    if (batch_.empty()) batch_started_ = std::chrono::steady_clock::now();
    batch_.push_back(std::move(p));
    return {};
  }

  // A record that does not fit stops the sink after the records before it
  // are committed: skipping it would lose data silently (Kafka Connect's
  // default, errors.tolerance=none, does the same). With a dead-letter topic
  // it goes there instead and counts as consumed.
  status refuse(pending_record p, const std::string& reason) {
    if (dead_letters_) {
      // The batch in hand first, so that a record PostgreSQL refuses in it
      // reaches the dead-letter topic before this one: that topic keeps the
      // partition's order.
      if (auto s = flush(); !s) return s;
      if (auto s = dead_letter(p, reason); !s) return s;
      if (batch_.empty()) batch_started_ = std::chrono::steady_clock::now();
      batch_.push_back(std::move(p));
      return {};
    }
    if (auto s = flush(); !s) return s;
    return misfit_error(p.meta, reason);
  }

  // Sends the record as it was consumed (key and value) to the
  // dead-letter topic with Kafka Connect's error-context headers, and waits
  // for the acknowledgement: only then may its offset be stored.
  status dead_letter(pending_record& p, const std::string& reason) {
    client::outgoing_message out;
    out.topic = *o_.dead_letter_topic;
    out.key = p.meta.key;
    out.value = p.original_value;
    out.headers = {{"__connect.errors.topic", p.meta.topic},
                   {"__connect.errors.partition", std::to_string(p.meta.partition)},
                   {"__connect.errors.offset", std::to_string(p.meta.offset)},
                   {"__connect.errors.exception.message", reason}};
    auto sent = dead_letters_->send(out);
    if (sent.wait_for(std::chrono::seconds(30)) != std::future_status::ready)
      return make_error(std::errc::timed_out, fmt::format("record {}[{}]@{} does not fit ({}); the dead-letter topic {} "
                                                          "did not acknowledge it within 30 s: the sink stopped",
                                                          p.meta.topic, p.meta.partition, p.meta.offset, reason, out.topic));
    auto r = sent.get();
    if (!r)
      return error(r.err().code, fmt::format("record {}[{}]@{} does not fit ({}); writing it to the dead-letter topic "
                                             "{} failed: {}",
                                             p.meta.topic, p.meta.partition, p.meta.offset, reason, out.topic,
                                             r.err().message));
    note(fmt::format("record {}[{}]@{} -> dead-letter topic {} ({})", p.meta.topic, p.meta.partition, p.meta.offset,
                     out.topic, reason));
    p.values.reset();
    p.dead_lettered = true;
    return {};
  }

  error misfit_error(const record_meta& meta, const std::string& reason) const {
    // bad_message: the sink failed on data (exit 1), not on its flags.
    return make_error(std::errc::bad_message,
                      fmt::format("record {}[{}]@{} does not fit table {}: {}. The sink stopped; the records before "
                                  "it are in the table and it will be read again at the next start (fix the table "
                                  "or move the group past it in {}).",
                                  meta.topic, meta.partition, meta.offset, writer_.table().name, reason,
                                  o_.writer.offsets_table));
  }

  status flush() {
    if (batch_.empty()) return {};
    auto outcome = writer_.write(batch_, stored_);
    if (!outcome && outcome.err().code == std::errc::connection_aborted) outcome = write_again(outcome.err());
    if (!outcome) return outcome.err();
    for (const auto& [k, at] : outcome->now) stored_[k] = at;
    while (outcome->what == write_outcome::kind::misfit && dead_letters_) {
      // The records before it are committed; it goes to the dead-letter
      // topic, and the rest of the batch is written again without it.
      size_t i = outcome->misfit_index;
      count(i);
      if (auto s = dead_letter(batch_[i], outcome->message); !s) {
        batch_.clear();
        return s;
      }
      batch_.erase(batch_.begin(), batch_.begin() + static_cast<std::ptrdiff_t>(i));
      outcome = writer_.write(batch_, stored_);
      if (!outcome && outcome.err().code == std::errc::connection_aborted) outcome = write_again(outcome.err());
      if (!outcome) return outcome.err();
      for (const auto& [k, at] : outcome->now) stored_[k] = at;
    }
    switch (outcome->what) {
      case write_outcome::kind::written:
        count(batch_.size());
        break;
      case write_outcome::kind::misfit: {
        count(outcome->misfit_index);
        auto meta = batch_[outcome->misfit_index].meta;
        batch_.clear();
        return misfit_error(meta, outcome->message);
      }
      case write_outcome::kind::fenced:
        // Another sink wrote this partition meanwhile: drop the batch and
        // read every partition again from what the database holds.
        note(fmt::format("{}; reading again from the stored offsets", outcome->message));
        batch_.clear();
        for (auto& [k, n] : next_)
          if (auto s = seek_to_stored(k); !s) return s;
        return {};
    }
    batch_.clear();
    commit_to_kafka();
    return {};
  }

  // The stored offset, riding out a lost connection as write_again does
  // (an assignment can come while PostgreSQL restarts).
  result<std::optional<int64_t>> read_stored(const partition_key& k) {
    auto at = writer_.stored_offset(k.first, k.second);
    if (at || at.err().code != std::errc::connection_aborted) return at;
    samsa::error last = at.err();
    auto deadline = std::chrono::steady_clock::now() + o_.db_retry;
    std::chrono::milliseconds wait{250};
    while (!*stop_ && std::chrono::steady_clock::now() < deadline) {
      note(fmt::format("warning: {}; trying again in {} ms", last.message, wait.count()));
      std::this_thread::sleep_for(wait);
      wait = std::min<std::chrono::milliseconds>(wait * 2, std::chrono::seconds(5));
      if (auto s = writer_.reconnect(); !s) {
        last = s.err();
        continue;
      }
      at = writer_.stored_offset(k.first, k.second);
      if (at || at.err().code != std::errc::connection_aborted) return at;
      last = at.err();
    }
    return make_error(std::errc::io_error,
                      fmt::format("{} (gave up after {} s; a restart resumes from the stored offsets)", last.message,
                                  std::chrono::duration_cast<std::chrono::seconds>(o_.db_retry).count()));
  }

  // The database went away mid-batch (a restart, a network cut): reconnect
  // with backoff for up to db_retry, then learn from the stored offsets
  // whether the lost commit happened (all moved to the batch's end: it did),
  // did not (all still as expected: write again), or another sink moved
  // them meanwhile (fenced).
  result<write_outcome> write_again(samsa::error last) {
    std::map<partition_key, int64_t> next;
    for (const auto& p : batch_) {
      auto& n = next[{p.meta.topic, p.meta.partition}];
      n = std::max(n, p.meta.offset + 1);
    }
    auto deadline = std::chrono::steady_clock::now() + o_.db_retry;
    std::chrono::milliseconds wait{250};
    while (!*stop_ && std::chrono::steady_clock::now() < deadline) {
      note(fmt::format("warning: {}; trying again in {} ms", last.message, wait.count()));
      std::this_thread::sleep_for(wait);
      wait = std::min<std::chrono::milliseconds>(wait * 2, std::chrono::seconds(5));
      if (auto s = writer_.reconnect(); !s) {
        last = s.err();
        continue;
      }
      bool as_expected = true, as_written = true;
      std::optional<samsa::error> failed;
      for (const auto& [k, to] : next) {
        auto at = writer_.stored_offset(k.first, k.second);
        if (!at) {
          failed = at.err();
          break;
        }
        as_expected = as_expected && *at == stored_[k];
        as_written = as_written && *at == std::optional<int64_t>(to);
      }
      if (failed) {
        last = *failed;
        continue;
      }
      if (as_written) {
        note("the lost commit had landed; carrying on");
        write_outcome done;
        for (const auto& [k, to] : next) done.now[k] = to;
        return done;
      }
      if (!as_expected) {
        write_outcome fenced;
        fenced.what = write_outcome::kind::fenced;
        fenced.message = "another sink moved the stored offsets while PostgreSQL was away";
        return fenced;
      }
      auto again = writer_.write(batch_, stored_);
      if (again || again.err().code != std::errc::connection_aborted) return again;
      last = again.err();
    }
    return make_error(std::errc::io_error,
                      fmt::format("{} (gave up after {} s; a restart resumes from the stored offsets)", last.message,
                                  std::chrono::duration_cast<std::chrono::seconds>(o_.db_retry).count()));
  }

  void count(size_t n) {
    for (size_t i = 0; i < n; ++i) {
      ++totals_.records;
      if (batch_[i].values) ++totals_.rows;
      else if (batch_[i].dead_lettered) ++totals_.dead_lettered;
      else ++totals_.skipped;
    }
  }

  // Informational only (lag in `samsa group describe`); never read back.
  void commit_to_kafka(bool now_or_never = false) {
    auto now = std::chrono::steady_clock::now();
    if (!now_or_never && now - last_kafka_commit_ < std::chrono::seconds(1)) return;
    last_kafka_commit_ = now;
    std::vector<client::topic_partition> offsets;
    for (const auto& [k, at] : stored_)
      if (at && next_.count(k)) offsets.push_back({k.first, k.second, *at});
    if (offsets.empty()) return;
    if (auto s = consumer_.commit(offsets); !s) note(fmt::format("warning: informational Kafka commit: {}", s.err().message));
  }

  const sink_options& o_;
  const std::atomic<bool>* stop_ = nullptr;
  postgres_writer& writer_;
  client::consumer& consumer_;
  client::producer* dead_letters_;  // null: no dead-letter topic (a misfit stops the sink)
  std::optional<registry::schema_codec> codec_;
  stored_offsets stored_;                 // what the database holds, per owned partition
  std::map<partition_key, int64_t> next_;  // next offset expected per owned partition (-1: any)
  std::vector<pending_record> batch_;
  std::chrono::steady_clock::time_point batch_started_;
  std::chrono::steady_clock::time_point last_kafka_commit_{};
  sink_totals totals_;
};

}  // namespace

result<sink_totals> run_postgres_sink(const sink_options& options, const client::client_config& config,
                                      const std::atomic<bool>& stop) {
  auto writer = postgres_writer::open(options.writer);
  if (!writer) return writer.err();
  client::consumer_options co;
  co.group_id = options.writer.sink_name;
  co.auto_commit = false;
  co.auto_offset_reset = "earliest";
  co.group_instance_id = options.instance_id;
  auto consumer = client::consumer::create(config, co);
  if (!consumer) return consumer.err();
  if (auto s = consumer->subscribe({options.topic}); !s) return s.err();
  std::optional<client::producer> dead_letters;
  if (options.dead_letter_topic) {
    client::client_config effective = config;
    effective.set("enable.idempotence", "true", "samsa sink postgres --dead-letter-topic");
    client::producer_options po;
    po.acks = "all";
    auto p = client::producer::create(effective, po);
    if (!p) return p.err();
    dead_letters.emplace(std::move(*p));
  }
  sink_loop loop(options, **writer, *consumer, dead_letters ? &*dead_letters : nullptr);
  auto totals = loop.run(stop);
  (void)consumer->close();
  return totals;
}

}  // namespace samsa::connect
