// Test harness for the coordinator: a fake clock, an in-memory offset log,
// deterministic member ids and helpers that capture deferred answers.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "group/coordinator.h"
#include "group/errors.h"
#include "group/memory_offset_log.h"
#include "group/subscription.h"

namespace samsa::group::testing {

template <typename T>
struct slot {
  bool done = false;
  int calls = 0;
  T value{};
};

inline coordinator_config test_config() {
  coordinator_config c;
  c.initial_rebalance_delay_ms = 100;
  auto counter = std::make_shared<int>(0);
  c.make_uuid = [counter] { return "uuid" + std::to_string(++*counter); };
  return c;
}

inline std::vector<protocol_entry> consumer_protocols(const std::vector<std::string>& names,
                                                      const std::vector<std::string>& topics = {"orders"}) {
  std::vector<protocol_entry> out;
  for (const auto& n : names) out.push_back(protocol_entry{n, encode_consumer_subscription(topics)});
  return out;
}

inline join_request make_join(const std::string& group, const std::string& client,
                              const std::string& member_id = "") {
  join_request r;
  r.group_id = group;
  r.member_id = member_id;
  r.client_id = client;
  r.client_host = "/127.0.0.1";
  r.session_timeout_ms = 10000;
  r.rebalance_timeout_ms = 30000;
  r.protocol_type = "consumer";
  r.protocols = consumer_protocols({"range"});
  return r;
}

class harness {
 public:
  explicit harness(coordinator_config cfg = test_config(), bool loaded = true) : c(std::move(cfg), log) {
    if (loaded) c.finish_loading(now);
  }

  // Moves the clock forward, firing every deadline on the way as an event
  // loop would.
  void advance(int64_t ms) {
    const int64_t target = now + ms;
    for (int64_t next = c.next_deadline(); next <= target && next > now; next = c.next_deadline()) {
      now = next;
      c.tick(now);
      EXPECT_EQ(c.wake_by(), c.next_deadline()) << "a tick leaves wake_by exact";
    }
    now = target;
    c.tick(now);
    EXPECT_EQ(c.wake_by(), c.next_deadline()) << "a tick leaves wake_by exact";
  }

  // The broker arms its timer with wake_by(): it must never be later than
  // the exact next deadline, or a timeout would fire late. Checked after
  // every call the harness makes, so every test of the coordinator checks
  // that each place setting a deadline notes it.
  void check_wake_by() const {
    EXPECT_LE(c.wake_by(), c.next_deadline()) << "a deadline was set without note_deadline";
  }

  std::shared_ptr<slot<join_result>> join(join_request req) {
    auto s = std::make_shared<slot<join_result>>();
    c.join(std::move(req), now, [s](join_result r) {
      s->done = true;
      ++s->calls;
      s->value = std::move(r);
    });
    check_wake_by();
    return s;
  }

  std::shared_ptr<slot<sync_result>> sync(const std::string& group, int32_t generation, const std::string& member,
                                          std::vector<std::pair<std::string, bytes>> assignments = {},
                                          std::optional<std::string> instance = std::nullopt) {
    sync_request r;
    r.group_id = group;
    r.generation_id = generation;
    r.member_id = member;
    r.group_instance_id = std::move(instance);
    r.assignments = std::move(assignments);
    auto s = std::make_shared<slot<sync_result>>();
    c.sync(std::move(r), now, [s](sync_result res) {
      s->done = true;
      ++s->calls;
      s->value = std::move(res);
    });
    check_wake_by();
    return s;
  }

  int16_t heartbeat(const std::string& group, int32_t generation, const std::string& member,
                    std::optional<std::string> instance = std::nullopt) {
    const int16_t error = c.heartbeat(heartbeat_request{group, generation, member, std::move(instance)}, now);
    check_wake_by();
    return error;
  }

  std::vector<partition_error> commit(offset_commit_request req, bool* completed = nullptr) {
    auto out = std::make_shared<std::vector<partition_error>>();
    auto flag = std::make_shared<bool>(false);
    c.commit_offsets(std::move(req), now, [out, flag](std::vector<partition_error> r) {
      *out = std::move(r);
      *flag = true;
    });
    if (completed) *completed = *flag;
    return *out;
  }

  std::string state(const std::string& group) const {
    const group_metadata* g = c.find_group(group);
    return g ? std::string(state_name(g->state())) : "(none)";
  }

  // Joins `clients` as dynamic members at the same moment, waits out the
  // initial delay, and has the leader hand each member the assignment
  // {member index}. Returns the member ids in join order.
  std::vector<std::string> form_group(const std::string& group, const std::vector<std::string>& clients) {
    std::vector<std::shared_ptr<slot<join_result>>> joins;
    for (const auto& cl : clients) joins.push_back(join(make_join(group, cl)));
    // A second member in a new group stretches the initial delay once.
    advance(c.config().initial_rebalance_delay_ms);
    if (clients.size() > 1) advance(c.config().initial_rebalance_delay_ms);
    std::vector<std::string> ids;
    for (auto& j : joins) {
      EXPECT_TRUE(j->done);
      EXPECT_EQ(j->value.error, errc::none);
      ids.push_back(j->value.member_id);
    }
    sync_all(group, joins.front()->value.generation_id, ids);
    return ids;
  }

  // Followers first, then the leader (ids[0] when it leads).
  void sync_all(const std::string& group, int32_t generation, const std::vector<std::string>& ids) {
    const group_metadata* g = c.find_group(group);
    ASSERT_NE(g, nullptr);
    const std::string leader = g->leader_id.value_or("");
    std::vector<std::shared_ptr<slot<sync_result>>> syncs;
    for (const auto& id : ids) {
      if (id != leader) syncs.push_back(sync(group, generation, id));
    }
    std::vector<std::pair<std::string, bytes>> assignment;
    for (size_t i = 0; i < ids.size(); ++i) assignment.emplace_back(ids[i], bytes{static_cast<uint8_t>(i)});
    syncs.push_back(sync(group, generation, leader, assignment));
    for (auto& s : syncs) {
      EXPECT_TRUE(s->done);
      EXPECT_EQ(s->value.error, errc::none);
    }
    EXPECT_EQ(state(group), "Stable");
  }

  memory_offset_log log;
  int64_t now = 1'000'000;
  coordinator c;
};

}  // namespace samsa::group::testing
