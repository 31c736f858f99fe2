#include "broker/txn_service.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdlib>

#include "broker/broker_config.h"
#include "broker/fetch_waiters.h"
#include "broker/group_service.h"
#include "broker/internal_topic.h"
#include "group/offsets_codec.h"
#include "record/batch_builder.h"
#include "record/control_record.h"
#include "record/record.h"
#include "record/split.h"

namespace samsa::broker {

namespace asio = boost::asio;

namespace {

constexpr int32_t txn_replay_chunk_bytes = 1 << 20;

error io_failure(std::string message) { return error(std::make_error_code(std::errc::io_error), std::move(message)); }

// Test builds only: SAMSA_TEST_TXN_CRASH_AT=prepare_written|markers_written
// kills the broker (SIGKILL, as a crash) at that step of the next
// transaction completion, so wire tests can prove a restart finishes it.
std::function<void(txn::completion_step)> crash_hook_from_environment() {
#ifdef SAMSA_TEST_HOOKS
  const char* at = std::getenv("SAMSA_TEST_TXN_CRASH_AT");
  if (!at) return {};
  std::string step(at);
  spdlog::warn("test mode: the broker kills itself at transaction step '{}'", step);
  return [step](txn::completion_step s) {
    const char* name = s == txn::completion_step::prepare_written ? "prepare_written" : "markers_written";
    if (step == name) ::kill(::getpid(), SIGKILL);
  };
#else
  return {};
#endif
}

}  // namespace

txn_settings txn_settings_from(const broker_config& c) {
  txn_settings out;
  out.state_log_num_partitions = c.transaction_state_log_num_partitions;
  out.max_timeout_ms = c.transaction_max_timeout_ms;
  out.id_expiration_ms = c.transactional_id_expiration_ms;
  out.max_ids = static_cast<size_t>(c.transactional_id_max_count);
  out.max_partition_bytes = c.transaction_partitions_max_memory_bytes;
  out.offsets_topic_num_partitions = c.offsets_topic_num_partitions;
  return out;
}

// txn::txn_state_log over __transaction_state: one batch per record, the
// completion posted once it is flushed. An id always maps to the same
// partition (Kafka's hash), so the last record of an id is its state.
class txn_service::state_log final : public txn::txn_state_log {
 public:
  state_log(asio::io_context& io, topic_registry& topics, int32_t partitions, std::function<void()> after)
      : io_(io),
        topics_(topics),
        topic_(io, topics, std::string(txn_state_topic_name), "transactions", partitions),
        after_(std::move(after)),
        alive_(std::make_shared<bool>(true)),
        partitions_(partitions) {}
  ~state_log() override { *alive_ = false; }

  void set_partitions(int32_t n) {
    partitions_ = n;
    topic_.set_partitions(n);
  }
  internal_topic& topic() { return topic_; }

  void append(const std::string& id, txn::bytes key, std::optional<txn::bytes> value,
              std::function<void(status)> done) override {
    // At once when the topic exists; otherwise after it is made, in order.
    topic_.when_ready([this, alive = alive_, id, key = std::move(key), value = std::move(value),
                       done = std::move(done)](admin_result made) mutable {
      if (!*alive) return;
      write(id, key, value, std::move(done), made);
    });
  }

 private:
  void write(const std::string& id, const txn::bytes& key, const std::optional<txn::bytes>& value,
             std::function<void(status)> done, const admin_result& made) {
    auto finish = [this, done = std::move(done)](status s) mutable {
      asio::post(io_, [alive = alive_, done = std::move(done), after = after_, s = std::move(s)]() {
        if (!*alive) return;
        done(s);
        if (after) after();
      });
    };
    if (!made.ok()) return finish(io_failure(fmt::format("cannot create {}: {}", txn_state_topic_name, made.message)));
    int32_t partition = group::offsets_partition_for(id, partitions_);
    auto log = topics_.partition(txn_state_topic_name, partition);
    if (!log) return finish(io_failure(fmt::format("{} has no partition {}", txn_state_topic_name, partition)));
    int64_t now = now_ms();
    record::batch_builder builder(record::batch_options{});
    std::optional<std::span<const uint8_t>> v;
    if (value) v = std::span<const uint8_t>(*value);
    if (auto s = builder.append(now, std::span<const uint8_t>(key), v); !s) return finish(s.err());
    auto batch = builder.build();
    if (!batch) return finish(batch.err());
    auto appended = log->append(*batch, now);
    if (!appended) return finish(appended.err());
    auto work = asio::make_work_guard(io_);
    log->flush_async(appended->last_offset + 1, [work, finish = std::move(finish)](status s) mutable {
      finish(std::move(s));
    });
  }

  asio::io_context& io_;
  topic_registry& topics_;
  internal_topic topic_;
  std::function<void()> after_;
  std::shared_ptr<bool> alive_;
  int32_t partitions_;
};

// txn::marker_writer: a COMMIT/ABORT control batch appended to each
// partition of the transaction (the storage layer tracks transactions from
// the batches it appends), parked read_committed fetches woken, every
// partition flushed; then the group coordinator learns of the markers on
// __consumer_offsets partitions, and the coordinator moves on.
class txn_service::markers final : public txn::marker_writer {
 public:
  markers(asio::io_context& io, topic_registry& topics, fetch_waiters& waiters, group_service& groups,
          std::function<void()> after)
      : io_(io),
        topics_(topics),
        waiters_(waiters),
        groups_(groups),
        after_(std::move(after)),
        alive_(std::make_shared<bool>(true)) {}
  ~markers() override { *alive_ = false; }

  void write_markers(int64_t producer_id, int16_t producer_epoch, bool commit,
                     const std::vector<txn::topic_partition>& partitions,
                     std::function<void(status)> done) override {
#ifdef SAMSA_TEST_HOOKS
    // Test builds: SAMSA_TEST_TXN_HOLD_MARKERS=<path> holds every marker
    // write while that file exists (at most a minute), so a wire test can
    // observe a transaction that is completing.
    static const char* hold = std::getenv("SAMSA_TEST_TXN_HOLD_MARKERS");
    if (hold && ::access(hold, F_OK) == 0 && held_ms_ < 60000) {
      held_ms_ += 10;
      auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(10));
      timer->async_wait([this, timer, alive = alive_, producer_id, producer_epoch, commit, partitions,
                         done = std::move(done)](const boost::system::error_code&) mutable {
        if (*alive) write_markers(producer_id, producer_epoch, commit, partitions, std::move(done));
      });
      return;
    }
    held_ms_ = 0;
#endif
    struct progress {
      size_t outstanding = 1;  // one for the loop below, released after it
      status outcome;  // the first failure, or success
      std::vector<int32_t> offsets_partitions;
      std::function<void(status)> done;
    };
    auto state = std::make_shared<progress>();
    state->done = std::move(done);
    auto settle = [this, state, producer_id, commit, alive = alive_]() {
      if (!*alive || --state->outstanding > 0) return;
      if (state->outcome) {
        for (int32_t p : state->offsets_partitions) groups_.on_transaction_marker(p, producer_id, commit);
      }
      state->done(state->outcome);
      if (after_) after_();
    };
    int64_t now = now_ms();
    for (const auto& tp : partitions) {
      auto log = topics_.partition(tp.topic, tp.partition);
      if (!log) {
        // Deleted since it joined the transaction: nothing left to mark (as Kafka).
        spdlog::info("transaction marker for {}-{} skipped: the partition no longer exists", tp.topic, tp.partition);
        continue;
      }
      record::end_txn_options opts;
      opts.producer_id = producer_id;
      opts.producer_epoch = producer_epoch;
      opts.commit = commit;
      opts.timestamp = now;
      auto batch = record::build_end_txn_batch(opts);
      if (!batch) {
        state->outcome = batch.err();
        break;
      }
      auto appended = log->append(*batch, now);
      if (!appended) {
        state->outcome = error(appended.err().code, fmt::format("writing a transaction marker to {}-{}: {}", tp.topic,
                                                                tp.partition, appended.err().message));
        break;
      }
      waiters_.notify(log.get());
      if (tp.topic == offsets_topic_name) state->offsets_partitions.push_back(tp.partition);
      ++state->outstanding;
      auto work = asio::make_work_guard(io_);
      log->flush_async(appended->last_offset + 1, [this, work, state, settle, alive = alive_](status s) {
        asio::post(io_, [state, settle, s = std::move(s), alive]() {
          if (!*alive) return;
          if (!s && state->outcome) state->outcome = s;
          settle();
        });
      });
    }
    asio::post(io_, settle);  // always answer asynchronously, as a completion
  }

 private:
  asio::io_context& io_;
  topic_registry& topics_;
  fetch_waiters& waiters_;
  group_service& groups_;
  std::function<void()> after_;
  std::shared_ptr<bool> alive_;
  int64_t held_ms_ = 0;  // SAMSA_TEST_TXN_HOLD_MARKERS (test builds)
};

txn_service::txn_service(asio::io_context& io, topic_registry& topics, fetch_waiters& waiters, group_service& groups,
                         std::function<result<int64_t>()> new_producer_id, txn_settings settings)
    : io_(io),
      topics_(topics),
      groups_(groups),
      settings_(settings),
      log_(std::make_unique<state_log>(io, topics, settings.state_log_num_partitions, [this] { rearm(); })),
      markers_(std::make_unique<markers>(io, topics, waiters, groups, [this] { rearm(); })),
      new_producer_id_(std::move(new_producer_id)),
      timer_(io) {}

txn_service::~txn_service() { stop(); }

void txn_service::set_workers(worker_pool* workers) { log_->topic().set_workers(workers); }

int64_t txn_service::now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

status txn_service::start() {
  const topic_entry* topic = topics_.find(txn_state_topic_name);
  // Ids map to partitions by this count, which must be the topic's real one once it exists.
  int32_t partitions = topic ? static_cast<int32_t>(topic->partitions.size()) : settings_.state_log_num_partitions;
  log_->set_partitions(partitions);
  txn::coordinator_config config;
  config.max_timeout_ms = settings_.max_timeout_ms;
  config.id_expiration_ms = settings_.id_expiration_ms;
  config.max_ids = settings_.max_ids;
  config.max_partition_bytes = settings_.max_partition_bytes;
  coordinator_ = std::make_unique<txn::coordinator>(config, *log_, *markers_, new_producer_id_);
  coordinator_->set_crash_hook(crash_hook_from_environment());
  if (topic) {
    if (auto s = replay(partitions); !s) return s;
  }
  coordinator_->finish_loading(now_ms());
  groups_.set_txn_offset_verifier([this](const std::string& id, int64_t pid, int16_t epoch,
                                         const std::string& group, int16_t version) {
    return verify_txn_offsets(id, pid, epoch, group, version);
  });
  rearm();
  return {};
}

// TxnOffsetCommit v0-4: the group's __consumer_offsets partition must be in
// the producer's ongoing transaction (AddOffsetsToTxn). v5 (transactions v2)
// adds it implicitly: when that needs a state write, the commit goes ahead
// while the write is in flight, and an EndTxn arriving meanwhile answers
// CONCURRENT_TRANSACTIONS until it is durable, so the marker still covers
// the offsets. Answers suit the version (group_service.h): PRODUCER_FENCED
// as INVALID_PRODUCER_EPOCH, TRANSACTION_ABORTABLE as INVALID_TXN_STATE
// before v4, and a transaction that is completing as
// COORDINATOR_LOAD_IN_PROGRESS, which every client retries.
int16_t txn_service::verify_txn_offsets(const std::string& transactional_id, int64_t producer_id,
                                        int16_t producer_epoch, const std::string& group_id, int16_t api_version) {
  constexpr int16_t implicit_add_from = 5;
  constexpr int16_t transaction_abortable_from = 4;
  const topic_entry* offsets = topics_.find(offsets_topic_name);
  int32_t partitions = offsets ? static_cast<int32_t>(offsets->partitions.size())
                               : settings_.offsets_topic_num_partitions;
  txn::topic_partition tp{offsets_topic_name, group::offsets_partition_for(group_id, partitions)};
  txn::op_result verdict;
  if (api_version >= implicit_add_from) {
    auto answered = std::make_shared<std::optional<txn::op_result>>();
    coordinator_->add_partitions(transactional_id, producer_id, producer_epoch, {tp}, now_ms(),
                                 [answered, transactional_id](txn::op_result r) {
                                   if (!r.message.empty() && r.error != kafka::error_code::none) {
                                     spdlog::debug("TxnOffsetCommit v5: adding the group to '{}' failed: {}",
                                                  transactional_id, r.message);
                                   }
                                   *answered = std::move(r);
                                 },
                                 2);
    rearm();
    if (*answered) verdict = **answered;  // decided at once (else: the write is in flight)
  } else {
    verdict = coordinator_->verify_transaction(transactional_id, producer_id, producer_epoch, tp);
  }
  switch (verdict.error) {
    case kafka::error_code::producer_fenced:
      return kafka::to_int(kafka::error_code::invalid_producer_epoch);
    case kafka::error_code::transaction_abortable:
      return kafka::to_int(api_version >= transaction_abortable_from ? kafka::error_code::transaction_abortable
                                                                     : kafka::error_code::invalid_txn_state);
    case kafka::error_code::concurrent_transactions:
      return kafka::to_int(kafka::error_code::coordinator_load_in_progress);
    default:
      return kafka::to_int(verdict.error);
  }
}

status txn_service::replay(int32_t partitions) {
  auto started = std::chrono::steady_clock::now();
  size_t loaded = 0;
  size_t bad = 0;
  for (int32_t p = 0; p < partitions; ++p) {
    auto log = topics_.partition(txn_state_topic_name, p);
    if (!log) continue;
    int64_t end = log->high_watermark();
    int64_t offset = log->log_start_offset();
    while (offset < end) {
      auto chunk = log->read_copy(offset, txn_replay_chunk_bytes, end);
      if (!chunk) {
        return error(chunk.err().code, fmt::format("replaying {}-{} at offset {}: {}", txn_state_topic_name, p,
                                                   offset, chunk.err().message));
      }
      if (chunk->bytes.empty() || chunk->next_offset <= offset) break;
      auto batches = record::split_batches(chunk->bytes, record::split_mode::lenient);
      if (!batches) {
        return error(batches.err().code, fmt::format("replaying {}-{} at offset {}: {}", txn_state_topic_name, p,
                                                     offset, batches.err().message));
      }
      for (const auto& b : *batches) {
        if (b.header.is_control()) continue;
        auto records = record::decode_records(b.bytes);
        if (!records) {
          spdlog::warn("skipping a bad batch of {}-{}: {}", txn_state_topic_name, p, records.err().describe());
          ++bad;
          continue;
        }
        for (const auto& r : *records) {
          if (!r.key) continue;
          std::optional<std::span<const uint8_t>> value;
          if (r.value) value = std::span<const uint8_t>(*r.value);
          if (auto s = coordinator_->load_record(*r.key, value); !s) {
            spdlog::warn("skipping a record of {}-{}: {}", txn_state_topic_name, p, s.err().message);
            ++bad;
          } else {
            ++loaded;
          }
        }
      }
      offset = chunk->next_offset;
    }
  }
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  spdlog::info("loaded {} transaction record(s) from {} in {} ms ({} skipped); {} transactional id(s)", loaded,
               txn_state_topic_name, took.count(), bad, coordinator_->size());
  return {};
}

void txn_service::rearm() {
  if (stopped_ || !coordinator_) return;
  int64_t deadline = coordinator_->next_deadline();
  if (deadline == armed_for_) return;
  armed_for_ = deadline;
  if (deadline == txn::no_deadline) {
    timer_.cancel();
    return;
  }
  int64_t wait = std::max<int64_t>(0, deadline - now_ms());
  timer_.expires_after(std::chrono::milliseconds(wait));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    armed_for_ = txn::no_deadline;
    coordinator_->tick(now_ms());
    rearm();
  });
}

void txn_service::stop() {
  stopped_ = true;
  timer_.cancel();
}

std::vector<txn::transaction_view> txn_service::list() const {
  return coordinator_ ? coordinator_->list() : std::vector<txn::transaction_view>{};
}

std::optional<txn::transaction_view> txn_service::describe(const std::string& transactional_id) const {
  return coordinator_ ? coordinator_->describe(transactional_id) : std::nullopt;
}

}  // namespace samsa::broker
