// Record values come from any producer: map any bytes onto a table, and
// build the statement for what maps, without crashing or looping.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "connect/row_mapping.h"
#include "connect/sql_statements.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const samsa::connect::table_shape table{
      "public.t",
      {{"id", "bigint"}, {"note", "text"}, {"doc", "jsonb"}, {"kafka_offset", "bigint"}, {"kafka_timestamp", "timestamptz"}}};
  samsa::connect::record_meta meta{"t", 0, 1, std::nullopt, static_cast<int64_t>(size) * 1000};
  auto r = samsa::connect::map_record(table, meta, std::string_view(reinterpret_cast<const char*>(data), size));
  if (r) (void)samsa::connect::insert_statement(table, r->columns, 2, {0});
  return 0;
}
