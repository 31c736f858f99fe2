// Renders a consumed record through a --format template such as
// "{partition}:{offset} {key}={value}\n".
//   placeholders: topic partition offset key value timestamp headers
//                 key_length value_length (bytes; -1 for null)
//   modifiers:    {key:base64} {value:hex} {headers:base64} (bytes as text,
//                 base64 or hex), {timestamp:iso} (UTC, ms) {timestamp:unix} (s)
//   escapes:      \n \t \\ and {{ }} for literal braces
// -o json/yaml records: record_document; bytes that are not UTF-8 become base64
// with "<field>_encoding": "base64" beside them, so nothing is lost.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "client/types.h"

namespace samsa::cli {

// Checks the template once, so a typo fails before anything is consumed.
[[nodiscard]] status check_record_format(const std::string& format);
std::string render_record(const std::string& format, const client::consumed_message& m);
// One object per record (for -o json / -o yaml).
nlohmann::json record_document(const client::consumed_message& m);
// record_document on one line.
std::string record_json(const client::consumed_message& m);

bool is_valid_utf8(const std::string& s);
std::string to_base64(const std::string& bytes);
// Nothing when `text` is not valid base64.
std::optional<std::string> from_base64(const std::string& text);
std::string to_hex(const std::string& bytes);
// "2026-12-03T10:00:00.123Z"
std::string iso_time(int64_t ms);

}  // namespace samsa::cli
