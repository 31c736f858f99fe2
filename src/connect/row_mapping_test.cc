#include "connect/row_mapping.h"

#include <gtest/gtest.h>

namespace samsa::connect {
namespace {

table_shape payments() {
  return {"public.payments",
          {{"id", "bigint"},
           {"amount", "numeric(12,2)"},
           {"note", "text"},
           {"meta", "jsonb"},
           {"kafka_topic", "text"},
           {"kafka_offset", "bigint"},
           {"kafka_timestamp", "timestamp with time zone"}}};
}

record_meta meta() { return {"payments", 2, 41, std::string("k"), 1'764'756'000'123}; }

TEST(RowMapping, FieldsFillSameNamedColumnsInTableOrder) {
  auto r = map_record(payments(), meta(), R"({"note": "tea", "id": 7, "amount": 12.5, "meta": {"a": [1]}})");
  ASSERT_TRUE(r) << r.err().message;
  std::vector<size_t> cols{0, 1, 2, 3, 4, 5, 6};
  EXPECT_EQ(r->columns, cols);
  EXPECT_EQ(*r->values[0], "7");
  EXPECT_EQ(*r->values[1], "12.5");
  EXPECT_EQ(*r->values[2], "tea");
  EXPECT_EQ(*r->values[3], R"({"a":[1]})");
  EXPECT_EQ(*r->values[4], "payments");
  EXPECT_EQ(*r->values[5], "41");
  EXPECT_EQ(*r->values[6], "2025-12-03 10:00:00.123+00");
}

TEST(RowMapping, NullIsSqlNullAndAbsentFieldsAreLeftOut) {
  auto r = map_record(payments(), meta(), R"({"id": 1, "note": null})");
  ASSERT_TRUE(r);
  std::vector<size_t> cols{0, 2, 4, 5, 6};
  EXPECT_EQ(r->columns, cols);
  EXPECT_FALSE(r->values[1].has_value());
}

TEST(RowMapping, RecordCoordinatesWinOverFieldsOfTheSameName) {
  auto r = map_record(payments(), meta(), R"({"id": 1, "kafka_offset": 999})");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r->values[2], "41");
}

TEST(RowMapping, NumericTimestampColumnGetsMilliseconds) {
  table_shape t{"t", {{"id", "bigint"}, {"kafka_timestamp", "bigint"}, {"kafka_key", "text"}, {"kafka_partition", "integer"}}};
  auto r = map_record(t, meta(), R"({"id": 1})");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r->values[1], "1764756000123");
  EXPECT_EQ(*r->values[2], "k");
  EXPECT_EQ(*r->values[3], "2");
}

TEST(RowMapping, RefusesWhatDoesNotFit) {
  auto unknown = map_record(payments(), meta(), R"({"id": 1, "colour": "red"})");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.err().message.find("field \"colour\" has no column in public.payments"), std::string::npos)
      << unknown.err().message;
  EXPECT_FALSE(map_record(payments(), meta(), "[1, 2]"));
  EXPECT_FALSE(map_record(payments(), meta(), "not json"));
  EXPECT_FALSE(map_record(payments(), meta(), ""));
  auto nul = map_record(payments(), meta(), R"({"note": "a\u0000b"})");
  ASSERT_FALSE(nul);
  EXPECT_NE(nul.err().message.find("NUL"), std::string::npos);
  table_shape plain{"t", {{"id", "bigint"}}};
  EXPECT_FALSE(map_record(plain, meta(), "{}"));  // sets no column at all
  std::string deep(200, '[');
  EXPECT_FALSE(map_record(payments(), meta(), R"({"meta": )" + deep));
}

TEST(RowMapping, IsoTimestamps) {
  EXPECT_EQ(iso_utc_millis(0), "1970-01-01 00:00:00.000+00");
  EXPECT_EQ(iso_utc_millis(-1), "");
}

}  // namespace
}  // namespace samsa::connect
