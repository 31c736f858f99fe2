// The SQL text of the sink's statements, built from a table's shape. Every
// value is a $n parameter cast to its column's type; identifiers are quoted,
// so a column named "order" or "Amount" works and nothing from a record is
// ever spliced into SQL.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "connect/row_mapping.h"

namespace samsa::connect {

// PostgreSQL's identifier quoting: "name", with " doubled.
std::string quote_identifier(std::string_view name);

// PostgreSQL accepts at most this many parameters in one statement.
inline constexpr size_t max_statement_parameters = 65535;

// INSERT INTO table (cols) VALUES ($1::t1, $2::t2), (...) for `rows` rows
// setting `columns`; with `upsert_key` (column indexes, a unique index of the
// table) ON CONFLICT (key) DO UPDATE SET every other column to the new value
// (DO NOTHING when the rows set only the key).
std::string insert_statement(const table_shape& table, const std::vector<size_t>& columns, size_t rows,
                             const std::vector<size_t>& upsert_key);

// The sink's offsets table: one row per (sink, topic, partition) holding the
// next offset to read, written in the same transaction as the rows.
std::string create_offsets_table_statement(const std::string& offsets_table);
// $1 sink, $2 topic, $3 partition -> next_offset.
std::string select_offset_statement(const std::string& offsets_table);
// Moves $5 -> $4 only if the stored offset is still $5: another sink that
// took the partition over meanwhile makes this touch no row (a fence).
std::string advance_offset_statement(const std::string& offsets_table);
// The first offset of a partition: inserts only if no row exists yet.
std::string first_offset_statement(const std::string& offsets_table);

}  // namespace samsa::connect
