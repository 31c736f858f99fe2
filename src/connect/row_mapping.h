// How a consumed record becomes a row of a PostgreSQL table (`samsa sink
// postgres`), without touching the database: the value must be a JSON object
// whose fields name columns of the table; the record's own coordinates fill
// the kafka_* columns when the table has them. Values travel as text and are
// cast to each column's type by the statement (sql_statements.h), so the
// database, not this code, decides what "12.50" means for a numeric column.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace samsa::connect {

// Columns the sink fills from the record itself, not from its value.
inline constexpr std::string_view column_topic = "kafka_topic";
inline constexpr std::string_view column_partition = "kafka_partition";
inline constexpr std::string_view column_offset = "kafka_offset";
inline constexpr std::string_view column_key = "kafka_key";
inline constexpr std::string_view column_timestamp = "kafka_timestamp";

struct column {
  std::string name;
  std::string type;  // as PostgreSQL's format_type() prints it: "numeric(12,2)", "timestamp with time zone"
};

struct table_shape {
  std::string name;  // already quoted and qualified, ready for SQL ("public.payments")
  std::vector<column> columns;

  // Index of the column named exactly `name`, if any.
  std::optional<size_t> find(std::string_view name) const;
};

struct record_meta {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> key;
  int64_t timestamp_ms = -1;
};

// One row: the columns it sets (indexes into table_shape::columns, in table
// order) and their text values (nullopt = SQL NULL).
struct row {
  std::vector<size_t> columns;
  std::vector<std::optional<std::string>> values;
};

// Deeper JSON than this is refused before parsing (the parser recurses).
inline constexpr int max_value_depth = 64;

// Maps a record's value (JSON text) onto the table. Fails, with the reason
// worded for the user, when the value is not a JSON object, names a field the
// table has no column for, or holds text PostgreSQL cannot store (NUL).
result<row> map_record(const table_shape& table, const record_meta& meta, std::string_view value_json);

// "2026-12-03 10:00:00.123+00" for a timestamp column; "" when ms < 0.
std::string iso_utc_millis(int64_t ms);

}  // namespace samsa::connect
