#include "share/share_assignor.h"

#include <set>
#include <utility>
#include <vector>

namespace samsa::share {

namespace {

using unit = std::pair<std::string, int32_t>;  // (topic, partition)

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Balances `units` (sorted) among `subscribers` (sorted member ids), starting
// from what each of them currently holds of those units; adds the result to
// `out`.
void balance(const std::vector<unit>& units, const std::vector<std::string>& subscribers,
             const std::map<std::string, member>& members, std::map<std::string, assignment>& out) {
  const auto m_count = static_cast<int64_t>(subscribers.size());
  const auto p_count = static_cast<int64_t>(units.size());
  if (m_count == 0 || p_count == 0) return;
  // Members wanted per partition, and each member's share of the slots:
  // counts differ by at most one and add up to sharing * partitions.
  const int64_t sharing = ceil_div(m_count, p_count);
  const int64_t slots = sharing * p_count;
  std::vector<int64_t> want(subscribers.size());
  for (int64_t i = 0; i < m_count; ++i) want[i] = ceil_div(slots * (i + 1), m_count) - ceil_div(slots * i, m_count);

  const std::set<unit> wanted_units(units.begin(), units.end());
  std::map<unit, std::vector<size_t>> holders;  // unit -> member indexes, in member order
  std::vector<std::set<unit>> held(subscribers.size());
  for (size_t i = 0; i < subscribers.size(); ++i) {
    for (const auto& [topic, partitions] : members.at(subscribers[i]).assigned) {
      for (int32_t p : partitions) {
        unit u{topic, p};
        if (wanted_units.count(u) && held[i].insert(u).second) holders[u].push_back(i);
      }
    }
  }
  auto over_filled = [&](size_t i) { return static_cast<int64_t>(held[i].size()) > want[i]; };
  auto release = [&](size_t i, const unit& u) {
    held[i].erase(u);
    auto& hs = holders[u];
    std::erase(hs, i);
  };

  // 1. A partition shared by more members than wanted loses the excess,
  //    taken from over-filled members first, then from the last holders.
  for (auto& [u, hs] : holders) {
    for (bool only_over_filled : {true, false}) {
      for (size_t k = hs.size(); k-- > 0 && static_cast<int64_t>(hs.size()) > sharing;) {
        const size_t i = hs[k];
        if (only_over_filled && !over_filled(i)) continue;
        held[i].erase(u);
        hs.erase(hs.begin() + static_cast<std::ptrdiff_t>(k));
      }
    }
  }
  // 2. A member holding more than its count gives up the excess, the most
  //    shared partitions first (they stay covered by others).
  for (size_t i = 0; i < subscribers.size(); ++i) {
    while (over_filled(i)) {
      const unit* most = nullptr;
      for (const auto& u : held[i]) {
        if (!most || holders[u].size() >= holders[*most].size()) most = &u;
      }
      unit u = *most;
      release(i, u);
    }
  }
  // 3. Partitions with fewer holders than wanted go to members below their
  //    count, taken round robin in member order. A partition every such
  //    member already holds is left short (a slight imbalance, as Kafka
  //    tolerates).
  std::vector<size_t> unfilled;
  for (size_t i = 0; i < subscribers.size(); ++i) {
    if (static_cast<int64_t>(held[i].size()) < want[i]) unfilled.push_back(i);
  }
  size_t cursor = 0;
  for (const unit& u : units) {
    if (unfilled.empty()) break;
    auto& hs = holders[u];
    size_t refused = 0;  // consecutive unfilled members that already hold u
    while (static_cast<int64_t>(hs.size()) < sharing && !unfilled.empty() && refused < unfilled.size()) {
      cursor %= unfilled.size();
      const size_t i = unfilled[cursor];
      if (held[i].count(u)) {
        ++refused;
        ++cursor;
        continue;
      }
      held[i].insert(u);
      hs.push_back(i);
      refused = 0;
      if (static_cast<int64_t>(held[i].size()) >= want[i]) {
        unfilled.erase(unfilled.begin() + static_cast<std::ptrdiff_t>(cursor));
      } else {
        ++cursor;
      }
    }
  }
  for (size_t i = 0; i < subscribers.size(); ++i) {
    auto& a = out[subscribers[i]];
    for (const auto& [topic, p] : held[i]) a[topic].push_back(p);  // sorted: held is ordered
  }
}

}  // namespace

std::map<std::string, assignment> assign(const std::map<std::string, member>& members,
                                         const topic_partitions& topics) {
  std::map<std::string, assignment> out;
  for (const auto& [id, m] : members) out[id];
  auto units_of = [&](const std::string& topic, std::vector<unit>& units) {
    auto it = topics.find(topic);
    if (it == topics.end()) return;  // not (yet) created: nothing to assign
    for (int32_t p = 0; p < it->second; ++p) units.emplace_back(topic, p);
  };

  bool same_subscriptions = true;
  for (const auto& [id, m] : members) same_subscriptions &= m.subscribed == members.begin()->second.subscribed;
  if (members.empty()) return out;
  if (same_subscriptions) {
    std::vector<unit> units;
    for (const auto& t : members.begin()->second.subscribed) units_of(t, units);
    std::vector<std::string> ids;
    for (const auto& [id, m] : members) ids.push_back(id);
    balance(units, ids, members, out);
    return out;
  }
  std::map<std::string, std::vector<std::string>> subscribers;  // topic -> members, sorted
  for (const auto& [id, m] : members) {
    for (const auto& t : m.subscribed) subscribers[t].push_back(id);
  }
  for (const auto& [topic, ids] : subscribers) {
    std::vector<unit> units;
    units_of(topic, units);
    balance(units, ids, members, out);
  }
  return out;
}

}  // namespace samsa::share
