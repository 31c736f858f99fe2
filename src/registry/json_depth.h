// A cheap scan that refuses JSON nested deeper than a bound before any
// recursive walk (the parsers here recurse over the document).
#pragma once

#include <string_view>

namespace samsa::registry {

// True when no array/object in `text` is nested more than `max_depth` deep.
// Strings are skipped (brackets inside them do not count); malformed text is
// left to the JSON parser.
bool json_nesting_within(std::string_view text, int max_depth);

}  // namespace samsa::registry
