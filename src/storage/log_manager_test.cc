#include "storage/log_manager.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "storage/errc.h"
#include "storage/memory_file_system.h"
#include "storage/test_batches.h"

namespace samsa::storage {
namespace {

struct manager : ::testing::Test {
  std::shared_ptr<memory_file_system> fs = std::make_shared<memory_file_system>();
  int64_t clock_ms = 1'000'000;
  int64_t producer_id_expiration_ms = 24LL * 60 * 60 * 1000;

  std::unique_ptr<log_manager> open() {
    log_manager::options o;
    o.fs = fs;
    o.producer_id_expiration_ms = producer_id_expiration_ms;
    o.data_dir = "data";
    o.background = false;
    o.clock = [this] { return clock_ms; };
    auto r = log_manager::open(o);
    EXPECT_TRUE(r) << r.err().describe();
    return r ? std::move(*r) : nullptr;
  }
  static topic_id id(uint8_t v) {
    topic_id t{};
    t[15] = v;
    return t;
  }
};

TEST_F(manager, create_get_reopen_and_remove) {
  auto m = open();
  EXPECT_FALSE(m->recovered_cleanly());
  EXPECT_TRUE(m->fresh_start());  // nothing to recover: logged as a new data directory
  auto p0 = m->create_partition("orders-v2", 0, id(1), {});
  ASSERT_TRUE(p0);
  auto p1 = m->create_partition("orders-v2", 1, id(1), {});
  ASSERT_TRUE(p1);
  EXPECT_EQ(m->get("orders-v2", 0), *p0);
  EXPECT_FALSE(m->get("orders-v2", 2));
  EXPECT_FALSE(m->create_partition("orders-v2", 0, id(2), {}));  // another topic id
  ASSERT_TRUE((*p0)->append(testing::make_filler_batch(2, 10, 1, 1), clock_ms));
  ASSERT_TRUE(m->shutdown());
  m.reset();

  auto again = open();
  EXPECT_TRUE(again->recovered_cleanly());
  EXPECT_FALSE(again->fresh_start());
  auto p = again->get("orders-v2", 0);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->log_end_offset(), 2);
  EXPECT_EQ(p->id(), id(1));
  EXPECT_EQ(again->partitions().size(), 2u);
  // A reader keeps its bytes while the partition is deleted under it.
  auto held = p->read(0, 100, INT64_MAX);
  ASSERT_TRUE(held);
  ASSERT_TRUE(again->remove_topic("orders-v2"));
  EXPECT_FALSE(fs->exists("data/orders-v2-0"));
  EXPECT_FALSE(again->get("orders-v2", 0));
  EXPECT_FALSE(p->append(testing::make_filler_batch(1, 10, 1, 1), 0));
  auto f = std::static_pointer_cast<const file>(held->keepalive);
  std::vector<uint8_t> buf(static_cast<size_t>(held->length));
  EXPECT_EQ(*f->read_at(held->position, buf), buf.size());
  again.reset();
  // Without shutdown() the next start is unclean.
  auto third = open();
  EXPECT_FALSE(third->recovered_cleanly());
  EXPECT_FALSE(third->fresh_start());
  EXPECT_TRUE(third->partitions().empty());
}

// Partitions open on several threads at start: each must come back under its
// own name with its own data, after a clean stop and after a crash.
TEST_F(manager, a_restart_opens_every_partition_of_many_with_its_own_data) {
  auto m = open();
  for (uint8_t t = 1; t <= 3; ++t) {
    for (int32_t p = 0; p < 20; ++p) {
      auto log = m->create_partition("topic-" + std::to_string(t), p, id(t), {});
      ASSERT_TRUE(log);
      ASSERT_TRUE((*log)->append(testing::make_filler_batch(t * 100 + p + 1, 10, 1, 1), clock_ms));
    }
  }
  auto check = [&](log_manager& again) {
    ASSERT_EQ(again.partitions().size(), 60u);
    for (uint8_t t = 1; t <= 3; ++t) {
      for (int32_t p = 0; p < 20; ++p) {
        auto log = again.get("topic-" + std::to_string(t), p);
        ASSERT_TRUE(log) << int(t) << "-" << p;
        EXPECT_EQ(log->log_end_offset(), t * 100 + p + 1) << int(t) << "-" << p;
        EXPECT_EQ(log->id(), id(t));
      }
    }
  };
  ASSERT_TRUE(m->shutdown());
  m.reset();
  auto clean = open();
  ASSERT_TRUE(clean->recovered_cleanly());
  check(*clean);
  clean.reset();  // no shutdown(): the next start is unclean and scans
  auto unclean = open();
  ASSERT_FALSE(unclean->recovered_cleanly());
  check(*unclean);
}

TEST_F(manager, maintenance_applies_live_config) {
  auto m = open();
  log_config cfg;
  cfg.segment_bytes = 1024;
  auto p = m->create_partition("t", 0, id(1), cfg);
  ASSERT_TRUE(p);
  for (int i = 0; i < 30; ++i) ASSERT_TRUE((*p)->append(testing::make_filler_batch(1, 200, 5000, i), clock_ms));
  ASSERT_TRUE(m->run_maintenance(clock_ms));
  EXPECT_EQ((*p)->log_start_offset(), 0);
  cfg.retention_bytes = 2048;
  m->update_config("t", cfg);
  ASSERT_TRUE(m->run_maintenance(clock_ms));
  EXPECT_GT((*p)->log_start_offset(), 0);
  EXPECT_LE((*p)->size_bytes(), 2048 + 1024);
  // segment.ms rolls an idle active segment from the background pass.
  cfg.segment_ms = 1000;
  m->update_config("t", cfg);
  size_t before = (*p)->segment_count();
  clock_ms += 5000;
  ASSERT_TRUE(m->run_maintenance(clock_ms));
  EXPECT_EQ((*p)->segment_count(), before + 1);
}

TEST_F(manager, recovery_points_limit_the_scan) {
  auto m = open();
  log_config cfg;
  cfg.segment_bytes = 1024;
  auto p = m->create_partition("t", 0, id(1), cfg);
  for (int i = 0; i < 30; ++i) ASSERT_TRUE((*p)->append(testing::make_filler_batch(1, 200, 1, i), clock_ms));
  ASSERT_TRUE((*p)->flush());
  ASSERT_TRUE(m->write_recovery_points());
  m.reset();
  fs->drop_unsynced();
  auto again = open();
  EXPECT_EQ(again->get("t", 0)->log_end_offset(), 30);
}

// Kafka allows 249-character topic names; the renamed directory of a deleted
// partition must still fit in NAME_MAX (255), or the delete fails.
// producer.id.expiration.ms reaches every partition the manager opens or
// creates: an idle producer is forgotten after it (checked once a minute).
TEST_F(manager, partitions_forget_producers_idle_past_the_configured_expiration) {
  producer_id_expiration_ms = 90'000;
  auto m = open();
  auto p = m->create_partition("idem", 0, id(1), {});
  ASSERT_TRUE(p);
  ASSERT_TRUE((*p)->append(testing::make_producer_batch({{"k", "v", clock_ms}}, {77, 0, 0, false}), clock_ms));
  const txn::producer_batch retry{77, 0, 0, 1, false};
  EXPECT_EQ((*p)->check_producer(retry).outcome, txn::verdict::duplicate);
  clock_ms += 61'000;  // idle 61 s: still known
  ASSERT_TRUE((*p)->append(testing::make_filler_batch(1, 10, clock_ms, 1), clock_ms));
  EXPECT_EQ((*p)->check_producer(retry).outcome, txn::verdict::duplicate);
  clock_ms += 61'000;  // idle 122 s > 90 s: forgotten at the next check
  ASSERT_TRUE((*p)->append(testing::make_filler_batch(1, 10, clock_ms, 2), clock_ms));
  EXPECT_EQ((*p)->check_producer(retry).outcome, txn::verdict::append);
}

TEST(deleted_dir_name, fits_name_max_for_the_longest_topic) {
  std::string longest(249, 't');
  std::string name = deleted_dir_name(longest, 2147483647, 9223372036854775807LL, 9223372036854775807LL);
  EXPECT_LE(name.size(), 255u);
  EXPECT_TRUE(name.ends_with("-2147483647.9223372036854775807.9223372036854775807-delete"));
  EXPECT_TRUE(name.starts_with("ttt"));
  EXPECT_EQ(deleted_dir_name("short", 3, 17, 1), "short-3.17.1-delete");
}

TEST_F(manager, background_thread_enforces_retention_on_its_own) {
  // The real background thread, with a short interval: nobody calls
  // run_maintenance(), yet expired segments go.
  log_manager::options o;
  o.fs = fs;
  o.data_dir = "data";
  o.retention_check_interval_ms = 50;
  o.tick_ms = 10;
  auto m = log_manager::open(o);  // background = true, real clock
  ASSERT_TRUE(m) << m.err().describe();
  log_config cfg;
  cfg.segment_bytes = 1024;
  cfg.retention_ms = 60'000;
  auto p = (*m)->create_partition("t", 0, id(1), cfg);
  ASSERT_TRUE(p);
  // Stamped at 1970 + 5 s: long expired by the real clock. The thread may
  // start removing segments while these are still being appended, so the
  // test only waits for the end state: the oldest segment gone, the log
  // start moved.
  for (int i = 0; i < 30; ++i) ASSERT_TRUE((*p)->append(testing::make_filler_batch(1, 200, 5000, i), 5000));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (((*p)->log_start_offset() == 0 || fs->exists("data/t-0/00000000000000000000.log")) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT((*p)->log_start_offset(), 0) << "the background thread never removed an expired segment";
  EXPECT_FALSE(fs->exists("data/t-0/00000000000000000000.log"));
  ASSERT_TRUE((*m)->shutdown());
}

TEST_F(manager, set_aside_moves_a_partition_out_of_the_way_without_deleting_it) {
  auto m = open();
  auto p = m->create_partition("lost", 0, id(1), {});
  ASSERT_TRUE(p);
  ASSERT_TRUE((*p)->append(testing::make_filler_batch(2, 10, 1, 1), clock_ms));
  auto moved = m->set_aside_partition("lost", 0);
  ASSERT_TRUE(moved) << moved.err().describe();
  EXPECT_EQ(*moved, "data/lost-0.orphaned");
  EXPECT_FALSE(fs->exists("data/lost-0"));
  ASSERT_TRUE(fs->lookup("data/lost-0.orphaned/00000000000000000000.log"));
  EXPECT_FALSE(fs->lookup("data/lost-0.orphaned/00000000000000000000.log")->data.empty());
  EXPECT_FALSE(m->get("lost", 0));
  // A second orphan of the same name gets its own; neither is opened again.
  ASSERT_TRUE(m->create_partition("lost", 0, id(2), {}));
  auto second = m->set_aside_partition("lost", 0);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, "data/lost-0.1.orphaned");
  ASSERT_TRUE(m->shutdown());
  m.reset();
  auto again = open();
  EXPECT_TRUE(again->partitions().empty());
  EXPECT_TRUE(fs->exists("data/lost-0.orphaned"));
  // Names stay within NAME_MAX: the front of a long topic name is cut.
  std::string long_dir(249, 'x');
  long_dir += "-12345";
  auto name = set_aside_name(long_dir, 3);
  EXPECT_LE(name.size(), 255u);
  EXPECT_TRUE(name.ends_with("-12345.3.orphaned")) << name;
}

}  // namespace
}  // namespace samsa::storage
