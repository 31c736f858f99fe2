// Producer, consumer and admin against librdkafka's mock cluster, or against
// a real broker when SAMSA_TEST_BOOTSTRAP is set (e.g. one `samsa serve`).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>

#include "client/admin.h"
#include "client/consumer.h"
#include "client/kafka_error.h"
#include "client/mock_cluster.h"
#include "client/producer.h"

namespace samsa::client {
namespace {

using namespace std::chrono_literals;

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    topic_ = "client-test-" + std::to_string(std::random_device{}());
    if (const char* b = std::getenv("SAMSA_TEST_BOOTSTRAP"); b != nullptr && *b != '\0') {
      config_.set("bootstrap.servers", b);
      auto a = admin::create(config_);
      ASSERT_TRUE(a.ok()) << a.err().message;
      auto s = a->create_topic({topic_, 3, 1, {}});
      ASSERT_TRUE(s.ok()) << s.err().message;
    } else {
      auto m = mock_cluster::start(1);
      ASSERT_TRUE(m.ok()) << m.err().message;
      mock_.emplace(std::move(*m));
      config_.set("bootstrap.servers", mock_->bootstrap());
      ASSERT_TRUE(mock_->create_topic(topic_, 3));
    }
  }

  std::optional<mock_cluster> mock_;
  client_config config_;
  std::string topic_;
};

TEST_F(ClientTest, ProduceThenConsumeInAGroupAndCommit) {
  std::map<std::string, int32_t> partition_of_key;
  {
    auto p = producer::create(config_);
    ASSERT_TRUE(p.ok()) << p.err().message;
    for (int i = 0; i < 30; ++i) {
      std::string key = "user-" + std::to_string(i % 5);
      auto r = p->send({topic_, key, "event-" + std::to_string(i), {{"n", std::to_string(i)}}, {}, {}}).get();
      ASSERT_TRUE(r.ok()) << r.err().message;
      EXPECT_EQ(r->topic, topic_);
      EXPECT_GE(r->offset, 0);
      // The same key always lands in the same partition.
      auto [it, fresh] = partition_of_key.emplace(key, r->partition);
      EXPECT_EQ(it->second, r->partition);
    }
  }

  auto c = consumer::create(config_, {.group_id = topic_ + "-g"});
  ASSERT_TRUE(c.ok()) << c.err().message;
  ASSERT_TRUE(c->subscribe({topic_}));
  int received = 0;
  bool assigned = false;
  std::map<int32_t, int64_t> last_offset;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (received < 30 && std::chrono::steady_clock::now() < deadline) {
    auto ev = c->poll(200ms);
    ASSERT_TRUE(ev.ok()) << ev.err().message;
    if (auto* r = std::get_if<rebalance_event>(&*ev)) {
      if (r->what == rebalance_event::kind::assigned) {
        assigned = true;
        EXPECT_EQ(r->partitions.size(), 3u);
      }
    } else if (auto* m = std::get_if<consumed_message>(&*ev)) {
      ++received;
      ASSERT_TRUE(m->key.has_value());
      EXPECT_EQ(partition_of_key.at(*m->key), m->partition);
      ASSERT_EQ(m->headers.size(), 1u);
      EXPECT_EQ(m->headers[0].key, "n");
      // Offsets grow within a partition: order holds per key.
      if (last_offset.count(m->partition)) {
        EXPECT_GT(m->offset, last_offset[m->partition]);
      }
      last_offset[m->partition] = m->offset;
    }
  }
  EXPECT_TRUE(assigned);
  EXPECT_EQ(received, 30);
  ASSERT_TRUE(c->commit());
  std::vector<topic_partition> parts{{topic_, 0}, {topic_, 1}, {topic_, 2}};
  auto committed = c->committed(parts, 10s);
  ASSERT_TRUE(committed.ok()) << committed.err().message;
  int64_t total = 0;
  for (const auto& tp : *committed) total += std::max<int64_t>(tp.offset, 0);
  EXPECT_EQ(total, 30);
  EXPECT_TRUE(c->close());

  auto a = admin::create(config_);
  ASSERT_TRUE(a.ok());
  auto t = a->describe_topic(topic_);
  ASSERT_TRUE(t.ok()) << t.err().message;
  ASSERT_EQ(t->partitions.size(), 3u);
  int64_t end_sum = 0;
  for (const auto& p : t->partitions) end_sum += p.latest;
  EXPECT_EQ(end_sum, 30);
}

TEST_F(ClientTest, AdminReportsUnknownTopicWithHint) {
  auto a = admin::create(config_);
  ASSERT_TRUE(a.ok());
  auto t = a->describe_topic("no-such-topic-" + topic_, false);
  ASSERT_FALSE(t.ok());
  EXPECT_TRUE(is_not_found_error(t.err())) << t.err().message;
  EXPECT_NE(t.err().message.find("samsa topic list"), std::string::npos);
}

TEST(ClientUnreachable, SaysCannotReach) {
  client_config config;
  config.set("bootstrap.servers", "127.0.0.1:1");
  auto a = admin::create(config, 2s);
  ASSERT_TRUE(a.ok());
  auto t = a->list_topics();
  ASSERT_FALSE(t.ok());
  EXPECT_TRUE(is_connection_error(t.err())) << t.err().message;
  EXPECT_NE(t.err().message.find("cannot reach 127.0.0.1:1"), std::string::npos) << t.err().message;
}

}  // namespace
}  // namespace samsa::client
