#include "registry/avro_schema.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "base/json_depth.h"
#include "registry/schema.h"

namespace samsa::registry::avro {

using nlohmann::json;

const node* schema::named(const std::string& full_name) const {
  auto it = named_.find(full_name);
  return it == named_.end() ? nullptr : it->second;
}

namespace {

struct primitive_name {
  std::string_view name;
  kind k;
};
constexpr primitive_name primitives[] = {
    {"null", kind::null},   {"boolean", kind::boolean}, {"int", kind::int_},     {"long", kind::long_},
    {"float", kind::float_}, {"double", kind::double_}, {"bytes", kind::bytes}, {"string", kind::string},
};

std::optional<kind> primitive_kind(std::string_view name) {
  for (const auto& p : primitives)
    if (p.name == name) return p.k;
  return std::nullopt;
}

std::string_view kind_name(kind k) {
  for (const auto& p : primitives)
    if (p.k == k) return p.name;
  switch (k) {
    case kind::record: return "record";
    case kind::enum_: return "enum";
    case kind::array: return "array";
    case kind::map: return "map";
    case kind::union_: return "union";
    case kind::fixed: return "fixed";
    default: return "?";
  }
}

bool valid_simple_name(std::string_view n) {
  if (n.empty()) return false;
  if (!(std::isalpha(static_cast<unsigned char>(n[0])) || n[0] == '_')) return false;
  return std::all_of(n.begin(), n.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool valid_full_name(std::string_view n) {
  size_t start = 0;
  while (true) {
    size_t dot = n.find('.', start);
    if (!valid_simple_name(n.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start)))
      return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::string namespace_of(const std::string& full) {
  size_t dot = full.rfind('.');
  return dot == std::string::npos ? "" : full.substr(0, dot);
}

error bad_avro_schema(const std::string& where, const std::string& what) {
  return make_error(std::errc::invalid_argument, "Invalid Avro schema at " + (where.empty() ? "/" : where) + ": " + what);
}

// Whether `value` is a valid default for `type` (Avro: a union's default
// matches its first branch).
bool default_fits(const node* type, const json& value, int depth) {
  if (depth > max_schema_depth) return false;
  switch (type->kind) {
    case kind::null: return value.is_null();
    case kind::boolean: return value.is_boolean();
    case kind::int_:
      if (!value.is_number_integer()) return false;
      if (value.is_number_unsigned()) return value.get<uint64_t>() <= uint64_t(std::numeric_limits<int32_t>::max());
      return value.get<int64_t>() >= std::numeric_limits<int32_t>::min() &&
             value.get<int64_t>() <= std::numeric_limits<int32_t>::max();
    case kind::long_:
      return value.is_number_integer() &&
             (!value.is_number_unsigned() || value.get<uint64_t>() <= uint64_t(std::numeric_limits<int64_t>::max()));
    case kind::float_:
    case kind::double_: return value.is_number();
    case kind::bytes:
    case kind::string:
    case kind::fixed: return value.is_string();
    case kind::enum_:
      return value.is_string() &&
             std::find(type->symbols.begin(), type->symbols.end(), value.get<std::string>()) != type->symbols.end();
    case kind::array:
      if (!value.is_array()) return false;
      for (const auto& v : value)
        if (!default_fits(type->items, v, depth + 1)) return false;
      return true;
    case kind::map:
      if (!value.is_object()) return false;
      for (const auto& [k, v] : value.items())
        if (!default_fits(type->values, v, depth + 1)) return false;
      return true;
    case kind::record:
      if (!value.is_object()) return false;
      for (const auto& f : type->fields) {
        auto it = value.find(f.name);
        if (it == value.end()) {
          if (!f.default_value) return false;
        } else if (!default_fits(f.type, *it, depth + 1)) {
          return false;
        }
      }
      return true;
    case kind::union_: return !type->branches.empty() && default_fits(type->branches.front(), value, depth + 1);
  }
  return false;
}

}  // namespace

class parser {
 public:
  explicit parser(schema& s) : s_(s) {}

  result<node*> parse(const json& j, const std::string& enclosing_ns, const std::string& where, int depth) {
    if (depth > max_schema_depth) return bad_avro_schema(where, "nested deeper than " + std::to_string(max_schema_depth));
    if (j.is_string()) return by_name(j.get<std::string>(), enclosing_ns, where);
    if (j.is_array()) return parse_union(j, enclosing_ns, where, depth);
    if (!j.is_object()) return bad_avro_schema(where, "a schema is a type name, an object or an array (union)");
    auto t = j.find("type");
    if (t == j.end()) return bad_avro_schema(where, "no \"type\"");
    if (t->is_object() || t->is_array()) {
      // {"type": {...}} nests a schema; properties beside it are ignored, as in Avro.
      return parse(*t, enclosing_ns, where + "/type", depth + 1);
    }
    if (!t->is_string()) return bad_avro_schema(where, "\"type\" must be a string, an object or an array");
    std::string type = t->get<std::string>();
    if (auto p = primitive_kind(type)) {
      node* n = make(*p);
      read_logical(j, n);
      return n;
    }
    if (type == "record" || type == "error") return parse_record(j, enclosing_ns, where, depth);
    if (type == "enum") return parse_enum(j, enclosing_ns, where);
    if (type == "fixed") return parse_fixed(j, enclosing_ns, where);
    if (type == "array") {
      auto items = j.find("items");
      if (items == j.end()) return bad_avro_schema(where, "array without \"items\"");
      auto inner = parse(*items, enclosing_ns, where + "/items", depth + 1);
      if (!inner) return inner.err();
      node* n = make(kind::array);
      n->items = *inner;
      return n;
    }
    if (type == "map") {
      auto values = j.find("values");
      if (values == j.end()) return bad_avro_schema(where, "map without \"values\"");
      auto inner = parse(*values, enclosing_ns, where + "/values", depth + 1);
      if (!inner) return inner.err();
      node* n = make(kind::map);
      n->values = *inner;
      return n;
    }
    // A named type used in the object form: {"type": "com.example.Foo"}.
    return by_name(type, enclosing_ns, where);
  }

  void set_root(node* n) { s_.root_ = n; }
  void mark_all_from_dependency() {
    for (auto& n : s_.arena_) n->from_dependency = true;
  }

 private:
  node* make(kind k) {
    s_.arena_.push_back(std::make_unique<node>());
    s_.arena_.back()->kind = k;
    return s_.arena_.back().get();
  }

  static void read_logical(const json& j, node* n) {
    auto lt = j.find("logicalType");
    if (lt == j.end() || !lt->is_string()) return;
    n->logical_type = lt->get<std::string>();
    if (auto p = j.find("precision"); p != j.end() && p->is_number_integer()) n->precision = p->get<int64_t>();
    if (auto s = j.find("scale"); s != j.end() && s->is_number_integer()) n->scale = s->get<int64_t>();
  }

  result<node*> by_name(const std::string& name, const std::string& enclosing_ns, const std::string& where) {
    if (auto p = primitive_kind(name)) return make(*p);
    if (name.find('.') == std::string::npos && !enclosing_ns.empty()) {
      if (auto it = s_.named_.find(enclosing_ns + "." + name); it != s_.named_.end()) return it->second;
    }
    if (auto it = s_.named_.find(name); it != s_.named_.end()) return it->second;
    return bad_avro_schema(where, "unknown type \"" + name + "\" (not defined before its use, nor by a reference)");
  }

  result<std::string> full_name(const json& j, const std::string& enclosing_ns, const std::string& where,
                                std::string& ns_out) {
    auto n = j.find("name");
    if (n == j.end() || !n->is_string()) return bad_avro_schema(where, "a named type needs a string \"name\"");
    std::string name = n->get<std::string>();
    std::string ns = enclosing_ns;
    if (auto nsj = j.find("namespace"); nsj != j.end()) {
      if (!nsj->is_string() && !nsj->is_null()) return bad_avro_schema(where, "\"namespace\" must be a string");
      ns = nsj->is_string() ? nsj->get<std::string>() : "";
    }
    std::string full = name.find('.') != std::string::npos ? name : (ns.empty() ? name : ns + "." + name);
    if (!valid_full_name(full)) return bad_avro_schema(where, "\"" + full + "\" is not a valid Avro name");
    if (primitive_kind(short_name(full))) return bad_avro_schema(where, "\"" + full + "\" redefines a primitive type");
    if (s_.named_.count(full)) return bad_avro_schema(where, "\"" + full + "\" is defined twice");
    ns_out = namespace_of(full);
    return full;
  }

  result<std::vector<std::string>> aliases(const json& j, const std::string& ns, const std::string& where,
                                           bool qualify) {
    std::vector<std::string> out;
    auto a = j.find("aliases");
    if (a == j.end()) return out;
    if (!a->is_array()) return bad_avro_schema(where, "\"aliases\" must be an array of names");
    for (const auto& v : *a) {
      if (!v.is_string()) return bad_avro_schema(where, "\"aliases\" must be an array of names");
      std::string alias = v.get<std::string>();
      if (qualify && alias.find('.') == std::string::npos && !ns.empty()) alias = ns + "." + alias;
      if (!(qualify ? valid_full_name(alias) : valid_simple_name(alias)))
        return bad_avro_schema(where, "alias \"" + alias + "\" is not a valid Avro name");
      out.push_back(alias);
    }
    return out;
  }

  static std::string doc_of(const json& j) {
    auto d = j.find("doc");
    return d != j.end() && d->is_string() ? d->get<std::string>() : "";
  }

  result<node*> parse_record(const json& j, const std::string& enclosing_ns, const std::string& where, int depth) {
    std::string ns;
    auto name = full_name(j, enclosing_ns, where, ns);
    if (!name) return name.err();
    node* n = make(kind::record);
    n->full_name = *name;
    n->doc = doc_of(j);
    auto al = aliases(j, ns, where, true);
    if (!al) return al.err();
    n->aliases = std::move(*al);
    s_.named_[n->full_name] = n;  // before the fields: a record may refer to itself
    auto fields = j.find("fields");
    if (fields == j.end() || !fields->is_array()) return bad_avro_schema(where, "record \"" + *name + "\" needs a \"fields\" array");
    std::set<std::string> seen;
    for (size_t i = 0; i < fields->size(); ++i) {
      const json& fj = (*fields)[i];
      std::string fwhere = where + "/fields/" + std::to_string(i);
      if (!fj.is_object()) return bad_avro_schema(fwhere, "a field is an object");
      auto fname = fj.find("name");
      if (fname == fj.end() || !fname->is_string() || !valid_simple_name(fname->get<std::string>()))
        return bad_avro_schema(fwhere, "a field needs a valid \"name\"");
      field f;
      f.name = fname->get<std::string>();
      if (!seen.insert(f.name).second) return bad_avro_schema(fwhere, "field \"" + f.name + "\" is defined twice");
      auto ftype = fj.find("type");
      if (ftype == fj.end()) return bad_avro_schema(fwhere, "field \"" + f.name + "\" has no \"type\"");
      auto t = parse(*ftype, ns, fwhere + "/type", depth + 1);
      if (!t) return t.err();
      f.type = *t;
      if (auto d = fj.find("default"); d != fj.end()) {
        if (!default_fits(f.type, *d, 0))
          return bad_avro_schema(fwhere, "the default of field \"" + f.name + "\" does not match its type " +
                                 std::string(kind_name(f.type->kind)));
        f.default_value = *d;
      }
      auto fal = aliases(fj, ns, fwhere, false);
      if (!fal) return fal.err();
      f.aliases = std::move(*fal);
      if (auto o = fj.find("order"); o != fj.end()) {
        if (!o->is_string() || (*o != "ascending" && *o != "descending" && *o != "ignore"))
          return bad_avro_schema(fwhere, "\"order\" is ascending, descending or ignore");
        if (*o != "ascending") f.order = o->get<std::string>();
      }
      f.doc = doc_of(fj);
      n->fields.push_back(std::move(f));
    }
    return n;
  }

  result<node*> parse_enum(const json& j, const std::string& enclosing_ns, const std::string& where) {
    std::string ns;
    auto name = full_name(j, enclosing_ns, where, ns);
    if (!name) return name.err();
    node* n = make(kind::enum_);
    n->full_name = *name;
    n->doc = doc_of(j);
    auto al = aliases(j, ns, where, true);
    if (!al) return al.err();
    n->aliases = std::move(*al);
    auto symbols = j.find("symbols");
    if (symbols == j.end() || !symbols->is_array()) return bad_avro_schema(where, "enum \"" + *name + "\" needs a \"symbols\" array");
    std::set<std::string> seen;
    for (const auto& s : *symbols) {
      if (!s.is_string() || !valid_simple_name(s.get<std::string>()))
        return bad_avro_schema(where, "enum \"" + *name + "\": symbols are valid Avro names");
      if (!seen.insert(s.get<std::string>()).second)
        return bad_avro_schema(where, "enum \"" + *name + "\": symbol \"" + s.get<std::string>() + "\" appears twice");
      n->symbols.push_back(s.get<std::string>());
    }
    if (auto d = j.find("default"); d != j.end()) {
      if (!d->is_string() || !seen.count(d->get<std::string>()))
        return bad_avro_schema(where, "enum \"" + *name + "\": the default is not one of its symbols");
      n->enum_default = d->get<std::string>();
    }
    s_.named_[n->full_name] = n;
    return n;
  }

  result<node*> parse_fixed(const json& j, const std::string& enclosing_ns, const std::string& where) {
    std::string ns;
    auto name = full_name(j, enclosing_ns, where, ns);
    if (!name) return name.err();
    auto size = j.find("size");
    if (size == j.end() || !size->is_number_integer() || size->get<int64_t>() < 0 ||
        size->get<int64_t>() > std::numeric_limits<int32_t>::max())
      return bad_avro_schema(where, "fixed \"" + *name + "\" needs a non-negative integer \"size\"");
    node* n = make(kind::fixed);
    n->full_name = *name;
    n->size = size->get<int64_t>();
    auto al = aliases(j, ns, where, true);
    if (!al) return al.err();
    n->aliases = std::move(*al);
    read_logical(j, n);
    s_.named_[n->full_name] = n;
    return n;
  }

  result<node*> parse_union(const json& j, const std::string& enclosing_ns, const std::string& where, int depth) {
    node* n = make(kind::union_);
    std::set<std::string> seen;
    for (size_t i = 0; i < j.size(); ++i) {
      auto b = parse(j[i], enclosing_ns, where + "/" + std::to_string(i), depth + 1);
      if (!b) return b.err();
      if ((*b)->kind == kind::union_) return bad_avro_schema(where, "a union cannot directly contain a union");
      std::string key = (*b)->full_name.empty() ? std::string(kind_name((*b)->kind)) : (*b)->full_name;
      if (!seen.insert(key).second) return bad_avro_schema(where, "the union has two branches of type " + key);
      n->branches.push_back(*b);
    }
    return n;
  }

  schema& s_;
};

result<std::shared_ptr<const schema>> parse(std::string_view text, const std::vector<std::string>& dependencies) {
  auto s = std::make_shared<schema>();
  parser p(*s);
  auto parse_json = [](std::string_view t, const std::string& what) -> result<json> {
    if (t.size() > max_schema_bytes) return bad_avro_schema("", what + " is larger than 1 MiB");
    if (json_nests_deeper_than(t, max_schema_depth)) return bad_avro_schema("", what + " is nested too deeply");
    json j = json::parse(t, nullptr, false);
    if (j.is_discarded()) return bad_avro_schema("", what + " is not valid JSON");
    return j;
  };
  for (size_t i = 0; i < dependencies.size(); ++i) {
    auto j = parse_json(dependencies[i], "referenced schema " + std::to_string(i + 1));
    if (!j) return j.err();
    auto n = p.parse(*j, "", "", 0);
    if (!n) {
      return make_error(std::errc::invalid_argument,
                        "referenced schema " + std::to_string(i + 1) + ": " + n.err().message);
    }
  }
  p.mark_all_from_dependency();
  auto j = parse_json(text, "the schema");
  if (!j) return j.err();
  auto root = p.parse(*j, "", "", 0);
  if (!root) return root.err();
  p.set_root(*root);
  return std::shared_ptr<const schema>(std::move(s));
}

// --- normalized form ----------------------------------------------------

namespace {

json write_node(const node* n, std::set<const node*>& written) {
  switch (n->kind) {
    case kind::record:
    case kind::enum_:
    case kind::fixed: {
      if (n->from_dependency || written.count(n)) return n->full_name;
      written.insert(n);
      json o = json::object();
      o["type"] = std::string(kind_name(n->kind));
      o["name"] = n->full_name;
      if (!n->aliases.empty()) o["aliases"] = n->aliases;
      if (!n->doc.empty()) o["doc"] = n->doc;
      if (n->kind == kind::record) {
        json fields = json::array();
        for (const auto& f : n->fields) {
          json fo = json::object();
          fo["name"] = f.name;
          fo["type"] = write_node(f.type, written);
          if (f.default_value) fo["default"] = *f.default_value;
          if (!f.aliases.empty()) fo["aliases"] = f.aliases;
          if (!f.order.empty()) fo["order"] = f.order;
          if (!f.doc.empty()) fo["doc"] = f.doc;
          fields.push_back(std::move(fo));
        }
        o["fields"] = std::move(fields);
      } else if (n->kind == kind::enum_) {
        o["symbols"] = n->symbols;
        if (n->enum_default) o["default"] = *n->enum_default;
      } else {
        o["size"] = n->size;
        if (!n->logical_type.empty()) o["logicalType"] = n->logical_type;
        if (n->precision) o["precision"] = *n->precision;
        if (n->scale) o["scale"] = *n->scale;
      }
      return o;
    }
    case kind::array: {
      json o = json::object();
      o["type"] = "array";
      o["items"] = write_node(n->items, written);
      return o;
    }
    case kind::map: {
      json o = json::object();
      o["type"] = "map";
      o["values"] = write_node(n->values, written);
      return o;
    }
    case kind::union_: {
      json a = json::array();
      for (const node* b : n->branches) a.push_back(write_node(b, written));
      return a;
    }
    default: {
      if (n->logical_type.empty()) return std::string(kind_name(n->kind));
      json o = json::object();
      o["type"] = std::string(kind_name(n->kind));
      o["logicalType"] = n->logical_type;
      if (n->precision) o["precision"] = *n->precision;
      if (n->scale) o["scale"] = *n->scale;
      return o;
    }
  }
}

}  // namespace

std::string normalized(const schema& s) {
  std::set<const node*> written;
  // nlohmann::json sorts object keys: one text per schema, whatever order
  // the client wrote its attributes in.
  return write_node(s.root(), written).dump();
}

// --- schema resolution (reader vs writer) -------------------------------

namespace {

class resolver {
 public:
  std::vector<std::string> problems;

  void check(const node* reader, const node* writer, const std::string& path) {
    if (problems.size() >= 100) return;  // enough to explain; bounded output
    if (!in_progress_.insert({reader, writer}).second) return;  // recursive type: assumed fine here
    check_once(reader, writer, path);
    in_progress_.erase({reader, writer});
  }

 private:
  void add(const std::string& rule, const std::string& path, const std::string& what) {
    problems.push_back(rule + " at " + (path.empty() ? "/" : path) + ": " + what);
  }

  static bool names_match(const node* reader, const node* writer) {
    if (reader->full_name == writer->full_name) return true;
    if (std::find(reader->aliases.begin(), reader->aliases.end(), writer->full_name) != reader->aliases.end()) return true;
    // Avro's checker also accepts the unqualified names being equal.
    return short_name(reader->full_name) == short_name(writer->full_name);
  }

  static bool promotable(kind writer, kind reader) {
    switch (writer) {
      case kind::int_: return reader == kind::long_ || reader == kind::float_ || reader == kind::double_;
      case kind::long_: return reader == kind::float_ || reader == kind::double_;
      case kind::float_: return reader == kind::double_;
      case kind::string: return reader == kind::bytes;
      case kind::bytes: return reader == kind::string;
      default: return false;
    }
  }

  // Whether reader can read writer without recording problems (for picking a union branch).
  bool readable(const node* reader, const node* writer, const std::string& path) {
    resolver probe;
    probe.in_progress_ = in_progress_;
    probe.check(reader, writer, path);
    return probe.problems.empty();
  }

  void check_once(const node* reader, const node* writer, const std::string& path) {
    if (writer->kind == kind::union_) {
      for (size_t i = 0; i < writer->branches.size(); ++i) check(reader, writer->branches[i], path);
      return;
    }
    if (reader->kind == kind::union_) {
      for (const node* b : reader->branches)
        if (readable(b, writer, path)) return;
      add("MISSING_UNION_BRANCH", path,
          "the reader's union has no branch that reads the writer's " + describe(writer));
      return;
    }
    if (reader->kind != writer->kind) {
      if (!promotable(writer->kind, reader->kind))
        add("TYPE_MISMATCH", path,
            "the reader has " + describe(reader) + " where the writer has " + describe(writer));
      return;
    }
    switch (reader->kind) {
      case kind::record: {
        if (!names_match(reader, writer)) {
          add("NAME_MISMATCH", path + "/name",
              "the reader's record " + reader->full_name + " does not match the writer's " + writer->full_name);
          return;
        }
        for (size_t i = 0; i < reader->fields.size(); ++i) {
          const field& rf = reader->fields[i];
          const field* wf = writer_field(rf, *writer);
          std::string fpath = path + "/fields/" + std::to_string(i);
          if (!wf) {
            if (!rf.default_value)
              add("READER_FIELD_MISSING_DEFAULT_VALUE", fpath,
                  "field \"" + rf.name + "\" is not in the writer's schema and has no default in the reader's");
            continue;
          }
          check(rf.type, wf->type, fpath + "/type");
        }
        return;
      }
      case kind::enum_: {
        if (!names_match(reader, writer)) {
          add("NAME_MISMATCH", path + "/name",
              "the reader's enum " + reader->full_name + " does not match the writer's " + writer->full_name);
          return;
        }
        if (reader->enum_default) return;  // unknown symbols read as the default
        std::string missing;
        for (const auto& s : writer->symbols)
          if (std::find(reader->symbols.begin(), reader->symbols.end(), s) == reader->symbols.end())
            missing += (missing.empty() ? "" : ", ") + s;
        if (!missing.empty())
          add("MISSING_ENUM_SYMBOLS", path + "/symbols",
              "the reader's enum " + reader->full_name + " lacks the writer's symbols [" + missing + "]");
        return;
      }
      case kind::fixed:
        if (!names_match(reader, writer)) {
          add("NAME_MISMATCH", path + "/name",
              "the reader's fixed " + reader->full_name + " does not match the writer's " + writer->full_name);
        } else if (reader->size != writer->size) {
          add("FIXED_SIZE_MISMATCH", path + "/size",
              "fixed " + reader->full_name + " has size " + std::to_string(reader->size) + " in the reader, " +
                  std::to_string(writer->size) + " in the writer");
        }
        return;
      case kind::array: check(reader->items, writer->items, path + "/items"); return;
      case kind::map: check(reader->values, writer->values, path + "/values"); return;
      default: return;  // same primitive
    }
  }

  static const field* writer_field(const field& rf, const node& writer) {
    for (const auto& wf : writer.fields)
      if (wf.name == rf.name) return &wf;
    for (const auto& alias : rf.aliases)
      for (const auto& wf : writer.fields)
        if (wf.name == alias) return &wf;
    return nullptr;
  }

  static std::string describe(const node* n) {
    std::string k(kind_name(n->kind));
    return n->full_name.empty() ? k : k + " " + n->full_name;
  }

  std::set<std::pair<const node*, const node*>> in_progress_;
};

}  // namespace

std::vector<std::string> read_problems(const schema& reader, const schema& writer) {
  resolver r;
  r.check(reader.root(), writer.root(), "");
  return std::move(r.problems);
}

std::string short_name(const std::string& full_name) {
  size_t dot = full_name.rfind('.');
  return dot == std::string::npos ? full_name : full_name.substr(dot + 1);
}

}  // namespace samsa::registry::avro
