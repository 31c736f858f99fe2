// Protobuf: parsing with protoc's parser, base64 descriptors, imports, and
// one case per compatibility rule (Confluent's, docs/schema-registry.md).
#include "registry/protobuf_schema.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <gtest/gtest.h>

namespace samsa::registry::protobuf {
namespace {

std::shared_ptr<const schema> must(std::string_view text, std::vector<std::pair<std::string, std::string>> deps = {}) {
  auto s = parse(text, deps);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.err().message) << " for " << text;
  return s.ok() ? *s : nullptr;
}

std::string problem(std::string_view reader, std::string_view writer) {
  auto p = read_problems(*must(reader), *must(writer));
  return p.empty() ? "" : p.front();
}

const char* v1 = R"(syntax = "proto3"; package ex; message User { int64 id = 1; string name = 2; })";

TEST(ProtobufParse, RefusesBrokenProtoWithLineAndColumn) {
  auto s = parse(R"(syntax = "proto3"; message User { int64 id = ; })", {});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.err().message.find("line 1"), std::string::npos) << s.err().message;
  EXPECT_FALSE(parse(R"(syntax = "proto3"; message U { Missing m = 1; })", {}).ok());
  EXPECT_FALSE(parse(R"(syntax = "proto3"; message U { int32 a = 1; int32 b = 1; })", {}).ok());
}

TEST(ProtobufParse, ImportsComeFromReferencesOrWellKnownTypes) {
  const char* address = R"(syntax = "proto3"; package ex; message Address { string city = 1; })";
  must(R"(syntax = "proto3"; package ex; import "address.proto"; message User { Address home = 1; })",
       {{"address.proto", address}});
  must(R"(syntax = "proto3"; import "google/protobuf/timestamp.proto"; message E { google.protobuf.Timestamp at = 1; })");
  EXPECT_FALSE(parse(R"(syntax = "proto3"; import "address.proto"; message U { ex.Address a = 1; })", {}).ok());
}

TEST(ProtobufParse, AcceptsABase64FileDescriptor) {
  auto text = must(v1);
  google::protobuf::FileDescriptorProto proto;
  text->file()->CopyTo(&proto);
  proto.set_name("user.proto");
  std::string bytes = proto.SerializeAsString();
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string b64;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int k = 3; k >= 0; --k) b64 += alphabet[(n >> (6 * k)) & 63];
  }
  if (i < bytes.size()) {
    uint32_t n = uint8_t(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= uint8_t(bytes[i + 1]) << 8;
    b64 += alphabet[(n >> 18) & 63];
    b64 += alphabet[(n >> 12) & 63];
    b64 += i + 1 < bytes.size() ? alphabet[(n >> 6) & 63] : '=';
    b64 += '=';
  }
  auto decoded = must(b64);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(normalized(*decoded).substr(normalized(*decoded).find("package")),
            normalized(*text).substr(normalized(*text).find("package")));
}

TEST(ProtobufNormalize, FormattingDoesNotMatter) {
  EXPECT_EQ(normalized(*must(v1)),
            normalized(*must("syntax=\"proto3\";\npackage ex;\n\nmessage User {\n  int64 id = 1;\n  string name = 2;\n}\n")));
}

TEST(ProtobufRules, AddingAndRemovingOptionalFieldsIsCompatible) {
  EXPECT_EQ(problem(R"(syntax = "proto3"; package ex; message User { int64 id = 1; string name = 2; string email = 3; })", v1), "");
  EXPECT_EQ(problem(R"(syntax = "proto3"; package ex; message User { int64 id = 1; })", v1), "");
}

TEST(ProtobufRules, RenamingAFieldIsCompatible) {
  EXPECT_EQ(problem(R"(syntax = "proto3"; package ex; message User { int64 id = 1; string full_name = 2; })", v1), "");
}

TEST(ProtobufRules, ScalarKindChangedAcrossWireGroups) {
  EXPECT_NE(problem(R"(syntax = "proto3"; package ex; message User { int64 id = 1; int32 name = 2; })", v1)
                .find("FIELD_SCALAR_KIND_CHANGED"),
            std::string::npos);
  EXPECT_EQ(problem(R"(syntax = "proto3"; package ex; message User { int32 id = 1; bytes name = 2; })", v1), "");
}

TEST(ProtobufRules, FieldKindChanged) {
  EXPECT_NE(problem(R"(syntax = "proto3"; package ex; message N { string v = 1; } message User { int64 id = 1; N name = 2; })", v1)
                .find("FIELD_KIND_CHANGED"),
            std::string::npos);
}

TEST(ProtobufRules, NamedTypeChanged) {
  const char* a = R"(syntax = "proto3"; message A { int32 x = 1; } message B { int32 x = 1; } message U { A f = 1; })";
  const char* b = R"(syntax = "proto3"; message A { int32 x = 1; } message B { int32 x = 1; } message U { B f = 1; })";
  EXPECT_NE(problem(b, a).find("FIELD_NAMED_TYPE_CHANGED"), std::string::npos);
}

TEST(ProtobufRules, MessageRemovedAndPackageChanged) {
  const char* two = R"(syntax = "proto3"; package ex; message User { int64 id = 1; string name = 2; } message Other { int32 x = 1; })";
  EXPECT_NE(problem(v1, two).find("MESSAGE_REMOVED"), std::string::npos);
  EXPECT_NE(problem(R"(syntax = "proto3"; package other; message User { int64 id = 1; string name = 2; })", v1)
                .find("PACKAGE_CHANGED"),
            std::string::npos);
}

TEST(ProtobufRules, RequiredFieldsMayNeitherAppearNorGo) {
  const char* p2 = R"(syntax = "proto2"; message U { optional int32 a = 1; })";
  const char* p2_required = R"(syntax = "proto2"; message U { optional int32 a = 1; required int32 b = 2; })";
  EXPECT_NE(problem(p2_required, p2).find("REQUIRED_FIELD_ADDED"), std::string::npos);
  EXPECT_NE(problem(p2, p2_required).find("REQUIRED_FIELD_REMOVED"), std::string::npos);
}

TEST(ProtobufRules, OneofChanges) {
  const char* plain = R"(syntax = "proto3"; message U { int32 a = 1; int32 b = 2; int32 c = 3; })";
  const char* oneof_bc = R"(syntax = "proto3"; message U { int32 a = 1; oneof k { int32 b = 2; int32 c = 3; } })";
  const char* oneof_c = R"(syntax = "proto3"; message U { int32 a = 1; oneof k { int32 c = 3; } })";
  const char* oneof_ac = R"(syntax = "proto3"; message U { oneof k { int32 a = 1; int32 c = 3; } })";
  EXPECT_NE(problem(oneof_bc, plain).find("MULTIPLE_FIELDS_MOVED_TO_ONEOF"), std::string::npos);
  EXPECT_NE(problem(oneof_c, oneof_bc).find("ONEOF_FIELD_REMOVED"), std::string::npos);
  EXPECT_NE(problem(oneof_ac, oneof_c).find("FIELD_MOVED_TO_EXISTING_ONEOF"), std::string::npos);
}

TEST(ProtobufRules, NumericLabelChanged) {
  EXPECT_NE(problem(R"(syntax = "proto3"; package ex; message User { repeated int64 id = 1; string name = 2; })", v1)
                .find("FIELD_NUMERIC_LABEL_CHANGED"),
            std::string::npos);
  EXPECT_EQ(problem(R"(syntax = "proto3"; package ex; message User { int64 id = 1; repeated string name = 2; })", v1), "");
}

}  // namespace
}  // namespace samsa::registry::protobuf
