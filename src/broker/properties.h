// Java-style .properties parsing (key=value, key: value, comments, line
// continuations) and "key=value" overrides, as Kafka's own config files use.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/result.h"

namespace samsa::broker {

using property_map = std::map<std::string, std::string>;

// Parses the text of a properties file. `origin` names the file in errors.
result<property_map> parse_properties(std::string_view text, std::string_view origin);

result<property_map> load_properties_file(const std::string& path);

// Splits "key=value"; the key must be non-empty.
result<std::pair<std::string, std::string>> parse_override(std::string_view assignment);

// SAMSA_LOG_DIRS=/x -> {"log.dirs", "/x"}: lower case, '_' becomes '.'.
property_map properties_from_environment(char** environ_list);

}  // namespace samsa::broker
