#include "security/tls/principal_mapping.h"

#include <gtest/gtest.h>

namespace samsa::security::tls {
namespace {

std::string mapped(std::string_view rules, std::string_view subject) {
  auto mapper = principal_mapper::parse(rules);
  EXPECT_TRUE(mapper) << (mapper ? "" : mapper.err().message);
  if (!mapper) return "<bad rules>";
  auto name = mapper->map(subject);
  return name ? *name : "<error: " + name.err().message + ">";
}

TEST(PrincipalMapping, DefaultKeepsTheSubject) {
  EXPECT_EQ(mapped("DEFAULT", "CN=alice,O=Acme"), "CN=alice,O=Acme");
  EXPECT_EQ(mapped("", "CN=alice,O=Acme"), "CN=alice,O=Acme");
}

TEST(PrincipalMapping, RuleWithGroupsAndCommasInsideThePattern) {
  std::string rules = "RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,RULE:^CN=(.*?),OU=(.*?),O=(.*?)$/$1@$2/L,DEFAULT";
  EXPECT_EQ(mapped(rules, "CN=kafka-svc,OU=ServiceUsers,O=Acme"), "kafka-svc");
  EXPECT_EQ(mapped(rules, "CN=Duke,OU=JavaSoft,O=Sun"), "duke@javasoft");
  EXPECT_EQ(mapped(rules, "CN=plain"), "CN=plain");
}

TEST(PrincipalMapping, UpperCaseAndNewlineSeparatedRules) {
  EXPECT_EQ(mapped("RULE:^CN=([^,]*).*$/$1/U\nDEFAULT", "CN=bob,O=x"), "BOB");
}

TEST(PrincipalMapping, FirstMatchingRuleWinsAndMatchIsWhole) {
  // "CN=a" alone must not match a pattern that only covers a prefix.
  EXPECT_EQ(mapped("RULE:CN=a/first/,RULE:CN=a.*/second/", "CN=abc"), "second");
}

TEST(PrincipalMapping, EscapedSlashAndLiteralDollar) {
  EXPECT_EQ(mapped("RULE:^CN=(.*)\\/x$/\\$$1/", "CN=a/x"), "$a");
}

TEST(PrincipalMapping, NoRuleAppliesIsAnError) {
  auto mapper = principal_mapper::parse("RULE:^CN=(.*),O=Acme$/$1/");
  ASSERT_TRUE(mapper);
  auto name = mapper->map("CN=eve,O=Other");
  ASSERT_FALSE(name);
  EXPECT_NE(name.err().message.find("CN=eve,O=Other"), std::string::npos);
}

TEST(PrincipalMapping, MalformedRulesAreRefusedWithTheirText) {
  for (const char* bad : {"RULE:abc", "RULE:abc/def", "NOPE", "RULE:(/x/", "RULE:a/$2/", "DEFAULT junk"}) {
    auto mapper = principal_mapper::parse(bad);
    EXPECT_FALSE(mapper) << bad;
    if (!mapper) {
      EXPECT_NE(mapper.err().message.find("ssl.principal.mapping.rules"), std::string::npos) << bad;
    }
  }
}

}  // namespace
}  // namespace samsa::security::tls
