#include "group/group_state.h"

#include <array>
#include <cctype>

namespace samsa::group {

std::string_view state_name(group_state s) {
  switch (s) {
    case group_state::empty: return "Empty";
    case group_state::preparing_rebalance: return "PreparingRebalance";
    case group_state::completing_rebalance: return "CompletingRebalance";
    case group_state::stable: return "Stable";
    case group_state::dead: return "Dead";
  }
  return "Unknown";
}

std::optional<group_state> parse_state(std::string_view name) {
  constexpr std::array all = {group_state::empty, group_state::preparing_rebalance,
                              group_state::completing_rebalance, group_state::stable, group_state::dead};
  for (auto s : all) {
    const auto n = state_name(s);
    if (n.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < n.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(n[i])) == std::tolower(static_cast<unsigned char>(name[i]));
    }
    if (same) return s;
  }
  return std::nullopt;
}

bool valid_transition(group_state from, group_state to) {
  using gs = group_state;
  switch (to) {
    case gs::dead: return true;
    case gs::completing_rebalance: return from == gs::preparing_rebalance;
    case gs::stable: return from == gs::completing_rebalance;
    case gs::preparing_rebalance:
      return from == gs::stable || from == gs::completing_rebalance || from == gs::empty;
    case gs::empty: return from == gs::preparing_rebalance;
  }
  return false;
}

}  // namespace samsa::group
