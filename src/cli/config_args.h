// Parses repeated "name=value" arguments (topic configs) into a map.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/result.h"

namespace samsa::cli {

[[nodiscard]] result<std::map<std::string, std::string>> parse_assignments(const std::vector<std::string>& items,
                                                                           const std::string& flag);

}  // namespace samsa::cli
