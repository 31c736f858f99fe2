// `samsa completion bash|zsh|fish`: completion scripts generated from the
// command tree itself, so they never go stale. Option values (-o, -z, --acks)
// and topic/group names are completed too; names come from the broker through
// the hidden `samsa __complete topics|groups` (quiet, 2 s timeout).
#include <iostream>
#include <map>

#include <fmt/format.h>

#include "cli/commands.h"

namespace samsa::cli {
namespace {
namespace file_cmd_completion {

struct tree {
  std::map<std::string, std::string> words;  // path ("samsa topic create") -> subcommands and flags
};

// Values of options, whatever command they are on.
const std::map<std::string, std::string>& option_values() {
  static const std::map<std::string, std::string> values{
      {"-o", "table json yaml"},         {"--output", "table json yaml"},
      {"-z", "none gzip snappy lz4 zstd"}, {"--compression", "none gzip snappy lz4 zstd"},
      {"--acks", "0 1 all"},             {"--from", "beginning end"}};
  return values;
}

// Which commands take a topic or group name as their first argument.
const std::map<std::string, std::string>& name_arguments() {
  static const std::map<std::string, std::string> kinds{
      {"samsa produce", "topics"},          {"samsa consume", "topics"},
      {"samsa offsets", "topics"},          {"samsa topic describe", "topics"},
      {"samsa topic delete", "topics"},     {"samsa topic add-partitions", "topics"},
      {"samsa topic alter-config", "topics"}, {"samsa topic trim-prefix", "topics"},
      {"samsa group describe", "groups"},   {"samsa group delete", "groups"},
      {"samsa group reset-offsets", "groups"}, {"samsa completion", "shells"}};
  return kinds;
}

void collect(const CLI::App* app, const std::string& path, tree& t) {
  std::string list;
  // Hidden commands and options (group "") are development aids: never offered.
  for (const auto* sub : app->get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
    list += sub->get_name() + " ";
    collect(sub, path + " " + sub->get_name(), t);
  }
  for (const auto* opt : app->get_options([](const CLI::Option* o) { return !o->get_group().empty(); })) {
    for (const auto& l : opt->get_lnames()) list += "--" + l + " ";
    for (const auto& s : opt->get_snames()) list += "-" + s + " ";
  }
  if (!list.empty()) list.pop_back();
  t.words[path] = list;
}

std::string known_paths(const tree& t, const char* quote_sep) {
  std::string out;
  for (const auto& [path, list] : t.words)
    if (path != "samsa") out += fmt::format("\"{}\"{}", path, quote_sep);
  if (!out.empty()) out.resize(out.size() - std::string(quote_sep).size());
  return out;
}

}  // namespace file_cmd_completion
}  // namespace

std::string bash_completion(const CLI::App& root) {
  using namespace file_cmd_completion;
  tree t;
  collect(&root, "samsa", t);
  std::string cases;
  for (const auto& [path, list] : t.words) cases += fmt::format("    \"{}\") words=\"{}\" ;;\n", path, list);
  std::string values;
  for (const auto& [opt, list] : option_values()) values += fmt::format("    {}) COMPREPLY=($(compgen -W \"{}\" -- \"$cur\")); return ;;\n", opt, list);
  std::string names;
  for (const auto& [path, kind] : name_arguments()) names += fmt::format("    \"{}\") kind={} ;;\n", path, kind);
  return fmt::format(
      "# bash completion for samsa; load with: source <(samsa completion bash)\n"
      "_samsa() {{\n"
      "  local cur=\"${{COMP_WORDS[COMP_CWORD]}}\" prev=\"${{COMP_WORDS[COMP_CWORD-1]}}\" path=\"samsa\" words=\"\" "
      "kind=\"\" i w boot=()\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    w=\"${{COMP_WORDS[i]}}\"\n"
      "    case \"$w\" in -b|--bootstrap) boot=(--bootstrap \"${{COMP_WORDS[i+1]}}\") ;; esac\n"
      "    case \"$path $w\" in\n"
      "      {}) path=\"$path $w\" ;;\n"
      "    esac\n"
      "  done\n"
      "  case \"$prev\" in\n"
      "{}"
      "  esac\n"
      "  case \"$path\" in\n"
      "{}"
      "  esac\n"
      "  case \"$path\" in\n"
      "{}"
      "  esac\n"
      "  if [[ -n \"$kind\" && \"$cur\" != -* ]]; then\n"
      "    if [[ \"$kind\" == shells ]]; then words=\"bash zsh fish\"; else\n"
      "      words=\"$words $(samsa \"${{boot[@]}}\" __complete \"$kind\" 2>/dev/null)\"; fi\n"
      "  fi\n"
      "  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
      "}}\n"
      "complete -o default -F _samsa samsa\n",
      known_paths(t, "|"), values, cases, names);
}

std::string zsh_completion(const CLI::App& root) {
  using namespace file_cmd_completion;
  // zsh runs bash completion functions through bashcompinit: one script to keep right.
  return "# zsh completion for samsa; load with: source <(samsa completion zsh)\n"
         "autoload -U +X compinit && compinit\n"
         "autoload -U +X bashcompinit && bashcompinit\n" +
         bash_completion(root);
}

std::string fish_completion(const CLI::App& root) {
  using namespace file_cmd_completion;
  tree t;
  collect(&root, "samsa", t);
  std::string out =
      "# fish completion for samsa; load with: samsa completion fish | source\n"
      "function __samsa_path\n"
      "    set -l path samsa\n"
      "    for w in (commandline -opc)[2..-1]\n"
      "        switch \"$path $w\"\n"
      "            case " + known_paths(t, " ") + "\n"
      "                set path \"$path $w\"\n"
      "        end\n"
      "    end\n"
      "    echo $path\n"
      "end\n"
      "complete -c samsa -f\n";
  for (const auto& [path, list] : t.words)
    out += fmt::format("complete -c samsa -n 'test (__samsa_path) = \"{}\"' -a '{}'\n", path, list);
  for (const auto& [opt, list] : option_values()) {
    std::string flag = opt.rfind("--", 0) == 0 ? "-l " + opt.substr(2) : "-s " + opt.substr(1);
    out += fmt::format("complete -c samsa {} -x -a '{}'\n", flag, list);
  }
  for (const auto& [path, kind] : name_arguments()) {
    std::string source = kind == "shells" ? "bash zsh fish" : fmt::format("(samsa __complete {} 2>/dev/null)", kind);
    out += fmt::format("complete -c samsa -n 'test (__samsa_path) = \"{}\"' -a '{}'\n", path, source);
  }
  return out;
}

void register_completion(CLI::App& app, cli_context& ctx) {
  using namespace file_cmd_completion;
  auto shell = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("completion", "Print a shell completion script (bash, zsh or fish)");
  cmd->add_option("shell", *shell, "Shell name")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
  set_example(cmd, "source <(samsa completion bash)    # zsh: source <(samsa completion zsh); "
                   "fish: samsa completion fish | source");
  const CLI::App* root = &app;
  cmd->callback([root, shell, &ctx] {
    if (*shell == "zsh") {
      std::cout << zsh_completion(*root);
    } else if (*shell == "fish") {
      std::cout << fish_completion(*root);
    } else {
      std::cout << bash_completion(*root);
    }
    ctx.exit_status = exit_ok;
  });

  // Hidden helper for the scripts: topic or group names, one per line, quietly.
  auto kind = std::make_shared<std::string>();
  auto* names = app.add_subcommand("__complete", "Names for shell completion")->group("");
  names->add_option("kind", *kind)->required()->check(CLI::IsMember({"topics", "groups"}));
  names->callback([kind, &ctx] {
    ctx.timeout_ms = std::min(ctx.timeout_ms, 2000);
    auto admin = ctx.make_admin();
    if (!admin) return void(ctx.exit_status = exit_unreachable);
    if (*kind == "topics") {
      if (auto topics = admin->list_topics(false))
        for (const auto& t : *topics) std::cout << t.name << "\n";
    } else if (auto groups = admin->list_groups()) {
      for (const auto& g : *groups) std::cout << g.group_id << "\n";
    }
  });
}

}  // namespace samsa::cli
