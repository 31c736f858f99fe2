#include "cli/key_hash.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>

#include "client/mock_cluster.h"
#include "client/producer.h"

namespace samsa::cli {
namespace {

TEST(KeyHash, MatchesKafkaReferenceValues) {
  // Values the Java client's Utils.murmur2 produces for these inputs.
  EXPECT_EQ(murmur2("21"), -973932308);
  EXPECT_EQ(murmur2("foobar"), -790332482);
  EXPECT_EQ(murmur2("a-little-bit-long-string"), -985981536);
  EXPECT_EQ(murmur2("a-little-bit-longer-string"), -1486304829);
  EXPECT_EQ(murmur2("abc"), 479470107);
}

TEST(KeyHash, AgreesWithTheProducersPartitioner) {
  auto mock = client::mock_cluster::start(1);
  ASSERT_TRUE(mock.ok());
  ASSERT_TRUE(mock->create_topic("hash", 7));
  client::client_config config;
  config.set("bootstrap.servers", mock->bootstrap());
  auto p = client::producer::create(config);
  ASSERT_TRUE(p.ok()) << p.err().message;
  for (std::string key : {"alice", "bob", "carol", "dave", "erin", "x", "device-17"}) {
    auto r = p->send({"hash", key, "v", {}, {}, {}}).get();
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_EQ(r->partition, partition_for_key(key, 7)) << key;
  }
}

}  // namespace
}  // namespace samsa::cli
