#include "broker/request_order.h"

#include <gtest/gtest.h>

#include "protocol/api_keys.h"

namespace samsa::broker {
namespace {

running_requests with(uint32_t produce, uint32_t fetch, uint32_t other) {
  running_requests r;
  r.produce = produce;
  r.fetch = fetch;
  r.other = other;
  return r;
}

TEST(RequestOrder, ClassifiesProduceFetchAndEverythingElse) {
  EXPECT_EQ(classify_request(static_cast<int16_t>(protocol::api_key::produce)), request_kind::produce);
  EXPECT_EQ(classify_request(static_cast<int16_t>(protocol::api_key::fetch)), request_kind::fetch);
  for (auto key : {protocol::api_key::offset_commit, protocol::api_key::sync_group, protocol::api_key::join_group,
                   protocol::api_key::heartbeat, protocol::api_key::create_topics, protocol::api_key::metadata,
                   protocol::api_key::init_producer_id, protocol::api_key::api_versions}) {
    EXPECT_EQ(classify_request(static_cast<int16_t>(key)), request_kind::other) << static_cast<int>(key);
  }
  EXPECT_EQ(classify_request(-1), request_kind::other);
  EXPECT_EQ(classify_request(999), request_kind::other);
}

TEST(RequestOrder, AnythingStartsOnAnIdleConnection) {
  for (auto kind : {request_kind::produce, request_kind::fetch, request_kind::other}) {
    EXPECT_TRUE(may_start(kind, with(0, 0, 0)));
  }
}

TEST(RequestOrder, NothingOverlapsAGroupOrAdminRequest) {
  for (auto kind : {request_kind::produce, request_kind::fetch, request_kind::other}) {
    EXPECT_FALSE(may_start(kind, with(0, 0, 1)));
    EXPECT_FALSE(may_start(kind, with(0, 2, 1)));
  }
}

TEST(RequestOrder, OnlyProducesOverlapProduces) {
  EXPECT_TRUE(may_start(request_kind::produce, with(3, 0, 0)));
  EXPECT_FALSE(may_start(request_kind::fetch, with(1, 0, 0)));
  EXPECT_FALSE(may_start(request_kind::other, with(1, 0, 0)));
  EXPECT_TRUE(may_start(request_kind::produce, with(1, 1, 0)));
  EXPECT_FALSE(may_start(request_kind::other, with(1, 1, 0)));
}

TEST(RequestOrder, RequestsBehindAFetchStart) {
  EXPECT_TRUE(may_start(request_kind::other, with(0, 1, 0)));
  EXPECT_TRUE(may_start(request_kind::produce, with(0, 1, 0)));
  EXPECT_TRUE(may_start(request_kind::fetch, with(0, 2, 0)));
}

TEST(RequestOrder, RunningCountsAddAndRemove) {
  running_requests r;
  r.add(request_kind::produce);
  r.add(request_kind::fetch);
  r.add(request_kind::other);
  EXPECT_EQ(r.total(), 3u);
  r.remove(request_kind::other);
  EXPECT_EQ(r.other, 0u);
  EXPECT_EQ(r.total(), 2u);
}

}  // namespace
}  // namespace samsa::broker
