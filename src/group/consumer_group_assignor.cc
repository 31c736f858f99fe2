#include "group/consumer_group_assignor.h"

#include <algorithm>
#include <utility>

namespace samsa::group {

namespace {

struct partition_ref {
  topic_id topic{};
  int32_t partition = 0;
};

// Every member starts with an entry, so members that get nothing are still
// present in the target (with an empty assignment).
cg_target empty_target(const std::vector<cg_assignor_member>& members) {
  cg_target out;
  for (const auto& m : members) out[m.member_id];
  return out;
}

bool homogeneous(const std::vector<cg_assignor_member>& members) {
  for (const auto& m : members) {
    if (m.subscribed != members.front().subscribed) return false;
  }
  return true;
}

}  // namespace

cg_target assign_uniform(const std::vector<cg_assignor_member>& members, const cg_partition_counts& topics) {
  cg_target out = empty_target(members);
  if (members.empty()) return out;
  // Subscribers per topic, and each member's fair share: with equal
  // subscriptions floor(P/N) for everyone and one more for P%N of them;
  // otherwise the sum of its topics' shares rounded up, a cap that keeps
  // stickiness from starving others.
  std::map<topic_id, std::vector<size_t>> subscribers;
  for (size_t i = 0; i < members.size(); ++i) {
    for (const auto& t : members[i].subscribed) {
      if (topics.count(t)) subscribers[t].push_back(i);
    }
  }
  std::vector<size_t> floor_quota(members.size(), 0);
  size_t extra_slots = 0;
  if (homogeneous(members)) {
    size_t total = 0;
    for (const auto& [t, subs] : subscribers) total += static_cast<size_t>(topics.at(t));
    std::fill(floor_quota.begin(), floor_quota.end(), total / members.size());
    extra_slots = total % members.size();
  } else {
    std::vector<double> share(members.size(), 0.0);
    for (const auto& [t, subs] : subscribers) {
      for (size_t i : subs) share[i] += static_cast<double>(topics.at(t)) / static_cast<double>(subs.size());
    }
    for (size_t i = 0; i < members.size(); ++i) floor_quota[i] = static_cast<size_t>(share[i]);
    extra_slots = members.size();  // every member may round up
  }

  std::map<topic_id, std::set<int32_t>> taken;
  std::vector<size_t> counts(members.size(), 0);
  auto give = [&](size_t i, const topic_id& t, int32_t p) {
    out[members[i].member_id][t].insert(p);
    taken[t].insert(p);
    ++counts[i];
  };
  auto still_valid = [&](size_t i, const topic_id& t, int32_t p) {
    auto it = topics.find(t);
    return it != topics.end() && p >= 0 && p < it->second && members[i].subscribed.count(t) && !taken[t].count(p);
  };
  // Pass 1: every member keeps previous partitions up to its floor quota.
  // Pass 2: members that had more keep one extra while extra slots remain.
  for (size_t i = 0; i < members.size(); ++i) {
    for (const auto& [t, ps] : members[i].previous_target) {
      for (int32_t p : ps) {
        if (counts[i] >= floor_quota[i]) break;
        if (still_valid(i, t, p)) give(i, t, p);
      }
    }
  }
  for (size_t i = 0; i < members.size() && extra_slots > 0; ++i) {
    bool kept = false;
    for (const auto& [t, ps] : members[i].previous_target) {
      for (int32_t p : ps) {
        if (still_valid(i, t, p)) {
          give(i, t, p);
          kept = true;
          break;
        }
      }
      if (kept) break;
    }
    if (kept) --extra_slots;
  }
  // Pass 3: each remaining partition goes to the least loaded subscriber
  // (ties: the earlier member id), which keeps counts within one of each other.
  for (const auto& [t, subs] : subscribers) {
    for (int32_t p = 0; p < topics.at(t); ++p) {
      if (taken[t].count(p)) continue;
      size_t best = subs.front();
      for (size_t i : subs) {
        if (counts[i] < counts[best] || (counts[i] == counts[best] && members[i].member_id < members[best].member_id)) {
          best = i;
        }
      }
      give(best, t, p);
    }
  }
  return out;
}

cg_target assign_range(const std::vector<cg_assignor_member>& members, const cg_partition_counts& topics) {
  cg_target out = empty_target(members);
  for (const auto& [t, partitions] : topics) {
    std::vector<const cg_assignor_member*> subs;
    for (const auto& m : members) {
      if (m.subscribed.count(t)) subs.push_back(&m);
    }
    if (subs.empty()) continue;
    std::sort(subs.begin(), subs.end(), [](auto* a, auto* b) { return a->member_id < b->member_id; });
    const int32_t n = static_cast<int32_t>(subs.size());
    const int32_t each = partitions / n;
    const int32_t extra = partitions % n;
    int32_t next = 0;
    for (int32_t i = 0; i < n; ++i) {
      int32_t len = each + (i < extra ? 1 : 0);
      for (int32_t k = 0; k < len; ++k) out[subs[static_cast<size_t>(i)]->member_id][t].insert(next++);
    }
  }
  return out;
}

bool is_known_assignor(std::string_view name) { return name == "uniform" || name == "range"; }

std::optional<cg_target> run_assignor(std::string_view name, const std::vector<cg_assignor_member>& members,
                                      const cg_partition_counts& topics) {
  if (name == "uniform") return assign_uniform(members, topics);
  if (name == "range") return assign_range(members, topics);
  return std::nullopt;
}

}  // namespace samsa::group
