#include "registry/compatibility.h"

namespace samsa::registry {

namespace {
struct level_name {
  compatibility level;
  std::string_view name;
};
constexpr level_name names[] = {
    {compatibility::none, "NONE"},
    {compatibility::backward, "BACKWARD"},
    {compatibility::backward_transitive, "BACKWARD_TRANSITIVE"},
    {compatibility::forward, "FORWARD"},
    {compatibility::forward_transitive, "FORWARD_TRANSITIVE"},
    {compatibility::full, "FULL"},
    {compatibility::full_transitive, "FULL_TRANSITIVE"},
};
}  // namespace

std::string_view compatibility_name(compatibility level) {
  for (const auto& n : names)
    if (n.level == level) return n.name;
  return "NONE";
}

std::optional<compatibility> parse_compatibility(std::string_view name) {
  for (const auto& n : names)
    if (n.name == name) return n.level;
  return std::nullopt;
}

std::vector<std::string> compatibility_problems(compatibility level, const parsed_schema& candidate,
                                                const std::vector<earlier_version>& earlier) {
  std::vector<std::string> problems;
  if (level == compatibility::none || earlier.empty()) return problems;
  bool transitive = level == compatibility::backward_transitive || level == compatibility::forward_transitive ||
                    level == compatibility::full_transitive;
  bool backward = level == compatibility::backward || level == compatibility::backward_transitive ||
                  level == compatibility::full || level == compatibility::full_transitive;
  bool forward = level == compatibility::forward || level == compatibility::forward_transitive ||
                 level == compatibility::full || level == compatibility::full_transitive;
  size_t first = transitive ? 0 : earlier.size() - 1;
  // Newest first, as a reader of the answer wants the latest version's problems first.
  for (size_t i = earlier.size(); i-- > first;) {
    const auto& e = earlier[i];
    std::string against = " against version " + std::to_string(e.version) + ": ";
    if (backward)
      for (auto& p : read_problems(candidate, *e.schema)) problems.push_back("BACKWARD" + against + p);
    if (forward)
      for (auto& p : read_problems(*e.schema, candidate)) problems.push_back("FORWARD" + against + p);
  }
  return problems;
}

}  // namespace samsa::registry
