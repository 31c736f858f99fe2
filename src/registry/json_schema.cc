#include "registry/json_schema.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "base/json_depth.h"
#include "registry/schema.h"

namespace samsa::registry::json_schema {

using nlohmann::json;

namespace {

const std::set<std::string> type_names = {"null", "boolean", "object", "array", "number", "integer", "string"};

error bad_json_schema(const std::string& where, const std::string& what) {
  return make_error(std::errc::invalid_argument,
                    "Invalid JSON schema at " + (where.empty() ? std::string("/") : where) + ": " + what);
}

// The checks a schema document must pass: keywords with the wrong shape are
// refused (a validator would reject the schema, or silently ignore it).
std::optional<error> validate(const json& s, const std::string& where, int depth) {
  if (depth > max_schema_depth) return bad_json_schema(where, "nested too deeply");
  if (s.is_boolean()) return std::nullopt;
  if (!s.is_object()) return bad_json_schema(where, "a schema is an object or a boolean");
  if (auto t = s.find("type"); t != s.end()) {
    auto ok_name = [](const json& v) { return v.is_string() && type_names.count(v.get<std::string>()); };
    if (t->is_array()) {
      for (const auto& v : *t)
        if (!ok_name(v)) return bad_json_schema(where + "/type", "unknown type " + v.dump());
    } else if (!ok_name(*t)) {
      return bad_json_schema(where + "/type", "unknown type " + t->dump());
    }
  }
  for (const char* key : {"properties", "patternProperties", "definitions", "$defs", "dependentSchemas"}) {
    if (auto p = s.find(key); p != s.end()) {
      if (!p->is_object()) return bad_json_schema(where + "/" + key, "must be an object of schemas");
      for (const auto& [name, sub] : p->items())
        if (auto e = validate(sub, where + "/" + key + "/" + name, depth + 1)) return e;
    }
  }
  for (const char* key : {"additionalProperties", "additionalItems", "not", "contains", "propertyNames", "if", "then",
                          "else", "unevaluatedProperties", "unevaluatedItems"}) {
    if (auto p = s.find(key); p != s.end())
      if (auto e = validate(*p, where + "/" + key, depth + 1)) return e;
  }
  if (auto p = s.find("items"); p != s.end()) {
    if (p->is_array()) {
      for (size_t i = 0; i < p->size(); ++i)
        if (auto e = validate((*p)[i], where + "/items/" + std::to_string(i), depth + 1)) return e;
    } else if (auto e = validate(*p, where + "/items", depth + 1)) {
      return e;
    }
  }
  for (const char* key : {"allOf", "anyOf", "oneOf", "prefixItems"}) {
    if (auto p = s.find(key); p != s.end()) {
      if (!p->is_array() || p->empty()) return bad_json_schema(where + "/" + key, "must be a non-empty array of schemas");
      for (size_t i = 0; i < p->size(); ++i)
        if (auto e = validate((*p)[i], where + "/" + key + "/" + std::to_string(i), depth + 1)) return e;
    }
  }
  if (auto r = s.find("required"); r != s.end()) {
    if (!r->is_array() || !std::all_of(r->begin(), r->end(), [](const json& v) { return v.is_string(); }))
      return bad_json_schema(where + "/required", "must be an array of property names");
  }
  if (auto e = s.find("enum"); e != s.end() && !e->is_array()) return bad_json_schema(where + "/enum", "must be an array");
  for (const char* key : {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}) {
    if (auto p = s.find(key); p != s.end() && !p->is_number() && !(p->is_boolean() && std::string(key).rfind("exclusive", 0) == 0))
      return bad_json_schema(where + "/" + key, "must be a number");
  }
  for (const char* key : {"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"}) {
    if (auto p = s.find(key); p != s.end() && (!p->is_number_integer() || p->get<int64_t>() < 0))
      return bad_json_schema(where + "/" + key, "must be a non-negative integer");
  }
  if (auto p = s.find("pattern"); p != s.end() && !p->is_string()) return bad_json_schema(where + "/pattern", "must be a string");
  if (auto p = s.find("$ref"); p != s.end() && !p->is_string()) return bad_json_schema(where + "/$ref", "must be a string");
  return std::nullopt;
}

}  // namespace

result<std::shared_ptr<const schema>> parse(std::string_view text,
                                            const std::vector<std::pair<std::string, std::string>>& dependencies) {
  auto s = std::make_shared<schema>();
  auto load = [](std::string_view t, const std::string& what) -> result<json> {
    if (t.size() > max_schema_bytes) return bad_json_schema("", what + " is larger than 1 MiB");
    if (json_nests_deeper_than(t, max_schema_depth)) return bad_json_schema("", what + " is nested too deeply");
    json j = json::parse(t, nullptr, false);
    if (j.is_discarded()) return bad_json_schema("", what + " is not valid JSON");
    if (auto e = validate(j, "", 0)) return *e;
    return j;
  };
  for (const auto& [name, text_of] : dependencies) {
    auto j = load(text_of, "referenced schema " + name);
    if (!j) return j.err();
    s->dependencies.emplace_back(name, std::move(*j));
  }
  auto j = load(text, "the schema");
  if (!j) return j.err();
  s->root = std::move(*j);
  return std::shared_ptr<const schema>(std::move(s));
}

std::string normalized(const schema& s) { return s.root.dump(); }

namespace {

// One side of the comparison: a schema node and the document it lives in
// (for resolving "#/..." references).
struct side {
  const json* node;
  const json* document;
};

std::set<std::string> types_of(const json& s) {
  std::set<std::string> out;
  if (!s.is_object()) return out;
  auto t = s.find("type");
  if (t == s.end()) return out;  // empty = any type
  if (t->is_string()) out.insert(t->get<std::string>());
  if (t->is_array())
    for (const auto& v : *t)
      if (v.is_string()) out.insert(v.get<std::string>());
  return out;
}

class comparer {
 public:
  comparer(const schema& reader, const schema& writer) : reader_(reader), writer_(writer) {}
  std::vector<std::string> problems;

  void check(side r, side w, const std::string& path, int depth) {
    if (problems.size() >= 100) return;
    if (depth > 4 * max_schema_depth) return;  // cyclic $refs: what was seen so far decides
    r = resolve(r, reader_);
    w = resolve(w, writer_);
    if (!r.node || !w.node) {
      add("REFERENCE_UNRESOLVED", path, "a $ref names nothing the schema defines or references");
      return;
    }
    if (!seen_.insert({r.node, w.node}).second) return;
    const json& rs = *r.node;
    const json& ws = *w.node;
    if (ws.is_boolean() && !ws.get<bool>()) return;  // the writer accepts nothing
    if (rs.is_boolean()) {
      if (!rs.get<bool>()) add("TYPE_NARROWED", path, "the reader accepts nothing (false)");
      return;
    }
    if (ws.is_boolean() || ws.empty()) {
      // The writer accepts anything: the reader must too.
      if (!rs.empty()) add("TYPE_NARROWED", path, "the writer accepts any value; the reader constrains it");
      return;
    }
    if (combined(r, w, path, depth)) return;
    check_type(rs, ws, path);
    check_numbers(rs, ws, path);
    check_strings(rs, ws, path);
    check_enum(rs, ws, path);
    check_objects(r, w, path, depth);
    check_arrays(r, w, path, depth);
    if (auto rn = rs.find("not"); rn != rs.end()) {
      auto wn = ws.find("not");
      if (wn == ws.end()) add("NOT_TYPE_ADDED", path + "/not", "the reader adds a \"not\"");
      else check({&*wn, w.document}, {&*rn, r.document}, path + "/not", depth + 1);  // inverted
    }
  }

 private:
  void add(const std::string& rule, const std::string& path, const std::string& what) {
    problems.push_back(rule + " at " + (path.empty() ? "#/" : "#" + path) + ": " + what);
  }

  // Follows $ref until a schema without one.
  side resolve(side s, const schema& owner) {
    for (int hops = 0; hops < 32 && s.node && s.node->is_object(); ++hops) {
      auto ref = s.node->find("$ref");
      if (ref == s.node->end() || !ref->is_string()) return s;
      std::string text = ref->get<std::string>();
      size_t hash = text.find('#');
      std::string doc_name = hash == std::string::npos ? text : text.substr(0, hash);
      std::string pointer = hash == std::string::npos ? "" : text.substr(hash + 1);
      const json* doc = s.document;
      if (!doc_name.empty()) {
        doc = nullptr;
        for (const auto& [name, j] : owner.dependencies)
          if (name == doc_name) doc = &j;
        if (!doc) return {nullptr, nullptr};
      }
      try {
        const json& target = pointer.empty() ? *doc : doc->at(json::json_pointer(pointer));
        s = {&target, doc};
      } catch (const json::exception&) {
        return {nullptr, nullptr};
      }
    }
    return s;
  }

  // anyOf/oneOf/allOf: true when it decided the comparison.
  bool combined(side r, side w, const std::string& path, int depth) {
    const json& rs = *r.node;
    const json& ws = *w.node;
    auto branches = [](const json& s, const char*& which) -> const json* {
      for (const char* k : {"oneOf", "anyOf", "allOf"}) {
        if (auto it = s.find(k); it != s.end() && it->is_array()) {
          which = k;
          return &*it;
        }
      }
      return nullptr;
    };
    const char* rk = nullptr;
    const char* wk = nullptr;
    const json* rb = branches(rs, rk);
    const json* wb = branches(ws, wk);
    if (!rb && !wb) return false;
    if (rb && wb && std::string(rk) == "allOf" && std::string(wk) == "allOf") {
      // Every reader constraint must be implied by some writer constraint.
      for (size_t i = 0; i < rb->size(); ++i) {
        bool implied = false;
        for (size_t j = 0; j < wb->size() && !implied; ++j) implied = accepted({&(*rb)[i], r.document}, {&(*wb)[j], w.document}, depth);
        if (!implied)
          add("COMBINED_TYPE_SUBSCHEMAS_CHANGED", path + "/allOf/" + std::to_string(i),
              "the reader's allOf has a constraint the writer's does not imply");
      }
      return true;
    }
    if (rb && std::string(rk) != "allOf") {
      // Each thing the writer may be must fit some reader branch.
      std::vector<side> writer_cases;
      if (wb && std::string(wk) != "allOf") {
        for (const auto& b : *wb) writer_cases.push_back({&b, w.document});
      } else {
        writer_cases.push_back(w);
      }
      for (size_t i = 0; i < writer_cases.size(); ++i) {
        bool fits = false;
        for (const auto& b : *rb)
          if (accepted({&b, r.document}, writer_cases[i], depth)) {
            fits = true;
            break;
          }
        if (!fits)
          add("COMBINED_TYPE_SUBSCHEMAS_CHANGED", path + "/" + rk,
              "no branch of the reader's " + std::string(rk) + " accepts the writer's " +
                  (writer_cases.size() > 1 ? "branch " + std::to_string(i) : std::string("schema")));
      }
      if (std::string(rk) == "oneOf" && wb && rb->size() < wb->size())
        add("SUM_TYPE_NARROWED", path + "/oneOf", "the reader's oneOf has fewer branches than the writer's");
      return true;
    }
    if (wb && std::string(wk) != "allOf") {
      // The writer is one of several: the reader must accept each.
      for (size_t i = 0; i < wb->size(); ++i) check(r, {&(*wb)[i], w.document}, path + "/" + wk + "/" + std::to_string(i), depth + 1);
      return true;
    }
    if (rb) {  // reader allOf, writer not combined: each constraint must accept the writer
      for (size_t i = 0; i < rb->size(); ++i) check({&(*rb)[i], r.document}, w, path + "/allOf/" + std::to_string(i), depth + 1);
      return true;
    }
    // writer allOf, reader plain: some writer constraint must imply the reader.
    for (const auto& b : *wb)
      if (accepted(r, {&b, w.document}, depth)) return true;
    add("COMBINED_TYPE_SUBSCHEMAS_CHANGED", path, "no part of the writer's allOf is accepted by the reader");
    return true;
  }

  bool accepted(side r, side w, int depth) {
    comparer probe(reader_, writer_);
    probe.seen_ = seen_;
    probe.check(r, w, "", depth + 1);
    return probe.problems.empty();
  }

  void check_type(const json& rs, const json& ws, const std::string& path) {
    auto rt = types_of(rs);
    auto wt = types_of(ws);
    if (rt.empty()) return;
    if (wt.empty()) {
      add("TYPE_NARROWED", path + "/type", "the writer allows any type; the reader only " + rs["type"].dump());
      return;
    }
    for (const auto& t : wt) {
      if (rt.count(t)) continue;
      if (t == "integer" && rt.count("number")) continue;
      add(wt.size() > 1 || rt.size() > 1 ? "TYPE_NARROWED" : "TYPE_CHANGED", path + "/type",
          "the writer's type " + t + " is not accepted by the reader (" + rs["type"].dump() + ")");
    }
  }

  // A lower bound may not rise nor appear; an upper bound may not fall nor appear.
  void bound(const json& rs, const json& ws, const char* key, bool lower, const std::string& rule_base,
             const std::string& path) {
    auto r = rs.find(key);
    if (r == rs.end() || !r->is_number()) return;
    auto w = ws.find(key);
    if (w == ws.end() || !w->is_number()) {
      add(rule_base + "_ADDED", path + "/" + key, std::string("the reader adds ") + key + " " + r->dump());
      return;
    }
    double rv = r->get<double>(), wv = w->get<double>();
    if (lower ? rv > wv : rv < wv)
      add(rule_base + (lower ? "_INCREASED" : "_DECREASED"), path + "/" + key,
          std::string(key) + " goes from " + w->dump() + " to " + r->dump());
  }

  void check_numbers(const json& rs, const json& ws, const std::string& path) {
    bound(rs, ws, "minimum", true, "MINIMUM", path);
    bound(rs, ws, "maximum", false, "MAXIMUM", path);
    bound(rs, ws, "exclusiveMinimum", true, "EXCLUSIVE_MINIMUM", path);
    bound(rs, ws, "exclusiveMaximum", false, "EXCLUSIVE_MAXIMUM", path);
    if (auto r = rs.find("multipleOf"); r != rs.end() && r->is_number()) {
      auto w = ws.find("multipleOf");
      if (w == ws.end() || !w->is_number()) {
        add("MULTIPLE_OF_ADDED", path + "/multipleOf", "the reader adds multipleOf " + r->dump());
      } else {
        double q = w->get<double>() / r->get<double>();
        if (!(std::isfinite(q) && std::fabs(q - std::round(q)) < 1e-9))
          add("MULTIPLE_OF_CHANGED", path + "/multipleOf",
              "multipleOf " + w->dump() + " in the writer is not a multiple of the reader's " + r->dump());
      }
    }
  }

  void check_strings(const json& rs, const json& ws, const std::string& path) {
    bound(rs, ws, "minLength", true, "MIN_LENGTH", path);
    bound(rs, ws, "maxLength", false, "MAX_LENGTH", path);
    if (auto r = rs.find("pattern"); r != rs.end()) {
      auto w = ws.find("pattern");
      if (w == ws.end()) add("PATTERN_ADDED", path + "/pattern", "the reader adds a pattern");
      else if (*w != *r) add("PATTERN_CHANGED", path + "/pattern", "the pattern changes");
    }
  }

  void check_enum(const json& rs, const json& ws, const std::string& path) {
    auto values = [](const json& s) -> std::optional<std::vector<json>> {
      if (auto c = s.find("const"); c != s.end()) return std::vector<json>{*c};
      if (auto e = s.find("enum"); e != s.end() && e->is_array()) return std::vector<json>(e->begin(), e->end());
      return std::nullopt;
    };
    auto r = values(rs);
    if (!r) return;
    auto w = values(ws);
    if (!w) {
      add("ENUM_ARRAY_ADDED", path + "/enum", "the reader restricts values to an enum the writer does not have");
      return;
    }
    for (const auto& v : *w)
      if (std::find(r->begin(), r->end(), v) == r->end())
        add("ENUM_ARRAY_NARROWED", path + "/enum", "the writer's value " + v.dump() + " is not in the reader's enum");
  }

  // additionalProperties: absent/true = open, false = closed, else a schema.
  static const json* extra_schema(const json& s) {
    auto it = s.find("additionalProperties");
    return it == s.end() ? nullptr : &*it;
  }
  static bool open_model(const json& s) {
    const json* e = extra_schema(s);
    return !e || (e->is_boolean() && e->get<bool>()) || (e->is_object() && e->empty());
  }
  static bool closed_model(const json& s) {
    const json* e = extra_schema(s);
    return e && e->is_boolean() && !e->get<bool>();
  }

  void check_objects(side r, side w, const std::string& path, int depth) {
    const json& rs = *r.node;
    const json& ws = *w.node;
    static const json empty_object = json::object();
    const json& rp = rs.contains("properties") ? rs["properties"] : empty_object;
    const json& wp = ws.contains("properties") ? ws["properties"] : empty_object;
    // Properties the writer defines.
    for (const auto& [name, wsub] : wp.items()) {
      std::string ppath = path + "/properties/" + name;
      if (rp.contains(name)) {
        check({&rp[name], r.document}, {&wsub, w.document}, ppath, depth + 1);
      } else if (closed_model(rs)) {
        add("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", ppath,
            "the reader does not allow property \"" + name + "\", which the writer may write");
      } else if (!open_model(rs)) {
        check({extra_schema(rs), r.document}, {&wsub, w.document}, ppath, depth + 1);
      }
    }
    // Properties only the reader defines.
    for (const auto& [name, rsub] : rp.items()) {
      if (wp.contains(name)) continue;
      std::string ppath = path + "/properties/" + name;
      bool accepts_anything = (rsub.is_boolean() && rsub.get<bool>()) || (rsub.is_object() && rsub.empty());
      if (closed_model(ws) || accepts_anything) continue;
      if (open_model(ws)) {
        add("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", ppath,
            "the writer's open content model may already hold \"" + name + "\" with any value");
      } else {
        check({&rsub, r.document}, {extra_schema(ws), w.document}, ppath, depth + 1);
      }
    }
    // Required properties: the reader may not require more.
    if (auto rr = rs.find("required"); rr != rs.end() && rr->is_array()) {
      std::set<std::string> wr;
      if (auto it = ws.find("required"); it != ws.end() && it->is_array())
        for (const auto& v : *it)
          if (v.is_string()) wr.insert(v.get<std::string>());
      for (const auto& v : *rr)
        if (v.is_string() && !wr.count(v.get<std::string>()))
          add("REQUIRED_PROPERTY_ADDED", path + "/required",
              "the reader requires \"" + v.get<std::string>() + "\", which the writer does not");
    }
    // The content model itself.
    if (!open_model(rs) && (rs.contains("additionalProperties"))) {
      if (open_model(ws)) {
        add("ADDITIONAL_PROPERTIES_REMOVED", path + "/additionalProperties",
            "the writer allows any other property; the reader does not");
      } else if (!closed_model(ws) && !closed_model(rs)) {
        check({extra_schema(rs), r.document}, {extra_schema(ws), w.document}, path + "/additionalProperties",
              depth + 1);
      } else if (closed_model(rs) && !closed_model(ws)) {
        add("ADDITIONAL_PROPERTIES_NARROWED", path + "/additionalProperties",
            "the writer allows other properties of a schema; the reader none");
      }
    }
    bound(rs, ws, "minProperties", true, "MIN_PROPERTIES", path);
    bound(rs, ws, "maxProperties", false, "MAX_PROPERTIES", path);
    if (auto rd = rs.find("dependencies"); rd != rs.end() && *rd != ws.value("dependencies", json()))
      add("DEPENDENCY_CHANGED", path + "/dependencies", "the reader's dependencies differ from the writer's");
    if (auto rd = rs.find("dependentRequired"); rd != rs.end() && *rd != ws.value("dependentRequired", json()))
      add("DEPENDENCY_CHANGED", path + "/dependentRequired", "the reader's dependentRequired differs from the writer's");
  }

  void check_arrays(side r, side w, const std::string& path, int depth) {
    const json& rs = *r.node;
    const json& ws = *w.node;
    auto ri = rs.find("items");
    auto wi = ws.find("items");
    if (ri != rs.end() && !ri->is_array()) {
      if (wi == ws.end()) {
        bool anything = (ri->is_boolean() && ri->get<bool>()) || (ri->is_object() && ri->empty());
        if (!anything) add("ITEMS_ADDED", path + "/items", "the reader constrains items the writer left open");
      } else if (!wi->is_array()) {
        check({&*ri, r.document}, {&*wi, w.document}, path + "/items", depth + 1);
      } else {
        for (size_t i = 0; i < wi->size(); ++i)
          check({&*ri, r.document}, {&(*wi)[i], w.document}, path + "/items/" + std::to_string(i), depth + 1);
      }
    } else if (ri != rs.end() && ri->is_array()) {
      if (wi == ws.end()) {
        add("ITEMS_ADDED", path + "/items", "the reader constrains items the writer left open");
      } else {
        for (size_t i = 0; i < ri->size(); ++i) {
          std::string ipath = path + "/items/" + std::to_string(i);
          if (!wi->is_array()) {
            check({&(*ri)[i], r.document}, {&*wi, w.document}, ipath, depth + 1);
          } else if (i >= wi->size()) {
            add("ITEMS_ADDED", ipath, "the reader has more tuple items than the writer");
            break;
          } else {
            check({&(*ri)[i], r.document}, {&(*wi)[i], w.document}, ipath, depth + 1);
          }
        }
      }
    }
    bound(rs, ws, "minItems", true, "MIN_ITEMS", path);
    bound(rs, ws, "maxItems", false, "MAX_ITEMS", path);
    auto unique_items = [](const json& schema) {
      auto it = schema.find("uniqueItems");
      return it != schema.end() && it->is_boolean() && it->get<bool>();
    };
    if (unique_items(rs) && !unique_items(ws))
      add("UNIQUE_ITEMS_ADDED", path + "/uniqueItems", "the reader requires unique items");
  }

  const schema& reader_;
  const schema& writer_;
  std::set<std::pair<const json*, const json*>> seen_;
};

}  // namespace

std::vector<std::string> read_problems(const schema& reader, const schema& writer) {
  comparer c(reader, writer);
  c.check({&reader.root, &reader.root}, {&writer.root, &writer.root}, "", 0);
  return std::move(c.problems);
}

}  // namespace samsa::registry::json_schema
