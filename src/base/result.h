// result<T>: a value or an error that a caller can recover from (C++20 has no
// std::expected). Errors carry a std::error_code for the category and a
// human-readable message with context ("segment 00000000000000000042.log: ...").
#pragma once

#include <cassert>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

namespace samsa {

struct error {
  std::error_code code;
  std::string message;

  error() = default;
  error(std::error_code c, std::string m) : code(c), message(std::move(m)) {}

  // "message (category: description)" for logs and CLI output.
  std::string describe() const {
    if (!code) return message;
    return message + " (" + code.category().name() + ": " + code.message() + ")";
  }
};

template <typename T>
class [[nodiscard]] result {
 public:
  result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  result(error e) : state_(std::in_place_index<1>, std::move(e)) {}      // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const samsa::error& err() const {
    assert(!ok());
    return std::get<1>(state_);
  }

 private:
  std::variant<T, samsa::error> state_;
};

// result<void>: success or an error.
template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(error e) : error_(std::move(e)), failed_(true) {}  // NOLINT

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const samsa::error& err() const {
    assert(failed_);
    return error_;
  }

 private:
  samsa::error error_;
  bool failed_ = false;
};

using status = result<void>;

inline error make_error(std::errc code, std::string message) {
  return error(std::make_error_code(code), std::move(message));
}

}  // namespace samsa
