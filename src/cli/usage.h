// What `samsa` does before CLI11 parses: `samsa`, `samsa help [COMMAND...]`,
// and "did you mean" for a misspelt command. CLI11 alone answers all three
// with "A subcommand is required".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace samsa::cli {

// Damerau-free Levenshtein distance (insert, delete, substitute).
size_t edit_distance(const std::string& a, const std::string& b);

// Names among `candidates` close to `word` (distance <= 2, or a prefix), best first.
std::vector<std::string> close_names(const std::string& word, const std::vector<std::string>& candidates);

// Handles the cases above. Returns the exit code when it answered (help
// printed, or an unknown command reported), nothing when CLI11 should parse.
std::optional<int> handle_usage(CLI::App& root, const std::vector<std::string>& args);

}  // namespace samsa::cli
