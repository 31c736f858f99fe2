// result<T>: a value or an error that a caller can recover from (C++20 has no
// std::expected). Errors carry a std::error_code for the category and a
// human-readable message with context ("segment 00000000000000000042.log: ...").
#pragma once

#include <cassert>
#include <optional>
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

// result<void>: success or an error. The error is built only on failure: a
// success is one byte to make and to destroy, which matters in the loops that
// check every record of a batch (a default std::error_code calls into the
// library for its category, and the message's string must be torn down).
template <>
class [[nodiscard]] result<void> {
 public:
  // User-provided, so that `return {}` does not zero the error's storage
  // first (value-initialisation of a defaulted constructor would).
  result() noexcept {}  // NOLINT(modernize-use-equals-default)
  result(error e) : error_(std::move(e)) {}  // NOLINT

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const samsa::error& err() const {
    assert(error_.has_value());
    // A success has no error; asked anyway (a bug the assert catches in
    // debug builds), it answers an empty one rather than reading nothing.
    static const samsa::error none;
    return error_ ? *error_ : none;
  }

 private:
  std::optional<samsa::error> error_;
};

using status = result<void>;

inline error make_error(std::errc code, std::string message) {
  return error(std::make_error_code(code), std::move(message));
}

}  // namespace samsa
