// group_service is built from what it uses (an io_context, the topic registry
// and its group settings), so it runs here without a broker_state: over
// in-memory storage, with __consumer_offsets created only on first use.
#include "broker/group_service.h"

#include <gtest/gtest.h>

#include "broker/broker_config.h"
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
  ASSERT_TRUE(ensure_offsets_topic(*topics, 2).ok());
  group_service groups(io, *topics, settings(50));
  ASSERT_TRUE(groups.start());
  EXPECT_EQ(groups.coordinator().config().offsets_topic_partitions, 2);
  groups.stop();
}

}  // namespace
}  // namespace samsa::broker
