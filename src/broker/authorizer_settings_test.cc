#include "broker/authorizer_settings.h"

#include <gtest/gtest.h>

#include "broker/authorized_operations.h"
#include "broker/broker_config.h"

namespace samsa::broker {
namespace {

TEST(AuthorizerSettings, OffUnlessAClassIsNamed) {
  auto s = authorizer_settings_from({});
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->enabled);
  s = authorizer_settings_from({{"authorizer.class.name", ""}});
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->enabled);
}

TEST(AuthorizerSettings, KafkasClassNamesAndSettings) {
  for (const char* name : {"org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                           "kafka.security.authorizer.AclAuthorizer"}) {
    auto s = authorizer_settings_from({{"authorizer.class.name", name},
                                       {"super.users", "User:admin;User:ops"},
                                       {"allow.everyone.if.no.acl.found", "true"},
                                       {"authorizer.max.acls", "50"}});
    ASSERT_TRUE(s) << s.err().describe();
    EXPECT_TRUE(s->enabled);
    EXPECT_EQ(s->super_users, (std::set<std::string>{"User:admin", "User:ops"}));
    EXPECT_TRUE(s->allow_everyone_if_no_acl_found);
    EXPECT_EQ(s->max_acls, 50);
  }
  auto defaults = authorizer_settings_from({{"authorizer.class.name", standard_authorizer_class}});
  ASSERT_TRUE(defaults);
  EXPECT_FALSE(defaults->allow_everyone_if_no_acl_found);
  EXPECT_EQ(defaults->max_acls, 100000);
}

TEST(AuthorizerSettings, RefusesWhatItCannotHonour) {
  auto s = authorizer_settings_from({{"authorizer.class.name", "com.example.OpaAuthorizer"}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.err().message.find("com.example.OpaAuthorizer"), std::string::npos);
  EXPECT_FALSE(authorizer_settings_from({{"allow.everyone.if.no.acl.found", "yes"}}));
  EXPECT_FALSE(authorizer_settings_from({{"authorizer.max.acls", "0"}}));
  EXPECT_FALSE(authorizer_settings_from({{"authorizer.max.acls", "12x"}}));
}

TEST(AuthorizerSettings, PartOfTheBrokerConfigWithoutWarnings) {
  config_sources sources;
  sources.overrides = {{"authorizer.class.name", standard_authorizer_class}, {"super.users", "User:admin"}};
  std::vector<std::string> warnings;
  auto config = resolve_broker_config(sources, warnings);
  ASSERT_TRUE(config) << config.err().describe();
  EXPECT_TRUE(config->authorizer.enabled);
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  sources.overrides = {{"authorizer.class.name", "nope"}};
  EXPECT_FALSE(resolve_broker_config(sources, warnings));
}

TEST(AuthorizedOperations, AllWithoutAnAuthorizerElseTheAuthorizersAnswer) {
  auto alice = security::principal::user("alice");
  EXPECT_EQ(authorized_operations(nullptr, alice, "h", acl::resource_type::topic, "t"), all_topic_operations);
  EXPECT_EQ(authorized_operations(nullptr, alice, "h", acl::resource_type::group, "g"), all_group_operations);
  EXPECT_EQ(authorized_operations(nullptr, alice, "h", acl::resource_type::cluster, "kafka-cluster"),
            all_cluster_operations);
  acl::authorizer a;
  a.add({acl::resource_type::topic, "t", acl::pattern_type::literal, "User:alice", "*", acl::operation::write,
         acl::permission::allow});
  EXPECT_EQ(authorized_operations(&a, alice, "h", acl::resource_type::topic, "t"),
            bit(acl_operation::write) | bit(acl_operation::describe));
  EXPECT_EQ(authorized_operations(&a, alice, "h", acl::resource_type::group, "g"), 0);
}

}  // namespace
}  // namespace samsa::broker
