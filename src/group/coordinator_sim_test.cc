// Randomised simulation: consumers that join, sync, heartbeat, leave, crash
// and restart against one coordinator on a fake clock. Checks that every
// request is answered at most once, that no one is stuck, and that once the
// chaos stops everybody ends in one stable generation with its own assignment.
#include <iostream>
#include <random>

#include "group/test_support.h"

namespace samsa::group {
namespace {

using testing::harness;
using testing::make_join;

struct sim {
  struct client {
    std::string name;
    std::optional<std::string> instance;
    enum class phase { down, joining, syncing, stable } state = phase::down;
    std::string member_id;
    int32_t generation = -1;
    int64_t next_heartbeat = 0;
    int epoch = 0;  // bumped on crash; answers to older requests are ignored
    bytes assignment;
    bool wide_subscription = false;
  };

  explicit sim(uint32_t seed) : rng(seed), require_known(seed % 2 == 0) {
    for (int i = 0; i < 4; ++i) {
      client c;
      c.name = "c" + std::to_string(i);
      if (i % 2 == 1) c.instance = "instance-" + std::to_string(i);
      clients.push_back(c);
    }
  }

  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }

  // Every answer is counted; a second answer to one request is a bug.
  std::function<void()> answer_guard() {
    auto answered = std::make_shared<bool>(false);
    ++outstanding;
    return [this, answered] {
      EXPECT_FALSE(*answered) << "request answered twice";
      *answered = true;
      --outstanding;
    };
  }

  void join(size_t i) {
    client& c = clients[i];
    c.state = client::phase::joining;
    auto req = make_join("sim", c.name, c.member_id);
    req.group_instance_id = c.instance;
    req.require_known_member_id = require_known;
    if (c.wide_subscription) req.protocols = testing::consumer_protocols({"range"}, {"orders", "audit"});
    req.supports_skip_assignment = true;
    const int epoch = c.epoch;
    auto guard = answer_guard();
    h.c.join(req, h.now, [this, i, epoch, guard](join_result r) {
      guard();
      client& cl = clients[i];
      if (cl.epoch != epoch) return;
      on_join(i, std::move(r));
    });
  }

  void on_join(size_t i, join_result r) {
    client& c = clients[i];
    if (r.error == errc::member_id_required) {
      c.member_id = r.member_id;
      return join(i);
    }
    if (r.error == errc::unknown_member_id) {
      c.member_id.clear();
      return join(i);
    }
    if (r.error == errc::fenced_instance_id) {
      c.state = client::phase::down;
      return;
    }
    ASSERT_EQ(r.error, errc::none) << errc::name(r.error);
    c.member_id = r.member_id;
    c.generation = r.generation_id;
    std::vector<std::pair<std::string, bytes>> assignment;
    if (r.leader_id == r.member_id && !r.skip_assignment) {
      for (const auto& m : r.members) {
        const std::string owner = m.group_instance_id.value_or(m.member_id);
        assignment.emplace_back(m.member_id, bytes(owner.begin(), owner.end()));
      }
    }
    sync(i, std::move(assignment));
  }

  void sync(size_t i, std::vector<std::pair<std::string, bytes>> assignment) {
    client& c = clients[i];
    c.state = client::phase::syncing;
    sync_request req;
    req.group_id = "sim";
    req.generation_id = c.generation;
    req.member_id = c.member_id;
    req.group_instance_id = c.instance;
    req.assignments = std::move(assignment);
    const int epoch = c.epoch;
    auto guard = answer_guard();
    h.c.sync(req, h.now, [this, i, epoch, guard](sync_result r) {
      guard();
      client& cl = clients[i];
      if (cl.epoch != epoch) return;
      if (r.error == errc::none) {
        cl.state = client::phase::stable;
        cl.assignment = r.assignment;
        cl.next_heartbeat = h.now + 3000;
      } else {
        recover(i, r.error);
      }
    });
  }

  void recover(size_t i, int16_t error) {
    client& c = clients[i];
    if (error == errc::fenced_instance_id) {
      c.state = client::phase::down;
      return;
    }
    if (error == errc::unknown_member_id) c.member_id.clear();
    join(i);
  }

  void crash(size_t i) {
    client& c = clients[i];
    ++c.epoch;
    c.state = client::phase::down;
    if (!c.instance) c.member_id.clear();  // a restarted dynamic consumer is a new member
    if (c.instance) c.member_id.clear();   // static ones come back by instance id
  }

  void step(bool chaos) {
    for (size_t i = 0; i < clients.size(); ++i) {
      client& c = clients[i];
      switch (c.state) {
        case client::phase::down:
          if (!chaos || chance(0.3)) join(i);
          break;
        case client::phase::joining:
        case client::phase::syncing:
          if (chaos && chance(0.02)) crash(i);
          break;
        case client::phase::stable:
          if (chaos && chance(0.03)) {
            crash(i);
          } else if (chaos && chance(0.03)) {
            h.c.leave("sim", {{c.member_id, c.instance, std::nullopt}}, h.now);
            crash(i);
          } else if (chaos && chance(0.02)) {
            // The application changed its subscription: rejoin with new metadata.
            c.wide_subscription = !c.wide_subscription;
            join(i);
          } else if (h.now >= c.next_heartbeat) {
            const int16_t err = h.heartbeat("sim", c.generation, c.member_id, c.instance);
            if (err == errc::none) {
              c.next_heartbeat = h.now + 3000;
            } else {
              recover(i, err);
            }
          }
          break;
      }
    }
  }

  std::mt19937 rng;
  harness h;
  std::vector<client> clients;
  bool require_known;
  int outstanding = 0;
};

class Simulation : public ::testing::TestWithParam<uint32_t> {};

TEST_P(Simulation, ChaosThenConvergence) {
  sim s(GetParam());
  for (int i = 0; i < 400; ++i) {
    s.h.advance(std::uniform_int_distribution<int>(50, 1500)(s.rng));
    s.step(true);
  }
  for (int i = 0; i < 300; ++i) {  // 150 s without failures
    s.h.advance(500);
    s.step(false);
  }
  EXPECT_EQ(s.outstanding, 0) << "some request was never answered";
  if (const group_metadata* dbg = s.h.c.find_group("sim"); dbg && ::testing::Test::HasFailure()) {
    std::cerr << "state " << state_name(dbg->state()) << " gen " << dbg->generation_id << " join_deadline "
              << dbg->join_deadline_ms - s.h.now << " initial " << dbg->initial_delay_active << " next "
              << s.h.c.next_deadline() - s.h.now << "\n";
    for (const auto& m : dbg->members())
      std::cerr << " member " << m->member_id << " awaiting_join " << m->is_awaiting_join() << " sync "
                << m->is_awaiting_sync() << " hb " << m->heartbeat_deadline_ms - s.h.now << " new " << m->is_new << "\n";
    for (const auto& [id, d] : dbg->pending_members) std::cerr << " pending " << id << " " << d - s.h.now << "\n";
  }
  ASSERT_EQ(s.h.state("sim"), "Stable");
  const group_metadata* g = s.h.c.find_group("sim");
  ASSERT_EQ(g->size(), s.clients.size());
  for (const auto& c : s.clients) {
    EXPECT_EQ(c.state, sim::client::phase::stable) << c.name;
    EXPECT_EQ(c.generation, g->generation_id) << c.name;
    EXPECT_TRUE(g->has(c.member_id)) << c.name;
    const std::string owner = c.instance.value_or(c.member_id);
    EXPECT_EQ(c.assignment, bytes(owner.begin(), owner.end())) << c.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, Simulation, ::testing::Range<uint32_t>(1, 41));

}  // namespace
}  // namespace samsa::group
