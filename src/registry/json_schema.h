// JSON Schema: structural validation of the schema document, its normalized
// form, and our own structural compatibility check: does every document the
// writer's schema accepts also pass the reader's? No library decides that
// (validators check documents, not schemas); the rules follow Confluent's
// (docs/schema-registry.md has the table and what is approximated).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace samsa::registry::json_schema {

struct schema {
  nlohmann::json root;
  // Referenced schemas by the name their $ref uses (the URL before '#').
  std::vector<std::pair<std::string, nlohmann::json>> dependencies;
};

// `dependencies`: (reference name, text) of referenced schemas.
result<std::shared_ptr<const schema>> parse(std::string_view text,
                                            const std::vector<std::pair<std::string, std::string>>& dependencies);

// Sorted keys, no whitespace.
std::string normalized(const schema& s);

// Why a document valid under `writer` may fail `reader`; empty when every
// such document passes. Lines start with the rule (TYPE_NARROWED, ...).
std::vector<std::string> read_problems(const schema& reader, const schema& writer);

}  // namespace samsa::registry::json_schema
