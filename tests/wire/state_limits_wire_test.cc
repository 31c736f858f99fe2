// Bounds on the state a client can make the broker keep, against a real
// `samsa serve` process with each bound set low: the producer table of a
// partition (max.producer.ids.per.partition) and of all together
// (max.producer.ids), transactional ids
// (transactional.id.max.count, 1 KiB names), client quota entities
// (client.quota.max.entities, 1 KiB names) and SCRAM users
// (scram.max.users). Each test hits its bound, checks the exact error, that
// what is already there keeps working, that freeing a slot (eviction,
// expiry, removal) makes room again, and what a restart keeps.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "broker_process.h"
#include "restartable_broker_test.h"
#include "protocol/error_code.h"
#include "record/batch_builder.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using protocol::error_code;
using protocol::to_int;

struct producer {
  int64_t id = -1;
  int16_t epoch = -1;
};

class StateLimits : public restartable_broker_test {
 protected:
  // InitProducerId v4: an idempotent producer (no transactional id), or a
  // transactional one; retried while an earlier producer's abort completes.
  protocol::init_producer_id_response_data init_raw(std::optional<std::string> transactional_id) {
    protocol::init_producer_id_request_data req;
    req.transactional_id = std::move(transactional_id);
    req.transaction_timeout_ms = 60000;
    req.producer_id = -1;
    req.producer_epoch = -1;
    for (int attempt = 0;; ++attempt) {
      auto r = client_->call<protocol::init_producer_id_response_data>(req, 4);
      if (r.error_code != to_int(error_code::concurrent_transactions) || attempt == 100) return r;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  producer init(std::optional<std::string> transactional_id = std::nullopt) {
    auto r = init_raw(transactional_id);
    EXPECT_EQ(r.error_code, 0) << "InitProducerId " << transactional_id.value_or("(idempotent)");
    return {r.producer_id, r.producer_epoch};
  }

  std::vector<uint8_t> batch(producer p, int32_t sequence, bool transactional, const std::string& value = "v") {
    record::batch_options options;
    options.producer_id = p.id;
    options.producer_epoch = p.epoch;
    options.base_sequence = sequence;
    options.transactional = transactional;
    record::batch_builder builder(options);
    std::vector<uint8_t> bytes(value.begin(), value.end());
    EXPECT_TRUE(builder.append(base_timestamp, std::nullopt, std::span<const uint8_t>(bytes)).ok());
    return std::move(builder.build()).value();
  }
  // Produce v9 (it carries error messages) of one record.
  auto produce(const std::string& topic, int32_t partition, producer p, int32_t sequence, bool transactional = false) {
    return produce_batch(*client_, 9, topic, partition, batch(p, sequence, transactional));
  }

  // The producer ids DescribeProducers lists for one partition.
  std::set<int64_t> producers_of(const std::string& topic, int32_t partition) {
    protocol::describe_producers_request_data req;
    req.topics.push_back({});
    req.topics[0].name = topic;
    req.topics[0].partition_indexes = {partition};
    auto resp = client_->call<protocol::describe_producers_response_data>(req, 0);
    std::set<int64_t> out;
    const auto& p = resp.topics.at(0).partitions.at(0);
    EXPECT_EQ(p.error_code, 0);
    for (const auto& a : p.active_producers) out.insert(a.producer_id);
    return out;
  }

  int16_t add_partition(const std::string& id, producer p, const std::string& topic, int32_t partition) {
    return add_partitions(id, p, topic, {partition});
  }
  // AddPartitionsToTxn v3; the answer of the first partition, after
  // checking that every partition got the same one.
  int16_t add_partitions(const std::string& id, producer p, const std::string& topic, std::vector<int32_t> partitions) {
    protocol::add_partitions_to_txn_request_data req;
    req.v3_and_below_transactional_id = id;
    req.v3_and_below_producer_id = p.id;
    req.v3_and_below_producer_epoch = p.epoch;
    auto& t = req.v3_and_below_topics.emplace_back();
    t.name = topic;
    t.partitions = std::move(partitions);
    auto resp = client_->call<protocol::add_partitions_to_txn_response_data>(req, 3);
    const auto& results = resp.results_by_topic_v3_and_below.at(0).results_by_partition;
    for (const auto& r : results) EXPECT_EQ(r.partition_error_code, results.at(0).partition_error_code);
    return results.at(0).partition_error_code;
  }
  int16_t end_txn(const std::string& id, producer p, bool commit) {
    protocol::end_txn_request_data req;
    req.transactional_id = id;
    req.producer_id = p.id;
    req.producer_epoch = p.epoch;
    req.committed = commit;
    return client_->call<protocol::end_txn_response_data>(req, 3).error_code;
  }

};

// --- producer table -------------------------------------------------------

TEST_F(StateLimits, FullProducerTableEvictsTheProducerWrittenLongestAgo) {
  start({{"max.producer.ids.per.partition", "5"}});
  ASSERT_EQ(create_topic(*client_, "p", 2), 0);
  std::vector<producer> ps;
  for (int i = 0; i < 7; ++i) ps.push_back(init());
  for (int i = 0; i < 5; ++i) ASSERT_EQ(produce("p", 0, ps[i], 0).error_code, 0) << i;
  EXPECT_EQ(producers_of("p", 0).size(), 5u);
  // A sixth producer takes the place of the first (written longest ago).
  ASSERT_EQ(produce("p", 0, ps[5], 0).error_code, 0);
  auto known = producers_of("p", 0);
  EXPECT_EQ(known.size(), 5u);
  EXPECT_FALSE(known.contains(ps[0].id));
  // The evicted producer comes back as after producer.id.expiration.ms: its
  // next batch is accepted whatever its sequence, and it evicts the next oldest.
  auto back = produce("p", 0, ps[0], 1);
  EXPECT_EQ(back.error_code, 0) << back.error_message.value_or("");
  known = producers_of("p", 0);
  EXPECT_TRUE(known.contains(ps[0].id));
  EXPECT_FALSE(known.contains(ps[1].id));
  // A known producer keeps its sequence checks: a retry is a duplicate
  // answered with the first offset, a gap is refused.
  auto first = produce("p", 0, ps[4], 1);
  ASSERT_EQ(first.error_code, 0);
  auto retry = produce("p", 0, ps[4], 1);
  EXPECT_EQ(retry.error_code, 0);
  EXPECT_EQ(retry.base_offset, first.base_offset);
  EXPECT_EQ(produce("p", 0, ps[4], 9).error_code, to_int(error_code::out_of_order_sequence_number));
  // Each partition has a table of its own.
  for (int i = 0; i < 5; ++i) ASSERT_EQ(produce("p", 1, ps[i], 0).error_code, 0);
  EXPECT_EQ(producers_of("p", 1).size(), 5u);

  // After a crash the table is rebuilt from the log: the same producers.
  const auto before = producers_of("p", 0);
  restart_after_kill();
  EXPECT_EQ(producers_of("p", 0), before);
  EXPECT_EQ(produce("p", 0, ps[6], 0).error_code, 0);
  EXPECT_EQ(producers_of("p", 0).size(), 5u);
  // And after a clean stop, from the producer snapshot.
  const auto now = producers_of("p", 0);
  client_.reset();
  broker_->stop_gracefully();
  broker_->start();
  connect();
  EXPECT_EQ(producers_of("p", 0), now);
}

// max.producer.ids: the tables of all partitions together. Past it, a table
// holding more than 100 producers (the floor) makes room in itself instead
// of growing, while a table at or below the floor still takes new ones.
TEST_F(StateLimits, BrokerWideProducerBoundStopsTablesPastTheFloorFromGrowing) {
  start({{"max.producer.ids", "150"}});
  ASSERT_EQ(create_topic(*client_, "p", 2), 0);
  std::vector<producer> ps;
  for (int i = 0; i < 320; ++i) ps.push_back(init());
  for (int i = 0; i < 200; ++i) ASSERT_EQ(produce("p", 0, ps[i], 0).error_code, 0) << i;
  auto busy = producers_of("p", 0);
  EXPECT_EQ(busy.size(), 150u) << "the partition stopped growing at the broker-wide bound";
  EXPECT_FALSE(busy.contains(ps[0].id)) << "the producer written longest ago made room";
  EXPECT_TRUE(busy.contains(ps[199].id));
  for (int i = 200; i < 320; ++i) ASSERT_EQ(produce("p", 1, ps[i], 0).error_code, 0) << i;
  EXPECT_EQ(producers_of("p", 1).size(), 100u) << "a quiet partition still takes producers up to the floor";
  // A known producer keeps its sequence checks under the bound.
  auto first = produce("p", 0, ps[199], 1);
  ASSERT_EQ(first.error_code, 0);
  EXPECT_EQ(produce("p", 0, ps[199], 1).base_offset, first.base_offset) << "a retry is a duplicate";

  // Rebuilt from the log after a crash, the tables hold the bound again:
  // each keeps at least the floor, and the one that loads first may take
  // what is left of the 150 (so p0 150 and p1 100, or p1 120 and p0 100).
  restart_after_kill();
  const size_t p0 = producers_of("p", 0).size();
  const size_t p1 = producers_of("p", 1).size();
  std::cout << "after the restart: " << p0 << " and " << p1 << " producers\n";
  EXPECT_GE(p0, 100u);
  EXPECT_LE(p0, 150u);
  EXPECT_GE(p1, 100u);
  EXPECT_LE(p1, 120u);
  EXPECT_LE(p0 + p1, 250u);
}

TEST_F(StateLimits, ProducersWithOpenTransactionsAreKeptAndANewProducerWaits) {
  start({{"max.producer.ids.per.partition", "3"}, {"transaction.max.timeout.ms", "60000"}});
  ASSERT_EQ(create_topic(*client_, "t", 1), 0);
  std::vector<producer> txn;
  for (int i = 0; i < 3; ++i) {
    const std::string id = "tx-" + std::to_string(i);
    txn.push_back(init(id));
    ASSERT_EQ(add_partition(id, txn[i], "t", 0), 0);
    ASSERT_EQ(produce("t", 0, txn[i], 0, true).error_code, 0) << i;
  }
  // Every entry has an open transaction: nothing may be evicted, so a new
  // producer is refused with a retriable error (as Produce answers
  // CONCURRENT_TRANSACTIONS) until one of them ends.
  producer fresh = init();
  auto refused = produce("t", 0, fresh, 0);
  EXPECT_EQ(refused.error_code, to_int(error_code::not_enough_replicas));
  EXPECT_NE(refused.error_message.value_or("").find("max.producer.ids.per.partition"), std::string::npos)
      << refused.error_message.value_or("");
  // The producers already known go on.
  EXPECT_EQ(produce("t", 0, txn[0], 1, true).error_code, 0);
  ASSERT_EQ(end_txn("tx-1", txn[1], true), 0);
  // The marker is written after EndTxn is answered.
  int16_t code = -1;
  for (int i = 0; i < 300 && code != 0; ++i) {
    code = produce("t", 0, fresh, 0).error_code;
    if (code != 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(code, 0);
  auto known = producers_of("t", 0);
  EXPECT_EQ(known, (std::set<int64_t>{txn[0].id, txn[2].id, fresh.id}));
}

// --- transactional ids ------------------------------------------------------

TEST_F(StateLimits, TransactionalIdsAreBoundedInNumberAndLength) {
  start({{"transactional.id.max.count", "5"}});
  // Length: at most 1 KiB (as ACL resource names), refused before anything is kept.
  EXPECT_EQ(init_raw(std::string(1025, 'x')).error_code, to_int(error_code::invalid_request));
  EXPECT_EQ(init_raw(std::string(1024, 'x')).error_code, 0);
  for (int i = 0; i < 4; ++i) init("app-" + std::to_string(i));
  EXPECT_EQ(init_raw("one-too-many").error_code, to_int(error_code::policy_violation));
  // An id already known is not new: its producer goes on (epoch bump).
  producer again = init("app-0");
  EXPECT_EQ(again.epoch, 1);
  // The ids are in __transaction_state: a restart keeps them, and the bound.
  restart_after_kill();
  EXPECT_EQ(init_raw("one-too-many").error_code, to_int(error_code::policy_violation));
  EXPECT_EQ(init("app-1").epoch, 1);
}

TEST_F(StateLimits, AnExpiredTransactionalIdFreesItsSlot) {
  start({{"transactional.id.max.count", "2"}, {"transactional.id.expiration.ms", "1000"}});
  init("a");
  init("b");
  EXPECT_EQ(init_raw("c").error_code, to_int(error_code::policy_violation));
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  EXPECT_EQ(init_raw("c").error_code, 0);
}

// The partitions all transactions hold are bounded in memory
// (transaction.partitions.max.memory.bytes): each counts 48 bytes plus its
// topic's name, and a transaction growing also needs room for the copy of
// its partitions being written.
TEST_F(StateLimits, ThePartitionsOfAllTransactionsAreBoundedInMemory) {
  constexpr int one = 48 + 6;  // a partition of "orders"
  start({{"transaction.partitions.max.memory.bytes", std::to_string(10 * one)}});
  ASSERT_EQ(create_topic(*client_, "orders", 8), 0);
  producer a = init("a");
  producer b = init("b");
  EXPECT_EQ(add_partitions("a", a, "orders", {0, 1, 2, 3, 4, 5}), 0);
  EXPECT_EQ(add_partitions("b", b, "orders", {0, 1, 2, 3, 4}), to_int(error_code::policy_violation));
  EXPECT_EQ(add_partitions("b", b, "orders", {0, 1, 2, 3}), 0) << "exactly at the bound";
  // Records go on to the partitions the transactions hold.
  EXPECT_EQ(produce("orders", 3, b, 0, true).error_code, 0);
  // a's six are freed once its abort completes (markers written), shortly
  // after EndTxn is answered.
  EXPECT_EQ(end_txn("a", a, false), 0);
  int16_t grown = -1;
  for (int attempt = 0; attempt < 200 && grown != 0; ++attempt) {
    grown = add_partitions("b", b, "orders", {4});
    if (grown != 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(grown, 0);
  // The open transaction is replayed from __transaction_state and counts again.
  restart_after_kill();
  producer c = init("c");
  EXPECT_EQ(add_partitions("c", c, "orders", {0, 1, 2, 3, 4, 5}), to_int(error_code::policy_violation));
  EXPECT_EQ(add_partitions("c", c, "orders", {0, 1, 2, 3, 4}), 0);
  EXPECT_EQ(end_txn("b", b, true), 0);
  EXPECT_EQ(end_txn("c", c, true), 0);
}

// --- client quotas ----------------------------------------------------------

using quota_alter = protocol::alter_client_quotas_request_data;

quota_alter::entry_data quota_entry(const std::string& client_id, std::optional<double> rate) {
  quota_alter::entry_data e;
  e.entity.push_back({});
  e.entity[0].entity_type = "client-id";
  e.entity[0].entity_name = client_id;
  e.ops.push_back({});
  e.ops[0].key = "producer_byte_rate";
  e.ops[0].value = rate.value_or(0);
  e.ops[0].remove = !rate;
  return e;
}

TEST_F(StateLimits, ClientQuotaEntitiesAreBoundedInNumberAndNameLength) {
  start({{"client.quota.max.entities", "5"}});
  auto alter = [&](const std::string& client_id, std::optional<double> rate, bool validate_only = false) {
    quota_alter req;
    req.entries.push_back(quota_entry(client_id, rate));
    req.validate_only = validate_only;
    return client_->call<protocol::alter_client_quotas_response_data>(req, 1).entries.at(0);
  };
  auto count = [&] {
    protocol::describe_client_quotas_request_data req;
    req.components.push_back({});
    req.components[0].entity_type = "client-id";
    req.components[0].match_type = 2;  // any named client id
    req.components[0].match = std::nullopt;
    req.strict = false;
    auto resp = client_->call<protocol::describe_client_quotas_response_data>(req, 1);
    EXPECT_EQ(resp.error_code, 0);
    return resp.entries ? resp.entries->size() : 0u;
  };
  const std::string long_name(1025, 'q');
  auto too_long = alter(long_name, 1024);
  EXPECT_EQ(too_long.error_code, to_int(error_code::invalid_request));
  EXPECT_NE(too_long.error_message.value_or("").find("1025"), std::string::npos) << too_long.error_message.value_or("");
  EXPECT_EQ(too_long.error_message.value_or("").find(long_name), std::string::npos) << "the name is not echoed";
  EXPECT_EQ(alter(std::string(1024, 'q'), 1024).error_code, 0);
  for (int i = 0; i < 4; ++i) ASSERT_EQ(alter("c" + std::to_string(i), 1024).error_code, 0);
  EXPECT_EQ(count(), 5u);
  for (bool validate_only : {true, false}) {
    auto refused = alter("c-new", 1024, validate_only);
    EXPECT_EQ(refused.error_code, to_int(error_code::policy_violation));
    EXPECT_NE(refused.error_message.value_or("").find("client.quota.max.entities"), std::string::npos)
        << refused.error_message.value_or("");
  }
  // Changing an entity already there is no new entity.
  EXPECT_EQ(alter("c0", 2048).error_code, 0);
  // Removing its last quota removes the entity and frees its slot.
  EXPECT_EQ(alter("c1", std::nullopt).error_code, 0);
  EXPECT_EQ(count(), 4u);
  EXPECT_EQ(alter("c-new", 1024).error_code, 0);
  // Kept in the metadata log: a restart keeps them and the bound.
  restart_after_kill();
  EXPECT_EQ(count(), 5u);
  EXPECT_EQ(alter("c-newer", 1024).error_code, to_int(error_code::policy_violation));
  EXPECT_EQ(alter("c0", 4096).error_code, 0);
}

// --- SCRAM users ------------------------------------------------------------

using scram_alter = protocol::alter_user_scram_credentials_request_data;
constexpr int8_t sha256 = 1;
constexpr int8_t sha512 = 2;

scram_alter::scram_credential_upsertion upsertion(const std::string& user, int8_t mechanism) {
  scram_alter::scram_credential_upsertion u;
  u.name = user;
  u.mechanism = mechanism;
  u.iterations = 4096;
  u.salt = std::vector<uint8_t>(16, 0x11);
  u.salted_password = std::vector<uint8_t>(mechanism == sha256 ? 32 : 64, 0x5a);
  return u;
}

TEST_F(StateLimits, ScramUsersAreBoundedAndLongNamesAnsweredWithoutEcho) {
  start({{"scram.max.users", "5"}});
  auto alter = [&](std::vector<scram_alter::scram_credential_upsertion> ups,
                   std::vector<scram_alter::scram_credential_deletion> dels = {}) {
    scram_alter req;
    req.upsertions = std::move(ups);
    req.deletions = std::move(dels);
    return client_->call<protocol::alter_user_scram_credentials_response_data>(req, 0).results;
  };
  auto users = [&] {
    protocol::describe_user_scram_credentials_request_data req;
    auto resp = client_->call<protocol::describe_user_scram_credentials_response_data>(req, 0);
    return resp.results.size();
  };
  // A name over 4096 bytes: UNACCEPTABLE_CREDENTIAL, and the message does not repeat it.
  const std::string huge(30000, 'u');
  auto r = alter({upsertion(huge, sha256)});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].error_code, to_int(error_code::unacceptable_credential));
  EXPECT_LT(r[0].error_message.value_or("").size(), 200u) << r[0].error_message.value_or("");
  EXPECT_NE(r[0].error_message.value_or("").find("30000"), std::string::npos) << r[0].error_message.value_or("");

  for (int i = 0; i < 4; ++i) ASSERT_EQ(alter({upsertion("user" + std::to_string(i), sha256)}).at(0).error_code, 0);
  // Two new users with one slot left: the first is stored, the second refused.
  r = alter({upsertion("user4", sha256), upsertion("user5", sha256)});
  ASSERT_EQ(r.size(), 2u);
  for (const auto& x : r) {
    if (x.user == "user4") {
      EXPECT_EQ(x.error_code, 0);
    } else {
      EXPECT_EQ(x.error_code, to_int(error_code::unacceptable_credential));
      EXPECT_NE(x.error_message.value_or("").find("scram.max.users"), std::string::npos)
          << x.error_message.value_or("");
    }
  }
  EXPECT_EQ(users(), 5u);
  // A second mechanism or a new password for a known user is no new user.
  EXPECT_EQ(alter({upsertion("user0", sha512)}).at(0).error_code, 0);
  EXPECT_EQ(alter({upsertion("user1", sha256)}).at(0).error_code, 0);
  // Deleting a user's only credential frees the slot.
  scram_alter::scram_credential_deletion d;
  d.name = "user2";
  d.mechanism = sha256;
  EXPECT_EQ(alter({}, {d}).at(0).error_code, 0);
  EXPECT_EQ(alter({upsertion("user5", sha256)}).at(0).error_code, 0);
  // In the metadata log: a restart keeps the users and the bound.
  restart_after_kill();
  EXPECT_EQ(users(), 5u);
  EXPECT_EQ(alter({upsertion("user6", sha256)}).at(0).error_code, to_int(error_code::unacceptable_credential));
  EXPECT_EQ(alter({upsertion("user3", sha512)}).at(0).error_code, 0);
}

}  // namespace
}  // namespace samsa::wire_test
