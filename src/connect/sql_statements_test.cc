#include "connect/sql_statements.h"

#include <gtest/gtest.h>

namespace samsa::connect {
namespace {

table_shape shape() { return {"public.payments", {{"id", "bigint"}, {"amount", "numeric(12,2)"}, {"Note \"x\"", "text"}}}; }

TEST(SqlStatements, QuotesIdentifiers) {
  EXPECT_EQ(quote_identifier("order"), "\"order\"");
  EXPECT_EQ(quote_identifier("a\"b"), "\"a\"\"b\"");
}

TEST(SqlStatements, MultiRowInsertCastsEveryParameter) {
  EXPECT_EQ(insert_statement(shape(), {0, 2}, 2, {}),
            "INSERT INTO public.payments (\"id\", \"Note \"\"x\"\"\") VALUES ($1::bigint, $2::text), ($3::bigint, "
            "$4::text)");
}

TEST(SqlStatements, UpsertUpdatesTheNonKeyColumns) {
  EXPECT_EQ(insert_statement(shape(), {0, 1}, 1, {0}),
            "INSERT INTO public.payments (\"id\", \"amount\") VALUES ($1::bigint, $2::numeric(12,2)) "
            "ON CONFLICT (\"id\") DO UPDATE SET \"amount\" = EXCLUDED.\"amount\"");
  EXPECT_EQ(insert_statement(shape(), {0}, 1, {0}),
            "INSERT INTO public.payments (\"id\") VALUES ($1::bigint) ON CONFLICT (\"id\") DO NOTHING");
}

TEST(SqlStatements, OffsetUpdateIsFencedOnTheExpectedOffset) {
  auto sql = advance_offset_statement("o");
  EXPECT_NE(sql.find("AND next_offset = $5"), std::string::npos);
  EXPECT_NE(first_offset_statement("o").find("ON CONFLICT DO NOTHING"), std::string::npos);
}

}  // namespace
}  // namespace samsa::connect
