// Compatibility levels and the check a new schema must pass against a
// subject's earlier versions. BACKWARD: the new schema reads data written
// with the earlier one; FORWARD: the earlier one reads the new one's data;
// FULL: both. *_TRANSITIVE: against every earlier version, not only the
// latest. NONE: no check.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry/parsed_schema.h"

namespace samsa::registry {

enum class compatibility { none, backward, backward_transitive, forward, forward_transitive, full, full_transitive };

std::string_view compatibility_name(compatibility level);
std::optional<compatibility> parse_compatibility(std::string_view name);

struct earlier_version {
  int32_t version = 0;
  const parsed_schema* schema = nullptr;
};

// Problems of `candidate` against `earlier` (oldest first); empty when it
// passes. Each line names the direction and the version it failed against.
std::vector<std::string> compatibility_problems(compatibility level, const parsed_schema& candidate,
                                                const std::vector<earlier_version>& earlier);

}  // namespace samsa::registry
