#include "cli/cli_context.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/broker_probe.h"
#include "client/kafka_error.h"

namespace samsa::cli {

result<client::client_config> cli_context::config() const {
  auto c = client::load_client_config(flags);
  if (!c) return c;
  if (auto s = probe_bootstrap(c->bootstrap_servers(), std::chrono::milliseconds(timeout_ms)); !s) return s.err();
  return c;
}

result<client::admin> cli_context::make_admin() const {
  auto c = config();
  if (!c) return c.err();
  return client::admin::create(*c, std::chrono::milliseconds(timeout_ms));
}

result<txn_admin> cli_context::make_txn_admin() const {
  auto c = config();
  if (!c) return c.err();
  if (auto protocol = c->get("security.protocol"); protocol && *protocol != "plaintext" && *protocol != "PLAINTEXT") {
    return client::make_usage_error("samsa txn", "security.protocol=" + *protocol + " is not supported",
                                    "the transaction commands speak PLAINTEXT only");
  }
  return txn_admin(c->bootstrap_servers(), c->get("client.id").value_or("samsa"),
                   std::chrono::milliseconds(timeout_ms));
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

namespace {

std::vector<output_format*>& registered_formats() {
  static std::vector<output_format*> formats;
  return formats;
}

// Only the names: CLI11's enum transformer also accepted the numbers ("-o 1")
// and printed its mapping table in errors.
CLI::Option* add_format_option(CLI::App* cmd, std::function<void(output_format)> set) {
  return cmd
      ->add_option_function<std::string>(
          "-o,--output",
          [set](const std::string& name) {
            set(name == "json" ? output_format::json : name == "yaml" ? output_format::yaml : output_format::table);
          },
          "Output format: table (for people), json or yaml (for scripts)")
      ->check(CLI::IsMember({"table", "json", "yaml"}))
      ->type_name("table|json|yaml");
}

}  // namespace

void add_output_option(CLI::App* cmd, output_format& format) {
  registered_formats().push_back(&format);
  add_format_option(cmd, [&format](output_format f) { format = f; });
}

void add_global_output_option(CLI::App& app) {
  add_format_option(&app, [](output_format f) {
    for (auto* format : registered_formats()) *format = f;
  })->group("Client");
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
