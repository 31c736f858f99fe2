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

// Samsa's own bounds on state clients create: defaults, accepted values,
// and a refused value names its key.
TEST(BrokerConfig, StateBoundsHaveDefaultsAndAreValidated) {
  std::vector<std::string> warnings;
  auto config = resolve_broker_config({}, warnings);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->max_producer_ids_per_partition, 10000);
  EXPECT_EQ(config->transactional_id_max_count, 100000);
  EXPECT_EQ(config->transaction_partitions_max_memory_bytes, 256LL << 20);
  EXPECT_EQ(config->client_quota_max_entities, 10000);
  EXPECT_EQ(config->scram_max_users, 10000);
  EXPECT_EQ(config->group_share_max_groups, 10);  // Kafka's default
  // Kafka's is unbounded; every join recomputes the whole group's target.
  EXPECT_EQ(config->group_consumer_max_size, 10000);
  config_sources sources;
  sources.overrides = {{"max.producer.ids.per.partition", "5"},
                       {"transactional.id.max.count", "6"},
                       {"transaction.partitions.max.memory.bytes", "4096"},
                       {"client.quota.max.entities", "7"},
                       {"scram.max.users", "8"},
                       {"group.share.max.groups", "9"},
                       {"group.consumer.max.size", "2147483647"}};
  config = resolve_broker_config(sources, warnings);
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  EXPECT_EQ(config->max_producer_ids_per_partition, 5);
  EXPECT_EQ(config->transactional_id_max_count, 6);
  EXPECT_EQ(config->transaction_partitions_max_memory_bytes, 4096);
  EXPECT_EQ(config->client_quota_max_entities, 7);
  EXPECT_EQ(config->scram_max_users, 8);
  EXPECT_EQ(config->group_share_max_groups, 9);
  EXPECT_EQ(config->group_consumer_max_size, 2147483647);  // Kafka's default, if wanted
  for (const char* key : {"max.producer.ids.per.partition", "transactional.id.max.count", "client.quota.max.entities",
                          "scram.max.users", "group.share.max.groups", "group.consumer.max.size"}) {
    for (const char* bad : {"0", "-1", "many", "99999999999"}) {
      sources.overrides = {{key, bad}};
      auto refused = resolve_broker_config(sources, warnings);
      ASSERT_FALSE(refused.ok()) << key << "=" << bad;
      EXPECT_NE(refused.err().message.find(key), std::string::npos) << refused.err().message;
    }
  }
}

// The memory bounds on what groups hold: 256 MiB by default, at least 1 MiB.
TEST(BrokerConfig, GroupMemoryBoundsHaveDefaultsAndAMinimum) {
  std::vector<std::string> warnings;
  auto config = resolve_broker_config({}, warnings);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->offsets_max_memory_bytes, 256LL << 20);
  EXPECT_EQ(config->group_classic_member_metadata_max_bytes, 256LL << 20);
  EXPECT_EQ(config->group_consumer_member_metadata_max_bytes, 256LL << 20);
  config_sources sources;
  sources.overrides = {{"offsets.max.memory.bytes", "1048576"},
                       {"group.classic.member.metadata.max.bytes", "8589934592"},
                       {"group.consumer.member.metadata.max.bytes", "2097152"}};
  config = resolve_broker_config(sources, warnings);
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  EXPECT_EQ(config->offsets_max_memory_bytes, 1LL << 20);
  EXPECT_EQ(config->group_classic_member_metadata_max_bytes, 8LL << 30);
  EXPECT_EQ(config->group_consumer_member_metadata_max_bytes, 2LL << 20);
  for (const char* key : {"offsets.max.memory.bytes", "group.classic.member.metadata.max.bytes",
                          "group.consumer.member.metadata.max.bytes"}) {
    for (const char* bad : {"1048575", "0", "-1", "much"}) {
      sources.overrides = {{key, bad}};
      auto refused = resolve_broker_config(sources, warnings);
      ASSERT_FALSE(refused.ok()) << key << "=" << bad;
      EXPECT_NE(refused.err().message.find(key), std::string::npos) << refused.err().message;
    }
  }
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
  // Topic defaults are checked at start, not at the first CreateTopics.
  sources.overrides = {{"log.roll.ms", "1000"}};
  config = resolve_broker_config(sources, warnings);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.err().message.find("log.roll.ms"), std::string::npos) << config.err().message;
  sources.overrides = {{"log.segment.bytes", "4096"}};
  EXPECT_FALSE(resolve_broker_config(sources, warnings).ok());
  sources.overrides = {{"log.roll.hours", "1"}, {"log.segment.bytes", "1048576"}};
  EXPECT_TRUE(resolve_broker_config(sources, warnings).ok());
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


result<broker_config> with(property_map overrides, std::vector<std::string>* warnings_out = nullptr) {
  config_sources sources;
  sources.overrides = std::move(overrides);
  std::vector<std::string> warnings;
  auto config = resolve_broker_config(sources, warnings);
  if (warnings_out) *warnings_out = warnings;
  return config;
}

TEST(BrokerConfigListeners, SeveralNamedListenersWithTheirProtocols) {
  std::vector<std::string> warnings;
  auto config = with({{"listeners", "PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9093,INTERNAL://:9094,"
                                    "SASL_SSL://127.0.0.1:9095"},
                      {"listener.security.protocol.map",
                       "PLAINTEXT:PLAINTEXT,SSL:SSL,INTERNAL:SASL_PLAINTEXT,SASL_SSL:SASL_SSL"},
                      {"advertised.listeners", "SSL://broker.example:19093"},
                      {"inter.broker.listener.name", "INTERNAL"},
                      {"ssl.keystore.location", "/etc/samsa/broker.pem"},
                      {"listener.name.sasl_ssl.ssl.keystore.location", "/etc/samsa/other.p12"},
                      {"listener.name.sasl_ssl.ssl.keystore.password", "pw"},
                      {"sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512"},
                      {"listener.name.internal.sasl.enabled.mechanisms", "SCRAM-SHA-256"}},
                     &warnings);
  ASSERT_TRUE(config) << config.err().message;
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  ASSERT_EQ(config->listeners.size(), 4u);
  EXPECT_EQ(config->listeners[0].protocol, security_protocol::plaintext);
  EXPECT_EQ(config->listeners[1].protocol, security_protocol::ssl);
  EXPECT_EQ(config->listeners[2].protocol, security_protocol::sasl_plaintext);
  EXPECT_EQ(config->listeners[3].protocol, security_protocol::sasl_ssl);
  // Advertised: one per listener, the advertised entry where given.
  ASSERT_EQ(config->advertised_listeners.size(), 4u);
  EXPECT_EQ(config->advertised_listeners[0].host, "127.0.0.1");
  EXPECT_EQ(config->advertised_listeners[1].host, "broker.example");
  EXPECT_EQ(config->advertised_listeners[1].port, 19093);
  EXPECT_EQ(config->advertised_listeners[1].protocol, security_protocol::ssl);
  EXPECT_EQ(config->inter_broker_listener_name, "INTERNAL");
  // TLS settings per TLS listener: the prefixed key wins over the plain one.
  ASSERT_EQ(config->listener_tls.size(), 2u);
  EXPECT_EQ(config->listener_tls.at("SSL").keystore_location, "/etc/samsa/broker.pem");
  EXPECT_EQ(config->listener_tls.at("SASL_SSL").keystore_location, "/etc/samsa/other.p12");
  EXPECT_EQ(config->listener_tls.at("SASL_SSL").keystore_password, "pw");
  // SASL settings per SASL listener, the listener prefix winning; none for the others.
  ASSERT_EQ(config->listener_sasl.size(), 2u);
  EXPECT_EQ(config->listener_sasl.at("INTERNAL")->mechanisms, std::vector<std::string>{"SCRAM-SHA-256"});
  EXPECT_EQ(config->listener_sasl.at("SASL_SSL")->mechanisms, (std::vector<std::string>{"PLAIN", "SCRAM-SHA-512"}));
  // A SASL listener without mechanisms is a start-up error naming the setting.
  auto none = with({{"listeners", "SASL_PLAINTEXT://127.0.0.1:9092"}});
  ASSERT_FALSE(none);
  EXPECT_NE(none.err().message.find("sasl.enabled.mechanisms"), std::string::npos) << none.err().message;
}

TEST(BrokerConfigListeners, MistakesAreNamed) {
  auto unmapped = with({{"listeners", "CLIENTS://:9092"}});
  ASSERT_FALSE(unmapped);
  EXPECT_NE(unmapped.err().message.find("listener.security.protocol.map"), std::string::npos);
  auto bad_protocol = with({{"listeners", "A://:1"}, {"listener.security.protocol.map", "A:TLS"}});
  ASSERT_FALSE(bad_protocol);
  EXPECT_NE(bad_protocol.err().message.find("'TLS'"), std::string::npos);
  auto twice = with({{"listeners", "PLAINTEXT://:1,PLAINTEXT://:2"}});
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.err().message.find("used twice"), std::string::npos);
  auto stray = with({{"advertised.listeners", "SSL://h:1"}});
  ASSERT_FALSE(stray);
  EXPECT_NE(stray.err().message.find("not one of the listeners"), std::string::npos);
  EXPECT_FALSE(with({{"inter.broker.listener.name", "NOPE"}}));
  auto no_cert = with({{"listeners", "SSL://:9093"}});
  ASSERT_FALSE(no_cert);
  EXPECT_NE(no_cert.err().message.find("listener SSL"), std::string::npos);
  auto jks = with({{"listeners", "SSL://:9093"}, {"ssl.keystore.type", "JKS"}, {"ssl.keystore.location", "k.jks"}});
  ASSERT_FALSE(jks);
  EXPECT_NE(jks.err().message.find("JKS"), std::string::npos);
}

TEST(BrokerConfigListeners, UnknownSslKeysStillWarn) {
  std::vector<std::string> warnings;
  auto config = with({{"ssl.keystore.locaton", "x"}, {"listener.name.ssl.ssl.client.auth", "none"}}, &warnings);
  ASSERT_TRUE(config);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("ssl.keystore.locaton"), std::string::npos);
}

}  // namespace
}  // namespace samsa::broker
