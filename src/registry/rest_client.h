// A small blocking HTTP/1.1 client for the registry's REST API (Boost.Beast),
// used by `samsa schema`: one request per connection, bounded in time and
// answer size.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "base/result.h"

namespace samsa::registry {

// Answers larger than this are refused (a schema is at most 1 MiB; its
// JSON escaping and references' answers come one at a time).
inline constexpr size_t max_answer_bytes = 16 << 20;

struct rest_answer {
  int status = 0;
  std::string body;
};

// `base_url` is http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a
// registry that requires credentials (sent as HTTP Basic; percent-encode
// '@', ':' and '%' in them); `target` starts with '/'. Connection
// failures are errors (std::errc::connection_refused, timed_out); any HTTP
// status is an answer. `authorization`, when not empty, is sent as the
// Authorization header instead ("Basic ...").
result<rest_answer> rest_call(const std::string& base_url, const std::string& method, const std::string& target,
                              const std::string& body, std::chrono::milliseconds timeout,
                              const std::string& authorization = {});

// The Authorization header value for HTTP Basic: "Basic " + base64(USER:PASSWORD).
std::string basic_authorization(const std::string& user_info);

// The URL as messages and logs show it: a password in it replaced by ***.
std::string without_password(const std::string& url);

// Percent-encodes a path segment (subjects may hold '/', ':' ...).
std::string encode_path_segment(const std::string& text);

}  // namespace samsa::registry
