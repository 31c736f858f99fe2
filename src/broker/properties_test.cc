#include "broker/properties.h"

#include <gtest/gtest.h>

namespace samsa::broker {
namespace {

TEST(Properties, ParsesJavaStyleFile) {
  auto props = parse_properties(
      "# comment\n! also a comment\nlisteners=PLAINTEXT://127.0.0.1:9092\nlog.dirs : /var/x\n"
      "num.partitions 3\nlong.value=a,\\\n    b\nescaped\\=key=v\n\n  spaced.key = v2  \n",
      "test.properties");
  ASSERT_TRUE(props.ok());
  EXPECT_EQ(props->at("listeners"), "PLAINTEXT://127.0.0.1:9092");
  EXPECT_EQ(props->at("log.dirs"), "/var/x");
  EXPECT_EQ(props->at("num.partitions"), "3");
  EXPECT_EQ(props->at("long.value"), "a,b");
  EXPECT_EQ(props->at("escaped=key"), "v");
  EXPECT_EQ(props->at("spaced.key"), "v2");
}

TEST(Properties, OverrideNeedsKeyAndEquals) {
  EXPECT_TRUE(parse_override("a=b").ok());
  EXPECT_EQ(parse_override("a=b=c")->second, "b=c");
  EXPECT_FALSE(parse_override("novalue").ok());
  // A key of only blanks is no key (found by broker_properties_fuzz).
  EXPECT_FALSE(parse_override(" \t =x").ok());
  EXPECT_FALSE(parse_override("=x").ok());
}

TEST(Properties, EnvironmentUsesSamsaPrefix) {
  std::string a = "SAMSA_LOG_DIRS=/d", b = "OTHER=1", c = "SAMSA_NUM_PARTITIONS=4";
  char* env[] = {a.data(), b.data(), c.data(), nullptr};
  auto props = properties_from_environment(env);
  EXPECT_EQ(props.size(), 2u);
  EXPECT_EQ(props.at("log.dirs"), "/d");
  EXPECT_EQ(props.at("num.partitions"), "4");
}

}  // namespace
}  // namespace samsa::broker
