#include "quota/quota_manager.h"

#include <gtest/gtest.h>

namespace samsa::quota {
namespace {

entity user(std::string u) { return {entity_part::named_(std::move(u)), {}}; }
entity client(std::string c) { return {{}, entity_part::named_(std::move(c))}; }

TEST(SampledRate, FirstBurstIsJudgedOverTenWholeWindows) {
  sampled_rate r({11, 1000});
  r.record(10'000, 5'000);
  // One sample, no time passed: the span is (11 - 1) windows.
  EXPECT_EQ(r.span_ms(5'000), 10'000);
  EXPECT_DOUBLE_EQ(r.rate(5'000), 1'000);
  // 300 ms later the span grows by 300 ms.
  EXPECT_EQ(r.span_ms(5'300), 10'300);
}

TEST(SampledRate, OldSamplesStopCounting) {
  sampled_rate r({11, 1000});
  r.record(1000, 0);
  r.record(1000, 1000);  // a second sample
  EXPECT_DOUBLE_EQ(r.rate(1000), 2000.0 / 10.0);
  // At 11 s the first sample (started at 0) is 11 windows old: gone.
  EXPECT_DOUBLE_EQ(r.rate(11'000), 1000.0 / 10.0);
  // At 12 s both are gone.
  EXPECT_DOUBLE_EQ(r.rate(12'000), 0);
}

TEST(SampledRate, SpanCountsFromTheOldestLiveSample) {
  sampled_rate r({3, 1000});
  for (int64_t t = 0; t < 5000; t += 1000) r.record(100, t);
  // Three samples live (2 s, 3 s, 4 s); at 4.5 s the span is 2.5 s, above the 2-window minimum.
  EXPECT_EQ(r.span_ms(4500), 2500);
  EXPECT_DOUBLE_EQ(r.rate(4500), 300 / 2.5);
}

TEST(QuotaPrecedence, KipFiftyFiveOrder) {
  auto order = precedence("u", "c");
  ASSERT_EQ(order.size(), 8u);
  std::vector<std::string> names;
  for (auto& e : order) names.push_back(e.to_string());
  EXPECT_EQ(names, (std::vector<std::string>{"/users/u/clients/c", "/users/u/clients/<default>", "/users/u",
                                             "/users/<default>/clients/c", "/users/<default>/clients/<default>",
                                             "/users/<default>", "/clients/c", "/clients/<default>"}));
}

TEST(QuotaPrecedence, EachKeyResolvesOnItsOwn) {
  quota_table t;
  t[client("c")]["producer_byte_rate"] = 100;
  t[user("u")]["consumer_byte_rate"] = 200;
  t[{entity_part::default_(), {}}]["producer_byte_rate"] = 300;
  auto p = resolve(t, quota_key::producer_byte_rate, "u", "c");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->limit, 300);  // /users/<default> comes before /clients/c
  auto c = resolve(t, quota_key::consumer_byte_rate, "u", "c");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->limit, 200);
  EXPECT_FALSE(resolve(t, quota_key::request_percentage, "u", "c"));
  auto other = resolve(t, quota_key::consumer_byte_rate, "v", "c");
  EXPECT_FALSE(other);
}

TEST(QuotaManager, ThrottleIsTimeBackUnderTheQuota) {
  quota_manager m;
  quota_table t;
  t[client("slow")]["producer_byte_rate"] = 1'048'576;
  m.set_quotas(t);
  // 10 MiB at once is exactly the quota over the 10 s span: no throttle.
  EXPECT_EQ(m.record(quota_key::producer_byte_rate, "ANONYMOUS", "slow", 10 * 1'048'576.0, 0), 0);
  // One MiB more: (11/10 - 1) * 10 s = 1 s.
  EXPECT_EQ(m.record(quota_key::producer_byte_rate, "ANONYMOUS", "slow", 1'048'576.0, 0), 1000);
  // An unlimited client is never throttled and not tracked.
  EXPECT_EQ(m.record(quota_key::producer_byte_rate, "ANONYMOUS", "fast", 1e12, 0), 0);
  EXPECT_EQ(m.tracked(), 1u);
}

TEST(QuotaManager, ByteRateThrottleIsTheWholeDrainTime) {
  quota_manager m;
  m.set_quotas({{client("c"), {{"producer_byte_rate", 1000}}}});
  // 1e6 bytes over 10 s at 1000 B/s: (100000 - 1000) / 1000 * 10 s, unbounded as in Kafka.
  EXPECT_EQ(m.record(quota_key::producer_byte_rate, "u", "c", 1e6, 0), 990'000);
}

TEST(QuotaManager, RequestTimeThrottleIsCappedAtOneWindow) {
  quota_manager m;
  m.set_quotas({{client("c"), {{"request_percentage", 10}}}});
  EXPECT_EQ(m.record(quota_key::request_percentage, "u", "c", 1e6, 0), 1'000);
}

TEST(QuotaManager, UnrecordedBytesNoLongerCount) {
  quota_manager m;
  m.set_quotas({{client("c"), {{"consumer_byte_rate", 1000}}}});
  // A throttled Fetch is answered empty and its bytes taken back: the next
  // fetch of the same size is judged as if the first had not happened.
  EXPECT_EQ(m.record(quota_key::consumer_byte_rate, "u", "c", 11'000, 0), 1000);
  m.unrecord(quota_key::consumer_byte_rate, "u", "c", 11'000, 0);
  EXPECT_EQ(m.record(quota_key::consumer_byte_rate, "u", "c", 10'000, 0), 0);
}

TEST(QuotaManager, DefaultEntityLimitsEachClientSeparately) {
  quota_manager m;
  m.set_quotas({{{{}, entity_part::default_()}, {{"producer_byte_rate", 1000}}}});
  EXPECT_EQ(m.record(quota_key::producer_byte_rate, "u", "a", 10'000, 0), 0);
  EXPECT_EQ(m.record(quota_key::producer_byte_rate, "u", "b", 10'000, 0), 0);  // its own rate
  EXPECT_GT(m.record(quota_key::producer_byte_rate, "u", "a", 1000, 0), 0);
}

TEST(QuotaManager, UserQuotaIsSharedByItsClientIds) {
  quota_manager m;
  m.set_quotas({{user("u"), {{"producer_byte_rate", 1000}}}});
  EXPECT_EQ(m.record(quota_key::producer_byte_rate, "u", "a", 10'000, 0), 0);
  EXPECT_GT(m.record(quota_key::producer_byte_rate, "u", "b", 1000, 0), 0);
}

TEST(QuotaManager, IdleRatesAreForgotten) {
  quota_manager m;
  m.set_quotas({{{{}, entity_part::default_()}, {{"producer_byte_rate", 1000}}}});
  for (int i = 0; i < 100; ++i) (void)m.record(quota_key::producer_byte_rate, "u", std::to_string(i), 1, 0);
  EXPECT_EQ(m.tracked(), 100u);
  (void)m.record(quota_key::producer_byte_rate, "u", "late", 1, 11'000);
  EXPECT_EQ(m.tracked(), 1u);
}

// Any client may send a new client id, up to 32 KiB, with every request:
// what that makes the rates hold is bounded in bytes per rate and in rates.
TEST(QuotaManager, LongClientIdsAreKeptAsAPrefixAndADigest) {
  quota_manager m;
  m.set_quotas({{{{}, entity_part::default_()}, {{"producer_byte_rate", 1000}}}});
  const std::string common(30'000, 'x');
  const std::string a = common + "a", b = common + "b";
  EXPECT_EQ(m.record(quota_key::producer_byte_rate, "u", a, 10'000, 0), 0);
  EXPECT_EQ(m.record(quota_key::producer_byte_rate, "u", b, 10'000, 0), 0) << "a long id shares another's rate";
  EXPECT_GT(m.record(quota_key::producer_byte_rate, "u", a, 1000, 0), 0) << "a long id lost its own rate";
  EXPECT_EQ(m.tracked(), 2u);
  EXPECT_LE(m.key_bytes(), 2 * max_rate_key_client_bytes) << "the rates hold the whole ids";
}

TEST(QuotaManager, TrackedRatesAreBoundedAndClientsPastTheBoundShareOne) {
  quota_manager m({11, 1000}, 10);
  m.set_quotas({{{{}, entity_part::default_()}, {{"producer_byte_rate", 1000}, {"consumer_byte_rate", 1000}}}});
  for (int i = 0; i < 10; ++i) EXPECT_EQ(m.record(quota_key::producer_byte_rate, "u", std::to_string(i), 1, 0), 0);
  EXPECT_EQ(m.tracked(), 10u);
  EXPECT_EQ(m.shared(), 0u);
  // Past the bound: new clients are throttled together, known ones keep their own rate.
  for (int i = 10; i < 1000; ++i) (void)m.record(quota_key::producer_byte_rate, "u", std::to_string(i), 1, 0);
  EXPECT_EQ(m.tracked(), 11u);
  EXPECT_EQ(m.shared(), 1u);
  EXPECT_EQ(m.record(quota_key::producer_byte_rate, "u", "new-1", 9'000, 0), 0);  // 990 + 9,000 of 10,000
  EXPECT_GT(m.record(quota_key::producer_byte_rate, "u", "new-2", 1000, 0), 0) << "clients past the bound are not shared";
  EXPECT_EQ(m.record(quota_key::producer_byte_rate, "u", "3", 1, 0), 0) << "a tracked client lost its own rate";
  // Another key has its shared rate of its own, and taking back bytes reaches it.
  EXPECT_EQ(m.record(quota_key::consumer_byte_rate, "u", "new-3", 10'000, 0), 0);
  m.unrecord(quota_key::consumer_byte_rate, "u", "new-3", 10'000, 0);
  EXPECT_EQ(m.record(quota_key::consumer_byte_rate, "u", "new-4", 10'000, 0), 0);
  EXPECT_EQ(m.tracked(), 12u);
  // Idle rates expire, the shared ones too, and new clients get rates of their own again.
  EXPECT_EQ(m.record(quota_key::producer_byte_rate, "u", "late-1", 10'000, 11'000), 0);
  EXPECT_EQ(m.shared(), 0u);
  EXPECT_EQ(m.record(quota_key::producer_byte_rate, "u", "late-2", 10'000, 11'000), 0);
  EXPECT_EQ(m.tracked(), 2u);
}

TEST(QuotaValues, RefusedAsKafkaDoes) {
  EXPECT_EQ(check_quota_value("producer_byte_rate", 1024), "");
  EXPECT_EQ(check_quota_value("request_percentage", 12.5), "");
  EXPECT_NE(check_quota_value("producer_byte_rate", 10.5), "");
  EXPECT_NE(check_quota_value("consumer_byte_rate", 0), "");
  EXPECT_NE(check_quota_value("request_percentage", -1), "");
  EXPECT_NE(check_quota_value("bogus", 1), "");
}

}  // namespace
}  // namespace samsa::quota
