#include "proxy/proxy_settings.h"

#include <gtest/gtest.h>

namespace samsa::proxy {
namespace {

TEST(proxy_settings, defaults_and_overrides) {
  auto d = proxy_settings_from({});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->listener, "http://127.0.0.1:8082");
  EXPECT_EQ(d->instance_timeout_ms, 300000);
  auto off = proxy_settings_from({{"http.proxy.listeners", "none"}});
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->listener);
  auto set = proxy_settings_from({{"http.proxy.consumer.instance.timeout.ms", "500"},
                                  {"http.proxy.max.records.per.request", "3"},
                                  {"schema.registry.url", "http://127.0.0.1:1"}});
  ASSERT_TRUE(set);
  EXPECT_EQ(set->instance_timeout_ms, 500);
  EXPECT_EQ(set->limits.max_records, 3u);
  EXPECT_EQ(set->registry_url, "http://127.0.0.1:1");
  EXPECT_FALSE(proxy_settings_from({{"http.proxy.consumer.max.instances", "0"}}));
  EXPECT_FALSE(proxy_settings_from({{"http.proxy.max.request.bytes", "12x"}}));
}

TEST(proxy_settings, stream_buffer_bytes_defaults_to_4_mib_and_is_bounded) {
  EXPECT_EQ(proxy_settings_from({})->stream_buffer_bytes, 4u * 1024 * 1024);
  EXPECT_EQ(proxy_settings_from({{"http.proxy.stream.buffer.bytes", "65536"}})->stream_buffer_bytes, 65536u);
  auto small = proxy_settings_from({{"http.proxy.stream.buffer.bytes", "1024"}});
  ASSERT_FALSE(small);
  EXPECT_NE(small.err().describe().find("http.proxy.stream.buffer.bytes"), std::string::npos);
}

// Credentials for a registry elsewhere: Confluent's key, USER:PASSWORD. By
// default none, and callers' own credentials are not passed on (the service
// turns that on for the embedded registry only).
TEST(proxy_settings, registry_user_info_is_user_colon_password) {
  auto d = proxy_settings_from({});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->registry_auth.user_info, "");
  EXPECT_FALSE(d->registry_auth.pass_callers_on);
  auto set = proxy_settings_from({{"schema.registry.basic.auth.user.info", "proxy:pa:ss"}});
  ASSERT_TRUE(set);
  EXPECT_EQ(set->registry_auth.user_info, "proxy:pa:ss");
  auto bad = proxy_settings_from({{"schema.registry.basic.auth.user.info", "no-colon"}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.err().describe().find("USER:PASSWORD"), std::string::npos);
  EXPECT_EQ(bad.err().describe().find("no-colon"), std::string::npos) << "a password is never echoed";
}

}  // namespace
}  // namespace samsa::proxy
