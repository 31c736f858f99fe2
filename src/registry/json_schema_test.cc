// JSON Schema: structural validation and one case per compatibility rule
// (reader = the schema that must accept what the writer's accepts).
#include "registry/json_schema.h"

#include <gtest/gtest.h>

namespace samsa::registry::json_schema {
namespace {

std::shared_ptr<const schema> must(std::string_view text) {
  auto s = parse(text, {});
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.err().message) << " for " << text;
  return s.ok() ? *s : nullptr;
}

std::string problem(std::string_view reader, std::string_view writer) {
  auto p = read_problems(*must(reader), *must(writer));
  return p.empty() ? "" : p.front();
}

TEST(JsonSchemaParse, RefusesMalformedSchemas) {
  EXPECT_FALSE(parse("{", {}).ok());
  EXPECT_FALSE(parse("42", {}).ok());
  EXPECT_FALSE(parse(R"({"type":"strin"})", {}).ok());
  EXPECT_FALSE(parse(R"({"properties":[]})", {}).ok());
  EXPECT_FALSE(parse(R"({"required":"a"})", {}).ok());
  EXPECT_FALSE(parse(R"({"minLength":-1})", {}).ok());
  EXPECT_TRUE(parse("true", {}).ok());
}

TEST(JsonSchemaNormalize, KeyOrderAndSpacingDoNotMatter) {
  EXPECT_EQ(normalized(*must(R"({"type":"object", "properties":{"a":{"type":"string"}}})")),
            normalized(*must(R"({"properties":{"a":{"type":"string"}},"type":"object"})")));
}

const char* closed_a = R"({"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false})";
const char* closed_ab =
    R"({"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},"additionalProperties":false})";
const char* open_a = R"({"type":"object","properties":{"a":{"type":"string"}}})";
const char* open_ab = R"({"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}}})";

TEST(JsonSchemaRules, PropertyAddedToClosedModelIsCompatible) { EXPECT_EQ(problem(closed_ab, closed_a), ""); }

TEST(JsonSchemaRules, PropertyAddedToOpenModel) {
  EXPECT_NE(problem(open_ab, open_a).find("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"), std::string::npos);
}

TEST(JsonSchemaRules, PropertyRemovedFromClosedModel) {
  EXPECT_NE(problem(closed_a, closed_ab).find("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"), std::string::npos);
  EXPECT_EQ(problem(open_a, open_ab), "");  // an open reader takes b as an extra property
}

TEST(JsonSchemaRules, RequiredPropertyAdded) {
  const char* required = R"({"type":"object","properties":{"a":{"type":"string"}},"required":["a"]})";
  EXPECT_NE(problem(required, open_a).find("REQUIRED_PROPERTY_ADDED"), std::string::npos);
  EXPECT_EQ(problem(open_a, required), "");
}

TEST(JsonSchemaRules, TypeChangedAndWidenedAndNarrowed) {
  EXPECT_NE(problem(R"({"type":"string"})", R"({"type":"integer"})").find("TYPE_CHANGED"), std::string::npos);
  EXPECT_EQ(problem(R"({"type":"number"})", R"({"type":"integer"})"), "");
  EXPECT_NE(problem(R"({"type":"integer"})", R"({"type":"number"})").find("TYPE_CHANGED"), std::string::npos);
  EXPECT_NE(problem(R"({"type":"string"})", R"({"type":["string","null"]})").find("TYPE_NARROWED"), std::string::npos);
  EXPECT_EQ(problem(R"({"type":["string","null"]})", R"({"type":"string"})"), "");
}

TEST(JsonSchemaRules, BoundsMayOnlyLoosen) {
  EXPECT_NE(problem(R"({"type":"string","maxLength":5})", R"({"type":"string","maxLength":10})").find("MAX_LENGTH_DECREASED"),
            std::string::npos);
  EXPECT_NE(problem(R"({"type":"string","maxLength":5})", R"({"type":"string"})").find("MAX_LENGTH_ADDED"), std::string::npos);
  EXPECT_NE(problem(R"({"type":"string","minLength":3})", R"({"type":"string","minLength":1})").find("MIN_LENGTH_INCREASED"),
            std::string::npos);
  EXPECT_NE(problem(R"({"type":"number","minimum":3})", R"({"type":"number","minimum":1})").find("MINIMUM_INCREASED"),
            std::string::npos);
  EXPECT_NE(problem(R"({"type":"number","maximum":1})", R"({"type":"number","maximum":3})").find("MAXIMUM_DECREASED"),
            std::string::npos);
  EXPECT_NE(problem(R"({"type":"array","maxItems":1})", R"({"type":"array","maxItems":3})").find("MAX_ITEMS_DECREASED"),
            std::string::npos);
  EXPECT_EQ(problem(R"({"type":"string","maxLength":10})", R"({"type":"string","maxLength":5})"), "");
}

TEST(JsonSchemaRules, PatternsAndMultiples) {
  EXPECT_NE(problem(R"({"type":"string","pattern":"^a"})", R"({"type":"string"})").find("PATTERN_ADDED"), std::string::npos);
  EXPECT_NE(problem(R"({"type":"string","pattern":"^a"})", R"({"type":"string","pattern":"^b"})").find("PATTERN_CHANGED"),
            std::string::npos);
  EXPECT_EQ(problem(R"({"type":"number","multipleOf":2})", R"({"type":"number","multipleOf":4})"), "");
  EXPECT_NE(problem(R"({"type":"number","multipleOf":4})", R"({"type":"number","multipleOf":2})").find("MULTIPLE_OF_CHANGED"),
            std::string::npos);
}

TEST(JsonSchemaRules, EnumMayGrowNotShrink) {
  EXPECT_EQ(problem(R"({"enum":["a","b"]})", R"({"enum":["a"]})"), "");
  EXPECT_NE(problem(R"({"enum":["a"]})", R"({"enum":["a","b"]})").find("ENUM_ARRAY_NARROWED"), std::string::npos);
  EXPECT_NE(problem(R"({"type":"string","enum":["a"]})", R"({"type":"string"})").find("ENUM_ARRAY_ADDED"), std::string::npos);
}

TEST(JsonSchemaRules, AdditionalPropertiesRemoved) {
  EXPECT_NE(problem(R"({"type":"object","additionalProperties":false})", R"({"type":"object"})")
                .find("ADDITIONAL_PROPERTIES_REMOVED"),
            std::string::npos);
}

TEST(JsonSchemaRules, NestedPropertiesAndItemsAreCompared) {
  EXPECT_NE(problem(R"({"type":"object","properties":{"a":{"type":"integer"}}})", open_a).find("/properties/a"),
            std::string::npos);
  EXPECT_NE(problem(R"({"type":"array","items":{"type":"integer"}})", R"({"type":"array","items":{"type":"string"}})")
                .find("TYPE_CHANGED"),
            std::string::npos);
  EXPECT_NE(problem(R"({"type":"array","uniqueItems":true})", R"({"type":"array"})").find("UNIQUE_ITEMS_ADDED"),
            std::string::npos);
}

TEST(JsonSchemaRules, CombinedSchemas) {
  EXPECT_EQ(problem(R"({"oneOf":[{"type":"string"},{"type":"integer"}]})", R"({"type":"string"})"), "");
  EXPECT_NE(problem(R"({"oneOf":[{"type":"string"}]})", R"({"oneOf":[{"type":"string"},{"type":"integer"}]})")
                .find("COMBINED_TYPE_SUBSCHEMAS_CHANGED"),
            std::string::npos);
}

TEST(JsonSchemaRules, LocalReferencesAreFollowedAndCyclesEnd) {
  const char* tree =
      R"({"$ref":"#/definitions/node","definitions":{"node":{"type":"object","properties":{"kids":{"type":"array","items":{"$ref":"#/definitions/node"}}}}}})";
  EXPECT_EQ(problem(tree, tree), "");
  EXPECT_NE(problem(R"({"$ref":"#/definitions/s","definitions":{"s":{"type":"integer"}}})",
                    R"({"$ref":"#/definitions/s","definitions":{"s":{"type":"string"}}})")
                .find("TYPE_CHANGED"),
            std::string::npos);
}

TEST(JsonSchemaRules, ReferencedDocumentsResolveByName) {
  auto r = parse(R"({"type":"object","properties":{"addr":{"$ref":"address.json"}}})",
                 {{"address.json", R"({"type":"object","properties":{"city":{"type":"string"}}})"}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(read_problems(**r, **r).empty());
}

}  // namespace
}  // namespace samsa::registry::json_schema
