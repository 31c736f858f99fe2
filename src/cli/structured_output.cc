#include "cli/structured_output.h"

#include <fmt/format.h>

namespace samsa::cli {
namespace {

// Plain scalars are only safe when YAML cannot read them as another type or
// as syntax; everything else is written as a double-quoted JSON string, which
// is also valid YAML.
bool needs_quotes(const std::string& s) {
  if (s.empty()) return true;
  static const char* const reserved[] = {"null", "Null", "NULL", "~", "true", "True", "TRUE", "false", "False",
                                         "FALSE", "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON",
                                         "off", "Off", "OFF", ".nan", ".inf", "-.inf"};
  for (const char* r : reserved)
    if (s == r) return true;
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`0123456789.+ ").find(s.front()) != std::string_view::npos) return true;
  if (s.back() == ' ' || s.back() == ':') return true;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return s.find(": ") != std::string::npos || s.find(" #") != std::string::npos;
}

std::string scalar(const nlohmann::json& v) {
  if (v.is_null()) return "null";
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    return needs_quotes(s) ? v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) : s;
  }
  return v.dump();
}

bool is_empty_container(const nlohmann::json& v) { return (v.is_array() || v.is_object()) && v.empty(); }

void emit(std::string& out, const nlohmann::json& v, int indent);

// A value after "key:" or "- ": scalars stay on the line, containers go below.
void emit_value(std::string& out, const nlohmann::json& v, int indent) {
  if (is_empty_container(v)) {
    out += v.is_array() ? " []\n" : " {}\n";
  } else if (v.is_object() || v.is_array()) {
    out += "\n";
    emit(out, v, indent + 2);
  } else {
    out += " " + scalar(v) + "\n";
  }
}

void emit(std::string& out, const nlohmann::json& v, int indent) {
  std::string pad(static_cast<size_t>(indent), ' ');
  if (v.is_object()) {
    for (const auto& [k, item] : v.items()) {
      out += pad + scalar(nlohmann::json(k)) + ":";
      emit_value(out, item, indent);
    }
  } else if (v.is_array()) {
    for (const auto& item : v) {
      out += pad + "-";
      emit_value(out, item, indent);
    }
  } else {
    out += pad + scalar(v) + "\n";
  }
}

}  // namespace

std::string to_yaml(const nlohmann::json& doc) {
  if (is_empty_container(doc)) return doc.is_array() ? "[]\n" : "{}\n";
  std::string out;
  emit(out, doc, 0);
  return out;
}

void print_document(std::ostream& out, output_format format, const nlohmann::json& doc) {
  if (format == output_format::yaml) {
    out << to_yaml(doc);
  } else {
    out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
}

}  // namespace samsa::cli
