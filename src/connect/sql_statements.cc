#include "connect/sql_statements.h"

#include <fmt/format.h>

namespace samsa::connect {

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string insert_statement(const table_shape& table, const std::vector<size_t>& columns, size_t rows,
                             const std::vector<size_t>& upsert_key) {
  std::string names;
  for (size_t c : columns) names += (names.empty() ? "" : ", ") + quote_identifier(table.columns[c].name);
  std::string sql = fmt::format("INSERT INTO {} ({}) VALUES ", table.name, names);
  size_t n = 1;
  for (size_t r = 0; r < rows; ++r) {
    sql += r == 0 ? "(" : ", (";
    for (size_t i = 0; i < columns.size(); ++i)
      sql += fmt::format("{}${}::{}", i == 0 ? "" : ", ", n++, table.columns[columns[i]].type);
    sql += ")";
  }
  if (upsert_key.empty()) return sql;
  std::string key;
  for (size_t k : upsert_key) key += (key.empty() ? "" : ", ") + quote_identifier(table.columns[k].name);
  std::string updates;
  for (size_t c : columns) {
    bool in_key = false;
    for (size_t k : upsert_key) in_key = in_key || k == c;
    if (in_key) continue;
    const std::string q = quote_identifier(table.columns[c].name);
    updates += (updates.empty() ? "" : ", ") + q + " = EXCLUDED." + q;
  }
  if (updates.empty()) return sql + fmt::format(" ON CONFLICT ({}) DO NOTHING", key);
  return sql + fmt::format(" ON CONFLICT ({}) DO UPDATE SET {}", key, updates);
}

std::string create_offsets_table_statement(const std::string& t) {
  return fmt::format(
      "CREATE TABLE IF NOT EXISTS {} (sink text NOT NULL, topic text NOT NULL, kafka_partition integer NOT NULL, "
      "next_offset bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), "
      "PRIMARY KEY (sink, topic, kafka_partition))",
      t);
}

std::string select_offset_statement(const std::string& t) {
  return fmt::format("SELECT next_offset FROM {} WHERE sink = $1 AND topic = $2 AND kafka_partition = $3", t);
}

std::string advance_offset_statement(const std::string& t) {
  return fmt::format(
      "UPDATE {} SET next_offset = $4, updated_at = now() "
      "WHERE sink = $1 AND topic = $2 AND kafka_partition = $3 AND next_offset = $5",
      t);
}

std::string first_offset_statement(const std::string& t) {
  return fmt::format(
      "INSERT INTO {} (sink, topic, kafka_partition, next_offset) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", t);
}

}  // namespace samsa::connect
