#include "storage/metadata_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <future>

#include "base/big_endian.h"
#include "storage/batch_ops.h"
#include "storage/errc.h"
#include "storage/memory_file_system.h"

namespace samsa::storage {
namespace {

// Built with += to sidestep a GCC 12 -Wrestrict false positive on "x" + std::string.
std::string label(const char* prefix, int n) {
  std::string s = prefix;
  s += std::to_string(n);
  return s;
}

topic_metadata topic(const std::string& name, int32_t parts, uint8_t id) {
  topic_metadata t;
  t.name = name;
  t.partition_count = parts;
  t.topic_id[0] = id;
  t.configs = {{"retention.ms", "1000"}};
  return t;
}

struct meta : ::testing::Test {
  std::shared_ptr<memory_file_system> fs = std::make_shared<memory_file_system>();
  std::unique_ptr<metadata_store> open(int64_t snapshot_every = 1000) {
    auto r = metadata_store::open({fs, "data/__cluster_metadata", snapshot_every});
    EXPECT_TRUE(r) << r.err().describe();
    return r ? std::move(*r) : nullptr;
  }
};

TEST_F(meta, changes_survive_power_loss) {
  auto m = open();
  std::string cluster = m->cluster_id();
  EXPECT_EQ(cluster.size(), 22u);
  ASSERT_TRUE(m->create_topic(topic("a", 3, 1)));
  ASSERT_TRUE(m->create_topic(topic("b", 1, 2)));
  EXPECT_TRUE(is(m->create_topic(topic("a", 1, 9)).err(), errc::already_exists));
  ASSERT_TRUE(m->set_partition_count("a", 6));
  ASSERT_TRUE(m->set_topic_config("b", {{"cleanup.policy", "compact"}}));
  ASSERT_TRUE(m->delete_topic("a"));
  EXPECT_TRUE(is(m->delete_topic("a").err(), errc::not_found));
  m.reset();
  fs->drop_unsynced();
  auto again = open();
  EXPECT_EQ(again->cluster_id(), cluster);
  EXPECT_FALSE(again->topic("a"));
  auto b = again->topic("b");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->configs.at("cleanup.policy"), "compact");
  EXPECT_EQ(b->topic_id[0], 2);
}

TEST_F(meta, torn_tail_is_cut_and_earlier_records_kept) {
  auto m = open();
  ASSERT_TRUE(m->create_topic(topic("a", 3, 1)));
  ASSERT_TRUE(m->create_topic(topic("b", 3, 2)));
  m.reset();
  auto node = fs->lookup("data/__cluster_metadata/log");
  ASSERT_TRUE(node);
  // Cut inside the last record: topic b was never acknowledged.
  node->data.resize(node->data.size() - 5);
  node->synced = node->data;
  auto again = open();
  EXPECT_TRUE(again->topic("a"));
  EXPECT_FALSE(again->topic("b"));
  ASSERT_TRUE(again->create_topic(topic("b", 2, 3)));
  again.reset();
  EXPECT_EQ(open()->topic("b")->partition_count, 2);
}

TEST_F(meta, every_crash_point_leaves_whole_topics) {
  // Build a reference log, remembering where each record ends, then reopen
  // every prefix of it: each topic whose record is wholly inside the prefix
  // is there with its configs, every other one is absent.
  std::vector<size_t> ends;
  {
    auto m = open();
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(m->create_topic(topic(label("t", i), i + 1, uint8_t(i))));
      ends.push_back(fs->lookup("data/__cluster_metadata/log")->data.size());
    }
  }
  auto full = fs->lookup("data/__cluster_metadata/log")->data;
  for (size_t cut = 0; cut <= full.size(); cut += 7) {
    auto node = fs->lookup("data/__cluster_metadata/log");
    node->data.assign(full.begin(), full.begin() + static_cast<long>(cut));
    node->synced = node->data;
    auto m = open();
    ASSERT_TRUE(m);
    size_t whole = 0;
    while (whole < ends.size() && ends[whole] <= cut) ++whole;
    EXPECT_EQ(m->topics().size(), whole) << "cut at " << cut;
    for (auto& t : m->topics()) {
      EXPECT_EQ(t.partition_count, std::stoi(t.name.substr(1)) + 1);
      EXPECT_EQ(t.configs.at("retention.ms"), "1000");
    }
  }
}

TEST_F(meta, damage_before_the_tail_refuses_to_open_and_cuts_nothing) {
  size_t second_starts = 0;
  {
    auto m = open();
    ASSERT_TRUE(m->create_topic(topic("a", 1, 1)));
    second_starts = fs->lookup("data/__cluster_metadata/log")->data.size();
    ASSERT_TRUE(m->create_topic(topic("b", 1, 2)));
    ASSERT_TRUE(m->create_topic(topic("c", 1, 3)));
  }
  auto node = fs->lookup("data/__cluster_metadata/log");
  // One flipped bit inside topic b's record (bit rot); c's record is intact.
  node->data[second_starts + 12] ^= 0x10;
  node->synced = node->data;
  auto before = node->data;
  auto r = metadata_store::open({fs, "data/__cluster_metadata", 1000});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), errc::corrupt));
  EXPECT_NE(r.err().message.find("data/__cluster_metadata/log"), std::string::npos) << r.err().message;
  EXPECT_NE(r.err().message.find("byte offset " + std::to_string(second_starts)), std::string::npos)
      << r.err().message;
  EXPECT_EQ(fs->lookup("data/__cluster_metadata/log")->data, before) << "the damaged log must not be cut";
}

TEST_F(meta, zeroed_or_garbage_tail_is_still_a_torn_tail) {
  {
    auto m = open();
    ASSERT_TRUE(m->create_topic(topic("a", 1, 1)));
  }
  auto node = fs->lookup("data/__cluster_metadata/log");
  size_t good = node->data.size();
  // A crash after the file grew but before its pages were written: zeros.
  node->data.resize(good + 300, 0);
  node->synced = node->data;
  auto m = open();
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->topic("a"));
  EXPECT_EQ(fs->lookup("data/__cluster_metadata/log")->data.size(), good);
}

TEST_F(meta, snapshots_fold_the_log) {
  auto m = open(4);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(m->create_topic(topic(label("t", i), 1, uint8_t(i))));
  ASSERT_TRUE(m->delete_topic("t3"));
  EXPECT_LT(m->records_since_snapshot(), 4);
  EXPECT_TRUE(fs->exists("data/__cluster_metadata/snapshot"));
  std::string cluster = m->cluster_id();
  m.reset();
  fs->drop_unsynced();
  auto again = open(4);
  EXPECT_EQ(again->cluster_id(), cluster);
  EXPECT_EQ(again->topics().size(), 9u);
  EXPECT_FALSE(again->topic("t3"));
  // A damaged snapshot is corruption, not a silent loss of topics.
  again.reset();
  fs->lookup("data/__cluster_metadata/snapshot")->data[12] ^= 1;
  auto bad = metadata_store::open({fs, "data/__cluster_metadata", 4});
  ASSERT_FALSE(bad);
  EXPECT_TRUE(is(bad.err(), errc::corrupt));
}

// A record too large to be read back is refused at write time, and the
// store (log and snapshot) still opens with every topic written after it.
TEST_F(meta, oversized_records_are_refused_and_later_topics_survive) {
  auto m = open();
  ASSERT_TRUE(m->create_topic(topic("before", 1, 1)));
  topic_metadata huge = topic("huge", 1, 2);
  huge.configs["leader.replication.throttled.replicas"] = std::string(70u << 20, '*');
  EXPECT_GT(metadata_store::topic_record_size(huge), metadata_store::max_written_record);
  auto refused = m->create_topic(huge);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(is(refused.err(), errc::record_too_large));
  EXPECT_FALSE(m->set_topic_config("before", huge.configs));
  ASSERT_TRUE(m->create_topic(topic("after", 2, 3)));
  m.reset();
  m = open();
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->topic("before"));
  EXPECT_TRUE(m->topic("after"));
  EXPECT_FALSE(m->topic("huge"));
  // The size callers check first is the size of the record written.
  topic_metadata big = topic("big", 1, 4);
  const size_t config_overhead = 4 + 1 + 4;  // two length prefixes and the key "x"
  big.configs["x"] = std::string(
      metadata_store::max_written_record - metadata_store::topic_record_size(big) - config_overhead, 'y');
  EXPECT_EQ(metadata_store::topic_record_size(big), metadata_store::max_written_record);
  EXPECT_TRUE(m->create_topic(big));
  ASSERT_TRUE(m->snapshot());
  m.reset();
  m = open();
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->topic("big"));
  EXPECT_TRUE(m->topic("after"));
}

// SCRAM credentials (record types 7 and 8): stored as salted hashes,
// surviving power loss and snapshots, refused when malformed.
scram_credential_record scram(const std::string& user, int8_t mechanism, uint8_t fill, int32_t iterations = 4096) {
  scram_credential_record c;
  c.user = user;
  c.mechanism = mechanism;
  c.iterations = iterations;
  c.salt = std::vector<uint8_t>(16, fill);
  size_t key = mechanism == 1 ? 32 : 64;
  c.stored_key = std::vector<uint8_t>(key, static_cast<uint8_t>(fill + 1));
  c.server_key = std::vector<uint8_t>(key, static_cast<uint8_t>(fill + 2));
  return c;
}

scram_change upsert(scram_credential_record c) { return {std::move(c), {}, 0}; }
scram_change removal(const std::string& user, int8_t m) { return {std::nullopt, user, m}; }

TEST_F(meta, scram_credentials_survive_power_loss_and_snapshots) {
  auto m = open();
  ASSERT_TRUE(m->alter_scram_credentials({upsert(scram("alice", 1, 1)), upsert(scram("alice", 2, 2)),
                                          upsert(scram("bob", 2, 3, 16384))}));
  ASSERT_TRUE(m->alter_scram_credentials({upsert(scram("alice", 1, 9, 8192)), removal("bob", 2)}));
  m.reset();
  fs->drop_unsynced();
  m = open();
  EXPECT_EQ(m->scram_credential("alice", 1), scram("alice", 1, 9, 8192));
  EXPECT_EQ(m->scram_credential("alice", 2), scram("alice", 2, 2));
  EXPECT_FALSE(m->scram_credential("bob", 2));
  ASSERT_TRUE(m->alter_scram_credentials({upsert(scram("carol", 1, 4))}));
  ASSERT_TRUE(m->snapshot());
  ASSERT_TRUE(m->create_topic(topic("t", 1, 1)));
  m.reset();
  m = open();
  auto all = m->scram_credentials();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0], scram("alice", 1, 9, 8192));
  EXPECT_EQ(all[1], scram("alice", 2, 2));
  EXPECT_EQ(all[2], scram("carol", 1, 4));
  EXPECT_TRUE(m->topic("t"));
}

TEST_F(meta, scram_snapshot_every_n_records_keeps_credentials) {
  auto m = open(3);
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(m->alter_scram_credentials({upsert(scram(label("u", i), 2, 1))}));
  ASSERT_TRUE(m->alter_scram_credentials({removal("u0", 2)}));
  EXPECT_LT(m->records_since_snapshot(), 3);
  m.reset();
  m = open(3);
  EXPECT_EQ(m->scram_credentials().size(), 6u);
  EXPECT_FALSE(m->scram_credential("u0", 2));
  EXPECT_TRUE(m->scram_credential("u6", 2));
}

TEST_F(meta, bad_scram_changes_are_refused_whole) {
  auto m = open();
  ASSERT_TRUE(m->alter_scram_credentials({upsert(scram("alice", 1, 1))}));
  auto wrong_key = scram("bob", 1, 1);
  wrong_key.stored_key.resize(64);
  auto no_salt = scram("bob", 2, 1);
  no_salt.salt.clear();
  for (const auto& bad : {scram("bob", 1, 1, 4095), scram("bob", 1, 1, 16385), scram("bob", 3, 1), scram("", 1, 1),
                          wrong_key, no_salt}) {
    auto s = m->alter_scram_credentials({upsert(scram("carol", 1, 1)), upsert(bad)});
    ASSERT_FALSE(s) << bad.user << " " << int(bad.mechanism) << " " << bad.iterations;
    EXPECT_TRUE(is(s.err(), errc::invalid_argument));
  }
  auto missing = m->alter_scram_credentials({upsert(scram("carol", 1, 1)), removal("alice", 2)});
  ASSERT_FALSE(missing);
  EXPECT_TRUE(is(missing.err(), errc::not_found));
  EXPECT_FALSE(m->scram_credential("carol", 1)) << "nothing of a refused batch is written";
  // A deletion may follow an upsert of the same credential in one batch.
  EXPECT_TRUE(m->alter_scram_credentials({upsert(scram("dave", 2, 1)), removal("dave", 2)}));
  EXPECT_FALSE(m->scram_credential("dave", 2));
  m.reset();
  m = open();
  EXPECT_EQ(m->scram_credentials().size(), 1u);
}

// ACLs (record types 9 and 10).
acl_record acl(const std::string& resource, const std::string& principal, int8_t op = 3) {
  acl_record a;
  a.resource_type = 2;
  a.resource_name = resource;
  a.pattern_type = 3;
  a.principal = principal;
  a.host = "*";
  a.operation = op;
  a.permission = 3;
  return a;
}

TEST_F(meta, acls_survive_restart_and_snapshots) {
  auto m = open();
  ASSERT_TRUE(m->create_acls({acl("orders", "User:alice"), acl("orders", "User:bob"), acl("pay", "User:alice")}));
  ASSERT_TRUE(m->create_acls({acl("orders", "User:alice")}));  // already there: kept once
  ASSERT_TRUE(m->delete_acls({acl("orders", "User:bob"), acl("never", "User:x")}));
  ASSERT_TRUE(m->create_topic(topic("t", 1, 1)));
  auto expected = std::vector<acl_record>{acl("orders", "User:alice"), acl("pay", "User:alice")};
  EXPECT_EQ(m->acls(), expected);
  m.reset();
  m = open();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->acls(), expected);
  ASSERT_TRUE(m->snapshot());
  ASSERT_TRUE(m->delete_acls({acl("pay", "User:alice")}));
  ASSERT_TRUE(m->create_acls({acl("new", "User:carol", 4)}));
  m.reset();
  m = open();
  ASSERT_TRUE(m);
  expected = {acl("new", "User:carol", 4), acl("orders", "User:alice")};
  EXPECT_EQ(m->acls(), expected);
  EXPECT_TRUE(m->topic("t"));
  // A snapshot alone (empty log) keeps them too.
  ASSERT_TRUE(m->snapshot());
  m.reset();
  m = open();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->acls(), expected);
}

TEST_F(meta, acl_change_bigger_than_a_record_is_split_and_survives) {
  auto m = open();
  std::vector<acl_record> many;
  const std::string filler(1000, 'p');
  // About 3 KB each: more than 16 MiB together, so at least two records.
  for (int i = 0; i < 6000; ++i) {
    acl_record a = acl(label("topic-", i) + filler, "User:" + filler);
    a.host = filler;
    many.push_back(a);
  }
  int64_t before = m->records_since_snapshot();
  ASSERT_TRUE(m->create_acls(many));
  EXPECT_EQ(m->records_since_snapshot() - before, 2);
  ASSERT_TRUE(m->snapshot());
  ASSERT_TRUE(m->delete_acls({many[0]}));
  m.reset();
  m = open();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->acls().size(), many.size() - 1);
  // One ACL too big for any record is refused and changes nothing.
  auto refused = m->create_acls({acl(std::string(metadata_store::max_written_record, 'x'), "User:a")});
  ASSERT_FALSE(refused);
  EXPECT_TRUE(is(refused.err(), errc::record_too_large));
  EXPECT_EQ(m->acls().size(), many.size() - 1);
}

TEST_F(meta, damaged_acl_record_refuses_to_open) {
  auto m = open();
  ASSERT_TRUE(m->create_acls({acl("orders", "User:alice")}));
  m.reset();
  // Rewrite the last record's count so the payload no longer parses, with a valid CRC.
  auto data = read_whole_file(*fs, "data/__cluster_metadata/log");
  ASSERT_TRUE(data);
  std::vector<uint8_t> bytes = *data;
  size_t last = 0;
  for (size_t pos = 0; pos < bytes.size();) {
    last = pos;
    pos += 9 + big_endian::load_u32(&bytes[pos]);
  }
  ASSERT_EQ(bytes[last + 8], 9);  // create_acl
  big_endian::store_u32(&bytes[last + 9 + 8], 2);  // claims two ACLs, holds one
  big_endian::store_u32(&bytes[last + 4], crc32c(std::span(bytes).subspan(last + 8)));
  ASSERT_TRUE(write_file_atomic(*fs, "data/__cluster_metadata/log", bytes));
  auto r = metadata_store::open({fs, "data/__cluster_metadata", 1000});
  ASSERT_FALSE(r);
  EXPECT_NE(r.err().message.find("create_acl"), std::string::npos) << r.err().message;
}

}  // namespace
}  // namespace samsa::storage

namespace samsa::storage {
namespace {

TEST_F(meta, client_quotas_survive_reopen_and_snapshot) {
  client_quota_entity alice_any{{"user", "alice"}, {"client-id", std::nullopt}};
  client_quota_entity app{{"client-id", "app"}};
  {
    auto m = open();
    ASSERT_TRUE(m->set_client_quotas(alice_any, {{"producer_byte_rate", 1048576}, {"request_percentage", 12.5}}));
    ASSERT_TRUE(m->set_client_quotas(app, {{"consumer_byte_rate", 2048}}));
    ASSERT_TRUE(m->set_client_quotas(app, {}));  // removed
    ASSERT_TRUE(m->snapshot());                   // alice's quotas now live in the snapshot only
    ASSERT_TRUE(m->set_client_quotas(app, {{"producer_byte_rate", 4096}}));
    EXPECT_EQ(m->records_since_snapshot(), 1);
  }
  auto m = open();
  auto q = m->client_quotas();
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[alice_any], (client_quota_values{{"producer_byte_rate", 1048576}, {"request_percentage", 12.5}}));
  EXPECT_EQ(q[app], (client_quota_values{{"producer_byte_rate", 4096}}));
  ASSERT_TRUE(m->set_client_quotas(alice_any, {}));
  m.reset();
  auto again = open();
  EXPECT_EQ(again->client_quotas().size(), 1u);
  EXPECT_FALSE(again->set_client_quotas({}, {{"producer_byte_rate", 1}}));
}

// client.quota.max.entities, checked under the store's lock: a new entity
// past the bound is refused and nothing is written; changing or removing a
// kept one is not; a removal frees a place.
TEST_F(meta, client_quota_entities_are_bounded) {
  auto m = open();
  auto client = [](const std::string& id) { return client_quota_entity{{"client-id", id}}; };
  ASSERT_TRUE(m->set_client_quotas(client("a"), {{"producer_byte_rate", 1}}, 2));
  ASSERT_TRUE(m->set_client_quotas(client("b"), {{"producer_byte_rate", 1}}, 2));
  auto refused = m->set_client_quotas(client("c"), {{"producer_byte_rate", 1}}, 2);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(is(refused.err(), errc::limit_reached));
  EXPECT_EQ(m->client_quota_count(), 2u);
  EXPECT_FALSE(m->client_quota(client("c")));
  EXPECT_TRUE(m->set_client_quotas(client("a"), {{"producer_byte_rate", 2}}, 2));
  EXPECT_TRUE(m->set_client_quotas(client("c"), {}, 2)) << "removing nothing is no new entity";
  ASSERT_TRUE(m->set_client_quotas(client("b"), {}, 2));
  EXPECT_TRUE(m->set_client_quotas(client("c"), {{"producer_byte_rate", 1}}, 2));
  EXPECT_EQ(m->client_quota(client("a")), (client_quota_values{{"producer_byte_rate", 2}}));
  m.reset();
  EXPECT_EQ(open()->client_quota_count(), 2u);
}

// scram.max.users counts users, not credentials: a second mechanism is no
// new user; deleting a user's last credential frees a place, also within
// the same batch.
TEST_F(meta, scram_users_are_bounded) {
  auto m = open();
  ASSERT_TRUE(m->alter_scram_credentials({upsert(scram("alice", 1, 1)), upsert(scram("bob", 1, 1))}, 2));
  EXPECT_EQ(m->scram_user_count(), 2u);
  EXPECT_TRUE(m->alter_scram_credentials({upsert(scram("alice", 2, 1))}, 2));
  EXPECT_EQ(m->scram_user_count(), 2u);
  auto refused = m->alter_scram_credentials({upsert(scram("bob", 2, 1)), upsert(scram("carol", 1, 1))}, 2);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(is(refused.err(), errc::limit_reached));
  EXPECT_FALSE(m->scram_credential("bob", 2)) << "refused whole";
  EXPECT_TRUE(m->alter_scram_credentials({removal("bob", 1), upsert(scram("carol", 1, 1))}, 2));
  EXPECT_TRUE(m->has_scram_user("carol"));
  EXPECT_FALSE(m->has_scram_user("bob"));
  m.reset();
  m = open();
  EXPECT_EQ(m->scram_user_count(), 2u);
  EXPECT_TRUE(m->has_scram_user("alice"));
}

// A change in its fdatasync (a slow disk) holds the other changes back but
// no read: a SCRAM login or a Describe* on the handler thread is answered at
// once, from the state as of the last durable change. Each kind of change is
// held in turn, the SCRAM batch too, and its result is seen once it is on disk.
TEST_F(meta, reads_do_not_wait_for_a_change_in_its_sync) {
  auto m = open();
  const client_quota_entity alice{{"user", "alice"}};
  ASSERT_TRUE(m->create_topic(topic("a", 1, 1)));
  ASSERT_TRUE(m->set_client_quotas(alice, {{"producer_byte_rate", 1000}}));
  ASSERT_TRUE(m->alter_scram_credentials({upsert(scram("alice", 1, 7))}));
  ASSERT_TRUE(m->create_acls({acl("t", "User:alice")}));
  auto read_everything = [&] {
    std::string seen;
    for (const auto& t : m->topics()) seen += t.name + ",";
    seen += m->topic("a") ? "a;" : "no a;";
    seen += std::to_string(m->client_quota_count()) + "q ";
    if (auto q = m->client_quota(alice)) seen += std::to_string(static_cast<int64_t>(q->at("producer_byte_rate")));
    m->for_each_client_quota([&](const client_quota_entity&, const client_quota_values&) { seen += "+"; });
    seen += ";" + std::to_string(m->scram_user_count()) + "u " + (m->has_scram_user("bob") ? "bob " : "");
    seen += m->scram_credential("alice", 1) ? "alice;" : "no alice;";
    seen += std::to_string(m->scram_credentials().size()) + "c " + std::to_string(m->acls().size()) + "acl";
    return seen;
  };
  const std::string before = read_everything();
  EXPECT_EQ(before, "a,a;1q 1000+;1u alice;1c 1acl");
  struct held_change {
    const char* what;
    std::function<status()> change;
    std::string after;
  };
  const std::vector<held_change> changes = {
      {"create topic", [&] { return m->create_topic(topic("b", 2, 2)); }, "a,b,a;1q 1000+;1u alice;1c 1acl"},
      {"client quota", [&] { return m->set_client_quotas(alice, {{"producer_byte_rate", 5}}); },
       "a,b,a;1q 5+;1u alice;1c 1acl"},
      {"SCRAM batch",
       [&] { return m->alter_scram_credentials({upsert(scram("bob", 1, 3)), removal("alice", 1)}); },
       "a,b,a;1q 5+;1u bob no alice;1c 1acl"},
      {"ACLs", [&] { return m->create_acls({acl("u", "User:bob")}); }, "a,b,a;1q 5+;1u bob no alice;1c 2acl"},
  };
  std::string durable = before;
  for (const auto& held : changes) {
    SCOPED_TRACE(held.what);
    std::promise<void> in_sync;
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::atomic<bool> first{true};
    fs->set_sync_hook([&](const std::string&) {
      if (!first.exchange(false)) return;
      in_sync.set_value();
      released.wait();
    });
    auto writer = std::async(std::launch::async, held.change);
    in_sync.get_future().wait();
    auto reader = std::async(std::launch::async, read_everything);
    const bool answered = reader.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    release.set_value();
    EXPECT_TRUE(answered) << "a read waited for another change's fdatasync";
    EXPECT_EQ(reader.get(), durable) << "a read saw a change that is not on disk yet";
    ASSERT_TRUE(writer.get());
    fs->set_sync_hook(nullptr);
    durable = read_everything();
    EXPECT_EQ(durable, held.after);
  }
  m.reset();
  EXPECT_EQ(open()->scram_credentials().size(), 1u);
}

}  // namespace
}  // namespace samsa::storage
