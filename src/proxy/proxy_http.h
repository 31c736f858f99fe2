// Answers in the REST proxy's own shapes: Confluent's error body
// {"error_code", "message"} and its v2 content type.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "http/server.h"
#include "proxy/proxy_body.h"

namespace samsa::proxy {

inline constexpr const char* v2_json_type = "application/vnd.kafka.v2+json";

inline std::string dump_json(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

inline http::response json_answer(const nlohmann::json& j, int status = 200, std::string type = v2_json_type) {
  return http::response{status, std::move(type), dump_json(j), {}};
}

inline std::string error_text(int code, std::string_view message) {
  return dump_json(nlohmann::json{{"error_code", code}, {"message", std::string(message)}});
}

inline http::response error_answer(const problem& p) {
  return http::response{p.status, v2_json_type, error_text(p.code, p.message), {}};
}

inline http::response error_answer(int status, int code, std::string message) {
  return error_answer(problem{status, code, std::move(message)});
}

}  // namespace samsa::proxy
