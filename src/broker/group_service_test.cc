// group_service is built from what it uses (an io_context, the topic registry
// and its group settings), so it runs here without a broker_state: over
// in-memory storage, with __consumer_offsets created only on first use.
#include "broker/group_service.h"

#include <gtest/gtest.h>

#include <chrono>

#include "broker/broker_config.h"
#include "group/errors.h"
#include "record/control_record.h"
#include "record/split.h"
#include "group/subscription.h"
#include "storage/memory_file_system.h"

namespace samsa::broker {
namespace {

struct GroupService : ::testing::Test {
  boost::asio::io_context io;
  std::shared_ptr<storage::memory_file_system> fs = std::make_shared<storage::memory_file_system>();
  std::unique_ptr<storage::log_manager> logs;
  std::unique_ptr<storage::metadata_store> metadata;
  std::unique_ptr<topic_registry> topics;

  void SetUp() override {
    storage::log_manager::options o;
    o.fs = fs;
    o.data_dir = "data";
    o.background = false;
    auto opened = storage::log_manager::open(std::move(o));
    ASSERT_TRUE(opened) << opened.err().describe();
    logs = std::move(*opened);
    auto store = storage::metadata_store::open({fs, "meta", 1000});
    ASSERT_TRUE(store) << store.err().describe();
    metadata = std::move(*store);
    topics = std::make_unique<topic_registry>(*logs, *metadata, std::map<std::string, std::string>{}, 1000);
  }

  static group_settings settings(int32_t partitions) {
    broker_config config;
    config.offsets_topic_num_partitions = partitions;
    return group_settings_from(config);
  }
};

TEST_F(GroupService, SettingsComeFromTheBrokerConfig) {
  broker_config config;
  config.offsets_topic_num_partitions = 7;
  config.group_min_session_timeout_ms = 1000;
  config.group_max_session_timeout_ms = 2000;
  config.group_initial_rebalance_delay_ms = 30;
  config.offsets_retention_minutes = 2;
  group_settings s = group_settings_from(config);
  EXPECT_EQ(s.offsets_topic_num_partitions, 7);
  EXPECT_EQ(s.min_session_timeout_ms, 1000);
  EXPECT_EQ(s.max_session_timeout_ms, 2000);
  EXPECT_EQ(s.initial_rebalance_delay_ms, 30);
  EXPECT_EQ(s.offsets_retention_ms, 2 * 60 * 1000);
}

TEST_F(GroupService, StartsWithoutCreatingTheOffsetsTopic) {
  group_service groups(io, *topics, settings(3));
  ASSERT_TRUE(groups.start());
  EXPECT_EQ(topics->find(offsets_topic_name), nullptr);
  EXPECT_EQ(groups.coordinator().config().offsets_topic_partitions, 3);
  groups.stop();
}

TEST_F(GroupService, CreatesTheOffsetsTopicOnceWithItsOwnSettings) {
  group_service groups(io, *topics, settings(3));
  ASSERT_TRUE(groups.start());
  ASSERT_TRUE(groups.ensure_offsets_topic().ok());
  const topic_entry* t = topics->find(offsets_topic_name);
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(t->internal);
  EXPECT_EQ(t->partitions.size(), 3u);
  EXPECT_EQ(t->overrides.at("cleanup.policy"), "compact");
  EXPECT_TRUE(groups.ensure_offsets_topic().ok());  // already there: nothing to do
  EXPECT_EQ(topics->find(offsets_topic_name)->id, t->id);
  groups.stop();
}

TEST_F(GroupService, ARestartedServiceUsesTheTopicsRealPartitionCount) {
  {
    group_service earlier(io, *topics, settings(2));
    ASSERT_TRUE(earlier.ensure_offsets_topic().ok());
  }
  group_service groups(io, *topics, settings(50));
  ASSERT_TRUE(groups.start());
  EXPECT_EQ(groups.coordinator().config().offsets_topic_partitions, 2);
  groups.stop();
}

// Runs the io_context until `done` is set (appends answer through it).
void run_until(boost::asio::io_context& io, const bool& done) {
  io.restart();
  for (int i = 0; i < 500 && !done; ++i) io.run_one_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(done);
}

int16_t commit_txn(boost::asio::io_context& io, group_service& groups, const std::string& group, int64_t pid,
                   int64_t offset) {
  group::txn_offset_commit_request r;
  r.transactional_id = "tx";
  r.group_id = group;
  r.producer_id = pid;
  r.producer_epoch = 3;
  r.partitions.push_back({"t", 0, offset, -1, std::nullopt});
  bool done = false;
  int16_t error = -1;
  groups.coordinator().commit_txn_offsets(r, group_service::now_ms(), [&](std::vector<group::partition_error> e) {
    error = e.at(0).error;
    done = true;
  });
  run_until(io, done);
  return error;
}

int64_t fetch_offset(group_service& groups) {
  return groups.coordinator().fetch_offsets("g", std::vector<group::topic_partition>{{"orders", 0}}).partitions.at(0).offset;
}

group::committed_offset fetch(group_service& groups, const std::string& group) {
  return groups.coordinator()
      .fetch_offsets(group, std::vector<group::topic_partition>{{"t", 0}}, /*require_stable=*/true)
      .partitions.at(0);
}

void append_marker(topic_registry& topics, int64_t pid, bool commit) {
  record::end_txn_options o;
  o.producer_id = pid;
  o.producer_epoch = 3;
  o.commit = commit;
  o.timestamp = group_service::now_ms();
  auto batch = record::build_end_txn_batch(o);
  ASSERT_TRUE(batch) << batch.err().describe();
  auto log = topics.partition(offsets_topic_name, 0);
  ASSERT_TRUE(log);
  ASSERT_TRUE(log->append(*batch, o.timestamp));
}

TEST_F(GroupService, TransactionalOffsetsAreTransactionalBatchesDecidedByMarkersAlsoOnReplay) {
  {
    group_service groups(io, *topics, settings(1));
    ASSERT_TRUE(groups.start());
    ASSERT_EQ(commit_txn(io, groups, "committed", 71, 10), group::errc::none);
    ASSERT_EQ(commit_txn(io, groups, "aborted", 72, 20), group::errc::none);
    ASSERT_EQ(commit_txn(io, groups, "undecided", 73, 30), group::errc::none);
    // The batches carry the producer and the transactional bit.
    auto log = topics->partition(offsets_topic_name, 0);
    ASSERT_TRUE(log);
    auto read = log->read_copy(0, 1 << 20, log->high_watermark());
    ASSERT_TRUE(read);
    auto batches = record::split_batches(read->bytes);
    ASSERT_TRUE(batches);
    ASSERT_EQ(batches->size(), 3u);
    EXPECT_TRUE((*batches)[0].header.is_transactional());
    EXPECT_EQ((*batches)[0].header.producer_id, 71);
    EXPECT_EQ((*batches)[0].header.producer_epoch, 3);
    // Markers as the transaction coordinator writes them, then its call.
    append_marker(*topics, 71, true);
    groups.on_transaction_marker(0, 71, true);
    EXPECT_EQ(fetch(groups, "committed").offset, 10);
    append_marker(*topics, 72, false);
    groups.on_transaction_marker(0, 72, false);
    EXPECT_EQ(fetch(groups, "aborted").offset, -1);
    EXPECT_EQ(fetch(groups, "aborted").error, group::errc::none);
    EXPECT_EQ(fetch(groups, "undecided").error, group::errc::unstable_offset_commit);
    groups.stop();
  }
  // A restart replays the log: the markers decide again, the open one stays open.
  group_service again(io, *topics, settings(1));
  ASSERT_TRUE(again.start());
  EXPECT_EQ(fetch(again, "committed").offset, 10);
  EXPECT_EQ(fetch(again, "aborted").offset, -1);
  EXPECT_EQ(fetch(again, "aborted").error, group::errc::none);
  EXPECT_EQ(fetch(again, "undecided").error, group::errc::unstable_offset_commit);
  append_marker(*topics, 73, true);
  again.on_transaction_marker(0, 73, true);
  EXPECT_EQ(fetch(again, "undecided").offset, 30);
  again.stop();
}

TEST_F(GroupService, TxnOffsetVerifierDecidesWhenInstalled) {
  group_service groups(io, *topics, settings(1));
  ASSERT_TRUE(groups.start());
  EXPECT_EQ(groups.verify_txn_offsets("tx", 5, 1, "g", 4), 0);  // none installed: accepted
  std::string seen;
  groups.set_txn_offset_verifier([&](const std::string& txn, int64_t pid, int16_t epoch, const std::string& group,
                                     int16_t version) -> int16_t {
    seen = txn + "/" + std::to_string(pid) + "/" + std::to_string(epoch) + "/" + group + "/v" + std::to_string(version);
    return version >= 4 ? 120 : 48;  // TRANSACTION_ABORTABLE from v4, INVALID_TXN_STATE before
  });
  EXPECT_EQ(groups.verify_txn_offsets("tx", 5, 1, "g", 4), 120);
  EXPECT_EQ(seen, "tx/5/1/g/v4");
  EXPECT_EQ(groups.verify_txn_offsets("tx", 5, 1, "g", 3), 48);
  seen.clear();
  EXPECT_EQ(groups.verify_txn_offsets("tx", 5, 1, "", 4), 0);  // the coordinator answers INVALID_GROUP_ID
  EXPECT_TRUE(seen.empty());
  groups.stop();
}

// --- online migration (KIP-848, group.consumer.migration.policy) -----------

group_settings migration_settings(group::cg_migration_policy policy) {
  broker_config config;
  config.offsets_topic_num_partitions = 1;
  config.group_initial_rebalance_delay_ms = 0;
  config.group_consumer_migration_policy = policy;
  return group_settings_from(config);
}

// A classic member joins, leads and assigns itself every partition of "orders"; returns its member id.
std::string classic_member_joins(boost::asio::io_context& io, group_service& groups, const std::string& type,
                                 const std::string& group_id = "g") {
  group::join_request j;
  j.group_id = group_id;
  j.client_id = "classic";
  j.client_host = "/127.0.0.1";
  j.session_timeout_ms = 10000;
  j.rebalance_timeout_ms = 10000;
  j.protocol_type = type;
  j.protocols = {{"range", group::encode_consumer_subscription({"orders"})}};
  bool done = false;
  group::join_result joined;
  groups.coordinator().join(j, group_service::now_ms(), [&](group::join_result r) {
    joined = r;
    done = true;
  });
  groups.rearm();
  run_until(io, done);
  EXPECT_EQ(joined.error, group::errc::none);
  group::sync_request s;
  s.group_id = group_id;
  s.generation_id = joined.generation_id;
  s.member_id = joined.member_id;
  s.assignments = {{joined.member_id, group::encode_consumer_assignment(0, {{"orders", {0, 1}}})}};
  done = false;
  groups.coordinator().sync(s, group_service::now_ms(), [&](group::sync_result r) {
    EXPECT_EQ(r.error, group::errc::none);
    done = true;
  });
  run_until(io, done);
  return joined.member_id;
}

group::cg_heartbeat_result consumer_heartbeat(boost::asio::io_context& io, group_service& groups, int32_t epoch,
                                              const std::string& group_id = "g") {
  group::cg_heartbeat_request r;
  r.api_version = 1;
  r.group_id = group_id;
  r.member_id = "m1";
  r.member_epoch = epoch;
  r.client_id = "new";
  r.client_host = "/127.0.0.1";
  if (epoch == 0) {
    r.rebalance_timeout_ms = 10000;
    r.subscribed_topic_names = std::vector<std::string>{"orders"};
    r.owned = group::cg_assignment{};
  }
  bool done = false;
  group::cg_heartbeat_result out;
  groups.consumer_group_heartbeat(r, [&](group::cg_heartbeat_result res) {
    out = std::move(res);
    done = true;
  });
  run_until(io, done);
  return out;
}

// After a restart: "g" is a classic group again, `member` alone in it at `generation`.
void expect_classic_alone(group_service& groups, const std::string& member, int32_t generation) {
  EXPECT_FALSE(groups.consumer_groups().has_group("g"));
  const group::group_metadata* g = groups.coordinator().find_group("g");
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(g->size(), 1u);
  EXPECT_EQ(g->members().front()->member_id, member);
  EXPECT_EQ(g->generation_id, generation);
}

TEST_F(GroupService, UpgradeAndDowngradeAreDurableAndKeepTheOffsets) {
  ASSERT_TRUE(topics->create("orders", 2, 1, {}, false).ok());
  std::string classic;
  {
    group_service groups(io, *topics, migration_settings(group::cg_migration_policy::bidirectional));
    ASSERT_TRUE(groups.start());
    classic = classic_member_joins(io, groups, "consumer");
    group::offset_commit_request c;
    c.group_id = "g";
    c.generation_id = 1;
    c.member_id = classic;
    c.partitions.push_back({"orders", 0, 5, -1, std::nullopt});
    bool done = false;
    groups.coordinator().commit_offsets(c, group_service::now_ms(), [&](std::vector<group::partition_error> e) {
      EXPECT_EQ(e.at(0).error, group::errc::none);
      done = true;
    });
    run_until(io, done);
    // A consumer-protocol member joins: the group becomes a consumer group
    // with the classic member in it, at the classic generation + 1.
    auto joined = consumer_heartbeat(io, groups, 0);
    ASSERT_EQ(joined.error, 0) << joined.error_message.value_or("");
    EXPECT_EQ(joined.member_epoch, 2);
    EXPECT_EQ(groups.coordinator().find_group("g")->size(), 0u);
    groups.stop();
  }
  {
    group_service groups(io, *topics, migration_settings(group::cg_migration_policy::bidirectional));
    ASSERT_TRUE(groups.start());
    auto d = groups.consumer_groups().describe({"g"}, groups.consumer_group_topics()).front();
    ASSERT_EQ(d.error, 0);
    ASSERT_EQ(d.members.size(), 2u);
    for (const auto& m : d.members) EXPECT_EQ(m.classic, m.member_id == classic);
    EXPECT_EQ(fetch_offset(groups), 5);
    // The consumer-protocol member leaves: the classic member is alone, the group classic again.
    ASSERT_EQ(consumer_heartbeat(io, groups, -1).error, 0);
    EXPECT_FALSE(groups.consumer_groups().has_group("g"));
    const group::group_metadata* g = groups.coordinator().find_group("g");
    ASSERT_NE(g, nullptr);
    ASSERT_EQ(g->size(), 1u);
    EXPECT_TRUE(g->is(group::group_state::preparing_rebalance));
    groups.stop();
  }
  group_service groups(io, *topics, migration_settings(group::cg_migration_policy::bidirectional));
  ASSERT_TRUE(groups.start());
  expect_classic_alone(groups, classic, 2);  // the consumer group's epoch when it turned classic
  EXPECT_TRUE(groups.coordinator().find_group("g")->is_consumer_group());
  EXPECT_EQ(fetch_offset(groups), 5);
  groups.stop();
}

TEST_F(GroupService, UpgradeRefusalsAnswerGroupIdNotFoundAndLeaveTheClassicGroup) {
  ASSERT_TRUE(topics->create("orders", 2, 1, {}, false).ok());
  for (auto policy : {group::cg_migration_policy::disabled, group::cg_migration_policy::downgrade}) {
    const std::string id = std::string("g-") + group::to_string(policy);
    group_service groups(io, *topics, migration_settings(policy));
    ASSERT_TRUE(groups.start());
    classic_member_joins(io, groups, "consumer", id);
    auto r = consumer_heartbeat(io, groups, 0, id);
    EXPECT_EQ(r.error, group::errc::group_id_not_found);
    EXPECT_EQ(r.error_message,
              "Cannot upgrade classic group " + id + " to consumer group because online upgrade is disabled.");
    EXPECT_FALSE(groups.consumer_groups().has_group(id));
    EXPECT_EQ(groups.coordinator().find_group(id)->size(), 1u);
    // A member that is not joining is simply told the group is not a consumer group.
    EXPECT_EQ(consumer_heartbeat(io, groups, 3, id).error_message, "Group " + id + " is not a consumer group.");
    groups.stop();
  }
}

// A classic group of group.consumer.max.size members: the consumer-protocol
// member that would upgrade it is refused, and the upgrade with it, in memory
// and on disk (a restart finds the classic group, not a consumer group).
TEST_F(GroupService, AJoinRefusedForTheGroupsSizeLeavesTheClassicGroupClassic) {
  ASSERT_TRUE(topics->create("orders", 2, 1, {}, false).ok());
  auto full = migration_settings(group::cg_migration_policy::bidirectional);
  full.consumer_max_size = 1;
  std::string classic;
  {
    group_service groups(io, *topics, full);
    ASSERT_TRUE(groups.start());
    classic = classic_member_joins(io, groups, "consumer");
    auto r = consumer_heartbeat(io, groups, 0);
    EXPECT_EQ(r.error, group::errc::group_max_size_reached) << r.error_message.value_or("");
    EXPECT_FALSE(groups.consumer_groups().has_group("g"));
    const group::group_metadata* g = groups.coordinator().find_group("g");
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->size(), 1u);
    EXPECT_TRUE(g->is(group::group_state::stable));
    EXPECT_EQ(groups.consumer_groups().members_held().members, 0u);
    groups.stop();
  }
  group_service groups(io, *topics, full);
  ASSERT_TRUE(groups.start());
  expect_classic_alone(groups, classic, 1);
  groups.stop();
}

// Every ConsumerGroupHeartbeat reads the consumer groups' view of the
// topics: it is built again when a topic is created, grown or deleted, and
// only then.
TEST_F(GroupService, TheConsumerGroupsViewOfTheTopicsFollowsEveryTopicChange) {
  group_service groups(io, *topics, settings(1));
  ASSERT_TRUE(groups.start());
  ASSERT_TRUE(topics->create("a", 2, 1, {}, false).ok());
  const uint64_t first = groups.consumer_group_topics().version;
  EXPECT_NE(first, 0u);
  EXPECT_EQ(groups.consumer_group_topics().by_name.at("a").partitions, 2);
  EXPECT_EQ(groups.consumer_group_topics().version, first) << "built again with nothing changed";
  ASSERT_TRUE(topics->create("b", 1, 1, {}, false).ok());
  const auto& created = groups.consumer_group_topics();
  EXPECT_GT(created.version, first);
  EXPECT_EQ(created.by_name.count("b"), 1u);
  ASSERT_TRUE(topics->add_partitions("a", 3, false).ok());
  EXPECT_EQ(groups.consumer_group_topics().by_name.at("a").partitions, 3);
  ASSERT_TRUE(topics->remove("b").ok());
  EXPECT_EQ(groups.consumer_group_topics().by_name.count("b"), 0u);
  EXPECT_EQ(groups.consumer_group_topics().by_name.size(), 1u);
  groups.stop();
}

TEST_F(GroupService, AClassicGroupOfAnotherProtocolTypeIsNotUpgraded) {
  ASSERT_TRUE(topics->create("orders", 2, 1, {}, false).ok());
  group_service groups(io, *topics, migration_settings(group::cg_migration_policy::bidirectional));
  ASSERT_TRUE(groups.start());
  classic_member_joins(io, groups, "connect");
  auto r = consumer_heartbeat(io, groups, 0);
  EXPECT_EQ(r.error, group::errc::group_id_not_found);
  EXPECT_EQ(r.error_message,
            "Cannot upgrade classic group g to consumer group because the group does not use the consumer "
            "embedded protocol.");
  groups.stop();
}

TEST_F(GroupService, MigrationPolicyComesFromTheBrokerConfig) {
  EXPECT_EQ(group_settings_from(broker_config{}).consumer_migration_policy, group::cg_migration_policy::bidirectional);
  config_sources sources;
  std::vector<std::string> warnings;
  sources.overrides["group.consumer.migration.policy"] = "Upgrade";
  auto c = resolve_broker_config(sources, warnings);
  ASSERT_TRUE(c) << c.err().describe();
  EXPECT_EQ(group_settings_from(*c).consumer_migration_policy, group::cg_migration_policy::upgrade);
  EXPECT_TRUE(warnings.empty());
  sources.overrides["group.consumer.migration.policy"] = "both";
  auto bad = resolve_broker_config(sources, warnings);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.err().message.find("not a policy"), std::string::npos);
}

// --- empty consumer-protocol groups (removed with the offsets cleanup) ------

// Lets the service's timer run for `ms` (the retention checks among it).
void run_for(boost::asio::io_context& io, int ms) {
  io.restart();
  io.run_for(std::chrono::milliseconds(ms));
}

TEST_F(GroupService, EmptyConsumerGroupsAreRemovedOnceTheyHoldNoOffsets) {
  ASSERT_TRUE(topics->create("orders", 2, 1, {}, false).ok());
  group_settings s = migration_settings(group::cg_migration_policy::bidirectional);
  s.offsets_retention_check_interval_ms = 50;
  {
    group_service groups(io, *topics, s);
    ASSERT_TRUE(groups.start());
    for (const char* id : {"gone", "kept", "busy"}) ASSERT_EQ(consumer_heartbeat(io, groups, 0, id).error, 0) << id;
    // "kept" holds a committed offset (written straight to the classic
    // coordinator, which keeps the offsets of every kind of group), from
    // before its member leaves: a check may run at any time from here on.
    group::offset_commit_request c;
    c.group_id = "kept";
    c.generation_id = -1;
    c.partitions.push_back({"orders", 0, 7, -1, std::nullopt});
    bool done = false;
    groups.coordinator().commit_offsets(c, group_service::now_ms(), [&](std::vector<group::partition_error> e) {
      EXPECT_EQ(e.at(0).error, group::errc::none);
      done = true;
    });
    run_until(io, done);
    for (const char* id : {"gone", "kept"}) ASSERT_EQ(consumer_heartbeat(io, groups, -1, id).error, 0) << id;
    run_for(io, 300);
    EXPECT_FALSE(groups.consumer_groups().has_group("gone")) << "empty, no offsets: removed";
    EXPECT_TRUE(groups.consumer_groups().has_group("kept")) << "its offset keeps it";
    EXPECT_TRUE(groups.consumer_groups().has_group("busy")) << "it has a member";
    groups.stop();
  }
  {
    // The removal was tombstoned: a restart does not bring the group back.
    // Offsets now expire at once, and the group they kept goes at a later check.
    s.offsets_retention_ms = 1;
    group_service groups(io, *topics, s);
    ASSERT_TRUE(groups.start());
    EXPECT_FALSE(groups.consumer_groups().has_group("gone"));
    EXPECT_TRUE(groups.consumer_groups().has_group("kept"));
    run_for(io, 500);
    EXPECT_FALSE(groups.consumer_groups().has_group("kept"));
    EXPECT_EQ(groups.coordinator().find_group("kept"), nullptr);
    // "busy"'s member was not heard from across the restart only for a few
    // hundred milliseconds: its session (45 s) keeps it.
    EXPECT_TRUE(groups.consumer_groups().has_group("busy"));
    groups.stop();
  }
}

}  // namespace
}  // namespace samsa::broker
