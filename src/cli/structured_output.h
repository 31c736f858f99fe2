// Prints a command's machine-readable answer as JSON or YAML (-o json|yaml).
// Every command builds one nlohmann::json document; only the spelling differs.
#pragma once

#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

namespace samsa::cli {

enum class output_format { table, json, yaml };

// Block-style YAML 1.2 for a JSON document. Strings that YAML would read as
// something else (numbers, booleans, null, leading indicators) are quoted.
std::string to_yaml(const nlohmann::json& doc);

// JSON (indented) or YAML, followed by a newline. `table` prints JSON too:
// callers handle the table case themselves before calling this.
void print_document(std::ostream& out, output_format format, const nlohmann::json& doc);

}  // namespace samsa::cli
