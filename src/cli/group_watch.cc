#include "cli/group_watch.h"

#include <set>

#include <fmt/format.h>

namespace samsa::cli {
namespace {

using partition_key = std::pair<std::string, int32_t>;

std::map<partition_key, std::string> owners(const client::group_info& g) {
  std::map<partition_key, std::string> out;
  for (const auto& m : g.members)
    for (const auto& p : m.assignment) out[{p.topic, p.partition}] = member_label(m);
  return out;
}

std::map<std::string, const client::group_member*> by_id(const client::group_info& g) {
  std::map<std::string, const client::group_member*> out;
  for (const auto& m : g.members) out[m.member_id] = &m;
  return out;
}

}  // namespace

std::string member_label(const client::group_member& m) {
  // Member ids are "<client id>-<uuid>"; eight characters of the uuid tell members with one client id apart.
  std::string tail = m.member_id.size() > 8 ? m.member_id.substr(m.member_id.size() - 8) : m.member_id;
  return fmt::format("{} ({})", m.client_id.empty() ? "?" : m.client_id, tail);
}

std::vector<std::string> group_changes(const group_snapshot& before, const group_snapshot& now) {
  std::vector<std::string> out;
  if (before.info.state != now.info.state) {
    std::string why;
    if (now.info.state == "PreparingRebalance")
      why = ": a rebalance started (a member joined, left or changed its subscription); members stop and rejoin";
    else if (now.info.state == "CompletingRebalance")
      why = ": every member rejoined; the leader is computing the assignment";
    else if (now.info.state == "Stable")
      why = ": the assignment is done; members consume their partitions";
    else if (now.info.state == "Empty")
      why = ": no members left; committed offsets stay for the next consumer";
    else if (now.info.state == "Dead")
      why = ": the group is gone";
    else if (now.info.state == "Assigning")
      why = ": the group epoch moved (a member joined, left or changed its subscription); the broker computes "
            "the new target assignment";
    else if (now.info.state == "Reconciling")
      why = ": members give up the partitions they lose before others get them, heartbeat by heartbeat";
    out.push_back(fmt::format("state {} -> {}{}", before.info.state.empty() ? "(none)" : before.info.state,
                              now.info.state, why));
  }
  auto old_members = by_id(before.info);
  auto new_members = by_id(now.info);
  for (const auto& [id, m] : new_members)
    if (!old_members.count(id)) out.push_back(fmt::format("member {} joined", member_label(*m)));
  for (const auto& [id, m] : old_members)
    if (!new_members.count(id)) out.push_back(fmt::format("member {} left", member_label(*m)));
  auto old_owners = owners(before.info);
  auto new_owners = owners(now.info);
  std::set<partition_key> all;
  for (const auto& [k, v] : old_owners) all.insert(k);
  for (const auto& [k, v] : new_owners) all.insert(k);
  for (const auto& k : all) {
    auto o = old_owners.find(k);
    auto n = new_owners.find(k);
    std::string from = o == old_owners.end() ? "" : o->second;
    std::string to = n == new_owners.end() ? "" : n->second;
    if (from == to) continue;
    if (from.empty())
      out.push_back(fmt::format("{}[{}] assigned to {}", k.first, k.second, to));
    else if (to.empty())
      out.push_back(fmt::format("{}[{}] revoked from {} (unassigned)", k.first, k.second, from));
    else
      out.push_back(fmt::format("{}[{}] moved {} -> {}", k.first, k.second, from, to));
  }
  return out;
}

std::map<partition_key, double> commit_rates(const group_snapshot& before, const group_snapshot& now) {
  std::map<partition_key, double> out;
  double seconds = static_cast<double>(now.at_ms - before.at_ms) / 1000.0;
  if (seconds <= 0) return out;
  std::map<partition_key, int64_t> old_committed;
  for (const auto& r : before.lag)
    if (r.committed >= 0) old_committed[{r.topic, r.partition}] = r.committed;
  for (const auto& r : now.lag) {
    auto it = old_committed.find({r.topic, r.partition});
    if (it == old_committed.end() || r.committed < 0) continue;
    out[{r.topic, r.partition}] = static_cast<double>(std::max<int64_t>(r.committed - it->second, 0)) / seconds;
  }
  return out;
}

}  // namespace samsa::cli
