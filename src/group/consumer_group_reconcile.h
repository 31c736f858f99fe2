// The reconciliation rules of KIP-848 for one member: how its current
// assignment moves towards its target assignment. A pure function, so the
// rules are testable apart from the coordinator:
// - partitions leave first: while a member still owns partitions it no
//   longer has in its target, it gets only (current ∩ target), keeps its
//   epoch, and is UNREVOKED_PARTITIONS until a heartbeat reports them gone;
// - a partition is given to a member only once no other member owns it
//   (current or pending revocation); until then the member is
//   UNRELEASED_PARTITIONS, already at the target epoch;
// - otherwise the member is STABLE with its whole target at the target epoch.
#pragma once

#include <functional>
#include <optional>

#include "group/consumer_group_types.h"

namespace samsa::group {

struct cg_member_assignment {
  int32_t member_epoch = 0;
  int32_t previous_member_epoch = -1;
  cg_member_state state = cg_member_state::stable;
  cg_assignment assigned;             // what the member may use now
  cg_assignment pending_revocation;   // what it must still give up
  bool operator==(const cg_member_assignment&) const = default;
};

// True when a member other than the one reconciling owns (or is still
// revoking) the partition.
using cg_owned_elsewhere = std::function<bool(const topic_id&, int32_t)>;

// `owned` is what the member reported in this heartbeat (nullopt: not sent).
cg_member_assignment reconcile(const cg_member_assignment& current, int32_t target_epoch,
                               const cg_assignment& target, const std::optional<cg_assignment>& owned,
                               const cg_owned_elsewhere& owned_elsewhere);

// Helpers on assignments.
bool contains_any(const cg_assignment& owned, const cg_assignment& partitions);
bool is_subset(const cg_assignment& a, const cg_assignment& of);
size_t partition_count(const cg_assignment& a);

}  // namespace samsa::group
