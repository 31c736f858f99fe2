#include "cli/usage.h"

#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "cli/cli_context.h"

namespace samsa::cli {
namespace {

std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> out;
  for (const auto* sub : app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
    out.push_back(sub->get_name());
    for (const auto& a : sub->get_aliases()) out.push_back(a);
  }
  return out;
}

CLI::App* find_subcommand(CLI::App& app, const std::string& name) {
  for (auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->check_name(name)) return sub;
  }
  return nullptr;
}

// Finds an option by its spelling on `app` or any parent (global options fall through).
const CLI::Option* find_option(const CLI::App* app, const std::string& spelling) {
  for (; app != nullptr; app = app->get_parent()) {
    if (const auto* o = app->get_option_no_throw(spelling)) return o;
  }
  return nullptr;
}

std::string path_of(const CLI::App* app) {
  std::string out;
  for (; app != nullptr; app = app->get_parent()) out = app->get_name() + (out.empty() ? "" : " " + out);
  return out;
}

}  // namespace

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::vector<std::string> close_names(const std::string& word, const std::vector<std::string>& candidates) {
  std::vector<std::pair<size_t, std::string>> scored;
  for (const auto& c : candidates) {
    size_t d = edit_distance(word, c);
    bool prefix = word.size() >= 2 && c.rfind(word, 0) == 0;
    if (d <= 2 || prefix) scored.push_back({prefix ? 0 : d, c});
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (auto& [d, c] : scored) out.push_back(c);
  return out;
}

std::optional<int> handle_usage(CLI::App& root, const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cout << root.help();
    return exit_ok;
  }
  CLI::App* at = &root;
  bool help_word = false;  // `samsa help topic create` prints that command's help
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--") break;
    if (word.size() > 1 && word[0] == '-') {
      if (word == "--help" || word == "-h" || word == "--version") return std::nullopt;
      std::string spelling = word.substr(0, word.find('='));
      if (spelling.size() > 2 && spelling[1] != '-') spelling = spelling.substr(0, 2);  // -ojson
      const auto* opt = find_option(at, spelling);
      // A value option given as "-o json" swallows the next word.
      if (opt != nullptr && opt->get_type_size_max() > 0 && word == spelling) ++i;
      continue;
    }
    if (at == &root && word == "help" && !help_word) {
      help_word = true;
      continue;
    }
    if (auto* sub = find_subcommand(*at, word)) {
      at = sub;
      continue;
    }
    if (at->get_require_subcommand_min() == 0 && !help_word) return std::nullopt;  // a positional argument
    auto names = subcommand_names(*at);
    auto near = close_names(word, names);
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    std::cerr << fmt::format("error: unknown command \"{} {}\"", path_of(at), word);
    if (!near.empty()) std::cerr << fmt::format(" — did you mean `{} {}`?", path_of(at), near.front());
    std::cerr << fmt::format("\n  commands of `{}`: {}\n", path_of(at), list);
    return exit_usage;
  }
  if (help_word) {
    std::cout << at->help();
    return exit_ok;
  }
  if (at->get_require_subcommand_min() > 0) {
    // `samsa topic`: show what can follow instead of "A subcommand is required".
    std::cerr << fmt::format("error: `{}` needs a command\n\n", path_of(at)) << at->help();
    return exit_usage;
  }
  return std::nullopt;
}

}  // namespace samsa::cli
