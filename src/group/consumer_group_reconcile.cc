#include "group/consumer_group_reconcile.h"

namespace samsa::group {

const char* to_string(cg_member_state s) {
  switch (s) {
    case cg_member_state::stable:
      return "STABLE";
    case cg_member_state::unrevoked_partitions:
      return "UNREVOKED_PARTITIONS";
    case cg_member_state::unreleased_partitions:
      return "UNRELEASED_PARTITIONS";
  }
  return "UNKNOWN";
}

bool contains_any(const cg_assignment& owned, const cg_assignment& partitions) {
  for (const auto& [t, ps] : partitions) {
    auto it = owned.find(t);
    if (it == owned.end()) continue;
    for (int32_t p : ps) {
      if (it->second.count(p)) return true;
    }
  }
  return false;
}

bool is_subset(const cg_assignment& a, const cg_assignment& of) {
  for (const auto& [t, ps] : a) {
    auto it = of.find(t);
    for (int32_t p : ps) {
      if (it == of.end() || !it->second.count(p)) return false;
    }
  }
  return true;
}

size_t partition_count(const cg_assignment& a) {
  size_t n = 0;
  for (const auto& [t, ps] : a) n += ps.size();
  return n;
}

namespace {

// Moves the member towards `target`, landing at `next_epoch` unless it must
// revoke first.
cg_member_assignment compute_next(const cg_member_assignment& m, int32_t next_epoch, const cg_assignment& target,
                                  const cg_owned_elsewhere& owned_elsewhere) {
  cg_assignment keep;
  cg_assignment revoke;
  cg_assignment grow;
  bool unreleased = false;
  for (const auto& [t, ps] : m.assigned) {
    auto it = target.find(t);
    for (int32_t p : ps) {
      if (it != target.end() && it->second.count(p)) {
        keep[t].insert(p);
      } else {
        revoke[t].insert(p);
      }
    }
  }
  for (const auto& [t, ps] : target) {
    auto it = m.assigned.find(t);
    for (int32_t p : ps) {
      if (it != m.assigned.end() && it->second.count(p)) continue;
      if (owned_elsewhere(t, p)) {
        unreleased = true;
      } else {
        grow[t].insert(p);
      }
    }
  }
  cg_member_assignment out;
  if (!revoke.empty()) {
    // Revoke first: nothing new until the member confirms the revocation.
    out.member_epoch = m.member_epoch;
    out.previous_member_epoch = m.previous_member_epoch;
    out.state = cg_member_state::unrevoked_partitions;
    out.assigned = std::move(keep);
    out.pending_revocation = std::move(revoke);
    return out;
  }
  for (auto& [t, ps] : grow) keep[t].insert(ps.begin(), ps.end());
  out.member_epoch = next_epoch;
  out.previous_member_epoch = next_epoch == m.member_epoch ? m.previous_member_epoch : m.member_epoch;
  out.state = unreleased ? cg_member_state::unreleased_partitions : cg_member_state::stable;
  out.assigned = std::move(keep);
  return out;
}

}  // namespace

cg_member_assignment reconcile(const cg_member_assignment& current, int32_t target_epoch,
                               const cg_assignment& target, const std::optional<cg_assignment>& owned,
                               const cg_owned_elsewhere& owned_elsewhere) {
  switch (current.state) {
    case cg_member_state::stable:
      if (current.member_epoch == target_epoch) return current;
      return compute_next(current, target_epoch, target, owned_elsewhere);
    case cg_member_state::unrevoked_partitions: {
      // Without a report of what it owns we cannot know it revoked.
      if (!owned || contains_any(*owned, current.pending_revocation)) return current;
      cg_member_assignment revoked = current;
      revoked.pending_revocation.clear();
      return compute_next(revoked, target_epoch, target, owned_elsewhere);
    }
    case cg_member_state::unreleased_partitions:
      return compute_next(current, target_epoch, target, owned_elsewhere);
  }
  return current;
}

}  // namespace samsa::group
