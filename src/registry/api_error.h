// Errors of the registry's operations, with Confluent's error codes: the
// REST layer answers them as {"error_code", "message"} with the HTTP status
// the code implies (40401 -> 404, 409 -> 409, 42201 -> 422, 50001 -> 500).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace samsa::registry {

namespace codes {
inline constexpr int subject_not_found = 40401;
inline constexpr int version_not_found = 40402;
inline constexpr int schema_not_found = 40403;
inline constexpr int subject_soft_deleted = 40404;
inline constexpr int subject_not_soft_deleted = 40405;
inline constexpr int version_soft_deleted = 40406;
inline constexpr int version_not_soft_deleted = 40407;
inline constexpr int subject_compatibility_not_configured = 40408;
inline constexpr int subject_mode_not_configured = 40409;
inline constexpr int incompatible_schema = 409;
inline constexpr int invalid_schema = 42201;
inline constexpr int invalid_version = 42202;
inline constexpr int invalid_compatibility_level = 42203;
inline constexpr int invalid_mode = 42204;
inline constexpr int operation_not_permitted = 42205;
inline constexpr int reference_exists = 42206;
inline constexpr int store_error = 50001;
inline constexpr int operation_timeout = 50002;
}  // namespace codes

struct api_error {
  int error_code = codes::store_error;
  std::string message;
  int http_status() const { return error_code >= 10000 ? error_code / 100 : error_code; }
};

// A value or an api_error.
template <typename T>
class outcome {
 public:
  outcome(T value) : v_(std::move(value)) {}           // NOLINT: implicit by design
  outcome(api_error e) : v_(std::move(e)) {}           // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& operator*() { return std::get<0>(v_); }
  const T& operator*() const { return std::get<0>(v_); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  const api_error& err() const { return std::get<1>(v_); }

 private:
  std::variant<T, api_error> v_;
};

inline api_error fail(int code, std::string message) { return api_error{code, std::move(message)}; }

}  // namespace samsa::registry
