#include "registry/wire_format.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

#include "registry/avro_schema.h"
#include "registry/protobuf_schema.h"
#include "registry/schema.h"

namespace samsa::registry {

using nlohmann::json;
namespace gp = google::protobuf;

namespace {

error bad(const std::string& what) { return make_error(std::errc::bad_message, what); }

void put_zigzag(std::string& out, int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z >= 0x80) {
    out.push_back(static_cast<char>((z & 0x7f) | 0x80));
    z >>= 7;
  }
  out.push_back(static_cast<char>(z));
}

constexpr int64_t max_decoded_items = 1 << 20;

// Whether a value of this type takes no bytes at all.
bool zero_sized(const avro::node* n, int depth = 0) {
  if (n->kind == avro::kind::null) return true;
  if (n->kind == avro::kind::record) {
    if (depth > max_schema_depth) return false;  // a record that contains itself is never empty
    for (const auto& f : n->fields)
      if (!zero_sized(f.type, depth + 1)) return false;
    return true;
  }
  return n->kind == avro::kind::fixed && n->size == 0;
}

class byte_reader {
 public:
  // Counts decoded array/map items against max_decoded_items.
  bool spend(int64_t items) {
    if (items > max_decoded_items - spent_) return false;
    spent_ += items;
    return true;
  }
  explicit byte_reader(std::span<const uint8_t> b, size_t offset = 0) : b_(b), pos_(offset) {}
  size_t pos() const { return pos_; }
  bool done() const { return pos_ == b_.size(); }
  result<int64_t> zigzag() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= b_.size()) return bad("truncated varint at byte " + std::to_string(pos_));
      uint8_t c = b_[pos_++];
      v |= static_cast<uint64_t>(c & 0x7f) << shift;
      if (!(c & 0x80)) return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
    }
    return bad("varint longer than 10 bytes at byte " + std::to_string(pos_));
  }
  result<std::span<const uint8_t>> take(int64_t n) {
    if (n < 0 || static_cast<uint64_t>(n) > b_.size() - pos_)
      return bad("length " + std::to_string(n) + " runs past the end at byte " + std::to_string(pos_));
    auto s = b_.subspan(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return s;
  }

 private:
  std::span<const uint8_t> b_;
  size_t pos_;
  int64_t spent_ = 0;
};

// --- Avro ----------------------------------------------------------------

using avro::kind;
using avro::node;

bool fits(const node* n, const json& v) {
  switch (n->kind) {
    case kind::null: return v.is_null();
    case kind::boolean: return v.is_boolean();
    case kind::int_:
    case kind::long_: return v.is_number_integer();
    case kind::float_:
    case kind::double_: return v.is_number();
    case kind::bytes:
    case kind::string:
    case kind::fixed: return v.is_string();
    case kind::enum_: return v.is_string();
    case kind::array: return v.is_array();
    case kind::map:
    case kind::record: return v.is_object();
    case kind::union_: return true;
  }
  return false;
}

std::string branch_name(const node* n) {
  if (!n->full_name.empty()) return n->full_name;
  switch (n->kind) {
    case kind::null: return "null";
    case kind::boolean: return "boolean";
    case kind::int_: return "int";
    case kind::long_: return "long";
    case kind::float_: return "float";
    case kind::double_: return "double";
    case kind::bytes: return "bytes";
    case kind::string: return "string";
    case kind::array: return "array";
    case kind::map: return "map";
    default: return "?";
  }
}

// "at /items/2/price" (a JSON pointer into the value; "/" is the value itself).
std::string at(const std::string& path) { return "at " + (path.empty() ? std::string("/") : path); }

std::string brief(const json& v) {
  std::string text = v.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

status encode(const node* n, const json& v, std::string& out, const std::string& path, int depth) {
  if (depth > 2 * max_schema_depth) return bad(at(path) + ": nested too deeply");
  auto wrong = [&](const std::string& expected) { return bad(at(path) + ": expected " + expected + ", got " + brief(v)); };
  switch (n->kind) {
    case kind::null:
      if (!v.is_null()) return wrong("null");
      return {};
    case kind::boolean:
      if (!v.is_boolean()) return wrong("true or false");
      out.push_back(v.get<bool>() ? 1 : 0);
      return {};
    case kind::int_:
    case kind::long_: {
      if (!v.is_number_integer()) return wrong(n->kind == kind::int_ ? "an int" : "a long");
      if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return wrong("a 64-bit signed integer (long)");
      int64_t x = v.get<int64_t>();
      if (n->kind == kind::int_ && (x < std::numeric_limits<int32_t>::min() || x > std::numeric_limits<int32_t>::max()))
        return wrong("a 32-bit integer (int)");
      put_zigzag(out, x);
      return {};
    }
    case kind::float_: {
      if (!v.is_number()) return wrong("a number");
      if (std::fabs(v.get<double>()) > std::numeric_limits<float>::max()) return wrong("a number within float's range");
      float f = v.get<float>();
      char b[4];
      std::memcpy(b, &f, 4);  // little-endian hosts (x86-64, aarch64)
      out.append(b, 4);
      return {};
    }
    case kind::double_: {
      if (!v.is_number()) return wrong("a number");
      double d = v.get<double>();
      char b[8];
      std::memcpy(b, &d, 8);
      out.append(b, 8);
      return {};
    }
    case kind::string:
    case kind::bytes: {
      if (!v.is_string()) return wrong("a string");
      const auto& s = v.get_ref<const std::string&>();
      put_zigzag(out, static_cast<int64_t>(s.size()));
      out += s;
      return {};
    }
    case kind::fixed: {
      if (!v.is_string() || static_cast<int64_t>(v.get_ref<const std::string&>().size()) != n->size)
        return wrong("a string of " + std::to_string(n->size) + " bytes");
      out += v.get<std::string>();
      return {};
    }
    case kind::enum_: {
      if (!v.is_string()) return wrong("a symbol");
      for (size_t i = 0; i < n->symbols.size(); ++i)
        if (n->symbols[i] == v.get<std::string>()) {
          put_zigzag(out, static_cast<int64_t>(i));
          return {};
        }
      return bad(at(path) + ": " + brief(v) + " is not a symbol of the enum " + n->full_name);
    }
    case kind::array: {
      if (!v.is_array()) return wrong("an array");
      if (!v.empty()) {
        put_zigzag(out, static_cast<int64_t>(v.size()));
        for (size_t i = 0; i < v.size(); ++i)
          if (auto s = encode(n->items, v[i], out, path + "/" + std::to_string(i), depth + 1); !s) return s;
      }
      out.push_back(0);
      return {};
    }
    case kind::map: {
      if (!v.is_object()) return wrong("an object");
      if (!v.empty()) {
        put_zigzag(out, static_cast<int64_t>(v.size()));
        for (const auto& [k, item] : v.items()) {
          put_zigzag(out, static_cast<int64_t>(k.size()));
          out += k;
          if (auto s = encode(n->values, item, out, path + "/" + k, depth + 1); !s) return s;
        }
      }
      out.push_back(0);
      return {};
    }
    case kind::record: {
      if (!v.is_object()) return wrong("an object (record " + n->full_name + ")");
      for (const auto& f : n->fields) {
        auto it = v.find(f.name);
        const json& fv = it != v.end() ? *it : (f.default_value ? *f.default_value : json());
        if (it == v.end() && !f.default_value)
          return bad(at(path) + ": the field \"" + f.name + "\" of " + n->full_name + " is missing (it has no default)");
        if (auto s = encode(f.type, fv, out, path + "/" + f.name, depth + 1); !s) return s;
      }
      // A field the record does not have would be dropped silently (a typo
      // next to a field with a default): refused instead.
      for (const auto& [key, item] : v.items()) {
        bool known = false;
        for (const auto& f : n->fields) known = known || f.name == key;
        if (!known) return bad(at(path) + ": " + n->full_name + " has no field \"" + key + "\"");
      }
      return {};
    }
    case kind::union_: {
      // Avro's JSON form: {"branch name": value}.
      if (v.is_object() && v.size() == 1) {
        for (size_t i = 0; i < n->branches.size(); ++i)
          if (branch_name(n->branches[i]) == v.begin().key() ||
              (!n->branches[i]->full_name.empty() &&
               n->branches[i]->full_name.substr(n->branches[i]->full_name.rfind('.') + 1) == v.begin().key())) {
            put_zigzag(out, static_cast<int64_t>(i));
            return encode(n->branches[i], v.begin().value(), out, path, depth + 1);
          }
      }
      for (size_t i = 0; i < n->branches.size(); ++i) {
        if (!fits(n->branches[i], v)) continue;
        std::string attempt;
        put_zigzag(attempt, static_cast<int64_t>(i));
        if (encode(n->branches[i], v, attempt, path, depth + 1)) {
          out += attempt;
          return {};
        }
      }
      std::string names;
      for (const auto* b : n->branches) names += (names.empty() ? "" : ", ") + branch_name(b);
      return bad(at(path) + ": " + brief(v) + " fits no branch of the union [" + names + "]");
    }
  }
  return bad(at(path) + ": unknown type");
}

result<json> decode(const node* n, byte_reader& in, int depth) {
  if (depth > 2 * max_schema_depth) return bad("nested too deeply");
  switch (n->kind) {
    case kind::null: return json(nullptr);
    case kind::boolean: {
      auto b = in.take(1);
      if (!b) return b.err();
      return json((*b)[0] != 0);
    }
    case kind::int_:
    case kind::long_: {
      auto v = in.zigzag();
      if (!v) return v.err();
      return json(*v);
    }
    case kind::float_: {
      auto b = in.take(4);
      if (!b) return b.err();
      float f;
      std::memcpy(&f, b->data(), 4);
      return std::isfinite(f) ? json(f) : json(nullptr);
    }
    case kind::double_: {
      auto b = in.take(8);
      if (!b) return b.err();
      double d;
      std::memcpy(&d, b->data(), 8);
      return std::isfinite(d) ? json(d) : json(nullptr);
    }
    case kind::string:
    case kind::bytes: {
      auto len = in.zigzag();
      if (!len) return len.err();
      auto b = in.take(*len);
      if (!b) return b.err();
      return json(std::string(reinterpret_cast<const char*>(b->data()), b->size()));
    }
    case kind::fixed: {
      auto b = in.take(n->size);
      if (!b) return b.err();
      return json(std::string(reinterpret_cast<const char*>(b->data()), b->size()));
    }
    case kind::enum_: {
      auto i = in.zigzag();
      if (!i) return i.err();
      if (*i < 0 || static_cast<uint64_t>(*i) >= n->symbols.size()) return bad("enum index " + std::to_string(*i) + " out of range");
      return json(n->symbols[static_cast<size_t>(*i)]);
    }
    case kind::array:
    case kind::map: {
      json out = n->kind == kind::array ? json::array() : json::object();
      for (;;) {
        auto count = in.zigzag();
        if (!count) return count.err();
        if (*count == 0) return out;
        if (*count < 0) {  // a negative count is followed by the block's byte size
          if (*count == std::numeric_limits<int64_t>::min()) return bad("block count out of range");
          auto size = in.zigzag();
          if (!size) return size.err();
          *count = -*count;
        }
        // Items may take no bytes (null, an empty record): the count alone is bounded.
        if (!in.spend(*count)) return bad("more than " + std::to_string(max_decoded_items) + " items in one value");
        for (int64_t i = 0; i < *count; ++i) {
          if (in.done() && !zero_sized(n->kind == kind::array ? n->items : n->values))
            return bad("block runs past the end");
          std::string key;
          if (n->kind == kind::map) {
            auto len = in.zigzag();
            if (!len) return len.err();
            auto b = in.take(*len);
            if (!b) return b.err();
            key.assign(reinterpret_cast<const char*>(b->data()), b->size());
          }
          auto item = decode(n->kind == kind::array ? n->items : n->values, in, depth + 1);
          if (!item) return item.err();
          if (n->kind == kind::array) out.push_back(std::move(*item));
          else out[key] = std::move(*item);
        }
      }
    }
    case kind::record: {
      json out = json::object();
      for (const auto& f : n->fields) {
        auto v = decode(f.type, in, depth + 1);
        if (!v) return v.err();
        out[f.name] = std::move(*v);
      }
      return out;
    }
    case kind::union_: {
      auto i = in.zigzag();
      if (!i) return i.err();
      if (*i < 0 || static_cast<uint64_t>(*i) >= n->branches.size())
        return bad("union branch " + std::to_string(*i) + " out of range");
      return decode(n->branches[static_cast<size_t>(*i)], in, depth + 1);
    }
  }
  return bad("unknown type");
}

// --- Protobuf ------------------------------------------------------------

const gp::Descriptor* message_at(const gp::FileDescriptor* file, const std::vector<int32_t>& indexes) {
  if (indexes.empty() || indexes[0] < 0 || indexes[0] >= file->message_type_count()) return nullptr;
  const gp::Descriptor* d = file->message_type(indexes[0]);
  for (size_t i = 1; i < indexes.size(); ++i) {
    if (indexes[i] < 0 || indexes[i] >= d->nested_type_count()) return nullptr;
    d = d->nested_type(indexes[i]);
  }
  return d;
}

std::vector<int32_t> indexes_of(const gp::Descriptor* d) {
  std::vector<int32_t> out;
  while (d->containing_type()) {
    out.insert(out.begin(), d->index());
    d = d->containing_type();
  }
  out.insert(out.begin(), d->index());
  return out;
}

}  // namespace

result<wire_header> read_wire_header(std::span<const uint8_t> value) {
  if (value.size() < 5) return bad("not in the schema registry's wire format: " + std::to_string(value.size()) + " bytes, fewer than 5");
  if (value[0] != 0)
    return bad("not in the schema registry's wire format: magic byte " + std::to_string(value[0]) + ", expected 0");
  wire_header h;
  h.schema_id = static_cast<int32_t>((uint32_t(value[1]) << 24) | (uint32_t(value[2]) << 16) | (uint32_t(value[3]) << 8) |
                                     uint32_t(value[4]));
  return h;
}

std::string wire_prefix(int32_t schema_id) {
  std::string out(5, '\0');
  auto id = static_cast<uint32_t>(schema_id);
  out[1] = static_cast<char>(id >> 24);
  out[2] = static_cast<char>(id >> 16);
  out[3] = static_cast<char>(id >> 8);
  out[4] = static_cast<char>(id);
  return out;
}

result<std::vector<int32_t>> read_message_indexes(std::span<const uint8_t> value, size_t& offset) {
  byte_reader in(value, offset);
  auto count = in.zigzag();
  if (!count) return count.err();
  std::vector<int32_t> out;
  if (*count == 0) {
    out.push_back(0);
  } else {
    if (*count < 0 || *count > max_schema_depth) return bad("message index count " + std::to_string(*count) + " is out of range");
    for (int64_t i = 0; i < *count; ++i) {
      auto v = in.zigzag();
      if (!v) return v.err();
      if (*v < 0 || *v > std::numeric_limits<int32_t>::max()) return bad("message index out of range");
      out.push_back(static_cast<int32_t>(*v));
    }
  }
  offset = in.pos();
  return out;
}

std::string message_indexes(const std::vector<int32_t>& indexes) {
  std::string out;
  if (indexes.size() == 1 && indexes[0] == 0) {
    out.push_back(0);
    return out;
  }
  put_zigzag(out, static_cast<int64_t>(indexes.size()));
  for (int32_t i : indexes) put_zigzag(out, i);
  return out;
}

result<std::string> avro_encode(const avro::schema& s, const json& value) {
  std::string out;
  if (auto st = encode(s.root(), value, out, "", 0); !st) return st.err();
  return out;
}

result<json> avro_decode(const avro::schema& s, std::span<const uint8_t> payload) {
  byte_reader in(payload);
  auto v = decode(s.root(), in, 0);
  if (!v) return v.err();
  if (!in.done()) return bad(std::to_string(payload.size() - in.pos()) + " bytes left after the Avro value");
  return v;
}

result<std::string> protobuf_encode(const protobuf::schema& s, const std::string& message, const std::string& json_text,
                                    std::vector<int32_t>& indexes_out) {
  const gp::FileDescriptor* file = s.file();
  const gp::Descriptor* d = nullptr;
  if (message.empty()) {
    if (file->message_type_count() == 0) return bad("the schema defines no message");
    d = file->message_type(0);
  } else {
    d = file->pool()->FindMessageTypeByName(message);
    if (!d || d->file() != file) return bad("the schema defines no message " + message);
  }
  gp::DynamicMessageFactory factory(file->pool());
  std::unique_ptr<gp::Message> m(factory.GetPrototype(d)->New());
  auto st = gp::util::JsonStringToMessage(json_text, m.get());
  if (!st.ok()) {
    std::string why(st.message());
    if (why.rfind(": ", 0) == 0) why.erase(0, 2);  // libprotobuf leaves the path empty at the top
    return bad("not a " + d->full_name() + " in JSON: " + why);
  }
  // proto2 `required` fields: the JSON parser leaves them unset, and an
  // uninitialized message would serialize into something readers refuse.
  if (!m->IsInitialized())
    return bad("not a " + d->full_name() + ": required fields are missing: " + m->InitializationErrorString());
  indexes_out = indexes_of(d);
  return m->SerializeAsString();
}

result<std::string> protobuf_decode(const protobuf::schema& s, const std::vector<int32_t>& indexes,
                                    std::span<const uint8_t> payload) {
  const gp::Descriptor* d = message_at(s.file(), indexes);
  if (!d) return bad("the message indexes name no message of the schema");
  gp::DynamicMessageFactory factory(s.file()->pool());
  std::unique_ptr<gp::Message> m(factory.GetPrototype(d)->New());
  if (!m->ParseFromArray(payload.data(), static_cast<int>(payload.size())))
    return bad("not a valid " + d->full_name() + " message");
  std::string out;
  gp::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  auto st = gp::util::MessageToJsonString(*m, &out, options);
  if (!st.ok()) return bad("cannot print " + d->full_name() + " as JSON: " + st.ToString());
  return out;
}

}  // namespace samsa::registry
