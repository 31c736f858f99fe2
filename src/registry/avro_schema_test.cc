// Avro: parsing, the normalized form, and one case per resolution rule in
// both directions (the compatibility table in docs/schema-registry.md).
#include "registry/avro_schema.h"

#include <gtest/gtest.h>

namespace samsa::registry::avro {
namespace {

std::shared_ptr<const schema> must(std::string_view text, std::vector<std::string> deps = {}) {
  auto s = parse(text, deps);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.err().message) << " for " << text;
  return s.ok() ? *s : nullptr;
}

std::string refuse(std::string_view text) {
  auto s = parse(text, {});
  EXPECT_FALSE(s.ok()) << text;
  return s.ok() ? "" : s.err().message;
}

bool reads(std::string_view reader, std::string_view writer) {
  auto r = must(reader);
  auto w = must(writer);
  return read_problems(*r, *w).empty();
}

std::string first_problem(std::string_view reader, std::string_view writer) {
  auto p = read_problems(*must(reader), *must(writer));
  return p.empty() ? "" : p.front();
}

const char* user_v1 = R"({"type":"record","name":"User","namespace":"ex","fields":[{"name":"id","type":"long"}]})";
const char* user_with_default =
    R"({"type":"record","name":"User","namespace":"ex","fields":[{"name":"id","type":"long"},{"name":"email","type":"string","default":""}]})";
const char* user_without_default =
    R"({"type":"record","name":"User","namespace":"ex","fields":[{"name":"id","type":"long"},{"name":"email","type":"string"}]})";

TEST(AvroParse, AcceptsPrimitivesRecordsEnumsUnionsAndRecursion) {
  must(R"("string")");
  must(R"({"type":"int","logicalType":"date"})");
  must(R"(["null","string"])");
  must(R"({"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"],"default":null}]})");
  must(R"({"type":"enum","name":"E","symbols":["A","B"],"default":"A"})");
  must(R"({"type":"fixed","name":"F","size":16})");
  must(R"({"type":"map","values":{"type":"array","items":"long"}})");
}

TEST(AvroParse, RefusesMalformedSchemasWithAReason) {
  EXPECT_NE(refuse("not json").find("not valid JSON"), std::string::npos);
  EXPECT_NE(refuse(R"("strin")").find("unknown type"), std::string::npos);
  EXPECT_NE(refuse(R"({"type":"record","name":"R"})").find("fields"), std::string::npos);
  EXPECT_NE(refuse(R"({"type":"record","name":"1R","fields":[]})").find("not a valid Avro name"), std::string::npos);
  EXPECT_NE(refuse(R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]})").find("default"),
            std::string::npos);
  EXPECT_NE(refuse(R"(["int","int"])").find("two branches"), std::string::npos);
  EXPECT_NE(refuse(R"({"type":"enum","name":"E","symbols":["A","A"]})").find("twice"), std::string::npos);
  EXPECT_NE(refuse(R"({"type":"fixed","name":"F"})").find("size"), std::string::npos);
  EXPECT_NE(refuse(std::string(200, '[') + std::string(200, ']')).find("nested too deeply"), std::string::npos);
}

TEST(AvroParse, NamedTypesOfAReferencedSchemaCanBeUsed) {
  const char* address = R"({"type":"record","name":"Address","namespace":"ex","fields":[{"name":"city","type":"string"}]})";
  auto s = must(R"({"type":"record","name":"User","namespace":"ex","fields":[{"name":"home","type":"Address"}]})",
                {address});
  ASSERT_TRUE(s);
  // The referenced type is written by name, not inlined.
  EXPECT_EQ(normalized(*s).find("city"), std::string::npos);
  EXPECT_FALSE(parse(R"({"type":"record","name":"User","fields":[{"name":"home","type":"Address"}]})", {}).ok());
}

TEST(AvroNormalize, SameSchemaWrittenDifferentlyNormalizesTheSame) {
  auto a = must(R"({"type":"record","name":"User","namespace":"ex","fields":[{"name":"id","type":"long"}]})");
  auto b = must(R"({ "fields": [ {"type": {"type":"long"}, "name": "id"} ], "name": "ex.User", "type": "record" })");
  EXPECT_EQ(normalized(*a), normalized(*b));
  auto c = must(R"({"type":"record","name":"User","namespace":"ex","fields":[{"name":"id","type":"int"}]})");
  EXPECT_NE(normalized(*a), normalized(*c));
}

// --- one case per rule, reader first ---------------------------------------

TEST(AvroRules, FieldAddedWithDefaultIsReadable) {
  EXPECT_TRUE(reads(user_with_default, user_v1));   // backward: new reads old
  EXPECT_TRUE(reads(user_v1, user_with_default));   // forward: old ignores the new field
}

TEST(AvroRules, FieldAddedWithoutDefaultIsReaderFieldMissingDefault) {
  EXPECT_NE(first_problem(user_without_default, user_v1).find("READER_FIELD_MISSING_DEFAULT_VALUE"), std::string::npos);
  EXPECT_TRUE(reads(user_v1, user_without_default));
}

TEST(AvroRules, FieldRenamedThroughAliasIsReadable) {
  const char* renamed =
      R"({"type":"record","name":"User","namespace":"ex","fields":[{"name":"user_id","type":"long","aliases":["id"]}]})";
  EXPECT_TRUE(reads(renamed, user_v1));
  const char* renamed_no_alias = R"({"type":"record","name":"User","namespace":"ex","fields":[{"name":"user_id","type":"long"}]})";
  EXPECT_FALSE(reads(renamed_no_alias, user_v1));
}

TEST(AvroRules, PromotionsFollowTheSpec) {
  EXPECT_TRUE(reads(R"("long")", R"("int")"));
  EXPECT_TRUE(reads(R"("double")", R"("int")"));
  EXPECT_TRUE(reads(R"("float")", R"("long")"));
  EXPECT_TRUE(reads(R"("double")", R"("float")"));
  EXPECT_TRUE(reads(R"("bytes")", R"("string")"));
  EXPECT_TRUE(reads(R"("string")", R"("bytes")"));
  EXPECT_NE(first_problem(R"("int")", R"("long")").find("TYPE_MISMATCH"), std::string::npos);
  EXPECT_NE(first_problem(R"("string")", R"("int")").find("TYPE_MISMATCH"), std::string::npos);
}

TEST(AvroRules, RecordNameMismatch) {
  EXPECT_NE(first_problem(R"({"type":"record","name":"Other","fields":[]})", R"({"type":"record","name":"User","fields":[]})")
                .find("NAME_MISMATCH"),
            std::string::npos);
  EXPECT_TRUE(reads(R"({"type":"record","name":"Other","aliases":["User"],"fields":[]})",
                    R"({"type":"record","name":"User","fields":[]})"));
}

TEST(AvroRules, EnumSymbolsRemovedNeedAReaderDefault) {
  const char* ab = R"({"type":"enum","name":"E","symbols":["A","B"]})";
  const char* a = R"({"type":"enum","name":"E","symbols":["A"]})";
  const char* a_default = R"({"type":"enum","name":"E","symbols":["A"],"default":"A"})";
  EXPECT_TRUE(reads(ab, a));
  EXPECT_NE(first_problem(a, ab).find("MISSING_ENUM_SYMBOLS"), std::string::npos);
  EXPECT_TRUE(reads(a_default, ab));
}

TEST(AvroRules, FixedSizeMismatch) {
  EXPECT_NE(first_problem(R"({"type":"fixed","name":"F","size":4})", R"({"type":"fixed","name":"F","size":8})")
                .find("FIXED_SIZE_MISMATCH"),
            std::string::npos);
}

TEST(AvroRules, UnionsNeedABranchForEveryWriterBranch) {
  EXPECT_TRUE(reads(R"(["null","string"])", R"("string")"));
  EXPECT_TRUE(reads(R"(["null","long"])", R"("int")"));  // through promotion
  EXPECT_NE(first_problem(R"("string")", R"(["null","string"])").find("TYPE_MISMATCH"), std::string::npos);
  EXPECT_NE(first_problem(R"(["null","string"])", R"("int")").find("MISSING_UNION_BRANCH"), std::string::npos);
}

TEST(AvroRules, ArraysAndMapsCompareTheirElements) {
  EXPECT_TRUE(reads(R"({"type":"array","items":"long"})", R"({"type":"array","items":"int"})"));
  EXPECT_FALSE(reads(R"({"type":"map","values":"int"})", R"({"type":"map","values":"string"})"));
}

TEST(AvroRules, RecursiveTypesTerminate) {
  const char* list = R"({"type":"record","name":"L","fields":[{"name":"next","type":["null","L"]}]})";
  EXPECT_TRUE(reads(list, list));
}

}  // namespace
}  // namespace samsa::registry::avro
