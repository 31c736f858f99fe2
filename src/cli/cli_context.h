// What every `samsa` command shares: the client flags, the output format,
// terminal detection, exit codes and the way errors are printed.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "base/result.h"
#include "client/admin.h"
#include "client/client_config.h"
#include "cli/structured_output.h"
#include "cli/txn_admin.h"

namespace samsa::cli {

// Exit codes scripts can rely on (also listed in `samsa --help`).
enum exit_code : int {
  exit_ok = 0,
  exit_failure = 1,       // the operation failed (see the message)
  exit_usage = 2,         // bad flags or configuration
  exit_unreachable = 3,   // no broker answered at the bootstrap address
  exit_not_found = 4,     // the topic or group does not exist
};

struct cli_context {
  client::client_flags flags;
  int timeout_ms = 10000;
  bool no_color = false;
  std::string self_exe;  // path of this samsa binary (the tour re-runs it as `serve`)
  std::vector<std::string> command_line;  // argv as given (`samsa sink postgres` hands it on)
  int exit_status = exit_ok;  // set by the command that ran

  // Loads and validates the shared client configuration, then checks that a
  // bootstrap address accepts connections (see broker_probe.h) so that a
  // stopped broker is reported at once instead of after librdkafka's retries.
  [[nodiscard]] result<client::client_config> config() const;
  // Config + admin client in one step (most commands need exactly that).
  [[nodiscard]] result<client::admin> make_admin() const;
  // The protocol-level admin of `samsa txn` (PLAINTEXT only: it refuses a
  // configuration that asks for TLS or SASL rather than ignore it).
  [[nodiscard]] result<txn_admin> make_txn_admin() const;

  bool color() const;  // stdout is a terminal, NO_COLOR unset, no --no-color

  // Prints "error: ..." to stderr and returns the matching exit code.
  int fail(const samsa::error& e) const;
};

// Adds "-o/--output table|json|yaml" to a read command. The same option on the
// root command (`samsa -o json topic list`) sets every registered format; an
// -o after the subcommand wins because its callback runs later.
void add_output_option(CLI::App* cmd, output_format& format);
void add_global_output_option(CLI::App& app);

// "Example:" footer shown by --help.
void set_example(CLI::App* cmd, const std::string& example);

// ANSI helpers that do nothing when colour is off.
std::string bold(const cli_context& ctx, const std::string& s);
std::string dim(const cli_context& ctx, const std::string& s);
std::string green(const cli_context& ctx, const std::string& s);
std::string yellow(const cli_context& ctx, const std::string& s);

}  // namespace samsa::cli
