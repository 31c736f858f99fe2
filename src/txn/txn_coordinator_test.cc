#include "txn/txn_coordinator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <random>

namespace samsa::txn {
namespace {

// __transaction_state in memory: every record kept in order, so a test can
// replay it into a new coordinator as a restart would. Completions run at
// once unless `hold` is set; `fail_next` fails the next write.
struct memory_log final : txn_state_log {
  struct rec {
    std::string id;
    bytes key;
    std::optional<bytes> value;
  };
  std::vector<rec> records;
  bool hold = false;
  bool fail_next = false;
  std::deque<std::function<void()>> held;

  void append(const std::string& id, bytes key, std::optional<bytes> value,
              std::function<void(status)> done) override {
    if (fail_next) {
      fail_next = false;
      done(error(std::make_error_code(std::errc::io_error), "disk full"));
      return;
    }
    records.push_back({id, std::move(key), std::move(value)});
    if (hold) {
      held.push_back([done] { done(status{}); });
    } else {
      done(status{});
    }
  }
  void release() {
    while (!held.empty()) {
      auto f = std::move(held.front());
      held.pop_front();
      f();
    }
  }
  txn_state last_state() const { return decode_txn_value(*records.back().value)->state; }
};

struct marker_call {
  int64_t pid;
  int16_t epoch;
  bool commit;
  std::vector<topic_partition> partitions;
};

struct recording_markers final : marker_writer {
  std::vector<marker_call> calls;
  bool hold = false;
  bool fail = false;
  std::deque<std::function<void()>> held;
  void write_markers(int64_t pid, int16_t epoch, bool commit, const std::vector<topic_partition>& partitions,
                     std::function<void(status)> done) override {
    calls.push_back({pid, epoch, commit, partitions});
    if (fail) return done(error(std::make_error_code(std::errc::io_error), "marker write failed"));
    if (hold) {
      held.push_back([done] { done(status{}); });
    } else {
      done(status{});
    }
  }
  void release() {
    while (!held.empty()) {
      auto f = std::move(held.front());
      held.pop_front();
      f();
    }
  }
};

class TxnCoordinator : public ::testing::Test {
 protected:
  TxnCoordinator() { make(); }

  void make() {
    c_ = std::make_unique<coordinator>(config_, log_, markers_, [this]() -> result<int64_t> { return next_pid_++; });
  }

  init_result init(const std::string& id, int32_t timeout = 60000, int64_t pid = -1, int16_t epoch = -1) {
    init_result out;
    out.error = error_code::unknown_server_error;
    c_->init_producer_id(id, timeout, pid, epoch, now_, [&](init_result r) { out = r; });
    return out;
  }
  error_code add(const std::string& id, const init_result& p, std::vector<topic_partition> parts) {
    error_code out = error_code::unknown_server_error;
    c_->add_partitions(id, p.producer_id, p.producer_epoch, std::move(parts), now_,
                       [&](op_result r) { out = r.error; });
    return out;
  }
  end_result end(const std::string& id, const init_result& p, bool commit, bool tv2 = false) {
    end_result out;
    out.error = error_code::unknown_server_error;
    c_->end_txn(id, p.producer_id, p.producer_epoch, commit, tv2, now_, [&](end_result r) { out = r; });
    return out;
  }
  txn_state state(const std::string& id) { return c_->describe(id)->state; }

  // A restart: a new coordinator replays every record written so far.
  void restart() {
    make();
    for (const auto& r : log_.records) {
      std::optional<std::span<const uint8_t>> v;
      if (r.value) v = std::span<const uint8_t>(*r.value);
      ASSERT_TRUE(c_->load_record(r.key, v).ok());
    }
    c_->finish_loading(now_);
  }

  coordinator_config config_;
  memory_log log_;
  recording_markers markers_;
  int64_t next_pid_ = 1000;
  int64_t now_ = 1'000'000;
  std::unique_ptr<coordinator> c_;
  const topic_partition t0{"orders", 0};
  const topic_partition t1{"orders", 1};
};

TEST_F(TxnCoordinator, NewIdThenEpochBumpPerInit) {
  auto a = init("app");
  ASSERT_EQ(a.error, error_code::none);
  EXPECT_EQ(a.producer_id, 1000);
  EXPECT_EQ(a.producer_epoch, 0);
  EXPECT_EQ(log_.records.size(), 1u);  // durable before answered
  auto b = init("app");
  EXPECT_EQ(b.producer_id, 1000);
  EXPECT_EQ(b.producer_epoch, 1);
  EXPECT_EQ(init("other").producer_id, 1001);
  EXPECT_EQ(state("app"), txn_state::empty);
}

TEST_F(TxnCoordinator, TimeoutOverTheMaximumIsRefused) {
  EXPECT_EQ(init("app", config_.max_timeout_ms + 1).error, error_code::invalid_transaction_timeout);
  EXPECT_EQ(init("app", 0).error, error_code::invalid_transaction_timeout);
  EXPECT_EQ(init("app", config_.max_timeout_ms).error, error_code::none);
  EXPECT_TRUE(log_.records.size() == 1u);
}

TEST_F(TxnCoordinator, CommitWritesPrepareMarkersThenComplete) {
  auto p = init("app");
  ASSERT_EQ(add("app", p, {t1, t0, t0}), error_code::none);
  EXPECT_EQ(state("app"), txn_state::ongoing);
  EXPECT_EQ(c_->describe("app")->start_ms, now_);
  EXPECT_EQ(add("app", p, {t0}), error_code::none);  // already in: no write
  size_t writes = log_.records.size();
  ASSERT_EQ(log_.records.size(), 2u);
  markers_.hold = true;
  auto e = end("app", p, true);
  EXPECT_EQ(e.error, error_code::none);
  EXPECT_EQ(log_.last_state(), txn_state::prepare_commit);
  EXPECT_EQ(writes + 1, log_.records.size());
  ASSERT_EQ(markers_.calls.size(), 1u);
  EXPECT_TRUE(markers_.calls[0].commit);
  EXPECT_EQ(markers_.calls[0].partitions, (std::vector<topic_partition>{t0, t1}));
  EXPECT_EQ(markers_.calls[0].epoch, 0);
  // While the markers are being written the transaction is busy.
  EXPECT_EQ(end("app", p, true).error, error_code::concurrent_transactions);
  EXPECT_EQ(end("app", p, false).error, error_code::invalid_txn_state);
  EXPECT_EQ(add("app", p, {t0}), error_code::concurrent_transactions);
  EXPECT_EQ(init("app").error, error_code::concurrent_transactions);
  EXPECT_EQ(c_->verify_partition(p.producer_id, 0, t0).error, error_code::concurrent_transactions);
  markers_.release();
  EXPECT_EQ(state("app"), txn_state::complete_commit);
  EXPECT_EQ(log_.last_state(), txn_state::complete_commit);
  EXPECT_TRUE(c_->describe("app")->partitions.empty());
  // A retried commit is answered as done; an abort now is out of place.
  EXPECT_EQ(end("app", p, true).error, error_code::none);
  EXPECT_EQ(end("app", p, false).error, error_code::invalid_txn_state);
}

TEST_F(TxnCoordinator, ErrorsForWrongIdsEpochsAndStates) {
  auto p = init("app");
  EXPECT_EQ(end("app", p, true).error, error_code::invalid_txn_state);  // nothing open
  init_result stranger{error_code::none, 99, 0, ""};
  EXPECT_EQ(add("nobody", p, {t0}), error_code::invalid_producer_id_mapping);
  EXPECT_EQ(end("nobody", p, true).error, error_code::invalid_producer_id_mapping);
  EXPECT_EQ(add("app", stranger, {t0}), error_code::invalid_producer_id_mapping);
  init_result old = p;
  old.producer_epoch = 5;
  EXPECT_EQ(add("app", old, {t0}), error_code::producer_fenced);
  EXPECT_EQ(end("app", old, true).error, error_code::producer_fenced);
  ASSERT_EQ(add("app", p, {t0}), error_code::none);
  EXPECT_EQ(c_->verify_partition(p.producer_id, 0, t0).error, error_code::none);
  EXPECT_EQ(c_->verify_partition(p.producer_id, 0, t1).error, error_code::transaction_abortable);
  EXPECT_EQ(c_->verify_partition(p.producer_id, 1, t0).error, error_code::invalid_producer_epoch);
  EXPECT_EQ(c_->verify_partition(12345, 0, t0).error, error_code::invalid_txn_state);
}

TEST_F(TxnCoordinator, VerificationByTransactionalId) {
  auto p = init("app");
  const topic_partition offsets{"__consumer_offsets", 7};
  EXPECT_EQ(c_->verify_transaction("nobody", p.producer_id, 0, offsets).error, error_code::invalid_producer_id_mapping);
  EXPECT_EQ(c_->verify_transaction("app", p.producer_id + 1, 0, offsets).error,
            error_code::invalid_producer_id_mapping);
  EXPECT_EQ(c_->verify_transaction("app", p.producer_id, 3, offsets).error, error_code::producer_fenced);
  EXPECT_EQ(c_->verify_transaction("app", p.producer_id, 0, offsets).error, error_code::transaction_abortable);
  ASSERT_EQ(add("app", p, {offsets}), error_code::none);
  EXPECT_EQ(c_->verify_transaction("app", p.producer_id, 0, offsets).error, error_code::none);
  markers_.hold = true;
  ASSERT_EQ(end("app", p, true).error, error_code::none);
  EXPECT_EQ(c_->verify_transaction("app", p.producer_id, 0, offsets).error, error_code::concurrent_transactions);
  markers_.release();
  EXPECT_EQ(c_->verify_transaction("app", p.producer_id, 0, offsets).error, error_code::transaction_abortable);
}

TEST_F(TxnCoordinator, NewProducerFencesAndAbortsTheOpenTransaction) {
  auto first = init("app");
  ASSERT_EQ(add("app", first, {t0}), error_code::none);
  auto second = init("app");
  EXPECT_EQ(second.error, error_code::concurrent_transactions);
  ASSERT_EQ(markers_.calls.size(), 1u);
  EXPECT_FALSE(markers_.calls[0].commit);
  EXPECT_EQ(markers_.calls[0].epoch, 1);  // the abort marker carries the fencing epoch
  EXPECT_EQ(state("app"), txn_state::complete_abort);
  EXPECT_EQ(end("app", first, true).error, error_code::producer_fenced);
  auto retried = init("app");
  ASSERT_EQ(retried.error, error_code::none);
  EXPECT_EQ(retried.producer_id, first.producer_id);
  EXPECT_EQ(retried.producer_epoch, 2);
}

TEST_F(TxnCoordinator, Kip360ExpectedEpochMustMatch) {
  auto p = init("app");
  EXPECT_EQ(init("app", 60000, p.producer_id, 7).error, error_code::producer_fenced);
  auto bumped = init("app", 60000, p.producer_id, p.producer_epoch);
  ASSERT_EQ(bumped.error, error_code::none);
  EXPECT_EQ(bumped.producer_epoch, 1);
  // The same request again (its answer was lost): the same answer, no new bump.
  auto again = init("app", 60000, p.producer_id, p.producer_epoch);
  EXPECT_EQ(again.error, error_code::none);
  EXPECT_EQ(again.producer_epoch, 1);
}

TEST_F(TxnCoordinator, RestartFinishesPreparedTransactions) {
  auto p = init("app");
  ASSERT_EQ(add("app", p, {t0}), error_code::none);
  markers_.hold = true;
  ASSERT_EQ(end("app", p, true).error, error_code::none);  // PrepareCommit durable, markers "lost" in a crash
  markers_.held.clear();
  markers_.calls.clear();
  markers_.hold = false;
  restart();
  ASSERT_EQ(markers_.calls.size(), 1u);
  EXPECT_TRUE(markers_.calls[0].commit);
  EXPECT_EQ(markers_.calls[0].partitions, std::vector<topic_partition>{t0});
  EXPECT_EQ(state("app"), txn_state::complete_commit);
  // And an ongoing one comes back ongoing, with its partitions.
  auto q = init("app");
  ASSERT_EQ(add("app", q, {t1}), error_code::none);
  restart();
  EXPECT_EQ(state("app"), txn_state::ongoing);
  EXPECT_EQ(c_->verify_partition(q.producer_id, q.producer_epoch, t1).error, error_code::none);
}

TEST_F(TxnCoordinator, FailedMarkersAreRetriedByTheTimer) {
  auto p = init("app");
  ASSERT_EQ(add("app", p, {t0}), error_code::none);
  markers_.fail = true;
  ASSERT_EQ(end("app", p, false).error, error_code::none);
  EXPECT_EQ(state("app"), txn_state::prepare_abort);
  EXPECT_EQ(c_->next_deadline(), now_ + config_.retry_backoff_ms);
  markers_.fail = false;
  c_->tick(now_ + config_.retry_backoff_ms);
  EXPECT_EQ(markers_.calls.size(), 2u);
  EXPECT_EQ(state("app"), txn_state::complete_abort);
}

TEST_F(TxnCoordinator, FailedStateWriteChangesNothing) {
  log_.fail_next = true;
  EXPECT_EQ(init("app").error, error_code::coordinator_not_available);
  EXPECT_FALSE(c_->describe("app"));
  auto p = init("app");
  log_.fail_next = true;
  EXPECT_EQ(add("app", p, {t0}), error_code::coordinator_not_available);
  EXPECT_EQ(state("app"), txn_state::empty);
}

TEST_F(TxnCoordinator, PendingWriteAnswersConcurrentTransactions) {
  auto p = init("app");
  log_.hold = true;
  error_code first = error_code::unknown_server_error;
  c_->add_partitions("app", p.producer_id, 0, {t0}, now_, [&](op_result r) { first = r.error; });
  EXPECT_EQ(add("app", p, {t1}), error_code::concurrent_transactions);
  init_result stale = p;
  stale.producer_epoch = 7;
  EXPECT_EQ(end("app", stale, true).error, error_code::producer_fenced);  // fencing first, as Kafka
  log_.release();
  EXPECT_EQ(first, error_code::none);
}

TEST_F(TxnCoordinator, AbandonedTransactionIsAbortedWithAnEpochBump) {
  auto p = init("app", 5000);
  ASSERT_EQ(add("app", p, {t0}), error_code::none);
  EXPECT_EQ(c_->next_deadline(), now_ + 5000);
  c_->tick(now_ + 4999);
  EXPECT_EQ(state("app"), txn_state::ongoing);
  c_->tick(now_ + 5000);
  EXPECT_EQ(state("app"), txn_state::complete_abort);
  ASSERT_EQ(markers_.calls.size(), 1u);
  EXPECT_FALSE(markers_.calls[0].commit);
  EXPECT_EQ(markers_.calls[0].epoch, 1);
  EXPECT_EQ(end("app", p, true).error, error_code::producer_fenced);
  EXPECT_EQ(c_->verify_partition(p.producer_id, 0, t0).error, error_code::invalid_producer_epoch);
}

TEST_F(TxnCoordinator, Tv2ProducerAbortingAfterATimeoutAbortLearnsTheNewEpoch) {
  auto p = init("app", 5000);
  ASSERT_EQ(add("app", p, {t0}), error_code::none);
  c_->tick(now_ + 5000);
  ASSERT_EQ(state("app"), txn_state::complete_abort);
  // Classic producers are fenced; a KIP-890 producer's abort is answered
  // with the epoch the coordinator moved to, so it carries on.
  EXPECT_EQ(end("app", p, false).error, error_code::producer_fenced);
  auto aborted = end("app", p, false, true);
  EXPECT_EQ(aborted.error, error_code::none);
  EXPECT_EQ(aborted.producer_epoch, 1);
  EXPECT_EQ(end("app", p, true, true).error, error_code::producer_fenced);  // a commit is not what happened
}

TEST_F(TxnCoordinator, IdleIdsExpire) {
  config_.id_expiration_ms = 10000;
  make();
  auto p = init("app");
  ASSERT_EQ(p.error, error_code::none);
  c_->tick(now_ + 9999);
  EXPECT_TRUE(c_->describe("app"));
  c_->tick(now_ + 10000);
  EXPECT_FALSE(c_->describe("app"));
  EXPECT_FALSE(log_.records.back().value);  // a tombstone
  EXPECT_EQ(c_->verify_partition(p.producer_id, 0, t0).error, error_code::invalid_txn_state);
  restart();
  EXPECT_FALSE(c_->describe("app"));
}

TEST_F(TxnCoordinator, Tv2EndBumpsTheEpochAndAnswersIt) {
  auto p = init("app");
  error_code added = error_code::unknown_server_error;
  c_->add_partition_implicitly(p.producer_id, 0, t0, now_, [&](op_result r) { added = r.error; });
  ASSERT_EQ(added, error_code::none);
  auto e = end("app", p, true, true);
  ASSERT_EQ(e.error, error_code::none);
  EXPECT_EQ(e.producer_id, p.producer_id);
  EXPECT_EQ(e.producer_epoch, 1);
  EXPECT_EQ(markers_.calls.at(0).epoch, 1);  // markers at the new epoch
  // A retry with the old epoch gets the same answer.
  auto retry = end("app", p, true, true);
  EXPECT_EQ(retry.error, error_code::none);
  EXPECT_EQ(retry.producer_epoch, 1);
  // Abort of an empty transaction moves the epoch on too.
  init_result now{error_code::none, e.producer_id, e.producer_epoch, ""};
  auto aborted = end("app", now, false, true);
  EXPECT_EQ(aborted.error, error_code::none);
  EXPECT_EQ(aborted.producer_epoch, 2);
}

TEST_F(TxnCoordinator, ExhaustedEpochMovesToANewProducerId) {
  auto p = init("app");
  ASSERT_EQ(p.error, error_code::none);
  // Replay a record at the last usable epoch.
  txn_record r;
  r.producer_id = p.producer_id;
  r.producer_epoch = 32766;
  r.timeout_ms = 60000;
  r.state = txn_state::complete_commit;
  r.last_update_ms = now_;
  ASSERT_TRUE(c_->load_record(encode_txn_key("app"), std::span<const uint8_t>(encode_txn_value(r))).ok());
  auto next = init("app");
  ASSERT_EQ(next.error, error_code::none);
  EXPECT_NE(next.producer_id, p.producer_id);
  EXPECT_EQ(next.producer_epoch, 0);
  EXPECT_EQ(c_->verify_partition(p.producer_id, 32766, t0).error, error_code::invalid_txn_state);
}

TEST_F(TxnCoordinator, ListAndDescribe) {
  init("b");
  auto a = init("a");
  add("a", a, {t0});
  auto all = c_->list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].transactional_id, "a");
  EXPECT_EQ(all[0].state, txn_state::ongoing);
  EXPECT_EQ(all[0].partitions, (std::vector<std::pair<std::string, int32_t>>{{"orders", 0}}));
  EXPECT_EQ(all[0].timeout_ms, 60000);
  EXPECT_EQ(all[1].start_ms, -1);
  EXPECT_FALSE(c_->describe("zzz"));
}

// transactional.id.max.count: a new id past the bound is refused before
// anything is written; known ids go on; an expired id frees its place.
TEST_F(TxnCoordinator, NewIdsAreBoundedAndExpiryFreesAPlace) {
  config_.max_ids = 2;
  config_.id_expiration_ms = 10000;
  make();
  ASSERT_EQ(init("a").error, error_code::none);
  ASSERT_EQ(init("b").error, error_code::none);
  const size_t written = log_.records.size();
  auto refused = init("c");
  EXPECT_EQ(refused.error, error_code::policy_violation);
  EXPECT_NE(refused.message.find("transactional.id.max.count"), std::string::npos) << refused.message;
  EXPECT_EQ(log_.records.size(), written);
  EXPECT_EQ(init("a").producer_epoch, 1) << "a known id is not new";
  restart();
  EXPECT_EQ(init("c").error, error_code::policy_violation) << "the ids in the log count after a restart";
  now_ += 5000;
  ASSERT_EQ(init("a").error, error_code::none);  // a stays in use, b goes idle
  c_->tick(now_ + 5000);
  EXPECT_FALSE(c_->describe("b"));
  EXPECT_EQ(init("c").error, error_code::none);
}

TEST_F(TxnCoordinator, NewIdsLongerThanOneKibAreRefused) {
  auto refused = init(std::string(max_new_transactional_id_bytes + 1, 'x'));
  EXPECT_EQ(refused.error, error_code::invalid_request);
  EXPECT_NE(refused.message.find("1025 bytes"), std::string::npos) << refused.message;
  EXPECT_LT(refused.message.size(), 200u) << "the id is not repeated";
  EXPECT_TRUE(log_.records.empty());
  EXPECT_EQ(init(std::string(max_new_transactional_id_bytes, 'x')).error, error_code::none);
}

TEST_F(TxnCoordinator, ThePartitionsOfAllTransactionsAreBoundedAndARefusedAddWritesNothing) {
  const size_t one = partition_cost_bytes + t0.topic.size();
  std::vector<topic_partition> eight;
  for (int32_t p = 0; p < 8; ++p) eight.push_back({"orders", p});
  config_.max_partition_bytes = static_cast<int64_t>(18 * one);
  make();
  auto a = init("a");
  auto b = init("b");
  auto c = init("c");
  ASSERT_EQ(add("a", a, eight), error_code::none);
  ASSERT_EQ(add("b", b, eight), error_code::none);
  EXPECT_EQ(c_->partition_bytes(), 16 * one);

  const size_t written = log_.records.size();
  op_result refused;
  c_->add_partitions("c", c.producer_id, c.producer_epoch, {{"orders", 0}, {"orders", 1}, {"orders", 2}}, now_,
                     [&](op_result r) { refused = r; });
  EXPECT_EQ(refused.error, error_code::policy_violation);
  EXPECT_NE(refused.message.find("transaction.partitions.max.memory.bytes"), std::string::npos) << refused.message;
  EXPECT_EQ(log_.records.size(), written) << "nothing is written for a refused add";
  EXPECT_EQ(state("c"), txn_state::empty);
  EXPECT_EQ(c_->partition_bytes(), 16 * one);
  // A partition the transaction holds already adds nothing, so it passes.
  EXPECT_EQ(add("a", a, {t0}), error_code::none);
  // Growing a transaction needs room for the copy being written as well.
  EXPECT_EQ(add("a", a, {{"orders", 8}}), error_code::policy_violation);
  EXPECT_EQ(add("c", c, {t0, t1}), error_code::none) << "exactly at the bound";
  EXPECT_EQ(c_->partition_bytes(), 18 * one);

  // Ending a transaction frees its partitions.
  ASSERT_EQ(end("a", a, true).error, error_code::none);
  EXPECT_EQ(c_->partition_bytes(), 10 * one);
  EXPECT_EQ(add("c", c, {{"orders", 2}}), error_code::none);
  EXPECT_EQ(c_->partition_bytes(), 11 * one);

  // The log's transactions count after a restart, even past a lowered bound,
  // and new partitions then wait for room.
  config_.max_partition_bytes = static_cast<int64_t>(one);
  restart();
  EXPECT_EQ(c_->partition_bytes(), 11 * one);
  EXPECT_EQ(state("b"), txn_state::ongoing);
  auto c2 = init("c");  // fences c and aborts its transaction
  EXPECT_EQ(c2.error, error_code::concurrent_transactions);
  EXPECT_EQ(c_->partition_bytes(), 8 * one);
  c2 = init("c");
  ASSERT_EQ(c2.error, error_code::none);
  EXPECT_EQ(add("c", c2, {t0}), error_code::policy_violation);
  ASSERT_EQ(end("b", b, false).error, error_code::none);
  EXPECT_EQ(c_->partition_bytes(), 0u);
  EXPECT_EQ(add("c", c2, {t0}), error_code::none);
}

// The coordinator keeps its ids by deadline rather than scanning them all;
// a missed change of an entry would show here as a wrong next deadline or
// as something due that a tick left undone.
TEST_F(TxnCoordinator, TheNextDeadlineIsAlwaysTheEarliestDueOfAnyId) {
  config_.id_expiration_ms = 60000;
  make();
  auto earliest_due = [&] {
    int64_t next = no_deadline;
    for (const auto& v : c_->list()) {
      if (v.state == txn_state::ongoing) next = std::min(next, v.start_ms + v.timeout_ms);
      if (v.state == txn_state::empty || v.state == txn_state::complete_commit ||
          v.state == txn_state::complete_abort) {
        next = std::min(next, v.last_update_ms + config_.id_expiration_ms);
      }
      EXPECT_NE(v.state, txn_state::prepare_commit) << "markers are written at once here";
      EXPECT_NE(v.state, txn_state::prepare_abort) << "markers are written at once here";
    }
    return next;
  };
  std::mt19937 random(11);
  std::map<std::string, init_result> producers;
  auto partition = [&] { return topic_partition{"orders", static_cast<int32_t>(random() % 4)}; };
  for (int step = 0; step < 4000; ++step) {
    const std::string id = "id-" + std::to_string(random() % 40);
    const bool known = producers.contains(id);
    switch (random() % 7) {
      case 0: {
        auto r = init(id, 1000 + static_cast<int32_t>(random() % 20000));
        if (r.error == error_code::none) producers[id] = r;
        break;
      }
      case 1:
        if (known) add(id, producers[id], {partition()});
        break;
      case 2:
        if (known) end(id, producers[id], random() % 2 == 0, random() % 2 == 0);
        break;
      case 3:
        log_.fail_next = true;
        if (known) add(id, producers[id], {partition()});
        log_.fail_next = false;
        break;
      case 4:
        now_ += static_cast<int64_t>(random() % 8000);
        c_->tick(now_);
        ASSERT_GT(c_->next_deadline(), now_) << "step " << step << ": a tick left something due";
        break;
      default:
        now_ += static_cast<int64_t>(random() % 3000);
        break;
    }
    ASSERT_EQ(c_->next_deadline(), earliest_due()) << "step " << step;
  }
  restart();
  EXPECT_EQ(c_->next_deadline(), earliest_due());
}

}  // namespace
}  // namespace samsa::txn
