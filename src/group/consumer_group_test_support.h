// Test harness for the consumer group coordinator: a fake clock, an
// in-memory log, a topic metadata builder and a synchronous heartbeat.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "group/consumer_group_coordinator.h"
#include "group/memory_offset_log.h"

namespace samsa::group::cgtest {

inline topic_id tid(uint8_t n) {
  topic_id id{};
  id[15] = n;
  return id;
}

struct cluster {
  cg_topic_metadata md;
  uint8_t next_id = 1;
  topic_id add(const std::string& name, int32_t partitions, bool internal = false) {
    cg_topic t{tid(next_id++), name, partitions, internal};
    md.by_name[name] = t;
    return t.id;
  }
  void remove(const std::string& name) { md.by_name.erase(name); }
  void grow(const std::string& name, int32_t partitions) { md.by_name.at(name).partitions = partitions; }
  topic_id id(const std::string& name) const { return md.by_name.at(name).id; }
};

inline consumer_group_config test_config() {
  consumer_group_config c;
  c.session_timeout_ms = 45000;
  c.heartbeat_interval_ms = 5000;
  auto counter = std::make_shared<int>(0);
  c.make_member_id = [counter] { return "gen" + std::to_string(++*counter); };
  return c;
}

inline cg_heartbeat_request join(const std::string& group, const std::string& member,
                                 std::vector<std::string> topics) {
  cg_heartbeat_request r;
  r.group_id = group;
  r.member_id = member;
  r.member_epoch = 0;
  r.rebalance_timeout_ms = 30000;
  r.subscribed_topic_names = std::move(topics);
  r.owned = cg_assignment{};
  r.client_id = "client-" + member;
  r.client_host = "/127.0.0.1";
  return r;
}

inline cg_heartbeat_request beat(const std::string& group, const std::string& member, int32_t epoch,
                                 std::optional<cg_assignment> owned = std::nullopt) {
  cg_heartbeat_request r;
  r.group_id = group;
  r.member_id = member;
  r.member_epoch = epoch;
  r.owned = std::move(owned);
  r.client_id = "client-" + member;
  r.client_host = "/127.0.0.1";
  return r;
}

class harness {
 public:
  explicit harness(consumer_group_config cfg = test_config()) : c(std::move(cfg), log) { c.finish_loading(now); }

  cg_heartbeat_result hb(cg_heartbeat_request req) {
    std::optional<cg_heartbeat_result> out;
    c.heartbeat(std::move(req), topics.md, now, [&](cg_heartbeat_result r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value()) << "heartbeat not answered";
    // The broker arms its timer with wake_by(): never later than the exact
    // next deadline, so every place setting a deadline must note it.
    EXPECT_LE(c.wake_by(), c.next_deadline()) << "a deadline was set without note_deadline";
    // Heartbeats judge subscriptions by the groups' tallies: a member
    // changed without settle() would leave a stale target unnoticed.
    EXPECT_TRUE(c.subscriptions_exact()) << "a member changed without settle()";
    return out.value_or(cg_heartbeat_result{});
  }

  void advance(int64_t ms) {
    int64_t until = now + ms;
    while (c.next_deadline() <= until) {
      now = std::max(now, c.next_deadline());
      c.tick(now);
      EXPECT_EQ(c.wake_by(), c.next_deadline()) << "a tick leaves wake_by exact";
      EXPECT_TRUE(c.subscriptions_exact()) << "a tick left a group's subscription tally behind";
    }
    now = until;
  }

  cg_group_description describe(const std::string& g) { return c.describe({g}, topics.md).front(); }

  memory_offset_log log;
  consumer_group_coordinator c;
  cluster topics;
  int64_t now = 1000;
};

inline cg_assignment parts(const topic_id& t, std::set<int32_t> ps) {
  cg_assignment a;
  if (!ps.empty()) a[t] = std::move(ps);
  return a;
}

}  // namespace samsa::group::cgtest
