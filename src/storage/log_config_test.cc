#include "storage/log_config.h"

#include <gtest/gtest.h>

#include "storage/errc.h"

namespace samsa::storage {
namespace {

TEST(log_config, defaults_match_kafka) {
  auto cfg = resolve({}, {});
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->retention_ms, 604800000);
  EXPECT_EQ(cfg->segment_bytes, 1073741824);
  EXPECT_EQ(cfg->max_message_bytes, 1048588);
  EXPECT_TRUE(cfg->cleanup_delete);
  EXPECT_FALSE(cfg->cleanup_compact);
  EXPECT_EQ(cfg->delete_retention_ms, 86400000);
}

TEST(log_config, broker_synonyms_then_topic_overrides) {
  auto cfg = resolve({{"segment.bytes", "2097152"}},
                     {{"log.retention.hours", "1"}, {"log.segment.bytes", "4194304"}, {"log.cleanup.policy", "compact"},
                      {"log.flush.interval.messages", "1"}, {"unrelated.key", "x"}});
  ASSERT_TRUE(cfg) << cfg.err().message;
  EXPECT_EQ(cfg->retention_ms, 3600000);
  EXPECT_EQ(cfg->segment_bytes, 2097152);
  EXPECT_TRUE(cfg->cleanup_compact);
  EXPECT_FALSE(cfg->cleanup_delete);
  EXPECT_EQ(cfg->flush_messages, 1);
  // log.retention.ms wins over hours.
  auto c2 = resolve({}, {{"log.retention.hours", "1"}, {"log.retention.ms", "5"}});
  ASSERT_TRUE(c2);
  EXPECT_EQ(c2->retention_ms, 5);
}

TEST(log_config, a_stored_override_no_longer_valid_is_dropped_alone) {
  // Stored before the segment minimums were raised: the compaction must stay.
  std::vector<std::string> dropped;
  auto cfg = resolve_stored({{"cleanup.policy", "compact"}, {"segment.bytes", "200"}, {"segment.ms", "1000"},
                             {"retention.ms", "5000"}},
                            {{"log.segment.bytes", "2097152"}}, &dropped);
  ASSERT_TRUE(cfg) << cfg.err().message;
  EXPECT_TRUE(cfg->cleanup_compact);
  EXPECT_FALSE(cfg->cleanup_delete);
  EXPECT_EQ(cfg->retention_ms, 5000);
  EXPECT_EQ(cfg->segment_bytes, 2097152);  // the broker's, as with no override
  EXPECT_EQ(cfg->segment_ms, 604800000);
  ASSERT_EQ(dropped.size(), 2u);
  EXPECT_NE(dropped[0].find("segment.bytes"), std::string::npos) << dropped[0];
  EXPECT_NE(dropped[1].find("segment.ms"), std::string::npos) << dropped[1];
  EXPECT_FALSE(resolve({{"cleanup.policy", "compact"}, {"segment.bytes", "200"}}, {}));
  // A broker setting that does not resolve is still an error.
  EXPECT_FALSE(resolve_stored({}, {{"log.segment.bytes", "200"}}, &dropped));
}

TEST(log_config, validation_messages) {
  auto s = validate_topic_config("retention.ms", "abc");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.err().message, "retention.ms: 'abc' is not a number");
  EXPECT_TRUE(is(s.err(), errc::invalid_config));
  // Segment minimums (KIP-1030): smaller would let a producer make a
  // segment, 1.4 KB of memory and three files, per batch.
  EXPECT_FALSE(validate_topic_config("segment.bytes", "1048575"));
  EXPECT_FALSE(validate_topic_config("segment.bytes", "14"));
  EXPECT_TRUE(validate_topic_config("segment.bytes", "1048576"));
  EXPECT_FALSE(validate_topic_config("segment.ms", "59999"));
  EXPECT_TRUE(validate_topic_config("segment.ms", "60000"));
  EXPECT_FALSE(validate_topic_config("segment.index.bytes", "1023"));
  EXPECT_TRUE(validate_topic_config("segment.index.bytes", "1024"));
  EXPECT_FALSE(resolve({}, {{"log.roll.ms", "1000"}}));
  EXPECT_FALSE(resolve({}, {{"log.segment.bytes", "4096"}}));
  EXPECT_FALSE(validate_topic_config("no.such.config", "1"));
  EXPECT_TRUE(validate_topic_config("cleanup.policy", "compact,delete"));
  EXPECT_FALSE(validate_topic_config("cleanup.policy", "compact,shred"));
  EXPECT_FALSE(validate_topic_config("compression.type", "brotli"));
  EXPECT_TRUE(validate_topic_config("message.timestamp.type", "LogAppendTime"));
  EXPECT_FALSE(validate_topic_config("min.cleanable.dirty.ratio", "1.5"));
  EXPECT_FALSE(validate_topic_config("preallocate", "yes"));
  EXPECT_FALSE(validate_topic_config("retention.ms", "-2"));
  EXPECT_FALSE(validate_topic_config("retention.ms", "99999999999999999999"));
  EXPECT_FALSE(resolve({{"retention.ms", "x"}}, {}));
}

TEST(log_config, describe_reports_sources) {
  auto entries = describe({{"retention.ms", "100"}}, {{"log.segment.bytes", "4096"}});
  bool saw_retention = false, saw_segment = false, saw_default = false;
  for (auto& e : entries) {
    if (e.name == "retention.ms") {
      saw_retention = true;
      EXPECT_EQ(e.value, "100");
      EXPECT_EQ(e.source, config_source::topic_config);
    } else if (e.name == "segment.bytes") {
      saw_segment = true;
      EXPECT_EQ(e.value, "4096");
      EXPECT_EQ(e.source, config_source::static_broker_config);
      EXPECT_EQ(e.broker_synonym, "log.segment.bytes");
    } else if (e.name == "cleanup.policy") {
      saw_default = true;
      EXPECT_EQ(e.source, config_source::default_config);
    }
  }
  EXPECT_TRUE(saw_retention && saw_segment && saw_default);
  EXPECT_EQ(entries.size(), topic_config_defs().size());
}

}  // namespace
}  // namespace samsa::storage
