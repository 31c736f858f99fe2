// `samsa completion bash`: a bash completion script generated from the
// command tree itself, so it never goes stale.
#include <iostream>
#include <map>

#include <fmt/format.h>

#include "cli/commands.h"

namespace samsa::cli {
namespace {

// path ("samsa topic create") -> words offered there (subcommands and flags).
void collect(const CLI::App* app, const std::string& path, std::map<std::string, std::string>& words) {
  std::string list;
  // Hidden commands and options (group "") are development aids: never offered.
  for (const auto* sub : app->get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
    list += sub->get_name() + " ";
    collect(sub, path + " " + sub->get_name(), words);
  }
  for (const auto* opt : app->get_options([](const CLI::Option* o) { return !o->get_group().empty(); })) {
    for (const auto& l : opt->get_lnames()) list += "--" + l + " ";
    for (const auto& s : opt->get_snames()) list += "-" + s + " ";
  }
  words[path] = list;
}

}  // namespace

std::string bash_completion(const CLI::App& root) {
  std::map<std::string, std::string> words;
  collect(&root, "samsa", words);
  std::string known;
  std::string cases;
  for (const auto& [path, list] : words) {
    if (path != "samsa") known += fmt::format("\"{}\"|", path);
    cases += fmt::format("    \"{}\") words=\"{}\" ;;\n", path, list);
  }
  if (!known.empty()) known.pop_back();
  return fmt::format(
      "# bash completion for samsa; load with: source <(samsa completion bash)\n"
      "_samsa() {{\n"
      "  local cur=\"${{COMP_WORDS[COMP_CWORD]}}\" path=\"samsa\" words=\"\" i w\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    w=\"${{COMP_WORDS[i]}}\"\n"
      "    case \"$path $w\" in\n"
      "      {}) path=\"$path $w\" ;;\n"
      "    esac\n"
      "  done\n"
      "  case \"$path\" in\n"
      "{}"
      "  esac\n"
      "  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
      "}}\n"
      "complete -o default -F _samsa samsa\n",
      known, cases);
}

void register_completion(CLI::App& app, cli_context& ctx) {
  auto shell = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("completion", "Print a shell completion script");
  cmd->add_option("shell", *shell, "Shell name")->required()->check(CLI::IsMember({"bash"}));
  set_example(cmd, "source <(samsa completion bash)");
  const CLI::App* root = &app;
  cmd->callback([root, &ctx] {
    std::cout << bash_completion(*root);
    ctx.exit_status = exit_ok;
  });
}

}  // namespace samsa::cli
