#include "client/client_config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include "client/kafka_error.h"

namespace samsa::client {
namespace {

struct fake_env {
  std::map<std::string, std::string> vars;
  env_lookup lookup() const {
    return [this](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
};

TEST(ClientConfig, DefaultsPointAtLocalBroker) {
  fake_env env;
  auto c = load_client_config({}, env.lookup());
  ASSERT_TRUE(c.ok()) << c.err().message;
  EXPECT_EQ(c->bootstrap_servers(), "127.0.0.1:9092");
  EXPECT_EQ(c->get("client.id"), "samsa");
}

TEST(ClientConfig, FlagsBeatEnvironmentWhichBeatsFile) {
  fake_env env;
  env.vars["SAMSA_BOOTSTRAP_SERVERS"] = "envhost:9093";
  env.vars["SAMSA_CLIENT_ID"] = "from-env";
  client_config c;
  ASSERT_TRUE(c.load_properties("bootstrap.servers=filehost:9094\nclient.id=from-file\nsocket.timeout.ms=1234\n",
                                "client.properties"));
  ASSERT_TRUE(c.load_environment(env.lookup()));
  client_flags flags;
  flags.bootstrap_servers = "flaghost:9095";
  ASSERT_TRUE(c.apply_flags(flags));
  EXPECT_EQ(c.bootstrap_servers(), "flaghost:9095");
  EXPECT_EQ(c.get("client.id"), "from-env");
  EXPECT_EQ(c.get("socket.timeout.ms"), "1234");
  EXPECT_EQ(c.values().at("socket.timeout.ms").origin, "file client.properties:3");
  EXPECT_EQ(c.values().at("client.id").origin, "env SAMSA_CLIENT_ID");
}

TEST(ClientConfig, PropertiesFileSyntax) {
  client_config c;
  ASSERT_TRUE(c.load_properties("# comment\n! also comment\n\n  acks : all \nlinger.ms=5", "f"));
  EXPECT_EQ(c.get("acks"), "all");
  EXPECT_EQ(c.get("linger.ms"), "5");
  auto bad = c.load_properties("ok=1\nnot a pair\n", "f");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.err().message.find("f:2"), std::string::npos) << bad.err().message;
}

TEST(ClientConfig, GenericKafkaEnvironmentVariables) {
  ::setenv("SAMSA_KAFKA_SOCKET_TIMEOUT_MS", "4321", 1);
  auto c = load_client_config({}, [](const char* n) -> const char* { return std::getenv(n); });
  ::unsetenv("SAMSA_KAFKA_SOCKET_TIMEOUT_MS");
  ASSERT_TRUE(c.ok()) << c.err().message;
  EXPECT_EQ(c->get("socket.timeout.ms"), "4321");
}

TEST(ClientConfig, RejectsBadBootstrapWithOriginAndHint) {
  fake_env env;
  env.vars["SAMSA_BOOTSTRAP_SERVERS"] = "localhost";
  auto c = load_client_config({}, env.lookup());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.err().message.find("has no port"), std::string::npos) << c.err().message;
  EXPECT_NE(c.err().message.find("SAMSA_BOOTSTRAP_SERVERS"), std::string::npos);
  EXPECT_NE(c.err().message.find("HOST:PORT"), std::string::npos);

  client_flags flags;
  flags.bootstrap_servers = "a:1,b:99999";
  auto c2 = load_client_config(flags, fake_env{}.lookup());
  ASSERT_FALSE(c2.ok());
  EXPECT_NE(c2.err().message.find("outside 1-65535"), std::string::npos) << c2.err().message;
}

TEST(ClientConfig, RejectsUnknownPropertyNamingItsSource) {
  client_flags flags;
  flags.properties = {"no.such.property=1"};
  auto c = load_client_config(flags, fake_env{}.lookup());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.err().message.find("no.such.property"), std::string::npos) << c.err().message;
  EXPECT_NE(c.err().message.find("flag -X"), std::string::npos) << c.err().message;
}

TEST(ClientConfig, RejectsMalformedPair) {
  client_flags flags;
  flags.properties = {"novalue"};
  auto c = load_client_config(flags, fake_env{}.lookup());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.err().message.find("key=value"), std::string::npos);
}

TEST(ClientConfig, SecuritySettingsAreChecked) {
  fake_env env;
  env.vars["SAMSA_SECURITY_PROTOCOL"] = "tls";
  auto c = load_client_config({}, env.lookup());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.err().message.find("sasl_ssl"), std::string::npos);

  env.vars["SAMSA_SECURITY_PROTOCOL"] = "sasl_plaintext";
  env.vars["SAMSA_SASL_MECHANISM"] = "PLAIN";
  auto c2 = load_client_config({}, env.lookup());
  ASSERT_FALSE(c2.ok());
  EXPECT_NE(c2.err().message.find("sasl.username"), std::string::npos);

  env.vars["SAMSA_SASL_USERNAME"] = "u";
  env.vars["SAMSA_SASL_PASSWORD"] = "p";
  auto c3 = load_client_config({}, env.lookup());
  EXPECT_TRUE(c3.ok()) << c3.err().message;

  env.vars["SAMSA_SECURITY_PROTOCOL"] = "plaintext";
  auto c4 = load_client_config({}, env.lookup());
  ASSERT_FALSE(c4.ok());
  EXPECT_NE(c4.err().message.find("sasl.mechanism"), std::string::npos);
}

TEST(ClientConfig, MissingFileIsAClearError) {
  client_flags flags;
  flags.config_file = "does-not-exist.properties";
  auto c = load_client_config(flags, fake_env{}.lookup());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.err().message.find("does-not-exist.properties"), std::string::npos);
}

TEST(KafkaError, CarriesNameOperationAndHint) {
  auto e = make_kafka_error("create topic orders", 36 /* TOPIC_ALREADY_EXISTS */, "exists", "h:1");
  EXPECT_NE(e.message.find("create topic orders"), std::string::npos);
  EXPECT_NE(e.message.find("TOPIC_ALREADY_EXISTS"), std::string::npos);
  EXPECT_NE(e.message.find("samsa topic delete"), std::string::npos);
  auto down = make_kafka_error("list topics", -195 /* _TRANSPORT */, "", "127.0.0.1:9092");
  EXPECT_TRUE(is_connection_error(down));
  EXPECT_NE(down.message.find("cannot reach 127.0.0.1:9092"), std::string::npos) << down.message;
}

TEST(KafkaError, GenericTextIsDroppedWhenAHintSaysMore) {
  // 68 is NON_EMPTY_GROUP; its librdkafka text restates the name.
  auto e = make_kafka_error("delete group g", 68, "Broker: The group is not empty", "h:1");
  EXPECT_EQ(e.message, "delete group g: NON_EMPTY_GROUP — the group still has members — stop its consumers first");
  auto specific = make_kafka_error("delete group g", 68, "2 members", "h:1");
  EXPECT_NE(specific.message.find("2 members"), std::string::npos);
}

}  // namespace
}  // namespace samsa::client
