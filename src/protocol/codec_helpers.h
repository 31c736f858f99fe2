// Small helpers the generated message code calls: they pick the classic or
// compact form of a field and check nullability for the version being coded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/reader.h"
#include "protocol/writer.h"

namespace samsa::protocol::detail {

inline void fail_null(writer& w, const char* field) {
  w.fail(std::string("field ") + field + " is null in a version where it is not nullable");
}
inline void fail_null(reader& r, const char* field) {
  r.fail(std::string("field ") + field + " is null in a version where it is not nullable, offset " +
         std::to_string(r.position()));
}

inline void put_string(writer& w, const std::string& s, bool compact) {
  if (compact) {
    w.write_compact_string(s);
  } else {
    w.write_string(s);
  }
}

inline void put_nullable_string(writer& w, const std::optional<std::string>& s, bool compact,
                                bool nullable, const char* field) {
  if (!s && !nullable) fail_null(w, field);
  if (compact) {
    w.write_compact_nullable_string(s);
  } else {
    w.write_nullable_string(s);
  }
}

inline std::string get_string(reader& r, bool compact) {
  return compact ? r.read_compact_string() : r.read_string();
}

inline std::optional<std::string> get_nullable_string(reader& r, bool compact, bool nullable,
                                                      const char* field) {
  auto s = compact ? r.read_compact_nullable_string() : r.read_nullable_string();
  if (!s && !nullable && r.ok()) fail_null(r, field);
  return s;
}

inline void put_bytes(writer& w, const std::vector<uint8_t>& b, bool compact) {
  if (compact) {
    w.write_compact_bytes(b);
  } else {
    w.write_bytes(b);
  }
}

inline void put_nullable_bytes(writer& w, const std::optional<std::vector<uint8_t>>& b,
                               bool compact, bool nullable, const char* field) {
  if (!b && !nullable) fail_null(w, field);
  if (compact) {
    w.write_compact_nullable_bytes(b);
  } else {
    w.write_nullable_bytes(b);
  }
}

inline std::vector<uint8_t> get_bytes(reader& r, bool compact) {
  return compact ? r.read_compact_bytes() : r.read_bytes();
}

inline std::optional<std::vector<uint8_t>> get_nullable_bytes(reader& r, bool compact,
                                                              bool nullable, const char* field) {
  auto b = compact ? r.read_compact_nullable_bytes() : r.read_nullable_bytes();
  if (!b && !nullable && r.ok()) fail_null(r, field);
  return b;
}

inline void put_records(writer& w, const std::optional<records>& v, bool compact, bool nullable,
                        const char* field) {
  if (!v && !nullable) {
    // A non-nullable records field with no value goes out as empty.
    if (compact) {
      w.write_compact_records(records());
    } else {
      w.write_records(records());
    }
    return;
  }
  (void)field;
  if (compact) {
    w.write_compact_records(v);
  } else {
    w.write_records(v);
  }
}

inline std::optional<records> get_records(reader& r, bool compact, bool nullable,
                                          const char* field) {
  auto v = compact ? r.read_compact_records() : r.read_records();
  if (!v && !nullable && r.ok()) fail_null(r, field);
  return v;
}

inline void put_array_length(writer& w, size_t n, bool compact) {
  if (n > static_cast<size_t>(INT32_MAX - 1)) {
    w.fail("array of " + std::to_string(n) + " elements is too long");
    n = 0;
  }
  if (compact) {
    w.write_compact_array_length(static_cast<int32_t>(n));
  } else {
    w.write_array_length(static_cast<int32_t>(n));
  }
}

inline void put_null_array(writer& w, bool compact, bool nullable, const char* field) {
  if (!nullable) {
    fail_null(w, field);
    put_array_length(w, 0, compact);
    return;
  }
  if (compact) {
    w.write_compact_array_length(-1);
  } else {
    w.write_array_length(-1);
  }
}

// Returns the element count, or -1 for a null array (only where nullable).
// `element_size` is sizeof the decoded element: the reader refuses an array
// whose elements would take more memory than the frame may decode into.
inline int32_t get_array_length(reader& r, bool compact, bool nullable, const char* field, size_t element_size) {
  int32_t n = compact ? r.read_compact_array_length() : r.read_array_length();
  if (n < 0 && !nullable && r.ok()) {
    fail_null(r, field);
    return 0;
  }
  if (n > 0) r.charge_decoded(static_cast<size_t>(n), element_size);
  if (!r.ok()) return 0;
  return n;
}

}  // namespace samsa::protocol::detail
