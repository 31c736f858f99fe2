#include "broker/topic_names.h"

#include <gtest/gtest.h>

namespace samsa::broker {
namespace {

TEST(TopicNames, AcceptsKafkaLegalNames) {
  EXPECT_FALSE(topic_name_problem("orders"));
  EXPECT_FALSE(topic_name_problem("a.b_c-D9"));
  EXPECT_FALSE(topic_name_problem(std::string(249, 'x')));
  EXPECT_FALSE(topic_name_problem("..."));
}

TEST(TopicNames, RejectsIllegalNames) {
  EXPECT_TRUE(topic_name_problem(""));
  EXPECT_TRUE(topic_name_problem("."));
  EXPECT_TRUE(topic_name_problem(".."));
  EXPECT_TRUE(topic_name_problem(std::string(250, 'x')));
  EXPECT_TRUE(topic_name_problem("bad name"));
  EXPECT_TRUE(topic_name_problem("slash/name"));
  EXPECT_TRUE(topic_name_problem("ünicode"));
}

TEST(TopicNames, DotAndUnderscoreCollide) {
  EXPECT_EQ(topic_collision_key("a.b"), topic_collision_key("a_b"));
  EXPECT_NE(topic_collision_key("a.b"), topic_collision_key("a-b"));
}

TEST(TopicNames, OnlyTheBrokersOwnTopicsAreInternal) {
  EXPECT_TRUE(is_internal_topic_name("__consumer_offsets"));
  EXPECT_TRUE(is_internal_topic_name("__transaction_state"));
  EXPECT_FALSE(is_internal_topic_name("__my_topic"));
  EXPECT_FALSE(is_internal_topic_name("consumer_offsets"));
}

TEST(TopicNames, NamesCollidingWithInternalTopicsAreFound) {
  EXPECT_EQ(colliding_internal_topic("__consumer.offsets"), "__consumer_offsets");
  EXPECT_EQ(colliding_internal_topic("__transaction.state"), "__transaction_state");
  EXPECT_EQ(colliding_internal_topic("__consumer_offsets"), std::nullopt);  // it is the topic itself
  EXPECT_EQ(colliding_internal_topic("__consumer-offsets"), std::nullopt);
}

}  // namespace
}  // namespace samsa::broker
