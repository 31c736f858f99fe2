#include "registry/avro_json.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "registry/avro_schema.h"
#include "registry/zigzag.h"

namespace samsa::registry::avro {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

error bad_avro_json(const std::string& what) { return make_error(std::errc::bad_message, what); }

// A branch's name in the JSON encoding: the full name of a named type, the
// type's own name otherwise (a logical type does not change it).
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

// ["int","long"]: how a union is named in messages.
std::string union_names(const node* n) {
  json names = json::array();
  for (const node* b : n->branches) names.push_back(branch_name(b));
  return names.dump();
}

// The start of `v`'s JSON text, written only up to `limit` characters: an
// error about a large value (tried again for every union branch) must not
// cost a dump of all of it.
void brief_into(const json& v, std::string& out, size_t limit, int depth) {
  if (out.size() > limit) return;
  if (depth > 8) {
    out += "...";
    return;
  }
  if (v.is_object() || v.is_array()) {
    out.push_back(v.is_object() ? '{' : '[');
    bool first = true;
    for (const auto& [k, item] : v.items()) {
      if (out.size() > limit) return;
      if (!first) out.push_back(',');
      first = false;
      if (v.is_object()) out += json(k).dump(-1, ' ', false, json::error_handler_t::replace) + ":";
      brief_into(item, out, limit, depth + 1);
    }
    out.push_back(v.is_object() ? '}' : ']');
  } else if (v.is_string() && v.get_ref<const std::string&>().size() > limit) {
    out += json(v.get_ref<const std::string&>().substr(0, limit)).dump(-1, ' ', false, json::error_handler_t::replace);
  } else {
    out += v.dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

std::string brief(const json& v) {
  std::string text;
  brief_into(v, text, 60, 0);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

// Bytes <-> strings of code points 0-255 (UTF-8 in memory: one byte below
// 0x80, two bytes from 0xC2 0x80 to 0xC3 0xBF).
void append_code_points(std::string& out, std::span<const uint8_t> b) {
  for (uint8_t c : b) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
}

// The bytes a JSON string stands for, or the index of the first character
// beyond U+00FF.
bool bytes_of(const std::string& s, std::string& out, size_t& bad_at) {
  out.clear();
  out.reserve(s.size());
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i, ++chars) {
    auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < s.size() && (static_cast<uint8_t>(s[i + 1]) & 0xC0) == 0x80) {
      out.push_back(static_cast<char>(((c & 0x1F) << 6) | (static_cast<uint8_t>(s[i + 1]) & 0x3F)));
      ++i;
    } else {
      bad_at = chars;
      return false;
    }
  }
  return true;
}

// "NaN", "Infinity", "-Infinity" as the spec writes them; nullopt otherwise.
std::optional<double> special_number(const json& v) {
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s == "Infinity") return std::numeric_limits<double>::infinity();
  if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  return std::nullopt;
}

// Whether the JSON kind of `v` could be a value of `n` (the first sieve
// when a bare value is tried against union branches).
bool shape_fits(const node* n, const json& v) {
  switch (n->kind) {
    case kind::null: return v.is_null();
    case kind::boolean: return v.is_boolean();
    case kind::int_:
    case kind::long_: return v.is_number_integer();
    case kind::float_:
    case kind::double_: return v.is_number() || special_number(v).has_value();
    case kind::bytes:
    case kind::string:
    case kind::fixed:
    case kind::enum_: return v.is_string();
    case kind::array: return v.is_array();
    case kind::map:
    case kind::record: return v.is_object();
    case kind::union_: return true;
  }
  return false;
}

// A JSON pointer kept as segments while walking, rendered only for errors.
class pointer {
 public:
  void push(std::string segment) { segments_.push_back(std::move(segment)); }
  void pop() { segments_.pop_back(); }
  std::string at() const {
    if (segments_.empty()) return "at /";
    std::string out = "at ";
    for (const auto& s : segments_) {
      out.push_back('/');
      for (char c : s) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out.push_back(c);
      }
    }
    return out;
  }

 private:
  std::vector<std::string> segments_;
};

// Pushes a segment for the lifetime of the scope.
class segment {
 public:
  segment(pointer& p, std::string s) : p_(p) { p_.push(std::move(s)); }
  ~segment() { p_.pop(); }
  segment(const segment&) = delete;
  segment& operator=(const segment&) = delete;

 private:
  pointer& p_;
};

std::string too_much_work() {
  return "the value takes more than " + std::to_string(max_steps) + " steps to convert (values visited and union branches tried)";
}

// --- JSON -> binary -------------------------------------------------------

class encoder {
 public:
  // `in_default`: `v` is a field default from the schema, where a union's
  // value belongs to its first branch, unwrapped.
  status encode(const node* n, const json& v, std::string& out, int depth, bool in_default) {
    if (++steps_ > max_steps) {
      exhausted_ = true;
      return bad_avro_json(path_.at() + ": " + too_much_work());
    }
    if (depth > max_depth) return bad_avro_json(path_.at() + ": nested more than " + std::to_string(max_depth) + " deep");
    auto wrong = [&](const std::string& expected) {
      return bad_avro_json(path_.at() + ": expected " + expected + ", got " + brief(v));
    };
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
      case kind::float_:
      case kind::double_: {
        std::optional<double> d = special_number(v);
        if (!d) {
          if (!v.is_number()) return wrong("a number (or \"NaN\", \"Infinity\", \"-Infinity\")");
          d = v.get<double>();
        }
        if (n->kind == kind::double_) {
          char b[8];
          std::memcpy(b, &*d, 8);  // little-endian hosts (x86-64, aarch64), as Avro's encoding
          out.append(b, 8);
          return {};
        }
        if (std::isfinite(*d) && std::fabs(*d) > std::numeric_limits<float>::max())
          return wrong("a number within float's range");
        auto f = static_cast<float>(*d);
        char b[4];
        std::memcpy(b, &f, 4);
        out.append(b, 4);
        return {};
      }
      case kind::string: {
        if (!v.is_string()) return wrong("a string");
        const auto& s = v.get_ref<const std::string&>();
        put_zigzag(out, static_cast<int64_t>(s.size()));
        out += s;
        return {};
      }
      case kind::bytes:
      case kind::fixed: {
        if (!v.is_string()) return wrong(n->kind == kind::bytes ? "bytes (a string of code points U+0000 to U+00FF)"
                                                                 : "a string of " + std::to_string(n->size) + " bytes");
        std::string raw;
        size_t bad_at = 0;
        if (!bytes_of(v.get_ref<const std::string&>(), raw, bad_at))
          return bad_avro_json(path_.at() + ": character " + std::to_string(bad_at) +
                     " is beyond U+00FF: Avro's JSON writes bytes as a string of code points U+0000 to U+00FF, "
                     "one per byte (byte 0xE9 is \"\\u00e9\")");
        if (n->kind == kind::fixed) {
          if (static_cast<int64_t>(raw.size()) != n->size)
            return bad_avro_json(path_.at() + ": fixed " + n->full_name + " takes " + std::to_string(n->size) + " bytes, got " +
                       std::to_string(raw.size()));
        } else {
          put_zigzag(out, static_cast<int64_t>(raw.size()));
        }
        out += raw;
        return {};
      }
      case kind::enum_: {
        if (!v.is_string()) return wrong("a symbol of the enum " + n->full_name);
        for (size_t i = 0; i < n->symbols.size(); ++i)
          if (n->symbols[i] == v.get_ref<const std::string&>()) {
            put_zigzag(out, static_cast<int64_t>(i));
            return {};
          }
        return bad_avro_json(path_.at() + ": " + brief(v) + " is not a symbol of the enum " + n->full_name);
      }
      case kind::array: {
        if (!v.is_array()) return wrong("an array");
        if (!v.empty()) {
          put_zigzag(out, static_cast<int64_t>(v.size()));
          for (size_t i = 0; i < v.size(); ++i) {
            segment s(path_, std::to_string(i));
            if (auto st = encode(n->items, v[i], out, depth + 1, in_default); !st) return st;
          }
        }
        out.push_back(0);
        return {};
      }
      case kind::map: {
        if (!v.is_object()) return wrong("an object (a map)");
        if (!v.empty()) {
          put_zigzag(out, static_cast<int64_t>(v.size()));
          for (const auto& [k, item] : v.items()) {
            put_zigzag(out, static_cast<int64_t>(k.size()));
            out += k;
            segment s(path_, k);
            if (auto st = encode(n->values, item, out, depth + 1, in_default); !st) return st;
          }
        }
        out.push_back(0);
        return {};
      }
      case kind::record: {
        if (!v.is_object()) return wrong("an object (record " + n->full_name + ")");
        size_t present = 0;
        for (const auto& f : n->fields) {
          auto it = v.find(f.name);
          if (it == v.end() && !f.default_value)
            return bad_avro_json(path_.at() + ": the field \"" + f.name + "\" of " + n->full_name + " is missing (it has no default)");
          present += it != v.end();
          segment s(path_, f.name);
          auto st = it != v.end() ? encode(f.type, *it, out, depth + 1, in_default)
                                  : encode(f.type, *f.default_value, out, depth + 1, true);
          if (!st) return st;
        }
        // A field the record does not have would be dropped silently (a
        // typo next to a field with a default): refused instead. Field names
        // are unique, so any key beyond those found is one.
        if (present != v.size()) {
          std::set<std::string_view> names;
          for (const auto& f : n->fields) names.insert(f.name);
          for (const auto& [key, item] : v.items())
            if (!names.count(key)) return bad_avro_json(path_.at() + ": " + n->full_name + " has no field \"" + key + "\"");
        }
        return {};
      }
      case kind::union_: return encode_union(n, v, out, depth, in_default);
    }
    return bad_avro_json(path_.at() + ": unknown type");
  }

  bool exhausted() const { return exhausted_; }

 private:
  // The branch a one-key object names: the full name, or a named type's
  // short name when only one branch has it.
  std::optional<size_t> named_branch(const node* n, const std::string& key) {
    for (size_t i = 0; i < n->branches.size(); ++i)
      if (branch_name(n->branches[i]) == key) return i;
    std::optional<size_t> found;
    for (size_t i = 0; i < n->branches.size(); ++i) {
      if (n->branches[i]->full_name.empty() || short_name(n->branches[i]->full_name) != key) continue;
      if (found) return std::nullopt;
      found = i;
    }
    return found;
  }

  status encode_union(const node* n, const json& v, std::string& out, int depth, bool in_default) {
    if (n->branches.empty()) return bad_avro_json(path_.at() + ": the union [] has no value");
    if (in_default) {
      put_zigzag(out, 0);
      return encode(n->branches[0], v, out, depth + 1, true);
    }
    if (v.is_object() && v.size() == 1) {
      if (auto i = named_branch(n, v.begin().key())) {
        put_zigzag(out, static_cast<int64_t>(*i));
        segment s(path_, v.begin().key());
        return encode(n->branches[*i], v.begin().value(), out, depth + 1, false);
      }
    }
    // A bare value: it must fit exactly one branch. Each branch is tried
    // in place at the end of `out` and cut off again unless it is the first
    // to fit (no copies: a large value under nested unions is not
    // duplicated per level).
    std::vector<size_t> fitting;
    std::optional<error> only_shape_error;
    size_t shapes = 0;
    for (size_t i = 0; i < n->branches.size(); ++i) {
      if (!shape_fits(n->branches[i], v)) continue;
      ++shapes;
      size_t mark = out.size();
      put_zigzag(out, static_cast<int64_t>(i));
      auto st = encode(n->branches[i], v, out, depth + 1, false);
      if (exhausted_) return st;
      if (st) fitting.push_back(i);
      else if (shapes == 1) only_shape_error = st.err();
      if (!st || fitting.size() > 1) out.resize(mark);
    }
    if (fitting.size() == 1) return {};
    if (fitting.size() > 1) {
      std::string how;
      for (size_t k = 0; k < fitting.size(); ++k) {
        how += k == 0 ? "" : (k + 1 == fitting.size() ? " or " : ", ");
        how += "{" + json(branch_name(n->branches[fitting[k]])).dump() + ": \xE2\x80\xA6}";
      }
      return bad_avro_json("ambiguous value for union " + union_names(n) + " " + path_.at() + ": wrap it as " + how);
    }
    // One branch of the right JSON kind: its own reason says most.
    if (shapes == 1 && only_shape_error) return *only_shape_error;
    return bad_avro_json(path_.at() + ": " + brief(v) + " fits no branch of the union " + union_names(n));
  }

  pointer path_;
  int64_t steps_ = 0;
  bool exhausted_ = false;
};

// --- binary -> JSON -------------------------------------------------------

// Appends to an ordered object without its linear duplicate search (keys
// here are already unique): records keep their fields' order, maps of many
// keys stay O(n log n).
void append_member(ordered_json& object, std::string key, ordered_json value) {
  using base = std::vector<std::pair<const std::string, ordered_json>>;
  static_cast<base&>(object.get_ref<ordered_json::object_t&>()).emplace_back(std::move(key), std::move(value));
}

class decoder {
 public:
  decoder(std::span<const uint8_t> payload, json_style style) : in_(payload), style_(style) {}

  result<ordered_json> decode(const node* n, int depth) {
    if (++steps_ > max_steps) return bad_avro_json(path_.at() + ": " + too_much_work());
    if (depth > max_depth) return bad_avro_json(path_.at() + ": nested more than " + std::to_string(max_depth) + " deep");
    auto fail = [&](const error& e) { return bad_avro_json(path_.at() + ": " + e.message); };
    switch (n->kind) {
      case kind::null: return ordered_json(nullptr);
      case kind::boolean: {
        auto b = in_.take(1);
        if (!b) return fail(b.err());
        if ((*b)[0] > 1) return bad_avro_json(path_.at() + ": boolean byte " + std::to_string((*b)[0]) + " is neither 0 nor 1");
        return ordered_json((*b)[0] == 1);
      }
      case kind::int_:
      case kind::long_: {
        auto v = in_.zigzag();
        if (!v) return fail(v.err());
        if (n->kind == kind::int_ && (*v < std::numeric_limits<int32_t>::min() || *v > std::numeric_limits<int32_t>::max()))
          return bad_avro_json(path_.at() + ": " + std::to_string(*v) + " is out of an int's range");
        return ordered_json(*v);
      }
      case kind::float_:
      case kind::double_: {
        auto b = in_.take(n->kind == kind::float_ ? 4 : 8);
        if (!b) return fail(b.err());
        double d;
        if (n->kind == kind::float_) {
          float f;
          std::memcpy(&f, b->data(), 4);
          d = f;
        } else {
          std::memcpy(&d, b->data(), 8);
        }
        if (std::isnan(d)) return ordered_json("NaN");
        if (std::isinf(d)) return ordered_json(d > 0 ? "Infinity" : "-Infinity");
        return ordered_json(d);
      }
      case kind::string: {
        auto b = bytes();
        if (!b) return fail(b.err());
        return ordered_json(std::string(reinterpret_cast<const char*>(b->data()), b->size()));
      }
      case kind::bytes:
      case kind::fixed: {
        auto b = n->kind == kind::bytes ? bytes() : in_.take(n->size);
        if (!b) return fail(b.err());
        if (style_ == json_style::plain) return ordered_json(std::string(reinterpret_cast<const char*>(b->data()), b->size()));
        std::string text;
        append_code_points(text, *b);
        return ordered_json(std::move(text));
      }
      case kind::enum_: {
        auto i = in_.zigzag();
        if (!i) return fail(i.err());
        if (*i < 0 || static_cast<uint64_t>(*i) >= n->symbols.size())
          return bad_avro_json(path_.at() + ": enum index " + std::to_string(*i) + " is out of range for " + n->full_name);
        return ordered_json(n->symbols[static_cast<size_t>(*i)]);
      }
      case kind::array:
      case kind::map: return decode_blocks(n, depth);
      case kind::record: {
        ordered_json out = ordered_json::object();
        for (const auto& f : n->fields) {
          segment s(path_, f.name);
          auto v = decode(f.type, depth + 1);
          if (!v) return v;
          append_member(out, f.name, std::move(*v));
        }
        return out;
      }
      case kind::union_: {
        auto i = in_.zigzag();
        if (!i) return fail(i.err());
        if (*i < 0 || static_cast<uint64_t>(*i) >= n->branches.size())
          return bad_avro_json(path_.at() + ": union branch " + std::to_string(*i) + " is out of range for " + union_names(n));
        const node* branch = n->branches[static_cast<size_t>(*i)];
        auto v = decode(branch, depth + 1);
        if (!v || style_ == json_style::plain || branch->kind == kind::null) return v;
        ordered_json wrapped = ordered_json::object();
        append_member(wrapped, branch_name(branch), std::move(*v));
        return wrapped;
      }
    }
    return bad_avro_json(path_.at() + ": unknown type");
  }

  bool done() const { return in_.done(); }
  size_t left() const { return in_.left(); }

 private:
  result<std::span<const uint8_t>> bytes() {
    auto len = in_.zigzag();
    if (!len) return len.err();
    return in_.take(*len);
  }

  // Arrays and maps: blocks of items, each a count (a negative count is
  // followed by the block's size in bytes), until a count of 0.
  result<ordered_json> decode_blocks(const node* n, int depth) {
    bool is_map = n->kind == kind::map;
    ordered_json out = is_map ? ordered_json::object() : ordered_json::array();
    std::map<std::string, ordered_json> entries;  // a key written twice keeps its last value
    size_t index = 0;
    for (;;) {
      auto count = in_.zigzag();
      if (!count) return bad_avro_json(path_.at() + ": " + count.err().message);
      if (*count == 0) break;
      if (*count < 0) {
        if (*count == std::numeric_limits<int64_t>::min()) return bad_avro_json(path_.at() + ": block count out of range");
        auto size = in_.zigzag();
        if (!size) return bad_avro_json(path_.at() + ": " + size.err().message);
        *count = -*count;
      }
      // Items may take no bytes (null, an empty record): the count alone
      // is checked against the work left.
      if (*count > max_steps - steps_) return bad_avro_json(path_.at() + ": " + too_much_work());
      for (int64_t i = 0; i < *count; ++i, ++index) {
        if (is_map) {
          auto key = bytes();
          if (!key) return bad_avro_json(path_.at() + ": " + key.err().message);
          std::string k(reinterpret_cast<const char*>(key->data()), key->size());
          segment s(path_, k);
          auto v = decode(n->values, depth + 1);
          if (!v) return v;
          entries.insert_or_assign(std::move(k), std::move(*v));
        } else {
          segment s(path_, std::to_string(index));
          auto v = decode(n->items, depth + 1);
          if (!v) return v;
          out.push_back(std::move(*v));
        }
      }
    }
    for (auto& [k, v] : entries) append_member(out, k, std::move(v));
    return out;
  }

  byte_reader in_;
  json_style style_;
  pointer path_;
  int64_t steps_ = 0;
};

}  // namespace

result<std::string> encode_from_json(const schema& s, const json& value) {
  encoder e;
  std::string out;
  if (auto st = e.encode(s.root(), value, out, 0, false); !st) return st.err();
  return out;
}

result<ordered_json> decode_to_json(const schema& s, std::span<const uint8_t> payload, json_style style) {
  decoder d(payload, style);
  auto v = d.decode(s.root(), 0);
  if (!v) return v;
  if (!d.done()) return bad_avro_json(std::to_string(d.left()) + " bytes left after the Avro value");
  return v;
}

}  // namespace samsa::registry::avro
