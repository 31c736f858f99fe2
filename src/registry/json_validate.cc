#include "registry/json_validate.h"

#include <re2/re2.h>

#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "registry/json_schema.h"

namespace samsa::registry::json_schema {

using nlohmann::json;

namespace {

// RE2 refuses patterns whose compiled form would pass this, instead of
// growing without bound.
constexpr int64_t max_regex_memory = 1 << 20;

std::string pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

// Short JSON text for messages (a value can be large).
std::string brief(const json& v) {
  std::string text = v.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

bool is_integer(const json& v) {
  if (v.is_number_integer()) return true;
  if (!v.is_number_float()) return false;
  double d = v.get<double>();
  return std::isfinite(d) && std::floor(d) == d;  // draft-07: 1.0 is an integer
}

std::string type_of(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean";
  if (v.is_object()) return "object";
  if (v.is_array()) return "array";
  if (v.is_string()) return "string";
  return is_integer(v) ? "integer" : "number";
}

bool has_type(const json& v, const std::string& t) {
  if (t == "number") return v.is_number();
  if (t == "integer") return is_integer(v);
  return type_of(v) == t;
}

// Exact for two integers (int64 or uint64), doubles otherwise: <0, 0, >0.
int compare_numbers(const json& a, const json& b) {
  if (a.is_number_integer() && b.is_number_integer()) {
    // Signed and unsigned 64-bit: a negative is below any unsigned.
    bool a_neg = !a.is_number_unsigned() && a.get<int64_t>() < 0;
    bool b_neg = !b.is_number_unsigned() && b.get<int64_t>() < 0;
    if (a_neg != b_neg) return a_neg ? -1 : 1;
    if (a_neg) {
      int64_t x = a.get<int64_t>(), y = b.get<int64_t>();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    uint64_t x = a.get<uint64_t>(), y = b.get<uint64_t>();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  double x = a.get<double>(), y = b.get<double>();
  return x < y ? -1 : x > y ? 1 : 0;
}

bool multiple_of(const json& v, const json& m) {
  if (v.is_number_integer() && m.is_number_integer() && !v.is_number_unsigned() && !m.is_number_unsigned()) {
    int64_t d = m.get<int64_t>();
    if (d == 0 || d == 1 || d == -1) return true;  // (INT64_MIN % -1 would overflow)
    return v.get<int64_t>() % d == 0;
  }
  double d = m.get<double>();
  if (d == 0) return true;  // the schema parser allows it; nothing is a multiple of 0, so do not refuse on it
  double q = v.get<double>() / d;
  if (!std::isfinite(q)) return false;
  return std::fabs(q - std::round(q)) <= 1e-9 * std::max(1.0, std::fabs(q));
}

// Unicode code points in UTF-8 text (JSON Schema lengths count characters).
size_t code_points(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

class validator {
 public:
  validator(const schema& s, const validate_limits& limits) : schema_(s), limits_(limits) {}

  status run(const json& value) {
    auto why = check(schema_.root, &schema_.root, value, "", 0);
    if (exhausted_)
      return make_error(std::errc::invalid_argument,
                        "the value is too complex to validate against this schema (more than " +
                            std::to_string(limits_.max_steps) + " checks)");
    if (why) return make_error(std::errc::invalid_argument, *why);
    return {};
  }

 private:
  using outcome = std::optional<std::string>;  // nullopt = conforms

  outcome fail(const std::string& path, const std::string& what) const {
    return "at " + (path.empty() ? std::string("/") : path) + ": " + what;
  }

  // A $ref's target, and the document further "#..." references in it mean.
  bool resolve(const std::string& ref, const json*& doc, const json*& target) const {
    size_t hash = ref.find('#');
    std::string doc_name = hash == std::string::npos ? ref : ref.substr(0, hash);
    std::string pointer = hash == std::string::npos ? "" : ref.substr(hash + 1);
    if (!doc_name.empty()) {
      const json* found = nullptr;
      for (const auto& [name, j] : schema_.dependencies)
        if (name == doc_name) found = &j;
      if (!found) return false;
      doc = found;
    }
    if (pointer.empty()) {
      target = doc;
      return true;
    }
    try {
      target = &doc->at(json::json_pointer(pointer));
      return true;
    } catch (const json::exception&) {
      return false;
    }
  }

  const RE2* regex(const std::string& pattern) {
    auto it = regexes_.find(pattern);
    if (it != regexes_.end()) return it->second.get();
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(max_regex_memory);
    auto re = std::make_unique<RE2>(pattern, options);
    if (!re->ok()) re.reset();  // not RE2 syntax (lookaround, backreference): skipped, see the header
    return regexes_.emplace(pattern, std::move(re)).first->second.get();
  }

  outcome check(const json& s, const json* doc, const json& v, const std::string& path, int depth) {
    if (exhausted_) return "budget";
    if (++steps_ > limits_.max_steps) {
      exhausted_ = true;
      return "budget";
    }
    if (depth > limits_.max_depth) return fail(path, "the schema and value nest more than " + std::to_string(limits_.max_depth) + " deep");
    if (s.is_boolean()) return s.get<bool>() ? outcome() : fail(path, "no value is allowed here (the schema is false)");
    if (!s.is_object()) return std::nullopt;  // the parser refuses these; nothing to check
    if (auto ref = s.find("$ref"); ref != s.end() && ref->is_string()) {
      const json* target_doc = doc;
      const json* target = nullptr;
      if (!resolve(ref->get<std::string>(), target_doc, target))
        return fail(path, "cannot resolve $ref \"" + ref->get<std::string>() + "\"");
      return check(*target, target_doc, v, path, depth + 1);  // draft-07: siblings of $ref are ignored
    }
    if (auto r = check_type(s, v, path)) return r;
    if (auto r = check_values(s, v, path)) return r;
    if (v.is_number())
      if (auto r = check_number(s, v, path)) return r;
    if (v.is_string())
      if (auto r = check_string(s, v, path)) return r;
    if (v.is_object())
      if (auto r = check_object(s, doc, v, path, depth)) return r;
    if (v.is_array())
      if (auto r = check_array(s, doc, v, path, depth)) return r;
    return check_combined(s, doc, v, path, depth);
  }

  outcome check_type(const json& s, const json& v, const std::string& path) const {
    auto t = s.find("type");
    if (t == s.end()) return std::nullopt;
    if (t->is_string()) {
      if (has_type(v, t->get<std::string>())) return std::nullopt;
    } else if (t->is_array()) {
      for (const auto& one : *t)
        if (one.is_string() && has_type(v, one.get<std::string>())) return std::nullopt;
    } else {
      return std::nullopt;
    }
    return fail(path, "expected " + (t->is_string() ? t->get<std::string>() : "one of " + t->dump()) + ", got " +
                          type_of(v) + " " + brief(v));
  }

  outcome check_values(const json& s, const json& v, const std::string& path) const {
    if (auto c = s.find("const"); c != s.end() && *c != v)
      return fail(path, brief(v) + " is not the constant " + brief(*c));
    if (auto e = s.find("enum"); e != s.end() && e->is_array()) {
      for (const auto& allowed : *e)
        if (allowed == v) return std::nullopt;
      return fail(path, brief(v) + " is not one of " + brief(*e));
    }
    return std::nullopt;
  }

  outcome check_number(const json& s, const json& v, const std::string& path) const {
    auto number = [&](const char* key) -> const json* {
      auto it = s.find(key);
      return it != s.end() && it->is_number() ? &*it : nullptr;
    };
    auto flag = [&](const char* key) {
      auto it = s.find(key);
      return it != s.end() && it->is_boolean() && it->get<bool>();
    };
    if (const json* m = number("minimum")) {
      int c = compare_numbers(v, *m);
      if (c < 0 || (c == 0 && flag("exclusiveMinimum")))  // draft-04's boolean form
        return fail(path, brief(v) + " is less than " + (c == 0 ? "or equal to " : "") + "the minimum " + m->dump());
    }
    if (const json* m = number("maximum")) {
      int c = compare_numbers(v, *m);
      if (c > 0 || (c == 0 && flag("exclusiveMaximum")))
        return fail(path, brief(v) + " is greater than " + (c == 0 ? "or equal to " : "") + "the maximum " + m->dump());
    }
    if (const json* m = number("exclusiveMinimum"); m && compare_numbers(v, *m) <= 0)
      return fail(path, brief(v) + " is not greater than the exclusive minimum " + m->dump());
    if (const json* m = number("exclusiveMaximum"); m && compare_numbers(v, *m) >= 0)
      return fail(path, brief(v) + " is not less than the exclusive maximum " + m->dump());
    if (const json* m = number("multipleOf"); m && !multiple_of(v, *m))
      return fail(path, brief(v) + " is not a multiple of " + m->dump());
    return std::nullopt;
  }

  outcome check_string(const json& s, const json& v, const std::string& path) {
    const auto& text = v.get_ref<const std::string&>();
    size_t length = code_points(text);
    if (auto m = s.find("minLength"); m != s.end() && m->is_number_unsigned() && length < m->get<uint64_t>())
      return fail(path, "the string has " + std::to_string(length) + " characters, fewer than minLength " + m->dump());
    if (auto m = s.find("maxLength"); m != s.end() && m->is_number_unsigned() && length > m->get<uint64_t>())
      return fail(path, "the string has " + std::to_string(length) + " characters, more than maxLength " + m->dump());
    if (auto p = s.find("pattern"); p != s.end() && p->is_string()) {
      const RE2* re = regex(p->get<std::string>());
      if (re && !RE2::PartialMatch(text, *re))
        return fail(path, brief(v) + " does not match the pattern " + brief(*p));
    }
    return std::nullopt;
  }

  outcome check_object(const json& s, const json* doc, const json& v, const std::string& path, int depth) {
    if (auto m = s.find("minProperties"); m != s.end() && m->is_number_unsigned() && v.size() < m->get<uint64_t>())
      return fail(path, std::to_string(v.size()) + " properties, fewer than minProperties " + m->dump());
    if (auto m = s.find("maxProperties"); m != s.end() && m->is_number_unsigned() && v.size() > m->get<uint64_t>())
      return fail(path, std::to_string(v.size()) + " properties, more than maxProperties " + m->dump());
    if (auto r = s.find("required"); r != s.end() && r->is_array())
      for (const auto& name : *r)
        if (name.is_string() && !v.contains(name.get<std::string>()))
          return fail(path, "the required property \"" + name.get<std::string>() + "\" is missing");
    // dependencies (draft-07): an array of names, or a schema; 2019-09 split them.
    auto dependency = [&](const std::string& key, const json& dep, bool schemas_only) -> outcome {
      if (!v.contains(key)) return std::nullopt;
      if (dep.is_array() && !schemas_only) {
        for (const auto& name : dep)
          if (name.is_string() && !v.contains(name.get<std::string>()))
            return fail(path, "property \"" + key + "\" needs \"" + name.get<std::string>() + "\", which is missing");
        return std::nullopt;
      }
      if (dep.is_object() || dep.is_boolean()) return check(dep, doc, v, path, depth + 1);
      return std::nullopt;
    };
    for (const char* key : {"dependencies", "dependentRequired", "dependentSchemas"})
      if (auto d = s.find(key); d != s.end() && d->is_object())
        for (const auto& [name, dep] : d->items())
          if (auto r = dependency(name, dep, std::string(key) == "dependentSchemas")) return r;

    const json* properties = nullptr;
    if (auto p = s.find("properties"); p != s.end() && p->is_object()) properties = &*p;
    const json* patterns = nullptr;
    if (auto p = s.find("patternProperties"); p != s.end() && p->is_object()) patterns = &*p;
    const json* additional = nullptr;
    if (auto a = s.find("additionalProperties"); a != s.end()) additional = &*a;
    const json* names = nullptr;
    if (auto n = s.find("propertyNames"); n != s.end()) names = &*n;
    for (const auto& [key, item] : v.items()) {
      std::string item_path = path + "/" + pointer_token(key);
      if (names)
        if (auto r = check(*names, doc, json(key), item_path, depth + 1))
          return fail(item_path, "the property name is not allowed (" + *r + ")");
      bool matched = false;
      if (properties) {
        if (auto sub = properties->find(key); sub != properties->end()) {
          matched = true;
          if (auto r = check(*sub, doc, item, item_path, depth + 1)) return r;
        }
      }
      if (patterns) {
        for (const auto& [pattern, sub] : patterns->items()) {
          const RE2* re = regex(pattern);
          if (!re || !RE2::PartialMatch(key, *re)) continue;
          matched = true;
          if (auto r = check(sub, doc, item, item_path, depth + 1)) return r;
        }
      }
      if (!matched && additional) {
        if (additional->is_boolean() && !additional->get<bool>())
          return fail(path, "property \"" + key + "\" is not allowed (additionalProperties is false)");
        if (auto r = check(*additional, doc, item, item_path, depth + 1)) return r;
      }
    }
    return std::nullopt;
  }

  outcome check_array(const json& s, const json* doc, const json& v, const std::string& path, int depth) {
    if (auto m = s.find("minItems"); m != s.end() && m->is_number_unsigned() && v.size() < m->get<uint64_t>())
      return fail(path, std::to_string(v.size()) + " items, fewer than minItems " + m->dump());
    if (auto m = s.find("maxItems"); m != s.end() && m->is_number_unsigned() && v.size() > m->get<uint64_t>())
      return fail(path, std::to_string(v.size()) + " items, more than maxItems " + m->dump());
    if (auto u = s.find("uniqueItems"); u != s.end() && u->is_boolean() && u->get<bool>()) {
      // nlohmann's ordering compares numbers by value (1 and 1.0 are equal), as JSON Schema does.
      std::set<json> seen;
      for (size_t i = 0; i < v.size(); ++i) {
        steps_ += 1;
        if (!seen.insert(v[i]).second) return fail(path + "/" + std::to_string(i), "a duplicate item (uniqueItems)");
      }
    }
    auto items = s.find("items");
    if (items != s.end() && items->is_array()) {  // a tuple, then additionalItems
      for (size_t i = 0; i < v.size(); ++i) {
        std::string item_path = path + "/" + std::to_string(i);
        if (i < items->size()) {
          if (auto r = check((*items)[i], doc, v[i], item_path, depth + 1)) return r;
        } else if (auto extra = s.find("additionalItems"); extra != s.end()) {
          if (extra->is_boolean() && !extra->get<bool>())
            return fail(path, std::to_string(v.size()) + " items, more than the " + std::to_string(items->size()) +
                                  " the tuple allows (additionalItems is false)");
          if (auto r = check(*extra, doc, v[i], item_path, depth + 1)) return r;
        }
      }
    } else if (items != s.end()) {
      for (size_t i = 0; i < v.size(); ++i)
        if (auto r = check(*items, doc, v[i], path + "/" + std::to_string(i), depth + 1)) return r;
    }
    if (auto c = s.find("contains"); c != s.end()) {
      bool any = false;
      for (size_t i = 0; i < v.size() && !any; ++i) any = !check(*c, doc, v[i], path + "/" + std::to_string(i), depth + 1);
      if (exhausted_) return "budget";
      if (!any) return fail(path, "no item matches \"contains\"");
    }
    return std::nullopt;
  }

  outcome check_combined(const json& s, const json* doc, const json& v, const std::string& path, int depth) {
    if (auto all = s.find("allOf"); all != s.end() && all->is_array())
      for (const auto& sub : *all)
        if (auto r = check(sub, doc, v, path, depth + 1)) return r;
    if (auto any = s.find("anyOf"); any != s.end() && any->is_array()) {
      outcome first;
      bool matched = false;
      for (const auto& sub : *any) {
        auto r = check(sub, doc, v, path, depth + 1);
        if (!r) {
          matched = true;
          break;
        }
        if (!first) first = r;
      }
      if (exhausted_) return "budget";
      if (!matched)
        return fail(path, "matches none of the " + std::to_string(any->size()) + " anyOf branches (the first: " +
                              first.value_or("?") + ")");
    }
    if (auto one = s.find("oneOf"); one != s.end() && one->is_array()) {
      std::vector<size_t> matching;
      outcome first;
      for (size_t i = 0; i < one->size(); ++i) {
        auto r = check((*one)[i], doc, v, path, depth + 1);
        if (!r) matching.push_back(i);
        else if (!first) first = r;
      }
      if (exhausted_) return "budget";
      if (matching.empty())
        return fail(path, "matches none of the " + std::to_string(one->size()) + " oneOf branches (the first: " +
                              first.value_or("?") + ")");
      if (matching.size() > 1)
        return fail(path, "matches oneOf branches " + std::to_string(matching[0]) + " and " +
                              std::to_string(matching[1]) + "; exactly one must match");
    }
    if (auto n = s.find("not"); n != s.end()) {
      bool matches = !check(*n, doc, v, path, depth + 1);
      if (exhausted_) return "budget";
      if (matches) return fail(path, brief(v) + " matches the schema under \"not\"");
    }
    if (auto i = s.find("if"); i != s.end()) {
      bool holds = !check(*i, doc, v, path, depth + 1);
      if (exhausted_) return "budget";
      auto branch = s.find(holds ? "then" : "else");
      if (branch != s.end())
        if (auto r = check(*branch, doc, v, path, depth + 1)) return r;
    }
    return std::nullopt;
  }

  const schema& schema_;
  validate_limits limits_;
  size_t steps_ = 0;
  bool exhausted_ = false;
  std::map<std::string, std::unique_ptr<RE2>> regexes_;
};

}  // namespace

status validate_value(const schema& s, const json& value, const validate_limits& limits) {
  validator v(s, limits);
  return v.run(value);
}

}  // namespace samsa::registry::json_schema
