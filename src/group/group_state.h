// The classic group states and which transitions between them are legal.
#pragma once

#include <optional>
#include <string_view>

namespace samsa::group {

enum class group_state { empty, preparing_rebalance, completing_rebalance, stable, dead };

// Kafka's spelling: "Empty", "PreparingRebalance", ...
std::string_view state_name(group_state s);

// Case-insensitive parse of a state name (ListGroups state filter).
std::optional<group_state> parse_state(std::string_view name);

bool valid_transition(group_state from, group_state to);

}  // namespace samsa::group
