// Storage error codes. Every failure the storage module returns carries one of
// these in samsa::error::code so the broker can map it to a Kafka error code.
#pragma once

#include <string>
#include <system_error>

#include "base/result.h"

namespace samsa::storage {

enum class errc : int {
  io_error = 1,             // read/write/sync failed -> KAFKA_STORAGE_ERROR
  disk_full = 2,            // ENOSPC/EDQUOT -> KAFKA_STORAGE_ERROR, retried later
  offset_out_of_range = 3,  // read below log start or above log end -> OFFSET_OUT_OF_RANGE
  corrupt = 4,              // on-disk data failed a check
  not_found = 5,            // unknown topic/partition
  already_exists = 6,       // create of an existing topic/partition
  invalid_config = 7,       // topic config rejected
  invalid_argument = 8,     // caller passed something malformed (e.g. bad batch bytes)
  closed = 9,               // log or manager already shut down / removed
  record_too_large = 10,    // a batch larger than max.message.bytes
  limit_reached = 11,       // a bound on kept state (the message names its setting) -> POLICY_VIOLATION
};

const std::error_category& storage_category();

inline std::error_code make_error_code(errc e) { return {static_cast<int>(e), storage_category()}; }

inline error make_storage_error(errc e, std::string message) {
  return error(make_error_code(e), std::move(message));
}

// Maps an errno from a failed system call to a storage error, keeping ENOSPC
// distinct so callers can tell a full disk from a broken one.
error errno_error(int err, const std::string& context);

// True when `e` carries the storage category with code `c`.
inline bool is(const error& e, errc c) { return e.code == make_error_code(c); }

}  // namespace samsa::storage

template <>
struct std::is_error_code_enum<samsa::storage::errc> : std::true_type {};
