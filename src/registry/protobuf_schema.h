// Protobuf schemas, parsed by Debian's libprotobuf: the .proto text through
// protoc's own parser (compiler::Parser) into a FileDescriptorProto, then
// built in a DescriptorPool with the referenced schemas as its imports (so
// types, imports and names are checked as protoc checks them). A schema may
// also come as a base64 serialized FileDescriptorProto, as Confluent's
// Python serializer sends it. The normalized form is the built file's
// DebugString (a canonical .proto text). Compatibility compares messages
// field by field number (Confluent's rules, docs/schema-registry.md).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace google::protobuf {
class DescriptorPool;
class FileDescriptor;
}  // namespace google::protobuf

namespace samsa::registry::protobuf {

class schema {
 public:
  schema();
  ~schema();
  const google::protobuf::FileDescriptor* file() const { return file_; }

 private:
  friend result<std::shared_ptr<const schema>> parse(std::string_view,
                                                     const std::vector<std::pair<std::string, std::string>>&);
  std::unique_ptr<google::protobuf::DescriptorPool> pool_;
  const google::protobuf::FileDescriptor* file_ = nullptr;
};

// `dependencies`: (import path, text) of referenced schemas in dependency
// order. Imports of Google's well-known types (google/protobuf/*.proto) need
// no reference.
result<std::shared_ptr<const schema>> parse(std::string_view text,
                                            const std::vector<std::pair<std::string, std::string>>& dependencies);

std::string normalized(const schema& s);

// Why data written with `writer` may not be read with `reader`; empty when
// it can. Lines start with the rule (FIELD_KIND_CHANGED, ...).
std::vector<std::string> read_problems(const schema& reader, const schema& writer);

}  // namespace samsa::registry::protobuf
