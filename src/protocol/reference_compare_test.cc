// Compares the project's definitions (schemata/*.def) with Kafka's JSON
// message schemas, field by field, when the reference folder is available.
// This parses both sides independently of import_reference.py, so a bug in
// the import script or a hand edit of a .def file shows up here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <cstdio>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

struct def_field {
  std::string name, type, versions, nullable, tagged, tag, flexible, default_value;
  bool has_default = false;
  bool map_key = false;
  std::vector<def_field> children;
};

struct def_message {
  std::string kind, name, key, versions, flexible;
  std::vector<def_field> fields;
  std::map<std::string, std::pair<std::string, std::vector<def_field>>> structs;
};

std::vector<std::string> split_tokens(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool in_quote = false;
  bool have = false;
  for (char c : line) {
    if (c == '\'') {
      in_quote = !in_quote;
      have = true;
    } else if (c == ' ' && !in_quote) {
      if (have) out.push_back(cur);
      cur.clear();
      have = false;
    } else {
      cur.push_back(c);
      have = true;
    }
  }
  if (have) out.push_back(cur);
  return out;
}

def_field parse_field(const std::vector<std::string>& t) {
  def_field f;
  f.name = t.at(0);
  f.type = t.at(1);
  f.versions = t.at(2);
  for (size_t i = 3; i < t.size(); ++i) {
    auto eq = t[i].find('=');
    std::string k = t[i].substr(0, eq);
    std::string v = eq == std::string::npos ? "" : t[i].substr(eq + 1);
    if (k == "nullable") f.nullable = v;
    if (k == "tagged") f.tagged = v;
    if (k == "tag") f.tag = v;
    if (k == "flexible") f.flexible = v;
    if (k == "mapKey") f.map_key = true;
    if (k == "default") {
      f.default_value = v;
      f.has_default = true;
    }
  }
  return f;
}

std::vector<def_message> parse_def(const fs::path& path) {
  std::ifstream in(path);
  std::vector<def_message> out;
  std::vector<std::pair<size_t, std::vector<def_field>*>> stack;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[line.find_first_not_of(' ')] == '#') continue;
    size_t indent = line.find_first_not_of(' ') / 2;
    auto t = split_tokens(line.substr(indent * 2));
    if (indent == 0) {
      def_message m;
      m.kind = t[0];
      m.name = t[1];
      for (size_t i = 2; i < t.size(); ++i) {
        auto eq = t[i].find('=');
        std::string k = t[i].substr(0, eq), v = t[i].substr(eq + 1);
        if (k == "key") m.key = v;
        if (k == "versions") m.versions = v;
        if (k == "flexible") m.flexible = v;
      }
      out.push_back(std::move(m));
      stack.clear();
      stack.emplace_back(0, &out.back().fields);
      continue;
    }
    while (!stack.empty() && stack.back().first >= indent) stack.pop_back();
    if (t[0] == "struct") {
      auto& s = out.back().structs[t[1]];
      s.first = t[2];
      stack.emplace_back(indent, &s.second);
      continue;
    }
    stack.back().second->push_back(parse_field(t));
    stack.emplace_back(indent, &stack.back().second->back().children);
  }
  return out;
}

std::string strip_comments(const std::string& text) {
  std::string out;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      out.push_back(c);
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
      out.push_back(c);
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n') ++i;
      out.push_back('\n');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<json> load_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(strip_comments(ss.str()));
}

std::pair<int, int> range_of(const std::string& text) {
  auto dash = text.find('-');
  if (dash == std::string::npos) return {std::stoi(text), std::stoi(text)};
  return {std::stoi(text.substr(0, dash)), std::stoi(text.substr(dash + 1))};
}

std::string str(const json& j, const char* key) {
  if (!j.contains(key)) return "";
  const json& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

// A field a later layer removes (a topic name replaced by a topic id: "0+"
// there, "0-12" later) keeps its old lower bound and takes the later end,
// as import_reference.py merges it.
std::string closed_versions(const std::string& base, const json* newer_fields, const std::string& name) {
  if (newer_fields == nullptr || base.empty() || base.back() != '+') return base;
  for (const auto& nf : *newer_fields) {
    if (nf["name"] != name) continue;
    const std::string later = str(nf, "versions");
    auto dash = later.find('-');
    if (dash != std::string::npos) return base.substr(0, base.size() - 1) + later.substr(dash);
  }
  return base;
}

void compare_fields(const std::string& where, const json& ref_fields, const json* newer_fields,
                    const std::vector<def_field>& ours) {
  std::map<std::string, const def_field*> by_name;
  for (const auto& f : ours) by_name[f.name] = &f;
  std::vector<const json*> expected;
  for (const auto& rf : ref_fields) expected.push_back(&rf);
  if (newer_fields != nullptr) {
    for (const auto& nf : *newer_fields) {
      bool known = false;
      for (const auto& rf : ref_fields) known |= rf["name"] == nf["name"];
      if (!known) expected.push_back(&nf);
    }
  }
  EXPECT_EQ(expected.size(), ours.size()) << where << ": field count differs";
  size_t last_index = 0;
  for (size_t n = 0; n < expected.size(); ++n) {
    const json* rf = expected[n];
    const std::string name = (*rf)["name"];
    const std::string at = where + "." + name;
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      ADD_FAILURE() << at << ": missing from our definitions";
      continue;
    }
    const def_field& f = *it->second;
    // The wire order is the field order: ours must keep the reference's.
    size_t index = static_cast<size_t>(&f - ours.data());
    if (n < ref_fields.size()) {
      EXPECT_GE(index, last_index) << at << ": field order differs";
      last_index = index;
    }
    EXPECT_EQ(f.type, str(*rf, "type")) << at;
    EXPECT_EQ(f.versions, closed_versions(str(*rf, "versions"), newer_fields, name)) << at;
    EXPECT_EQ(f.nullable, str(*rf, "nullableVersions")) << at;
    EXPECT_EQ(f.tagged, str(*rf, "taggedVersions")) << at;
    EXPECT_EQ(f.tag, str(*rf, "tag")) << at;
    EXPECT_EQ(f.flexible, str(*rf, "flexibleVersions")) << at;
    EXPECT_EQ(f.map_key, rf->value("mapKey", false)) << at;
    EXPECT_EQ(f.has_default, rf->contains("default")) << at;
    EXPECT_EQ(f.default_value, str(*rf, "default")) << at;
    const json* newer_children = nullptr;
    if (newer_fields != nullptr) {
      for (const auto& nf : *newer_fields) {
        if (nf["name"] == name && nf.contains("fields")) newer_children = &nf["fields"];
      }
    }
    if (rf->contains("fields")) {
      compare_fields(at, (*rf)["fields"], newer_children, f.children);
    } else {
      EXPECT_TRUE(f.children.empty()) << at << ": has children the reference lacks";
    }
  }
}

fs::path reference_dir() { return fs::path(SAMSA_KAFKA_REFERENCE_DIR); }

// The later states of the reference folder, oldest first: Kafka 4.0.0 beside
// the full-history set, then (optional) a folder holding the schemas taken
// from a newer apache/kafka commit (docs/api-versions.md names it).
std::vector<fs::path> newer_dirs() {
  std::vector<fs::path> out{reference_dir().parent_path() / "messages-4.0.0"};
  const std::string extra = SAMSA_KAFKA_NEWER_REFERENCE_DIR;
  if (!extra.empty()) out.emplace_back(extra);
  return out;
}

// Kafka marks only a request "latestVersionUnstable"; its response shares it.
bool latest_unstable(const fs::path& dir, const std::string& name, const json& schema) {
  if (schema.value("latestVersionUnstable", false)) return true;
  const std::string suffix = "Response";
  if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
    auto request = load_json(dir / (name.substr(0, name.size() - suffix.size()) + "Request.json"));
    return request && request->value("latestVersionUnstable", false);
  }
  return false;
}

// What the definitions must hold for one message: the oldest stable state
// supplies the fields, the newest one that grew the range the extra fields.
struct expectation {
  std::optional<json> base;
  std::optional<json> newer;  // contributed fields beyond base's, if the range grew
  int lo = 0, hi = -1;
  bool unstable = false;
  int stable_hi() const { return unstable ? hi - 1 : hi; }
};

expectation expected_for(const std::string& name) {
  expectation e;
  std::vector<fs::path> layers{reference_dir()};
  for (const auto& d : newer_dirs()) layers.push_back(d);
  for (const auto& dir : layers) {
    auto layer = load_json(dir / (name + ".json"));
    if (!layer || str(*layer, "validVersions") == "none") continue;
    auto [nlo, nhi] = range_of(str(*layer, "validVersions"));
    bool nunstable = latest_unstable(dir, name, *layer);
    if (!e.base || e.stable_hi() < e.lo) {
      // Only early-access versions so far: Kafka dropped them, so do we.
      e = expectation{layer, std::nullopt, nlo, nhi, nunstable};
      continue;
    }
    if (nhi < e.hi) continue;
    if (nhi > e.hi) e.newer = layer;  // a later layer's fields supersede (merged in order)
    e.hi = nhi;
    e.unstable = nunstable;
  }
  return e;
}

TEST(reference_compare, definitions_match_kafka_schemas) {
  if (!fs::is_directory(reference_dir())) {
    GTEST_SKIP() << "Kafka reference schemas not found at " << reference_dir()
                 << " (set SAMSA_KAFKA_REFERENCE_DIR); nothing to compare";
  }
  int compared = 0;
  std::vector<std::string> without_reference;
  for (const auto& entry : fs::directory_iterator(SAMSA_SCHEMATA_DIR)) {
    if (entry.path().extension() != ".def") continue;
    for (const auto& m : parse_def(entry.path())) {
      SCOPED_TRACE(m.name);
      expectation e = expected_for(m.name);
      if (!e.base || e.stable_hi() < e.lo) {
        // A schema newer than every local folder (set
        // SAMSA_KAFKA_NEWER_REFERENCE_DIR to compare it too).
        without_reference.push_back(m.name);
        continue;
      }
      const json& ref = *e.base;
      EXPECT_EQ(m.kind, str(ref, "type"));
      EXPECT_EQ(m.key, str(ref, "apiKey"));
      EXPECT_EQ(m.flexible, str(ref, "flexibleVersions"));
      EXPECT_EQ(m.versions, std::to_string(e.lo) + "-" + std::to_string(e.stable_hi()));

      const json* newer = e.newer ? &*e.newer : nullptr;
      compare_fields(m.name, ref["fields"], newer ? &(*newer)["fields"] : nullptr, m.fields);
      std::map<std::string, const json*> ref_structs;
      if (ref.contains("commonStructs")) {
        for (const auto& s : ref["commonStructs"]) ref_structs[s["name"]] = &s;
      }
      if (newer && newer->contains("commonStructs")) {
        for (const auto& s : (*newer)["commonStructs"]) ref_structs.emplace(s["name"], &s);
      }
      EXPECT_EQ(ref_structs.size(), m.structs.size());
      for (const auto& [name, s] : m.structs) {
        auto it = ref_structs.find(name);
        if (it == ref_structs.end()) {
          ADD_FAILURE() << name << ": common struct not in reference";
          continue;
        }
        EXPECT_EQ(s.first, str(*it->second, "versions")) << name;
        const json* newer_fields = nullptr;
        if (newer && newer->contains("commonStructs") && it->second != nullptr) {
          for (const auto& ns : (*newer)["commonStructs"]) {
            if (ns["name"] == name && &ns != it->second) newer_fields = &ns["fields"];
          }
        }
        compare_fields(m.name + "." + name, (*it->second)["fields"], newer_fields, s.second);
      }
      ++compared;
    }
  }
  if (!without_reference.empty()) {
    std::string names;
    for (const auto& n : without_reference) names += " " + n;
    std::printf("not compared (no stable schema in the local reference folders):%s\n", names.c_str());
  }
  EXPECT_GE(compared, 110);
}

// Every API key the definitions cover is one the task asked for and has both
// a request and a response.
TEST(reference_compare, each_api_has_request_and_response) {
  std::map<std::string, int> kinds;
  for (const auto& entry : fs::directory_iterator(SAMSA_SCHEMATA_DIR)) {
    if (entry.path().extension() != ".def") continue;
    for (const auto& m : parse_def(entry.path())) {
      if (m.kind == "request") kinds[m.key] |= 1;
      if (m.kind == "response") kinds[m.key] |= 2;
    }
  }
  for (const auto& [key, mask] : kinds) EXPECT_EQ(mask, 3) << "api key " << key;
  // WriteTxnMarkers (27) is a broker API, served for the KIP-664 abort.
  for (const char* controller_only : {"4", "5", "6", "7", "52", "53", "54", "56", "58", "62", "63"}) {
    EXPECT_EQ(kinds.count(controller_only), 0u) << "api key " << controller_only;
  }
  EXPECT_EQ(kinds.count("0"), 1u);
  EXPECT_EQ(kinds.count("18"), 1u);
}

}  // namespace
