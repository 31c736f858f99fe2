// topic_registry over in-memory file systems with injected faults: a
// creation that fails midway leaves nothing (no metadata, no partition, no
// directory) and the name stays usable; a deletion whose files cannot be
// removed fails the request and blocks the name until a restart.
#include "broker/topic_registry.h"

#include <gtest/gtest.h>

#include "storage/memory_file_system.h"

namespace samsa::broker {
namespace {

using protocol::error_code;

struct TopicRegistry : ::testing::Test {
  // Separate file systems, so faults hit the partition files and not the metadata log.
  std::shared_ptr<storage::memory_file_system> data_fs = std::make_shared<storage::memory_file_system>();
  std::shared_ptr<storage::memory_file_system> meta_fs = std::make_shared<storage::memory_file_system>();
  std::unique_ptr<storage::log_manager> logs;
  std::unique_ptr<storage::metadata_store> metadata;
  std::unique_ptr<topic_registry> topics;

  void SetUp() override { open_all(); }

  // Opens the logs, the metadata and the registry over the two file systems
  // (again, after a reset, to see what a restart loads).
  void open_all() {
    storage::log_manager::options o;
    o.fs = data_fs;
    o.data_dir = "data";
    o.background = false;
    auto opened = storage::log_manager::open(std::move(o));
    ASSERT_TRUE(opened) << opened.err().describe();
    logs = std::move(*opened);
    auto store = storage::metadata_store::open({meta_fs, "meta", 1000});
    ASSERT_TRUE(store) << store.err().describe();
    metadata = std::move(*store);
    topics = std::make_unique<topic_registry>(*logs, *metadata, std::map<std::string, std::string>{}, 1000);
  }

  size_t partitions_on_disk(const std::string& topic) {
    auto names = data_fs->list_dir("data");
    size_t n = 0;
    if (names) {
      for (const auto& name : *names) n += name.starts_with(topic + "-") ? 1 : 0;
    }
    return n;
  }
};

TEST_F(TopicRegistry, CreationThatFailsMidwayLeavesNothing) {
  ASSERT_TRUE(topics->create("steady", 1, 1, {}).ok());
  // Room for the first few partitions' files, not for all ten.
  data_fs->set_space_limit(data_fs->total_bytes() + 150);
  admin_result failed = topics->create("half", 10, 1, {});
  EXPECT_EQ(failed.code, error_code::kafka_storage_error);
  EXPECT_FALSE(failed.message.empty());
  EXPECT_EQ(topics->find("half"), nullptr);
  EXPECT_FALSE(metadata->topic("half"));
  EXPECT_EQ(logs->get("half", 0), nullptr);
  EXPECT_EQ(partitions_on_disk("half"), 0u);
  // The same for new partitions of an existing topic.
  EXPECT_EQ(topics->add_partitions("steady", 10, false).code, error_code::kafka_storage_error);
  EXPECT_EQ(topics->find("steady")->partitions.size(), 1u);
  EXPECT_EQ(metadata->topic("steady")->partition_count, 1);
  EXPECT_EQ(partitions_on_disk("steady"), 1u);

  data_fs->set_space_limit(-1);
  EXPECT_TRUE(topics->create("half", 10, 1, {}).ok());
  EXPECT_EQ(metadata->topic("half")->partition_count, 10);
  EXPECT_TRUE(topics->add_partitions("steady", 3, false).ok());
}

TEST_F(TopicRegistry, DeletionWhoseFilesStayFailsAndBlocksTheName) {
  ASSERT_TRUE(topics->create("stuck", 2, 1, {}).ok());
  data_fs->set_fail_sync(true);  // the rename of the directory cannot be made durable
  admin_result removed = topics->remove("stuck");
  EXPECT_EQ(removed.code, error_code::kafka_storage_error);
  EXPECT_NE(removed.message.find("stuck"), std::string::npos);
  EXPECT_EQ(topics->find("stuck"), nullptr);
  data_fs->set_fail_sync(false);
  // The old files may still be there: the name must not bring them back.
  EXPECT_EQ(topics->create("stuck", 2, 1, {}).code, error_code::kafka_storage_error);
  EXPECT_TRUE(topics->create("other", 2, 1, {}).ok());
}

TEST_F(TopicRegistry, AStoredOverrideNoLongerValidIsDroppedAloneAtLoad) {
  // What an older broker stored before the segment minimums were raised:
  // loading must keep the topic compacted, not fall back to every default.
  ASSERT_TRUE(topics->create("old", 1, 1, {{"cleanup.policy", "compact"}}).ok());
  ASSERT_TRUE(metadata->set_topic_config("old", {{"cleanup.policy", "compact"}, {"segment.bytes", "200"}}));
  topics.reset();
  logs.reset();
  metadata.reset();
  open_all();
  ASSERT_TRUE(topics->load());
  const auto* old = topics->find("old");
  ASSERT_NE(old, nullptr);
  EXPECT_TRUE(old->config.cleanup_compact);
  EXPECT_FALSE(old->config.cleanup_delete);
  EXPECT_EQ(old->config.segment_bytes, storage::log_config{}.segment_bytes);
  EXPECT_EQ(old->overrides, (std::map<std::string, std::string>{{"cleanup.policy", "compact"}}));
}

TEST_F(TopicRegistry, PartitionBudgetCountsEveryTopic) {
  ASSERT_TRUE(topics->create("a", 600, 1, {}).ok());
  EXPECT_EQ(topics->partition_total(), 600);
  EXPECT_EQ(topics->check_new_topic("b", 401, 1, {}).code, error_code::policy_violation);
  EXPECT_TRUE(topics->check_new_topic("b", 400, 1, {}).ok());
  EXPECT_EQ(topics->add_partitions("a", 1001, true).code, error_code::policy_violation);
  EXPECT_EQ(topics->check_new_topic("c", 10001, 1, {}).code, error_code::policy_violation);
}

}  // namespace
}  // namespace samsa::broker
