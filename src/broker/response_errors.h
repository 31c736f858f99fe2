// Counts the error codes of an answer for /metrics (errors by API and code):
// the top-level ErrorCode and those of the nested lists most answers use
// (topics -> partitions, responses -> partition_responses, results, groups).
// Found by field name at compile time, so every generated response type
// works without a per-API list; answers shaped otherwise count only what
// matches.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "base/metrics.h"

namespace samsa::broker {

namespace response_errors_detail {

template <typename T>
void visit(int16_t api_key, const T& node);

template <typename T>
void visit_list(int16_t api_key, const T& field) {
  if constexpr (requires { typename T::value_type; field.begin(); }) {
    if constexpr (std::is_class_v<typename T::value_type> &&
                  !std::is_same_v<typename T::value_type, std::string>) {
      for (const auto& item : field) visit(api_key, item);
    }
  } else if constexpr (requires { field.has_value(); *field; }) {
    if (field) visit_list(api_key, *field);
  }
}

template <typename T>
void visit(int16_t api_key, const T& node) {
  if constexpr (requires { { node.error_code } -> std::convertible_to<int16_t>; }) {
    if constexpr (std::is_integral_v<std::remove_cvref_t<decltype(node.error_code)>>) {
      if (node.error_code != 0) metrics::registry::instance().record_error(api_key, node.error_code);
    }
  }
  if constexpr (requires { node.topics; }) visit_list(api_key, node.topics);
  if constexpr (requires { node.partitions; }) visit_list(api_key, node.partitions);
  if constexpr (requires { node.responses; }) visit_list(api_key, node.responses);
  if constexpr (requires { node.partition_responses; }) visit_list(api_key, node.partition_responses);
  if constexpr (requires { node.results; }) visit_list(api_key, node.results);
  if constexpr (requires { node.groups; }) visit_list(api_key, node.groups);
}

}  // namespace response_errors_detail

template <typename Response>
void count_response_errors(int16_t api_key, const Response& response) {
  response_errors_detail::visit(api_key, response);
}

}  // namespace samsa::broker
