#include "security/sasl/jaas.h"

#include <gtest/gtest.h>

namespace samsa::sasl {
namespace {

TEST(Jaas, KafkaPlainExample) {
  auto m = parse_jaas_property(
      "org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"alice-secret\";");
  ASSERT_TRUE(m) << m.err().message;
  EXPECT_EQ(m->class_name, "org.apache.kafka.common.security.plain.PlainLoginModule");
  EXPECT_EQ(m->flag, "required");
  EXPECT_EQ(m->options.at("user_alice"), "alice-secret");
}

TEST(Jaas, SeveralOptionsEscapesCommentsAndBareWords) {
  auto m = parse_jaas_property(
      "// leading comment\n"
      "org.example.Module sufficient\n"
      "  username=\"admin\" /* the admin */ password='p\\'w'\n"
      "  user_bob=\"say \\\"hi\\\"\\\\\\n\" user_carol=bare-word.1 user_dave=\"\\101\\x\";");
  ASSERT_TRUE(m) << m.err().message;
  EXPECT_EQ(m->flag, "sufficient");
  EXPECT_EQ(m->options.at("username"), "admin");
  EXPECT_EQ(m->options.at("password"), "p'w");
  EXPECT_EQ(m->options.at("user_bob"), "say \"hi\"\\\n");
  EXPECT_EQ(m->options.at("user_carol"), "bare-word.1");
  EXPECT_EQ(m->options.at("user_dave"), "Ax");
  EXPECT_EQ(m->options.size(), 5u);
}

TEST(Jaas, NoOptionsIsFine) {
  auto m = parse_jaas_property("a.B optional;");
  ASSERT_TRUE(m) << m.err().message;
  EXPECT_TRUE(m->options.empty());
}

TEST(Jaas, MalformedTextIsRefusedWithAReason) {
  for (const char* bad : {"", "Module", "Module required", "Module required a=\"x\"", "Module mandatory a=b;",
                          "Module required a;", "Module required a=;", "Module required =b;",
                          "Module required a=\"unterminated;", "Module required a=\"line\nend\";",
                          "Module required /* open a=b;", "\"Module\" required;", "Module required a=b; Other required;"}) {
    auto m = parse_jaas_property(bad);
    EXPECT_FALSE(m) << bad;
    if (!m) {
      EXPECT_FALSE(m.err().message.empty());
    }
  }
  auto two = parse_jaas_config("A required; B optional x=y;");
  ASSERT_TRUE(two);
  EXPECT_EQ(two->size(), 2u);
}

}  // namespace
}  // namespace samsa::sasl
