// Renders a consumed record through a --format template such as
// "{partition}:{offset} {key}={value}\n" (placeholders: topic, partition,
// offset, key, value, timestamp, headers; escapes \n \t \\).
#pragma once

#include <string>

#include "base/result.h"
#include "client/types.h"

namespace samsa::cli {

// Checks the template once, so a typo fails before anything is consumed.
[[nodiscard]] status check_record_format(const std::string& format);
std::string render_record(const std::string& format, const client::consumed_message& m);
// One JSON object per record (for -o json).
std::string record_json(const client::consumed_message& m);

}  // namespace samsa::cli
