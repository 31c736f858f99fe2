#include "broker/sasl_session.h"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <memory>

namespace samsa::broker {
namespace {

using clock = sasl_session::clock;

sasl_session session() { return sasl_session(std::make_shared<const sasl::listener_sasl_config>()); }

TEST(SaslSession, TheSessionEndsAfterItsLifetime) {
  auto s = session();
  const auto now = clock::now();
  s.succeed(60'000, now);
  ASSERT_TRUE(s.has_session_end());
  EXPECT_FALSE(s.expired(now + std::chrono::seconds(59)));
  EXPECT_TRUE(s.expired(now + std::chrono::seconds(60)));
}

TEST(SaslSession, ALifetimeNoClockCanAddHasNoEnd) {
  // An OAUTHBEARER token with exp at 10^13 s: its lifetime in nanoseconds
  // overflowed the steady clock (UBSan), leaving an end anywhere.
  for (int64_t lifetime_ms : {int64_t{10'000'000'000'000'000}, std::numeric_limits<int64_t>::max()}) {
    auto s = session();
    const auto now = clock::now();
    s.succeed(lifetime_ms, now);
    EXPECT_FALSE(s.has_session_end()) << lifetime_ms;
    EXPECT_FALSE(s.expired(now + std::chrono::hours(24 * 365 * 100))) << lifetime_ms;
  }
  // Seventy years still ends.
  auto s = session();
  s.succeed(int64_t{70} * 365 * 24 * 3600 * 1000, clock::now());
  EXPECT_TRUE(s.has_session_end());
}

}  // namespace
}  // namespace samsa::broker
