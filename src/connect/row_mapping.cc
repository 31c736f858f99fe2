#include "base/json_depth.h"
#include "connect/row_mapping.h"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>


namespace samsa::connect {
namespace {

bool is_meta_column(std::string_view name) {
  return name == column_topic || name == column_partition || name == column_offset || name == column_key ||
         name == column_timestamp;
}

error misfit(std::string message) { return make_error(std::errc::invalid_argument, std::move(message)); }

// JSON value -> the text PostgreSQL parses into the column's type. Strings go
// as they are (so "2026-12-03" reaches a date column as a date); objects and
// arrays as JSON text (for json/jsonb columns).
std::optional<std::string> column_text(const nlohmann::json& v) {
  if (v.is_null()) return std::nullopt;
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

}  // namespace

std::optional<size_t> table_shape::find(std::string_view wanted) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == wanted) return i;
  return std::nullopt;
}

std::string iso_utc_millis(int64_t ms) {
  if (ms < 0) return "";
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}+00", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
}

result<row> map_record(const table_shape& table, const record_meta& meta, std::string_view value_json) {
  if (json_nests_deeper_than(value_json, max_value_depth))
    return misfit(fmt::format("the value nests JSON deeper than {} levels", max_value_depth));
  nlohmann::json doc = nlohmann::json::parse(value_json, nullptr, false);
  if (doc.is_discarded()) return misfit("the value is not JSON");
  if (!doc.is_object()) return misfit(fmt::format("the value is JSON {}, not an object of column values", doc.type_name()));

  // Values by column index; the table's order keeps statements stable, so
  // records with the same fields share one multi-row INSERT.
  std::vector<std::optional<std::optional<std::string>>> by_column(table.columns.size());
  for (const auto& [field, value] : doc.items()) {
    auto index = table.find(field);
    if (!index) {
      std::string names;
      for (const auto& c : table.columns) names += (names.empty() ? "" : ", ") + c.name;
      return misfit(fmt::format("field \"{}\" has no column in {} (columns: {})", field, table.name, names));
    }
    if (is_meta_column(field)) continue;  // the record's coordinates win over a field of the same name
    auto text = column_text(value);
    if (text && text->find('\0') != std::string::npos)
      return misfit(fmt::format("field \"{}\" holds a NUL character, which PostgreSQL text cannot store", field));
    by_column[*index] = std::move(text);
  }
  auto set_meta = [&](std::string_view name, std::optional<std::string> text) {
    if (auto index = table.find(name)) by_column[*index] = std::move(text);
  };
  set_meta(column_topic, meta.topic);
  set_meta(column_partition, std::to_string(meta.partition));
  set_meta(column_offset, std::to_string(meta.offset));
  if (auto index = table.find(column_key)) {
    if (meta.key && meta.key->find('\0') != std::string::npos)
      return misfit("the record key holds a NUL character, which PostgreSQL text cannot store");
    by_column[*index] = meta.key;
  }
  if (auto index = table.find(column_timestamp)) {
    const std::string& type = table.columns[*index].type;
    bool is_time = type.rfind("timestamp", 0) == 0;
    if (meta.timestamp_ms < 0) by_column[*index] = std::optional<std::string>{};
    else by_column[*index] = is_time ? iso_utc_millis(meta.timestamp_ms) : std::to_string(meta.timestamp_ms);
  }
  row out;
  for (size_t i = 0; i < by_column.size(); ++i) {
    if (!by_column[i]) continue;
    out.columns.push_back(i);
    out.values.push_back(std::move(*by_column[i]));
  }
  if (out.columns.empty()) return misfit("the value sets no column");
  return out;
}

}  // namespace samsa::connect
