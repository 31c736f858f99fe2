#include "registry/protobuf_schema.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/api.pb.h>
#include <google/protobuf/compiler/parser.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/empty.pb.h>
#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/source_context.pb.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/type.pb.h>
#include <google/protobuf/wrappers.pb.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/stubs/logging.h>

#include <map>
#include <set>

#include "registry/schema.h"

namespace samsa::registry::protobuf {

namespace gp = google::protobuf;

schema::schema() = default;
schema::~schema() = default;

namespace {

// The name the registered schema's file gets in its pool (a text schema
// has none of its own).
constexpr const char* main_file_name = "__registered_schema__.proto";

error bad_protobuf_schema(const std::string& what) { return make_error(std::errc::invalid_argument, "Invalid Protobuf schema: " + what); }

class text_errors : public gp::io::ErrorCollector {
 public:
  std::string first;
  void AddError(int line, gp::io::ColumnNumber column, const std::string& message) override {
    if (first.empty()) first = "line " + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
  }
};

class build_errors : public gp::DescriptorPool::ErrorCollector {
 public:
  std::string first;
  void AddError(const std::string& filename, const std::string& element, const gp::Message*, ErrorLocation,
                const std::string& message) override {
    if (first.empty()) first = (element.empty() ? filename : element) + ": " + message;
  }
};

std::optional<std::string> base64_decode(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  while (!in.empty() && (in.back() == '\n' || in.back() == '\r' || in.back() == ' ')) in.remove_suffix(1);
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  if (in.empty()) return std::nullopt;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

// .proto text, else a base64 FileDescriptorProto.
result<gp::FileDescriptorProto> to_proto(std::string_view text, const std::string& file_name) {
  if (text.size() > max_schema_bytes) return bad_protobuf_schema("larger than 1 MiB");
  gp::FileDescriptorProto proto;
  gp::io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
  text_errors errors;
  gp::io::Tokenizer tokenizer(&input, &errors);
  gp::compiler::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (parser.Parse(&tokenizer, &proto) && errors.first.empty()) {
    proto.set_name(file_name);
    return proto;
  }
  std::string text_error = errors.first.empty() ? "cannot parse" : errors.first;
  if (auto bytes = base64_decode(text)) {
    gp::FileDescriptorProto decoded;
    if (decoded.ParseFromString(*bytes) && !decoded.name().empty()) return decoded;
  }
  return bad_protobuf_schema(text_error);
}

// A well-known type's file is in the generated pool only if its compiled
// code is in the binary, which a static libprotobuf links only when something
// names it: naming one message of each file here links them all.
void link_well_known_types() {
  static const bool linked = [] {
    for (const gp::Descriptor* d :
         {gp::Any::descriptor(), gp::Api::descriptor(), gp::Duration::descriptor(), gp::Empty::descriptor(),
          gp::FieldMask::descriptor(), gp::SourceContext::descriptor(), gp::Struct::descriptor(),
          gp::Timestamp::descriptor(), gp::Type::descriptor(), gp::DoubleValue::descriptor()})
      (void)d;
    return true;
  }();
  (void)linked;
}

// Builds `name` from Google's compiled-in copy (well-known types) with its
// own imports first; false when libprotobuf has no such file.
bool build_well_known(gp::DescriptorPool& pool, const std::string& name, int depth = 0) {
  if (pool.FindFileByName(name)) return true;
  link_well_known_types();
  if (depth > 16) return false;
  const gp::FileDescriptor* known = gp::DescriptorPool::generated_pool()->FindFileByName(name);
  if (!known) return false;
  for (int i = 0; i < known->dependency_count(); ++i) build_well_known(pool, known->dependency(i)->name(), depth + 1);
  gp::FileDescriptorProto proto;
  known->CopyTo(&proto);
  return pool.BuildFile(proto) != nullptr;
}

}  // namespace

result<std::shared_ptr<const schema>> parse(std::string_view text,
                                            const std::vector<std::pair<std::string, std::string>>& dependencies) {
  // libprotobuf logs what it dislikes in client input (invalid UTF-8 in a
  // descriptor) to stderr; the error we return says enough.
  static const bool quiet = [] {
    gp::SetLogHandler(nullptr);
    return true;
  }();
  (void)quiet;
  auto s = std::make_shared<schema>();
  s->pool_ = std::make_unique<gp::DescriptorPool>();
  auto build = [&](gp::FileDescriptorProto proto, const std::string& what) -> result<const gp::FileDescriptor*> {
    if (const gp::FileDescriptor* existing = s->pool_->FindFileByName(proto.name())) return existing;
    for (const auto& import : proto.dependency())
      if (!s->pool_->FindFileByName(import)) build_well_known(*s->pool_, import);
    build_errors errors;
    const gp::FileDescriptor* file = s->pool_->BuildFileCollectingErrors(proto, &errors);
    if (!file) return bad_protobuf_schema(what + ": " + (errors.first.empty() ? "cannot build" : errors.first));
    return file;
  };
  for (const auto& [name, dep_text] : dependencies) {
    auto proto = to_proto(dep_text, name);
    if (!proto) return make_error(std::errc::invalid_argument, "referenced schema " + name + ": " + proto.err().message);
    proto->set_name(name);  // the import path the schema uses, whatever the file called itself
    if (auto f = build(std::move(*proto), "referenced schema " + name); !f) return f.err();
  }
  auto proto = to_proto(text, main_file_name);
  if (!proto) return proto.err();
  auto file = build(std::move(*proto), "the schema");
  if (!file) return file.err();
  s->file_ = *file;
  return std::shared_ptr<const schema>(std::move(s));
}

std::string normalized(const schema& s) { return s.file()->DebugString(); }

namespace {

// Scalar types that read each other's wire encoding (Confluent's groups).
int scalar_group(gp::FieldDescriptor::Type t) {
  using F = gp::FieldDescriptor;
  switch (t) {
    case F::TYPE_INT32:
    case F::TYPE_UINT32:
    case F::TYPE_INT64:
    case F::TYPE_UINT64:
    case F::TYPE_BOOL: return 1;
    case F::TYPE_SINT32:
    case F::TYPE_SINT64: return 2;
    case F::TYPE_FIXED32:
    case F::TYPE_SFIXED32: return 3;
    case F::TYPE_FIXED64:
    case F::TYPE_SFIXED64: return 4;
    case F::TYPE_STRING:
    case F::TYPE_BYTES: return 5;
    case F::TYPE_FLOAT: return 6;
    case F::TYPE_DOUBLE: return 7;
    default: return 0;
  }
}

enum class field_kind { scalar, message, enum_ };
field_kind kind_of(const gp::FieldDescriptor* f) {
  if (f->type() == gp::FieldDescriptor::TYPE_MESSAGE || f->type() == gp::FieldDescriptor::TYPE_GROUP)
    return field_kind::message;
  if (f->type() == gp::FieldDescriptor::TYPE_ENUM) return field_kind::enum_;
  return field_kind::scalar;
}

// A name without the file's package, so a renamed package does not hide
// every message behind it.
std::string local_name(const std::string& full, const std::string& package) {
  if (!package.empty() && full.rfind(package + ".", 0) == 0) return full.substr(package.size() + 1);
  return full;
}

const gp::OneofDescriptor* real_oneof(const gp::FieldDescriptor* f) { return f->real_containing_oneof(); }

class differ {
 public:
  std::vector<std::string> problems;

  // original = the writer's file, update = the reader's.
  void compare(const gp::FileDescriptor* original, const gp::FileDescriptor* update) {
    if (original->package() != update->package())
      add("PACKAGE_CHANGED", "", "package " + original->package() + " became " + update->package());
    std::map<std::string, const gp::Descriptor*> updated;
    collect(update, updated);
    std::map<std::string, const gp::Descriptor*> originals;
    collect(original, originals);
    for (const auto& [name, message] : originals) {
      auto it = updated.find(name);
      if (it == updated.end()) {
        add("MESSAGE_REMOVED", name, "message " + name + " is gone");
        continue;
      }
      compare_message(name, message, it->second, original->package(), update->package());
    }
  }

 private:
  void add(const std::string& rule, const std::string& where, const std::string& what) {
    if (problems.size() < 100) problems.push_back(rule + (where.empty() ? "" : " at " + where) + ": " + what);
  }

  static void collect_message(const gp::Descriptor* d, const std::string& package,
                              std::map<std::string, const gp::Descriptor*>& out) {
    if (d->options().map_entry()) return;  // map<K,V> fields are compared as fields
    out[local_name(d->full_name(), package)] = d;
    for (int i = 0; i < d->nested_type_count(); ++i) collect_message(d->nested_type(i), package, out);
  }
  static void collect(const gp::FileDescriptor* f, std::map<std::string, const gp::Descriptor*>& out) {
    for (int i = 0; i < f->message_type_count(); ++i) collect_message(f->message_type(i), f->package(), out);
  }

  void compare_message(const std::string& name, const gp::Descriptor* original, const gp::Descriptor* update,
                       const std::string& original_package, const std::string& update_package) {
    for (int i = 0; i < original->field_count(); ++i) {
      const gp::FieldDescriptor* of = original->field(i);
      const gp::FieldDescriptor* uf = update->FindFieldByNumber(of->number());
      std::string where = name + "." + std::to_string(of->number());
      if (!uf) {
        if (of->is_required()) add("REQUIRED_FIELD_REMOVED", where, "required field " + of->name() + " is gone");
        else if (real_oneof(of)) add("ONEOF_FIELD_REMOVED", where, "field " + of->name() + " left oneof " + real_oneof(of)->name());
        continue;  // FIELD_REMOVED: readers skip unknown numbers
      }
      compare_field(where, of, uf, original_package, update_package);
    }
    for (int i = 0; i < update->field_count(); ++i) {
      const gp::FieldDescriptor* uf = update->field(i);
      if (!original->FindFieldByNumber(uf->number()) && uf->is_required())
        add("REQUIRED_FIELD_ADDED", name + "." + std::to_string(uf->number()), "required field " + uf->name() + " is new");
    }
    // Fields that join a oneof: into one that existed, or several into a new one.
    std::map<std::string, int> moved_into_new;
    for (int i = 0; i < update->field_count(); ++i) {
      const gp::FieldDescriptor* uf = update->field(i);
      const gp::FieldDescriptor* of = original->FindFieldByNumber(uf->number());
      if (!of || !real_oneof(uf) || real_oneof(of)) continue;
      const std::string& oneof = real_oneof(uf)->name();
      if (original->FindOneofByName(oneof)) {
        add("FIELD_MOVED_TO_EXISTING_ONEOF", name + "." + std::to_string(uf->number()),
            "field " + uf->name() + " moved into the existing oneof " + oneof);
      } else {
        ++moved_into_new[oneof];
      }
    }
    for (const auto& [oneof, count] : moved_into_new)
      if (count > 1)
        add("MULTIPLE_FIELDS_MOVED_TO_ONEOF", name + "." + oneof,
            std::to_string(count) + " existing fields moved into the new oneof " + oneof);
  }

  void compare_field(const std::string& where, const gp::FieldDescriptor* of, const gp::FieldDescriptor* uf,
                     const std::string& original_package, const std::string& update_package) {
    if (!of->is_required() && uf->is_required())
      add("REQUIRED_FIELD_ADDED", where, "field " + uf->name() + " became required");
    if (of->is_required() && !uf->is_required())
      add("REQUIRED_FIELD_REMOVED", where, "field " + uf->name() + " is no longer required");
    field_kind ok = kind_of(of), uk = kind_of(uf);
    if (of->is_map() != uf->is_map() || ok != uk) {
      add("FIELD_KIND_CHANGED", where, "field " + uf->name() + " changed kind (scalar, enum, message or map)");
      return;
    }
    if (ok == field_kind::scalar && of->type() != uf->type() && scalar_group(of->type()) != scalar_group(uf->type()))
      add("FIELD_SCALAR_KIND_CHANGED", where,
          std::string("field ") + uf->name() + " changed from " + of->type_name() + " to " + uf->type_name());
    if (ok == field_kind::message && !of->is_map() &&
        local_name(of->message_type()->full_name(), original_package) !=
            local_name(uf->message_type()->full_name(), update_package))
      add("FIELD_NAMED_TYPE_CHANGED", where,
          "field " + uf->name() + " changed from " + of->message_type()->full_name() + " to " +
              uf->message_type()->full_name());
    if (ok == field_kind::enum_ &&
        local_name(of->enum_type()->full_name(), original_package) != local_name(uf->enum_type()->full_name(), update_package))
      add("FIELD_NAMED_TYPE_CHANGED", where,
          "field " + uf->name() + " changed from " + of->enum_type()->full_name() + " to " + uf->enum_type()->full_name());
    if (of->is_repeated() != uf->is_repeated() && !of->is_map()) {
      // Length-delimited values read the same one or many times; numbers do not (packed encoding).
      bool length_delimited = ok == field_kind::message || of->type() == gp::FieldDescriptor::TYPE_STRING ||
                              of->type() == gp::FieldDescriptor::TYPE_BYTES;
      if (!length_delimited)
        add("FIELD_NUMERIC_LABEL_CHANGED", where, "numeric field " + uf->name() + " changed between repeated and single");
    }
  }
};

}  // namespace

std::vector<std::string> read_problems(const schema& reader, const schema& writer) {
  differ d;
  d.compare(writer.file(), reader.file());
  return std::move(d.problems);
}

}  // namespace samsa::registry::protobuf
