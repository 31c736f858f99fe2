#include "cli/cli_context.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "client/kafka_error.h"

namespace samsa::cli {

result<client::client_config> cli_context::config() const { return client::load_client_config(flags); }

result<client::admin> cli_context::make_admin() const {
  auto c = config();
  if (!c) return c.err();
  return client::admin::create(*c, std::chrono::milliseconds(timeout_ms));
}

bool cli_context::color() const {
  if (no_color) return false;
  if (const char* v = std::getenv("NO_COLOR"); v != nullptr && *v != '\0') return false;
  return ::isatty(STDOUT_FILENO) == 1;
}

int cli_context::fail(const samsa::error& e) const {
  bool tty = ::isatty(STDERR_FILENO) == 1 && !no_color && std::getenv("NO_COLOR") == nullptr;
  std::cerr << (tty ? "\033[31merror:\033[0m " : "error: ") << e.message << "\n";
  if (client::is_connection_error(e)) return exit_unreachable;
  if (client::is_not_found_error(e)) return exit_not_found;
  if (e.code == std::errc::invalid_argument) return exit_usage;
  return exit_failure;
}

void add_output_option(CLI::App* cmd, output_format& format) {
  std::map<std::string, output_format> names{{"table", output_format::table}, {"json", output_format::json}};
  cmd->add_option("-o,--output", format, "Output format: table (for people) or json (for scripts)")
      ->transform(CLI::CheckedTransformer(names, CLI::ignore_case))
      ->default_str("table");
}

void set_example(CLI::App* cmd, const std::string& example) { cmd->footer("\nExample:\n  " + example + "\n"); }

namespace {
std::string wrap(const cli_context& ctx, const char* code, const std::string& s) {
  return ctx.color() ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
}
}  // namespace

std::string bold(const cli_context& ctx, const std::string& s) { return wrap(ctx, "1", s); }
std::string dim(const cli_context& ctx, const std::string& s) { return wrap(ctx, "2", s); }
std::string green(const cli_context& ctx, const std::string& s) { return wrap(ctx, "32", s); }
std::string yellow(const cli_context& ctx, const std::string& s) { return wrap(ctx, "33", s); }

}  // namespace samsa::cli
