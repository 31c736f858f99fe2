// Parses repeated "name=value" arguments (topic configs) into a map.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/result.h"

namespace samsa::cli {

// `example` is shown in the error ("e.g. --header trace=abc").
[[nodiscard]] result<std::map<std::string, std::string>> parse_assignments(
    const std::vector<std::string>& items, const std::string& flag, const std::string& example = "retention.ms=60000");
// Same, keeping every item in order (names may repeat, as Kafka headers do).
[[nodiscard]] result<std::vector<std::pair<std::string, std::string>>> parse_pairs(
    const std::vector<std::string>& items, const std::string& flag, const std::string& example);

}  // namespace samsa::cli
