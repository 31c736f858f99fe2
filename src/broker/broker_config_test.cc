#include "broker/broker_config.h"

#include <gtest/gtest.h>

namespace samsa::broker {
namespace {

TEST(BrokerConfig, DefaultsMatchTheQuickStart) {
  std::vector<std::string> warnings;
  auto config = resolve_broker_config({}, warnings);
  ASSERT_TRUE(config.ok());
  ASSERT_EQ(config->listeners.size(), 1u);
  EXPECT_EQ(config->listeners[0].host, "127.0.0.1");
  EXPECT_EQ(config->listeners[0].port, 9092);
  EXPECT_EQ(config->advertised_listeners[0].port, 9092);
  EXPECT_EQ(config->num_partitions, 1);
  EXPECT_TRUE(config->auto_create_topics_enable);
  EXPECT_TRUE(warnings.empty());
}

TEST(BrokerConfig, TransactionSettingsHaveKafkasDefaultsAndBounds) {
  std::vector<std::string> warnings;
  auto config = resolve_broker_config({}, warnings);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->transaction_state_log_num_partitions, 50);
  EXPECT_EQ(config->transaction_max_timeout_ms, 900000);
  EXPECT_EQ(config->transactional_id_expiration_ms, 604800000);
  EXPECT_EQ(config->producer_id_expiration_ms, 86400000);
  config_sources sources;
  sources.overrides = {{"transaction.max.timeout.ms", "60000"}, {"transactional.id.expiration.ms", "1000"},
                       {"transaction.state.log.num.partitions", "3"}, {"producer.id.expiration.ms", "5000"}};
  config = resolve_broker_config(sources, warnings);
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(config->transaction_max_timeout_ms, 60000);
  EXPECT_EQ(config->transactional_id_expiration_ms, 1000);
  EXPECT_EQ(config->transaction_state_log_num_partitions, 3);
  EXPECT_EQ(config->producer_id_expiration_ms, 5000);
  sources.overrides = {{"transaction.max.timeout.ms", "0"}};
  EXPECT_FALSE(resolve_broker_config(sources, warnings).ok());
  sources.overrides = {{"producer.id.expiration.ms", "0"}};
  EXPECT_FALSE(resolve_broker_config(sources, warnings).ok());
}

TEST(BrokerConfig, LaterSourcesWin) {
  config_sources sources;
  sources.file = {{"num.partitions", "2"}, {"log.dirs", "/from-file"}};
  sources.environment = {{"num.partitions", "3"}};
  sources.overrides = {{"num.partitions", "4"}};
  std::vector<std::string> warnings;
  auto config = resolve_broker_config(sources, warnings);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->num_partitions, 4);
  EXPECT_EQ(config->log_dir, "/from-file");
}

TEST(BrokerConfig, BadValuesAreErrorsThatNameTheKey) {
  std::vector<std::string> warnings;
  config_sources sources;
  sources.overrides = {{"num.partitions", "many"}};
  auto config = resolve_broker_config(sources, warnings);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.err().message.find("num.partitions"), std::string::npos);

  sources.overrides = {{"listeners", "127.0.0.1:9092"}};
  EXPECT_FALSE(resolve_broker_config(sources, warnings).ok());
  sources.overrides = {{"auto.create.topics.enable", "yes"}};
  EXPECT_FALSE(resolve_broker_config(sources, warnings).ok());
}

TEST(BrokerConfig, UnknownKeysWarnButDoNotFail) {
  std::vector<std::string> warnings;
  config_sources sources;
  sources.overrides = {{"no.such.setting", "1"}, {"log.retention.ms", "1000"}};
  auto config = resolve_broker_config(sources, warnings);
  ASSERT_TRUE(config.ok());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("no.such.setting"), std::string::npos);
}

TEST(BrokerConfig, ParsesListenerLists) {
  auto list = parse_listener_list("PLAINTEXT://0.0.0.0:9092, PLAINTEXT://[::1]:0");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].host, "::1");
  EXPECT_EQ((*list)[1].port, 0);
  EXPECT_FALSE(parse_listener("PLAINTEXT://host:99999").ok());
}

}  // namespace
}  // namespace samsa::broker
